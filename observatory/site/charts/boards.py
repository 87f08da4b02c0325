"""Leaderboard charts: the top of each board, and the distribution of a network's accounts."""

from __future__ import annotations

from typing import Any

import pandas as pd

from observatory.registry.load import Registry
from observatory.site.charts.blocks import chart_block
from observatory.site.charts.specs import BOARD_TOP, CHARTS_DIR
from observatory.textfmt import date_fr, number


def distribution_frames(metrics: pd.DataFrame, registry: Registry) -> dict[str, pd.DataFrame]:
    """Per platform, the latest followers of every account (benchmarks flagged)."""
    if metrics.empty:
        return {}
    names = {e.id: e.short_name for e in registry.entities.values()}
    frame = pd.DataFrame({
        "platform": metrics["platform"].astype(str), "account_id": metrics["account_id"].astype(str),
        "name": metrics["entity"].map(lambda e: names.get(e, e)),
        "followers": metrics["followers"].astype("Float64"),
        "benchmark": metrics["is_benchmark"].astype(bool).astype(int)})
    frame = frame[frame["followers"].notna()].astype({"followers": "Int64"})
    return {p: g.drop(columns="platform").sort_values(["followers", "account_id"], ascending=[False, True])
            for p, g in frame.groupby("platform", sort=True)}


def board_frame(board: dict[str, Any]) -> pd.DataFrame:
    """The first BOARD_TOP rows of a leaderboard that have a value, in their order."""
    rows = [r for r in board["rows"] if r.get("value") is not None][:BOARD_TOP]
    names = [r["name"] for r in rows]
    seen: dict[str, int] = {}
    labels = []
    for row, name in zip(rows, names, strict=True):
        seen[name] = seen.get(name, 0) + 1
        labels.append(name if names.count(name) == 1 else f"{name} ({row.get('handle') or seen[name]})")
    return pd.DataFrame({
        "order": range(1, len(rows) + 1), "rank": [r.get("rank") for r in rows], "name": labels,
        "value": [r["value"] for r in rows],
        "text": [number(r["value"], board["decimals"]) + board["unit"] for r in rows]})


def board_block(board: dict[str, Any], frame: pd.DataFrame, path: str, prefix: str) -> str:
    where = f" sur {board['platform_label']}" if board.get("platform_label") else ""
    when = f" au {date_fr(board['as_of'])}" if board.get("as_of") else ""
    first, last = frame.iloc[0], frame.iloc[-1]
    summary = (f"{len(frame)} premiers établissements du classement « {board['label']} »{where}{when} : "
               f"en tête, {first['name']} ({first['text']})")
    summary += f" ; {len(frame)}e, {last['name']} ({last['text']})." if len(frame) > 1 else "."
    unit = board["unit"].strip()
    title = f"{board['label']}{f' ({unit})' if unit else ''}{where} : {len(frame)} premiers"
    rows = [(r.rank if pd.notna(r.rank) else "—", r.name, r.text) for r in frame.itertuples(index=False)]
    return chart_block("board", f"{prefix}{CHARTS_DIR}/board.json", f"{prefix}donnees/{path}", title, summary,
                       rows, ("Rang", "Établissement", board["label"]), {"title": title})
