"""The account's whole history (issue #16): published follower counts as points with their source,
the collected series as a line, on one time axis from the earliest figure to today; figures
without a date are said, never placed; other figures (ranks, views) stay out of a followers axis."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import html
import json
import re
from pathlib import Path

import pandas as pd
import vl_convert
from test_metrics import ACCOUNTS, POSTS, REGISTRY

from observatory.registry.figures import COLUMNS
from observatory.site.charts import history
from observatory.site.charts.series import compute_series
from observatory.site.charts.specs import DATA_URL
from observatory.site.leaderboard_pages import measures_section

TODAY = dt.date(2025, 2, 3)


def figure(entity: str, platform: str, metric: str, value: str, qualifier: str, day: str,
           title: str = "Classement", note: str = "") -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update(entity=entity, platform=platform, metric=metric, value=value, value_qualifier=qualifier,
               figure_date=day, source_title=title, source_publisher="Éditeur, « test »",
               published_on=day, quote="citation", note=note)
    return row


def figures(*rows: dict[str, str]) -> pd.DataFrame:
    frame = pd.DataFrame(list(rows), columns=list(COLUMNS))
    frame["value"] = pd.to_numeric(frame["value"])
    return frame


FIGURES = figures(
    figure("chu-a", "bluesky", "followers", "900", "about", "2011", "Panorama 2011"),
    figure("chu-a", "bluesky", "followers", "1000", "more_than", "2024-12-20", 'Article "bilan"'),
    figure("chu-a", "bluesky", "followers", "1500", "exact", "", "Sans date", note="non daté"),
    figure("chu-a", "bluesky", "rank_followers", "2", "exact", "2024-12"),  # not in followers
    figure("chu-c", "twitter", "followers", "50", "exact", "2020-11"),  # no collected account
    figure("chu-d", "bluesky", "views", "1000", "more_than", "2020"),  # no follower count: no chart
)


def build(tmp_path: Path, frame: pd.DataFrame = FIGURES) -> history.HistoryBlocks:
    return history.history_blocks(tmp_path / "donnees", tmp_path / "charts", frame,
                                  compute_series(ACCOUNTS, POSTS), REGISTRY, "../../", TODAY)


def read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def table_rows(block: str) -> list[list[str]]:
    body = re.search(r"<tbody>(.*?)</tbody>", block, re.S).group(1)
    return [[html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", r)]
            for r in re.findall(r"<tr>(.*?)</tr>", body)]


def test_points_and_line_in_one_small_file_per_account_with_figures(tmp_path: Path) -> None:
    blocks = build(tmp_path)
    assert set(blocks.accounts) == {("bluesky", "did:a")} and set(blocks.entities) == {"chu-c"}
    files = sorted(p.relative_to(tmp_path / "donnees").as_posix()
                   for p in (tmp_path / "donnees").rglob("*.csv"))
    assert files == ["series/historique/bluesky/chu-a.csv", "series/historique/twitter/chu-c.csv"]
    rows = read(tmp_path / "donnees" / files[0])
    collected = [(r["date"], r["followers"]) for r in rows if r["kind"] == "releve"]
    assert collected == [("2025-01-01", "1000"), ("2025-01-24", "1100"), ("2025-01-31", "1200")]
    published = [(r["date"], r["followers"], r["text"], r["day"]) for r in rows if r["kind"] == "chiffre"]
    # A year-only figure sits in the middle of its year; the undated one is not placed at all.
    assert published == [("2011-07-01", "900", "environ 900", "2011"),
                         ("2024-12-20", "1000", "plus de 1\u202f000", "20 décembre 2024")]
    assert rows[-1]["source"] == 'Article "bilan" (Éditeur, « test », publié le 20 décembre 2024)'
    assert "1500" not in (tmp_path / "donnees" / files[0]).read_text()


def test_summary_and_table_say_every_figure_with_its_source(tmp_path: Path) -> None:
    block = build(tmp_path).accounts[("bluesky", "did:a")]
    params = json.loads(html.unescape(re.search(r'data-params="([^"]+)"', block).group(1)))
    assert params == {"obs_start": "2011-01-01", "obs_end": "2025-02-03"}  # earliest figure to today
    caption = html.unescape(re.search(r"<figcaption>(.*?)</figcaption>", block).group(1))
    caption = caption.replace("\u202f", " ")
    assert "2 chiffres publiés, le premier daté de 2011 (environ 900 abonnés), le dernier du 20 décembre " \
           "2024 (plus de 1 000)" in caption
    assert "1 chiffre publié sans date (1 500 abonnés), qu'aucune date ne permet de placer" in caption
    assert "relevés de l'observatoire du 1er janvier 2025 au 31 janvier 2025 : de 1 000 à 1 200" in caption
    assert "1 autre chiffre publié (rangs, vues…) n'est pas un nombre d'abonnés" in caption
    rows = [[c.replace("\u202f", " ") for c in r] for r in table_rows(block)]
    assert rows[0] == ["2011", "environ 900",
                       "Chiffre publié : Panorama 2011 (Éditeur, « test », publié en 2011)"]
    assert rows[1][1] == "plus de 1 000"
    assert rows[2] == ["31 janvier 2025", "1 200", "Relevé de l'observatoire"]
    assert rows[-1][:2] == ["date inconnue : non placé sur le graphique", "1 500"]


def test_figures_without_a_collected_account_still_draw_their_points(tmp_path: Path) -> None:
    blocks = build(tmp_path)
    block = blocks.entities["chu-c"][0]
    assert "aucun relevé n&#x27;est encore collecté sur ce réseau" in block
    page = "\n".join(measures_section(None, {("", "chu-c"): blocks.entities["chu-c"]}, "chu-c"))
    assert "Aucune mesure n'a encore été collectée" in page and 'data-kind="history"' in page
    assert 'data-kind="history"' not in "\n".join(measures_section(None, {("", "chu-c"): [block]}, "chu-a"))
    # Stale files go when their figures go; no follower figure at all: no file, no spec needed.
    build(tmp_path, FIGURES[FIGURES["entity"] != "chu-c"])
    assert not (tmp_path / "donnees" / "series" / "historique" / "twitter" / "chu-c.csv").exists()
    assert build(tmp_path, FIGURES.iloc[0:0]).accounts == {}
    assert not list((tmp_path / "donnees").rglob("*.csv"))


def inline(spec: dict, path: Path, params: dict[str, str]) -> dict:
    spec = copy.deepcopy(spec)
    assert spec["data"]["url"] == DATA_URL
    spec["data"] = {"values": read(path), "format": {"parse": spec["data"]["format"]["parse"]}}
    for param in spec["params"]:
        param["value"] = params.get(param["name"], param.get("value"))
    spec["width"] = 480
    return spec


def test_the_spec_draws_the_line_and_the_points_from_2011(tmp_path: Path) -> None:
    build(tmp_path)
    text = (tmp_path / "charts" / history.SPEC_FILE).read_text(encoding="utf-8")
    assert "http" not in text and '"values"' not in text
    spec = json.loads(text)
    assert vl_convert.vegalite_to_vega(spec)["$schema"]
    svg = vl_convert.vegalite_to_svg(inline(spec, tmp_path / "donnees/series/historique/bluesky/chu-a.csv",
                                            {"obs_start": "2011-01-01", "obs_end": "2025-02-03"}))
    texts = re.findall(r">([^<>]+)</text>", svg)
    assert "2012" in texts and "2024" in texts and "1\u202f000" in texts  # French thousands
    assert {"Chiffres publiés", "Relevés de l'observatoire"} <= set(texts)  # the legend
    line = re.search(r'class="mark-line role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S).group(1)
    assert line.count("<path") == 1
    symbols = re.findall(r'class="mark-symbol role-mark[^"]*"[^>]*>(.*?)</g>', svg, re.S)
    published = [s for s in symbols if "#ef6c00" in s]  # HIGHLIGHT: the figures' colour
    assert len(published) == 1 and published[0].count('opacity="1"') == 2  # the two dated figures
