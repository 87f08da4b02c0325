"""Establishment pages' charts: each account's follower history, engagement over time and its
place among the platform's establishments."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from observatory.analysis.metrics import ENGAGEMENT_DAYS
from observatory.registry.vocab import PLATFORMS
from observatory.site.charts.blocks import chart_block, chart_block_html, signed
from observatory.site.charts.series import EPOCH, Series, group_bounds, html_rows, split_by_group, thousandths
from observatory.site.charts.specs import CHARTS_DIR, SERIES_DIR
from observatory.textfmt import date_fr, number


def account_blocks(series: Series, csv_paths: dict[int, str], metrics: pd.DataFrame,
                    prefix: str) -> dict[tuple[str, str], list[str]]:
    """Per account with snapshots: follower history, engagement over time and its place among
    the platform's establishments. Tables and summaries come from the same arrays as the CSV."""
    spec, data = f"{prefix}{CHARTS_DIR}/", f"{prefix}donnees/"
    engagement = series.engagement[series.engagement["engagement"].notna()]
    # The tables hold one row a quarter (the quarter's latest weekly value), every value being in
    # the CSV: a row of raw HTML costs MkDocs three HTML parses (Python-Markdown, MkDocs' anchor
    # scan, the search index), and monthly rows were a third of an establishment page's render.
    quarterly = series.weekly_followers[_last_of_quarter(series.weekly_followers)]
    follower_rows = split_by_group(quarterly["gid"].to_numpy(), *html_rows(
        quarterly["day"].to_numpy(), quarterly["followers"].to_numpy(), 0))
    quarterly = engagement[_last_of_quarter(engagement)]
    engagement_rows = split_by_group(quarterly["gid"].to_numpy(), *html_rows(
        quarterly["day"].to_numpy(), quarterly["engagement"].to_numpy(), 3))
    known = series.daily[series.daily["followers"].notna()]
    spans = _spans(known["gid"].to_numpy())
    values = (known["day"].to_numpy(), known["followers"].to_numpy())
    e_spans = _spans(engagement["gid"].to_numpy())
    e_values = (engagement["day"].to_numpy(), thousandths(engagement["engagement"].to_numpy()) / 1000)
    places = _distribution_positions(metrics)
    french: dict[int, str] = {}

    def fr(day: int) -> str:
        if day not in french:
            french[day] = date_fr(str(EPOCH + int(day)))
        return french[day]

    blocks: dict[tuple[str, str], list[str]] = {}
    keys = series.keys
    for gid, platform, account_id, handle in zip(keys["gid"], keys["platform"], keys["account_id"],
                                                 keys["handle"], strict=True):
        who = f"{handle} ({PLATFORMS.get(platform, platform)})"
        out: list[str] = []
        if gid in spans:
            a, b = spans[gid]
            days, counts = values[0][a:b], values[1][a:b]
            if len(counts) == 1:
                summary = f"Un seul relevé, le {fr(days[0])} : {number(counts[0])} abonnés."
            else:
                change = counts[-1] - counts[0]
                pct = f", {signed(change / counts[0] * 100, 1)} %" if counts[0] > 0 else ""
                summary = (f"{len(counts)} relevés du {fr(days[0])} au {fr(days[-1])} : de "
                           f"{number(counts[0])} à {number(counts[-1])} abonnés ({signed(change)}{pct}).")
            out.append(chart_block_html(
                "followers", spec + "followers.json", data + csv_paths[gid], f"Abonnés de {who}", summary,
                ("Date du relevé", "Abonnés"), follower_rows[gid].decode(),
                {"platform": platform, "start": _iso(days[0]), "end": _iso(days[-1])},
                "une ligne par trimestre (dernière valeur hebdomadaire du trimestre) ; tous les relevés "
                "dans le fichier CSV"))
        if gid in e_spans:
            a, b = e_spans[gid]
            days, rates = e_values[0][a:b], e_values[1][a:b]
            top = int(np.argmax(rates))
            if len(rates) == 1:
                summary = f"Une seule valeur, fenêtre close le {fr(days[0])} : {number(rates[0], 3)} %."
            else:
                summary = (f"{len(rates)} valeurs hebdomadaires du {fr(days[0])} au {fr(days[-1])} : "
                           f"{number(rates[-1], 3)} % à la dernière ; maximum {number(rates[top], 3)} % "
                           f"(fenêtre close le {fr(days[top])}).")
            out.append(chart_block_html(
                "engagement", spec + "engagement.json", data + csv_paths[gid],
                f"Engagement sur {ENGAGEMENT_DAYS} jours glissants de {who}", summary,
                (f"Fenêtre de {ENGAGEMENT_DAYS} jours close le", "Engagement (%)"),
                engagement_rows[gid].decode(),
                {"platform": platform, "start": _iso(days[0]), "end": _iso(days[-1])},
                "une ligne par trimestre (dernière valeur hebdomadaire du trimestre), toutes dans le "
                "fichier CSV ; "
                f"(j'aime + partages du jour) ÷ abonnés, moyenne des {ENGAGEMENT_DAYS} jours ; interactions "
                "telles que mesurées en dernier, jusqu'à 30 jours après chaque publication"))
        place = places.get((platform, account_id))
        if place is not None:
            out.append(chart_block(
                "distribution", spec + "distribution.json", data + place["path"],
                f"Place de {who} parmi les comptes d'établissements", place["summary"], place["rows"],
                ("Mesure", "Abonnés"), {"account": account_id},
                note=f"au {date_fr(place['as_of'])} ; tous les comptes dans le fichier CSV"))
        if out:
            blocks[(platform, account_id)] = out
    return blocks


