"""Charts: one Vega-Lite spec per kind of chart, each chart's data in a small CSV file.

The specs are built once per build with Altair and saved as JSON under
docs/assets/generated/charts/. Their data is a URL placeholder that docs/assets/charts.js
replaces with the figure's data-url; what differs from page to page (the account to highlight,
the platform, the dates between which event rules are drawn, a title) are Vega-Lite params that
charts.js sets from the figure's data-params. Series are computed for all accounts at once
(sorted int64 keys, searchsorted, cumulative sums) and their text is built column-wise in numpy,
never account by account, then written one CSV per account. The browser renders the charts
with vega, vega-lite and vega-embed vendored in observatory/site/vendor/vega, served by the site.

Accounts with a published follower count (data/published-figures.csv) also get the chart of
their whole history (history.py): the figures as points, the collected series as a line. Its
block comes first among the account's; a network whose figures cannot be tied to one collected
account has its block under the key ("", establishment id).

Every chart comes with a text summary (figcaption and aria-label) and its data as an HTML table
in a <details> element: a text alternative, as the French accessibility standard (RGAA) asks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from observatory.registry.load import Registry
from observatory.registry.vocab import PLATFORMS
from observatory.site.charts.accounts import account_blocks
from observatory.site.charts.adoption import adoption_block, adoption_frame
from observatory.site.charts.blocks import ChartBlocks, write_table
from observatory.site.charts.boards import board_block, board_frame, distribution_frames
from observatory.site.charts.events import events_frame, write_events, write_vega_bundle
from observatory.site.charts.history import history_blocks
from observatory.site.charts.regions_map import write_map
from observatory.site.charts.series import compute_series, series_paths, write_series_files
from observatory.site.charts.specs import BUNDLE_PATH, CHARTS_DIR, SERIES_DIR, write_chart_specs


def write_charts(root: Path, registry: Registry, accounts: pd.DataFrame, posts: pd.DataFrame,
                 metrics: pd.DataFrame, boards: list[dict[str, Any]],
                 today: dt.date | None = None, figures: pd.DataFrame | None = None) -> ChartBlocks:
    """Write the specs, events, series and chart data of a build; return the pages' blocks.

    Establishment and leaderboard pages are served at <folder>/<id>/ and the leaderboard index
    at classements/: raw HTML URLs are not rewritten by MkDocs, hence the prefixes."""
    docs = root / "docs"
    data_out = docs / "donnees"
    series = compute_series(accounts, posts)
    csv_paths = series_paths(series)
    write_series_files(data_out, series)
    folder = data_out / SERIES_DIR
    wanted: set[Path] = set()
    for platform, frame in distribution_frames(metrics, registry).items():
        wanted.add(folder / "repartition" / f"{platform}.csv")
        write_table(folder / "repartition" / f"{platform}.csv", frame)
    out = ChartBlocks(accounts=account_blocks(series, csv_paths, metrics, "../../"))
    if figures is not None:
        history = history_blocks(data_out, docs / CHARTS_DIR, figures, series, registry, "../../", today)
        for key, block in history.accounts.items():
            out.accounts[key] = [block, *out.accounts.get(key, [])]
        out.accounts.update({("", entity): blocks for entity, blocks in history.entities.items()})
    for board in boards:
        frame = board_frame(board)
        if frame.empty:
            continue
        path = f"{SERIES_DIR}/classements/{board['id']}.csv"
        wanted.add(data_out / path)
        write_table(data_out / path, frame)
        out.boards[board["id"]] = board_block(board, frame, path, "../../")
    adoption = adoption_frame(registry, accounts, today)
    if adoption["date"].nunique() >= 2:
        wanted.add(folder / "adoption.csv")
        write_table(folder / "adoption.csv", adoption)
        out.boards["index"] = adoption_block(adoption, "../")
        out.boards["home"] = adoption_block(adoption, "")  # the home page is at the root
    if (region_map := write_map(docs, registry)) is not None:
        out.boards["home_map"] = region_map  # the map of France on the home page
    for stale in {*folder.glob("repartition/*.csv"), *folder.glob("classements/*.csv"),
                  *folder.glob("adoption.csv")} - wanted:
        stale.unlink()
    charts_dir = docs / CHARTS_DIR
    platforms = list(dict.fromkeys(adoption["platform"])) or list(PLATFORMS)
    write_chart_specs(charts_dir, platforms)
    write_events(charts_dir, events_frame(root / "data", docs / "methodologie.md"))
    if not out.empty:  # the bundle (820 kB) is served only when a page has a chart
        write_vega_bundle(docs / BUNDLE_PATH)
    return out
