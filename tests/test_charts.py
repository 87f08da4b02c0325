"""Charts: valid Vega-Lite specs that carry no data, one series file per account whose values are
the metrics' own, and pages whose chart blocks come with their data as a table."""

from __future__ import annotations

import copy
import csv
import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import numpy as np
import pandas as pd
import pytest
import vl_convert
import yaml
from conftest import ROOT, dict_nodes
from test_metrics import ACCOUNTS, POSTS, REGISTRY, accounts_frame, posts_frame
from test_site import make_project
from test_site_metrics import fixture_registry, write_fixture_store

from observatory.analysis.metrics import Inputs, account_metrics
from observatory.registry.load import load_registry
from observatory.site import charts
from observatory.site.build import build_site
from observatory.site.charts import accounts as account_charts
from observatory.site.charts import adoption as adoption_chart
from observatory.site.charts import blocks as chart_blocks
from observatory.site.charts import events as chart_events
from observatory.site.charts import series as chart_series
from observatory.site.charts import specs as chart_specs
from observatory.textfmt import MONTHS, date_fr, number

EVENTS = [{"date": "2025-01-15", "platform": "", "label": "Définitions : exemple", "chart": "engagement"},
          {"date": "2025-01-20", "platform": "bluesky", "label": "Panne du réseau", "chart": ""},
          {"date": "2024-06-01", "platform": "", "label": "Hors de la période", "chart": ""}]
SAMPLES = {
    "followers": [{"date": "2025-01-01", "followers": "1000", "engagement": ""},
                  {"date": "2025-01-24", "followers": "1100", "engagement": ""},
                  {"date": "2025-01-31", "followers": "1200", "engagement": "0.133"}],
    "engagement": [{"date": "2025-01-10", "followers": "1100", "engagement": "0.05"},
                   {"date": "2025-01-31", "followers": "1200", "engagement": "0.133"}],
    "board": [{"order": "1", "rank": "1", "name": "CHU A", "value": "1200", "text": "1 200"},
              {"order": "2", "rank": "2", "name": "CHU B", "value": "900", "text": "900"}],
    "distribution": [{"account_id": "did:a", "name": "CHU A", "followers": "1200", "benchmark": "0"},
                     {"account_id": "did:b", "name": "CHU B", "followers": "0", "benchmark": "0"},
                     {"account_id": "did:r", "name": "Réf", "followers": "100000", "benchmark": "1"}],
    "adoption": [{"date": "2024-11-01", "platform": "twitter", "label": "X (Twitter)", "count": "4"},
                 {"date": "2024-12-01", "platform": "twitter", "label": "X (Twitter)", "count": "2"},
                 {"date": "2024-11-01", "platform": "bluesky", "label": "Bluesky", "count": "0"},
                 {"date": "2024-12-01", "platform": "bluesky", "label": "Bluesky", "count": "3"}],
}
PARAMS = {"followers": {"obs_platform": "bluesky", "obs_start": "2025-01-01", "obs_end": "2025-01-31"},
          "engagement": {"obs_platform": "bluesky", "obs_start": "2025-01-10", "obs_end": "2025-01-31"},
          "board": {"obs_title": "Abonnés sur Bluesky : 2 premiers"},
          "distribution": {"obs_account": "did:a"},
          "adoption": {"obs_platform": "", "obs_start": "2024-11-01", "obs_end": "2024-12-01"}}


def with_inline_data(spec: dict, values: list[dict], params: dict[str, str]) -> dict:
    """The spec as the browser gets it, with the data inline instead of by URL."""
    spec = copy.deepcopy(spec)

    for node in dict_nodes(spec):
        data = node.get("data")
        if isinstance(data, dict) and "url" in data:
            rows = values if data["url"] == chart_specs.DATA_URL else EVENTS
            node["data"] = {"values": rows, "format": {"parse": data["format"]["parse"]}}
    for param in spec.get("params", []):
        param["value"] = params.get(param["name"], param.get("value"))
    spec["width"] = 480  # "container" has no container here
    return spec


def svg_texts(svg: str) -> list[str]:
    return re.findall(r">([^<>]+)</text>", svg)


