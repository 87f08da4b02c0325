"""Leaderboards and per-establishment metric summaries, as plain dicts ready for YAML.

Input: the account metrics (metrics.account_metrics + with_ranks) and the registry. Ranks are
among establishments only; benchmark accounts are listed beside each leaderboard."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from observatory.registry.load import Registry
from observatory.registry.vocab import PLATFORMS

# Metrics that get a leaderboard on each platform: column, French label, unit, decimals.
BOARD_METRICS: dict[str, tuple[str, str, int]] = {
    "followers": ("Abonnés", "", 0),
    "growth_30_pct": ("Croissance sur 30 jours", " %", 1),
    "engagement": ("Engagement", " %", 3),
    "index": ("Indice composite ouvert", "", 0),
}
# Size classes by followers; the 2016 ranking singled out accounts over 4,000 followers.
SIZE_CLASSES = (("moins-de-1000", "moins de 1 000 abonnés", 0, 1000),
                ("1000-a-4000", "1 000 à 4 000 abonnés", 1000, 4000),
                ("plus-de-4000", "plus de 4 000 abonnés", 4000, math.inf))


def size_class(followers: object) -> str | None:
    if followers is None or pd.isna(followers):
        return None
    for code, _label, low, high in SIZE_CLASSES:
        if low <= float(followers) < high:
            return code
    return None


def _value(value: object) -> float | int | None:
    if value is None or pd.isna(value):
        return None
    number = float(value)
    return int(number) if number.is_integer() and abs(number) < 1e15 else round(number, 6)


def _reason(row: Mapping[str, Any], metric: str) -> str | None:
    for column in (f"{metric}_na", f"{metric.rsplit('_', 1)[0]}_na"):
        if isinstance(row.get(column), str):
            return row[column]
    return None if pd.notna(row.get(metric)) else "non communiqué par le réseau"


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts: building a Series per row (iterrows) costs seconds at national scale."""
    return frame.to_dict("records")


def board_row(row: Mapping[str, Any], metric: str, registry: Registry) -> dict[str, Any]:
    entity = registry.entities.get(row["entity"])
    change = row.get(f"rank_{metric}_change")
    return {
        "entity": row["entity"],
        "name": entity.short_name if entity else row["entity"],
        "category": entity.category if entity else None,
        "region": entity.region if entity else None,
        "size_class": size_class(row["followers"]),
        "handle": row["handle"],
        "value": _value(row[metric]),
        "na_reason": _reason(row, metric) if pd.isna(row[metric]) else None,
        "rank": _value(row.get(f"rank_{metric}")),
        "rank_change": _value(change),
        "few_posts": bool(row["few_posts"]) if pd.notna(row.get("few_posts")) else False,
        "dormant": bool(row["dormant"]) if pd.notna(row.get("dormant")) else None,
    }


def platform_boards(metrics: pd.DataFrame, registry: Registry) -> list[dict[str, Any]]:
    """One leaderboard per platform and metric, establishments ranked, benchmarks beside."""
    boards = []
    if metrics.empty:
        return boards
    as_of = pd.Timestamp(metrics["as_of"].iloc[0]).date().isoformat()
    records = dict(zip(metrics.index, _records(metrics), strict=True))  # once, not once per board
    benchmark = metrics["is_benchmark"].astype(bool)
    for platform, group in metrics.groupby("platform", sort=True):
        for metric, (label, unit, decimals) in BOARD_METRICS.items():
            ranked = group.loc[~benchmark[group.index], [f"rank_{metric}", "followers"]].sort_values(
                [f"rank_{metric}", "followers"], ascending=[True, False], na_position="last")
            boards.append({
                "id": f"{platform}-{metric.replace('_', '-')}",
                "platform": platform, "platform_label": PLATFORMS.get(platform, platform),
                "metric": metric, "label": label, "unit": unit, "decimals": decimals,
                "as_of": as_of,
                "rows": [board_row(records[i], metric, registry) for i in ranked.index],
                "benchmarks": [board_row(records[i], metric, registry)
                               for i in group.index[benchmark[group.index]]],
            })
    return boards


