"""The built site shows the hand-computed metrics of tests/test_metrics.py's fixtures."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from test_metrics import ACCOUNTS, POSTS
from test_site import make_project

from observatory import PROJECT_URL
from observatory.site.build import build_site
from observatory.store import snapshots


def write_fixture_store(data_dir: Path) -> None:
    accounts = [snapshots.AccountRow(
        date=r["date"].strftime("%Y-%m-%d"), entity=r["entity"], platform="bluesky",
        account_id=r["account_id"], handle=r["handle"], followers=int(r["followers"]), following=None,
        posts=None, provenance="api", collected_at=r["date"].strftime("%Y-%m-%dT06:00:00Z"))
        for _, r in ACCOUNTS.iterrows()]
    posts = [snapshots.PostRow(
        platform="bluesky", post_id=r["post_id"], entity=r["entity"], account_id=r["account_id"],
        published_at=snapshots.utc_text(r["published_at"]), is_reply=bool(r["is_reply"]),
        is_repost=bool(r["is_repost"]), likes=int(r["likes"]), reposts=int(r["reposts"]), replies=None,
        quotes=None, views=None, measured_at="2025-01-31T06:00:00Z") for _, r in POSTS.iterrows()]
    snapshots.write_accounts(data_dir, accounts)
    snapshots.write_posts(data_dir, posts)


def fixture_registry(data_dir: Path) -> None:
    for folder in ("establishments", "benchmarks"):
        (data_dir / folder).mkdir(parents=True, exist_ok=True)
    handles = {"chu-a": "chu-a.fr", "chu-b": "chu-b.fr", "chu-c": "chu-c.fr", "chu-d": "chu-d.fr",
               "chu-e": "chu-e.fr"}
    for entity_id, handle in handles.items():
        (data_dir / "establishments" / f"{entity_id}.yml").write_text(
            f"name: CHU fictif {entity_id}\nshort_name: Fictif {entity_id}\ncategory: chu-chr\n"
            f"region: Bretagne\naccounts:\n- platform: bluesky\n  handle: {handle}\n  status: active\n"
            "sources:\n- title: Données fictives de test\n", encoding="utf-8")
    (data_dir / "benchmarks" / "ref.yml").write_text(
        "name: Référence fictive\nshort_name: Réf\nkind: marque\naccounts:\n- platform: bluesky\n"
        "  handle: ref.fr\n  status: active\nsources:\n- title: Données fictives de test\n", encoding="utf-8")
    (data_dir / "published-figures.csv").write_text(
        "entity,platform,metric,value,value_qualifier,figure_date,source_title,source_publisher,"
        "source_url,published_on,quote,note\n", encoding="utf-8")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("metrics-site"), data=None)
    import shutil

    shutil.rmtree(project / "data")
    fixture_registry(project / "data")
    write_fixture_store(project / "data")
    assert build_site(project) == 0
    return project / "site"


def text_of(path: Path) -> str:
    page = path.read_text()
    return re.sub(r"<[^>]+>", " ", page[page.index("<article"):page.index("</article>")])


def test_followers_leaderboard_matches_the_fixture(site: Path) -> None:
    page = (site / "classements" / "bluesky-followers" / "index.html").read_text()
    rows = re.findall(r'<tr data-category[^>]*>(.*?)</tr>', page)
    assert len(rows) == 5
    flat = [" ".join(t for t in re.split(r"<[^>]+>", r) if t.strip()) for r in rows]
    assert flat[0].startswith("1 ") and "Fictif chu-a" in flat[0] and "1\u202f200" in flat[0]
    assert flat[1].startswith("2 ") and flat[2].startswith("2 ")  # the tie shares a rank
    assert "Fictif chu-c" in flat[3] and flat[3].startswith("4 ")
    assert "Référence fictive" not in " ".join(flat)
    assert "Réf" in text_of(site / "classements" / "bluesky-followers" / "index.html")


def test_engagement_and_na_on_the_establishment_page(site: Path) -> None:
    text = text_of(site / "etablissements" / "chu-a" / "index.html")
    assert "0,133 %" in text  # (0.02 + 0.02) / 30 days, in %
    assert "20,0 % (sur 30 jours)" in text
    assert "historique insuffisant : suivi depuis le 01/01/2025" in text
    single = text_of(site / "etablissements" / "chu-c" / "index.html")
    assert "fenêtre de 30 jours non couverte" in single
    zero = text_of(site / "etablissements" / "chu-b" / "index.html")
    assert "0 abonné au début de la période" in zero


def test_page_data_yaml_is_written(site: Path) -> None:
    import yaml

    board = yaml.safe_load((site / "donnees" / "classements" / "bluesky-followers.yml").read_text())
    assert [r["entity"] for r in board["rows"]][:1] == ["chu-a"] and board["as_of"] == "2025-01-31"
    measures = yaml.safe_load((site / "donnees" / "mesures" / "chu-a.yml").read_text())
    followers = measures["accounts"][0]["metrics"]["followers"]["value"]
    assert followers == 1200 and pd.notna(followers)


def test_metrics_are_downloadable_and_raw_snapshots_linked(site: Path) -> None:
    import json

    measures = json.loads((site / "donnees" / "mesures.json").read_text())
    chu_a = next(r for r in measures if r["entity"] == "chu-a")
    assert chu_a["followers"] == 1200 and chu_a["growth_90_na"].startswith("historique insuffisant")
    boards = json.loads((site / "donnees" / "classements.json").read_text())
    assert {"classement": "bluesky-followers", "entity": "chu-a", "rank": 1}.items() <= boards[0].items()
    # Raw snapshots stay in the repository (about 1 GB at national scale): linked, not copied.
    assert not (site / "donnees" / "releves").exists()
    listing = (site / "donnees" / "index.html").read_text()
    assert f'href="{PROJECT_URL}/tree/main/data/snapshots"' in listing