def test_specs_are_valid_vega_lite_with_data_by_url(tmp_path: Path) -> None:
    names = chart_specs.write_chart_specs(tmp_path, ["twitter", "bluesky"])
    assert set(names) == set(chart_specs.KINDS)
    for kind, name in names.items():
        text = (tmp_path / name).read_text(encoding="utf-8")
        spec = json.loads(text)
        assert '"values"' not in text and "http" not in text, kind
        assert spec["data"]["url"] == chart_specs.DATA_URL
        assert spec["config"]["locale"]["number"]["thousands"] == "\u202f"
        assert vl_convert.vegalite_to_vega(spec)["$schema"]  # compiles as shipped
        texts = svg_texts(vl_convert.vegalite_to_svg(with_inline_data(spec, SAMPLES[kind], PARAMS[kind])))
        assert texts, kind
        if kind in {"followers", "board"}:
            assert "1\u202f200" in texts, (kind, texts)  # French thousands separator
        if kind == "followers":
            assert "Panne du réseau" in texts and "Définitions : exemple" not in texts
            assert "Hors de la période" not in texts  # events never stretch the time axis
            assert any("janv." in t for t in texts)  # French months
        if kind == "engagement":
            assert "Définitions : exemple" in texts and "0,12" in texts  # French decimals
            assert not any(t.endswith(" h") for t in texts)  # daily data: no hour ticks
        if kind == "distribution":
            assert "CHU A" in texts and "Réf" not in texts  # benchmarks are no peers
        if kind == "adoption":
            assert {"X (Twitter)", "Bluesky", "nov. 2024", "déc. 2024"} <= set(texts)  # one month format