def audience_board(metrics: pd.DataFrame, registry: Registry) -> dict[str, Any]:
    """Cross-platform audience: the sum of each establishment's latest followers."""
    rows: list[dict[str, Any]] = []
    if not metrics.empty:
        totals = metrics.groupby("entity").agg(
            followers=("followers", lambda s: s.sum(min_count=1)),
            platforms=("platform", lambda s: sorted(set(map(str, s)))))
        totals["is_benchmark"] = totals.index.map(
            lambda e: registry.entities[e].is_benchmark if e in registry.entities else False)
        ranked = totals[~totals["is_benchmark"]]["followers"].rank(method="min", ascending=False)
        for entity_id, total in totals.sort_values("followers", ascending=False).iterrows():
            entity = registry.entities.get(entity_id)
            rows.append({
                "entity": entity_id, "name": entity.short_name if entity else entity_id,
                "category": entity.category if entity else None,
                "region": entity.region if entity else None,
                "value": _value(total["followers"]), "platforms": total["platforms"],
                "rank": _value(ranked.get(entity_id)), "is_benchmark": bool(total["is_benchmark"]),
            })
    return {"id": "audience", "label": "Audience tous réseaux", "unit": "", "decimals": 0,
            "rows": [r for r in rows if not r["is_benchmark"]],
            "benchmarks": [r for r in rows if r["is_benchmark"]]}


def with_peer_ranks(metrics: pd.DataFrame) -> pd.DataFrame:
    """Ranks among peers (same platform and category) and population sizes, vectorised."""
    frame = metrics.copy()
    establishments = ~frame["is_benchmark"].astype(bool)
    for metric in BOARD_METRICS:
        eligible = frame[metric].where(establishments)
        frame[f"peer_rank_{metric}"] = eligible.groupby([frame["platform"], frame["category"]]).rank(
            method="min", ascending=False).astype("Int64")
        frame[f"peers_of_{metric}"] = eligible.notna().groupby(
            [frame["platform"], frame["category"]]).transform("sum")
        frame[f"overall_of_{metric}"] = eligible.notna().groupby(frame["platform"]).transform("sum")
    return frame


SUMMARY_METRICS = ("followers", "following", "growth_7_pct", "growth_30_pct", "growth_90_pct",
                   "growth_365_pct", "growth_30_weekly", "posts_per_week", "engagement",
                   "post_interaction", "conversation", "followers_per_100_beds", "engagement_vs_peers",
                   "index")


def account_summary(row: Mapping[str, Any], is_benchmark: bool) -> dict[str, Any]:
    """The latest metrics of one account (a row of with_peer_ranks), with its ranks."""
    values = {m: {"value": _value(row[m]), "na_reason": _reason(row, m) if pd.isna(row[m]) else None}
              for m in SUMMARY_METRICS}
    for days in (7, 30, 90, 365):
        values[f"growth_{days}_pct"]["span_days"] = _value(row[f"growth_{days}_span"])
    ranks = {m: {"overall": _value(row.get(f"rank_{m}")), "overall_of": _value(row[f"overall_of_{m}"]),
                 "peers": None if is_benchmark else _value(row[f"peer_rank_{m}"]),
                 "peers_of": _value(row[f"peers_of_{m}"]), "change": _value(row.get(f"rank_{m}_change"))}
             for m in BOARD_METRICS}
    return {
        "platform": row["platform"], "platform_label": PLATFORMS.get(row["platform"], row["platform"]),
        "account_id": row["account_id"], "handle": row["handle"],
        "measured_on": pd.Timestamp(row["measured_on"]).date().isoformat(),
        "few_posts": bool(row["few_posts"]) if pd.notna(row["few_posts"]) else False,
        "dormant": bool(row["dormant"]) if pd.notna(row["dormant"]) else None,
        "metrics": values, "ranks": ranks,
    }


def entity_summaries(metrics: pd.DataFrame, registry: Registry) -> dict[str, dict[str, Any]]:
    """Per entity id: the summaries of its accounts (entities without data are absent)."""
    if metrics.empty:
        return {}
    frame = with_peer_ranks(metrics)
    as_of = pd.Timestamp(frame["as_of"].iloc[0]).date().isoformat()
    out: dict[str, dict[str, Any]] = {}
    for row in _records(frame):  # accounts of an entity keep their order
        entity = registry.entities.get(row["entity"])
        benchmark = bool(entity and entity.is_benchmark)
        summary = out.setdefault(row["entity"], {"as_of": as_of, "accounts": []})
        summary["accounts"].append(account_summary(row, benchmark))
    return out