def _last_of_month(table: pd.DataFrame, months: int = 1) -> np.ndarray:
    """Rows (sorted by account then day) that are their account's last of a calendar month, or
    of a period of `months` calendar months counted from January 1970 (3: a quarter)."""
    month = (EPOCH + table["day"].to_numpy()).astype("datetime64[M]").astype(np.int64) // months
    key = table["gid"].to_numpy().astype(np.int64) * 100_000 + month
    return np.r_[key[1:] != key[:-1], True] if len(key) else np.zeros(0, bool)


def _last_of_quarter(table: pd.DataFrame) -> np.ndarray:
    """Rows that are their account's last of a calendar quarter (January-March, April-June...)."""
    return _last_of_month(table, 3)


def _iso(day: int) -> str:
    return str(EPOCH + int(day))


def _spans(gid: np.ndarray) -> dict[int, tuple[int, int]]:
    starts, ends = group_bounds(gid)
    return {int(gid[a]): (int(a), int(b)) for a, b in zip(starts, ends, strict=True)}


def _distribution_positions(metrics: pd.DataFrame) -> dict[tuple[str, str], dict[str, Any]]:
    """Per account: summary and table of its place among the platform's establishments."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if metrics.empty:
        return out
    as_of = pd.Timestamp(metrics["as_of"].iloc[0]).strftime("%Y-%m-%d")
    for platform, group in metrics.groupby(metrics["platform"].astype(str), sort=False):
        values = group["followers"].astype("Float64")
        peers = np.sort(values[~group["is_benchmark"].astype(bool) & values.notna()].astype(float).to_numpy())
        if len(peers) == 0:
            continue
        quartiles = np.percentile(peers, [0, 25, 50, 75, 100])
        label = PLATFORMS.get(platform, platform)
        for row, value in zip(group.itertuples(index=False), values, strict=True):
            if pd.isna(value) or value <= 0:
                continue
            rank = int(len(peers) - np.searchsorted(peers, float(value), side="right")) + 1
            benchmark = bool(row.is_benchmark)
            position = ("compte de référence, non classé" if benchmark
                        else f"rang {rank} sur {len(peers)}")
            summary = (f"{number(value)} abonnés ({position}) ; parmi les {len(peers)} comptes "
                       f"d'établissements sur {label}, médiane {number(quartiles[2])}, de "
                       f"{number(quartiles[0])} à {number(quartiles[4])} abonnés.")
            rows = [("Ce compte", number(value)), ("Rang parmi les établissements", "—" if benchmark
                                                   else f"{rank} sur {len(peers)}"),
                    ("Minimum", number(quartiles[0])), ("Premier quartile", number(quartiles[1], 0)),
                    ("Médiane", number(quartiles[2])), ("Troisième quartile", number(quartiles[3])),
                    ("Maximum", number(quartiles[4]))]
            out[(platform, str(row.account_id))] = {
                "summary": summary, "rows": rows, "as_of": as_of,
                "path": f"{SERIES_DIR}/repartition/{platform}.csv"}
    return out