def read_series(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_series_file_per_account_with_the_right_rows(tmp_path: Path) -> None:
    paths = chart_series.write_series(tmp_path, ACCOUNTS, POSTS)
    assert len(paths) == 6 and len(list((tmp_path / "series" / "bluesky").glob("*.csv"))) == 6
    assert all(":" not in p for p in paths.values())
    rows = read_series(tmp_path / paths[("bluesky", "did:a")])
    assert [(r["date"], r["followers"]) for r in rows] == [
        ("2025-01-01", "1000"), ("2025-01-24", "1100"), ("2025-01-31", "1200")]
    # Engagement, once a week, as the metrics compute it: (0.02 + 0.02) / 30 days, in %.
    assert [r["engagement"] for r in rows] == ["", "", "0.133"]
    assert read_series(tmp_path / paths[("bluesky", "did:b")])[-1]["engagement"] == ""  # 0 followers
    assert all(r["engagement"] == "" for r in read_series(tmp_path / paths[("bluesky", "did:c")]))
    # A second run leaves the files alone; an account that is gone loses its file.
    before = {p: (tmp_path / p).stat().st_mtime_ns for p in paths.values()}
    chart_series.write_series(tmp_path, ACCOUNTS[ACCOUNTS["entity"] != "chu-c"], POSTS)
    assert not (tmp_path / paths[("bluesky", "did:c")]).exists()
    assert (tmp_path / paths[("bluesky", "did:a")]).stat().st_mtime_ns == before[paths[("bluesky", "did:a")]]


def test_file_names_are_safe_and_distinct() -> None:
    ids = ["did:plc:abc", "did_plc_abc", "UCabcDEF", "UCABCDEF", "123456", "../etc", ""]
    names = [chart_series.safe_name(i) for i in ids]
    assert len(set(n.lower() for n in names)) == len(ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", n) for n in names)
    assert chart_series.safe_name("123456") == "123456"


def test_numbers_written_column_wise_read_as_python_writes_them() -> None:
    rng = np.random.default_rng(3)
    followers = np.r_[0, 7, 999, 1000, 1234567, 10**11 + 5, rng.integers(0, 10**7, 300)].astype(float)
    followers[[3, 10]] = np.nan
    engagement = np.r_[[0.0, np.nan, 3.14159, 12345.6789], rng.random(len(followers) - 4) * 20]
    engagement[rng.random(len(engagement)) < 0.3] = np.nan
    day = 20000 + rng.integers(0, 800, len(followers))
    iso = [str(np.datetime64("1970-01-01") + int(d)) for d in day]
    body, ends = chart_series._csv_body(day, followers, engagement, chunk=97)
    assert len(ends) == len(day) and ends[-1] == len(body)
    assert body.tobytes().decode().splitlines() == [
        f"{i},{'' if np.isnan(f) else int(f)},{'' if np.isnan(e) else f'{e:.3f}'}"
        for i, f, e in zip(iso, followers, engagement, strict=True)]
    known = ~np.isnan(followers)
    rows, _ = chart_series.html_rows(day[known], followers[known], 0, chunk=50)
    assert rows.tobytes().decode() == "".join(
        f"<tr><td>{date_fr(i)}</td><td>{number(f)}</td></tr>"
        for i, f in zip(np.array(iso)[known], followers[known], strict=True))
    known = ~np.isnan(engagement)
    rows, _ = chart_series.html_rows(day[known], engagement[known], 3)
    assert rows.tobytes().decode() == "".join(
        f"<tr><td>{date_fr(i)}</td><td>{number(e, 3)}</td></tr>"
        for i, e in zip(np.array(iso)[known], engagement[known], strict=True))


def test_weekly_engagement_equals_the_metrics_on_every_week() -> None:
    """A long, irregular history: every weekly value is the metric as of that day."""
    rng = np.random.default_rng(7)
    days = pd.date_range("2025-01-01", "2025-03-31", freq="D")
    snapshots, posts = [], []
    for n, entity in enumerate(("chu-a", "chu-b", "chu-d")):
        kept = days[rng.random(len(days)) > 0.3]  # gaps in the collection
        followers = 500 + n * 300 + np.cumsum(rng.integers(0, 5, len(kept)))
        snapshots += [(d.strftime("%Y-%m-%d"), entity, f"did:{n}", f"h{n}", int(f))
                      for d, f in zip(kept, followers, strict=True)]
        for i, day in enumerate(days[rng.random(len(days)) > 0.6]):
            likes = None if rng.random() < 0.02 else int(rng.integers(0, 30))
            posts.append((f"{n}-{i}", entity, f"did:{n}", day.strftime("%Y-%m-%dT10:00:00Z"),
                          bool(rng.random() < 0.2), bool(rng.random() < 0.1), likes, int(rng.integers(0, 5))))
    accounts_in, posts_in = accounts_frame(snapshots), posts_frame(posts)
    series = chart_series.compute_series(accounts_in, posts_in)
    weekly = series.engagement.merge(series.keys, on="gid")
    assert weekly["date"].nunique() >= 8
    for day, group in weekly.groupby("date"):
        expected = account_metrics(Inputs(accounts_in, posts_in, REGISTRY), as_of=day).set_index("account_id")
        for row in group.itertuples():
            want = expected.loc[row.account_id, "engagement"]
            if pd.isna(want):
                assert np.isnan(row.engagement), (day, row.account_id)
            else:
                assert row.engagement == pytest.approx(float(want), abs=1e-9), (day, row.account_id)


def test_adoption_counts_establishments_per_network_and_month(tmp_path: Path) -> None:
    data = tmp_path / "data"
    fixture_registry(data)
    (data / "establishments" / "chu-x.yml").write_text(
        "name: CHU X\nshort_name: X\ncategory: chu-chr\naccounts:\n- platform: twitter\n  handle: chux\n"
        "  status: left\n  since: '2024-10'\n  until: '2024-12-15'\n- platform: mastodon\n"
        "  handle: '@chux@exemple.social'\n  status: active\n  since: '2024'\nsources:\n- title: Test\n",
        encoding="utf-8")
    registry = load_registry(data)
    frame = adoption_chart.adoption_frame(registry, ACCOUNTS)
    counts = {(r.date, r.platform): r.count for r in frame.itertuples()}
    # X: October to December 2024 (until); Mastodon: since a bare year counts from December;
    # Bluesky: the five establishments seen in January 2025 (the benchmark is no establishment).
    assert counts[("2024-10-01", "twitter")] == 1 and counts[("2025-01-01", "twitter")] == 0
    assert counts[("2024-11-01", "mastodon")] == 0 and counts[("2024-12-01", "mastodon")] == 1
    assert counts[("2025-01-01", "bluesky")] == 5 and counts[("2024-12-01", "bluesky")] == 0
    assert sorted(frame["date"].unique())[0] == "2024-10-01"


def test_events_come_from_data_and_the_definitions_journal(tmp_path: Path) -> None:
    (tmp_path / "events.csv").write_text(
        "date,platform,label\n2024-12-03,twitter,Départ de X de plusieurs CHU\nnon daté,,ignoré\n",
        encoding="utf-8")
    journal = tmp_path / "methodologie.md"
    journal.write_text("# M\n\n## Journal des définitions\n\nIntro.\n\n- **2026-11-23** — première "
                       "version : fenêtre de 30 jours ;\n  suite de l'entrée.\n\n## Autre\n\n"
                       "- **2027-01-01** — hors du journal\n", encoding="utf-8")
    events = chart_events.events_frame(tmp_path, journal).to_dict("records")
    assert events == [
        {"date": "2024-12-03", "platform": "twitter", "label": "Départ de X de plusieurs CHU", "chart": ""},
        {"date": "2026-11-23", "platform": "", "label": "Définitions : première version",
         "chart": "engagement"}]
    chart_events.write_events(tmp_path / "out", chart_events.events_frame(tmp_path / "absent"))
    assert (tmp_path / "out" / "events.csv").read_text() == "date,platform,label,chart\n"


def test_no_snapshot_no_chart_and_no_bundle(tmp_path: Path) -> None:
    project = make_project(tmp_path, ROOT / "data")
    registry = load_registry(project / "data")
    empty = ACCOUNTS.iloc[0:0]
    blocks = charts.write_charts(project, registry, empty, POSTS.iloc[0:0], pd.DataFrame(), [])
    # No snapshot: no account or board chart. Only the adoption chart may be drawn, from the
    # registry's own dated accounts (since / until), and the home page's map of France, from the
    # registry alone; the bundle comes with them.
    assert blocks.accounts == {} and set(blocks.boards) <= {"index", "home", "home_map"}
    assert (project / "docs" / chart_specs.BUNDLE_PATH).exists() == (not blocks.empty)
    assert (project / "docs" / chart_specs.CHARTS_DIR / "followers.json").exists()


def test_chart_block_escapes_everything() -> None:
    block = chart_blocks.chart_block("board", "../../s.json", "../../d.csv", "<b>Titre</b> {{ x }}",
                               "Résumé \"<script>\"", [("<i>1</i>", "{% y %}")], ["<th>"], {"title": "<t>"})
    assert "<b>" not in block and "<script>" not in block and "<i>" not in block and "{" not in block
    assert 'role="img"' in block and "aria-label=" in block and "<figcaption>" in block
    assert block.index("</figure>") < block.index("<details")


# --- The built site ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("charts-site"), data=None)
    shutil.rmtree(project / "data")
    fixture_registry(project / "data")
    path = project / "data" / "establishments" / "chu-a.yml"
    # An opening date: the adoption chart then spans November 2024 to January 2025.
    path.write_text(path.read_text().replace("  status: active\n", "  status: active\n  since: '2024-11'\n"))
    write_fixture_store(project / "data")
    assert build_site(project) == 0
    return project / "site"


def figures_of(page: str) -> list[tuple[dict[str, str], list[list[str]]]]:
    """Each chart of a page: the figure's attributes and the rows of its data table."""
    out = []
    for match in re.finditer(r"<figure ([^>]*)>.*?</figure>\s*<details[^>]*>(.*?)</details>", page, re.S):
        attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1)))
        body = re.search(r"<tbody>(.*?)</tbody>", match.group(2), re.S)
        rows = [re.findall(r"<td>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", body.group(1))]
        out.append((attrs, rows))
    return out


def french_date_to_iso(text: str) -> str:
    day, month, year = text.replace("1er", "1").split()
    return f"{year}-{MONTHS.index(month) + 1:02d}-{int(day):02d}"


def french_number(text: str) -> float:
    return float(text.replace("\u202f", "").replace(",", "."))


def target(site: Path, page_dir: str, url: str) -> Path:
    return site / urlsplit(urljoin(f"http://site/{page_dir}", url)).path.lstrip("/")


def test_establishment_page_has_its_charts_and_their_data(site: Path) -> None:
    page = (site / "etablissements" / "chu-a" / "index.html").read_text()
    found = figures_of(page)
    assert [a["data-kind"] for a, _ in found] == ["followers", "engagement", "distribution"]
    for attrs, rows in found:
        assert attrs["role"] == "img" and attrs["aria-label"] and rows
        assert target(site, "etablissements/chu-a/", attrs["data-spec"]).exists()
        data = target(site, "etablissements/chu-a/", attrs["data-url"])
        assert data.exists()
    (followers, f_rows), (engagement, e_rows), (distribution, d_rows) = found
    series = read_series(target(site, "etablissements/chu-a/", followers["data-url"]))
    values = {r["date"]: r for r in series}
    # The table: one row a month, the month's latest weekly value (every snapshot is in the CSV).
    assert [(french_date_to_iso(d), french_number(v)) for d, v in f_rows] == [
        ("2025-01-31", float(values["2025-01-31"]["followers"]))]
    assert [r["date"] for r in series if r["followers"]] == ["2025-01-01", "2025-01-24", "2025-01-31"]
    assert [(french_date_to_iso(d), french_number(v)) for d, v in e_rows] == [("2025-01-31", 0.133)]
    assert float(values["2025-01-31"]["engagement"]) == 0.133
    assert "1\u202f000 à 1\u202f200 abonnés" in followers["aria-label"]
    assert json.loads(html.unescape(distribution["data-params"])) == {"obs_account": "did:a"}
    assert ["Rang parmi les établissements", "1 sur 5"] in d_rows
    # A single snapshot: a follower chart, but no engagement (its window is not covered).
    single = figures_of((site / "etablissements" / "chu-c" / "index.html").read_text())
    assert [a["data-kind"] for a, _ in single] == ["followers", "distribution"]


def test_leaderboard_pages_have_the_top_of_the_board(site: Path) -> None:
    page = (site / "classements" / "bluesky-followers" / "index.html").read_text()
    [(attrs, rows)] = figures_of(page)
    assert attrs["data-kind"] == "board"
    board = yaml.safe_load((site / "donnees" / "classements" / "bluesky-followers.yml").read_text())
    expected = [r for r in board["rows"] if r["value"] is not None][:chart_specs.BOARD_TOP]
    assert [(int(r[0]), r[1], french_number(r[2])) for r in rows] == [
        (r["rank"], r["name"], r["value"]) for r in expected]
    data = read_series(target(site, "classements/bluesky-followers/", attrs["data-url"]))
    assert [float(r["value"]) for r in data] == [r["value"] for r in expected]
    [(adoption, months)] = figures_of((site / "classements" / "index.html").read_text())
    assert adoption["data-kind"] == "adoption"
    assert months == [["novembre 2024", "1"], ["décembre 2024", "1"], ["janvier 2025", "5"]]


def test_everything_is_served_by_the_site_itself(site: Path) -> None:
    assert (site / "assets" / "generated" / "vega-bundle.js").stat().st_size > 100_000
    assert (site / "assets" / "charts.js").exists()
    site_url = re.search(r"^site_url:\s*(\S+)", (ROOT / "mkdocs.yml").read_text(), re.M)
    own_host = urlsplit(site_url.group(1) if site_url else "").netloc
    for html_file in site.rglob("*.html"):
        page = html_file.read_text()
        for tag in re.findall(r"<(?:script|link)\b[^>]*>", page):
            for url in re.findall(r'(?:src|href)="([^"]+)"', tag):
                host = urlsplit(url).netloc
                assert not host or host == own_host, (html_file, tag)
        assert "assets/charts.js" in page
    for spec in (site / "assets" / "generated" / "charts").glob("*.json"):
        assert "http" not in spec.read_text()


def test_chart_tables_keep_each_accounts_last_weekly_row_of_a_month() -> None:
    days = ["2025-01-05", "2025-01-26", "2025-02-02", "2025-01-26", "2025-03-02", "2025-03-09"]
    table = pd.DataFrame({"gid": [0, 0, 0, 1, 1, 1], "day": [
        (np.datetime64(d) - np.datetime64("1970-01-01")).astype(int) for d in days]})
    assert list(account_charts._last_of_month(table)) == [False, True, True, True, False, True]
