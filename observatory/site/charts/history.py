"""Each account's whole history (issue #16): the follower counts that rankings and the press
published (data/published-figures.csv, points with their source) and the series the observatory
collects (a line), on one time axis from the earliest figure to today.

Only accounts with a published follower count get this chart, and one small CSV each
(date, followers, kind, text, day, source) under docs/donnees/series/historique/; other figures
(ranks, views...) are not in followers and stay in the page's « Chiffres publiés » table. A figure
names an establishment and a network, not an account: the collected line is drawn only when the
establishment has exactly one collected account on that network. A figure without date cannot be
placed on a time axis: the summary and the table say so; a figure dated by its year or month only is
placed in the middle of that period, its table row giving the date as published."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from observatory.registry.load import Registry
from observatory.registry.vocab import PLATFORMS
from observatory.site.charts.blocks import chart_block, write_text_if_changed
from observatory.site.charts.series import EPOCH, Series, group_bounds, safe_name
from observatory.site.charts.specs import CHARTS_DIR, SERIES_DIR, history_spec
from observatory.site.page_data import figure_value
from observatory.textfmt import date_fr, number, plural

HISTORY_DIR = f"{SERIES_DIR}/historique"  # under docs/donnees/
SPEC_FILE = "history.json"  # under CHARTS_DIR
HEADERS = ("Date", "Abonnés", "Origine")
CSV_HEADER = "date,followers,kind,text,day,source\n"
NOTE = ("chiffres publiés tels que publiés, avec leur source ; relevés de l'observatoire : une ligne "
        "par année (dernière valeur hebdomadaire de l'année), toutes les semaines dans le fichier CSV ; "
        "un chiffre daté d'une année ou d'un mois seulement est placé au milieu de cette période")


@dataclass
class HistoryBlocks:
    """Blocks by account (drawn with its collected series), and by establishment for networks
    whose figures cannot be tied to one collected account (none yet, or several)."""

    accounts: dict[tuple[str, str], str] = field(default_factory=dict)
    entities: dict[str, list[str]] = field(default_factory=dict)


def placed_date(figure_date: str) -> str:
    """Where a figure goes on the axis: its day, or the middle of its month or year."""
    if len(figure_date) == 4:
        return f"{figure_date}-07-01"
    if len(figure_date) == 7:
        return f"{figure_date}-15"
    return figure_date


def source_line(row: pd.Series) -> str:
    """« title (publisher, published on date) », as the figures table names a source."""
    details = [row["source_publisher"]] if row["source_publisher"] else []
    if row["published_on"]:
        when = "le" if len(row["published_on"]) == 10 else "en"
        details.append(f"publié {when} {date_fr(row['published_on'])}")
    return row["source_title"] + (f" ({', '.join(details)})" if details else "")


def _quoted(column: pd.Series) -> pd.Series:
    return '"' + column.astype(str).str.replace('"', '""', regex=False) + '"'


def _csv_lines(frame: pd.DataFrame) -> pd.Series:
    """CSV lines of a frame (date, followers, kind, text, day, source), built column-wise."""
    followers = frame["followers"].round().astype(np.int64).astype(str)
    return (frame["date"] + "," + followers + "," + frame["kind"] + "," + _quoted(frame["text"]) + ","
            + _quoted(frame["day"]) + "," + _quoted(frame["source"]) + "\n")


def _series_rows(series: Series, gids: np.ndarray) -> pd.DataFrame:
    """The weekly followers of the given accounts (gid, date, followers)."""
    weekly = series.weekly_followers
    chosen = weekly[np.isin(weekly["gid"].to_numpy(), gids)]
    return pd.DataFrame({"gid": chosen["gid"].to_numpy(), "day": chosen["day"].to_numpy(),
                         "followers": chosen["followers"].to_numpy()})


def _who(handle: str, platform: str) -> str:
    return f"{handle} ({PLATFORMS.get(platform, platform)})"


def _day(day: int) -> str:
    return date_fr(str(EPOCH + int(day)))


def _dated(text: str) -> str:
    """« du 3 janvier 2026 », « de novembre 2020 », « de 2011 »."""
    return ("du " if len(text) == 10 else "de ") + date_fr(text)


def _summary(placed: pd.DataFrame, undated: pd.DataFrame, days: np.ndarray, counts: np.ndarray,
             others: int, several: bool) -> str:
    """The chart in words: the figures placed and not placed, the collected series, the rest."""
    parts = []
    if len(placed) == 1:
        parts.append(f"1 chiffre publié, daté {_dated(placed['figure_date'].iloc[0])} : "
                     f"{figure_value(placed.iloc[0])} abonnés")
    elif len(placed):
        parts.append(f"{plural(len(placed), 'chiffre publié')}, le premier daté "
                     f"{_dated(placed['figure_date'].iloc[0])} ({figure_value(placed.iloc[0])} abonnés), "
                     f"le dernier {_dated(placed['figure_date'].iloc[-1])} ({figure_value(placed.iloc[-1])})")
    if len(undated):
        values = ", ".join(figure_value(r) for _, r in undated.iterrows())
        parts.append(f"{plural(len(undated), 'chiffre publié sans date', 'chiffres publiés sans date')} "
                     f"({values} abonnés), qu'aucune date ne permet de placer sur l'axe du temps")
    if len(counts) == 1:
        parts.append(f"un relevé de l'observatoire, le {_day(days[0])} : {number(counts[0])} abonnés")
    elif len(counts):
        parts.append(f"relevés de l'observatoire du {_day(days[0])} au {_day(days[-1])} : de "
                     f"{number(counts[0])} à {number(counts[-1])} abonnés")
    elif several:
        parts.append("plusieurs comptes de l'établissement sont relevés sur ce réseau et un chiffre "
                     "publié ne dit pas lequel : aucun relevé n'est tracé")
    else:
        parts.append("aucun relevé n'est encore collecté sur ce réseau")
    text = " ; ".join(parts) + "."
    if others:
        verb = "ne sont pas des nombres" if others > 1 else "n'est pas un nombre"
        text += (f" {plural(others, 'autre chiffre publié', 'autres chiffres publiés')} (rangs, vues…) "
                 f"{verb} d'abonnés : voir « Chiffres publiés ».")
    return text[0].upper() + text[1:]


def _table_rows(placed: pd.DataFrame, undated: pd.DataFrame, days: np.ndarray,
                counts: np.ndarray) -> list[tuple[str, str, str]]:
    """Figures and yearly collected values, in date order; undated figures last."""
    rows = [(row["placed"], date_fr(row["figure_date"]), figure_value(row),
             f"Chiffre publié : {source_line(row)}") for _, row in placed.iterrows()]
    if len(days):
        years = (EPOCH + days).astype("datetime64[Y]")
        last = np.r_[years[1:] != years[:-1], True]
        rows += [(str(EPOCH + int(d)), date_fr(str(EPOCH + int(d))), number(c), "Relevé de l'observatoire")
                 for d, c in zip(days[last], counts[last], strict=True)]
    rows.sort(key=lambda r: r[0])
    rows += [("", "date inconnue : non placé sur le graphique", figure_value(row),
              f"Chiffre publié : {source_line(row)}") for _, row in undated.iterrows()]
    return [r[1:] for r in rows]


def history_blocks(data_out: Path, charts_dir: Path, figures: pd.DataFrame, series: Series,
                   registry: Registry, prefix: str, today: dt.date | None = None) -> HistoryBlocks:
    """Write the history spec and one CSV per (establishment, network) with a published follower
    count; return the blocks. Stale CSV files are removed."""
    out = HistoryBlocks()
    folder = data_out / HISTORY_DIR
    wanted: set[Path] = set()
    today = today or dt.date.today()
    followers = figures[(figures["metric"] == "followers") & figures["platform"].isin(list(PLATFORMS))]
    if not followers.empty:
        write_text_if_changed(charts_dir / SPEC_FILE, json.dumps(
            history_spec(), ensure_ascii=False, separators=(",", ":")) + "\n")
        wanted |= _write_histories(out, folder, followers, figures, series, registry, prefix, today)
    if folder.exists():
        for stale in set(folder.glob("*/*.csv")) - wanted:
            stale.unlink()
    return out


def _write_histories(out: HistoryBlocks, folder: Path, followers: pd.DataFrame, figures: pd.DataFrame,
                     series: Series, registry: Registry, prefix: str, today: dt.date) -> set[Path]:
    keys = series.keys
    collected: dict[tuple[str, str], list[int]] = {}
    for gid, entity, platform in zip(keys["gid"], keys["entity"], keys["platform"], strict=True):
        collected.setdefault((entity, platform), []).append(int(gid))
    groups = list(followers.groupby(["entity", "platform"], sort=True))
    single = {pair: gids[0] for pair, gids in collected.items() if len(gids) == 1}
    lines = _series_rows(series, np.array([single[p] for p, _ in groups if p in single], np.int64))
    starts, ends = group_bounds(lines["gid"].to_numpy())
    spans = {int(lines["gid"].iat[a]): (a, b) for a, b in zip(starts, ends, strict=True)}
    others = figures[figures["metric"] != "followers"].groupby(["entity", "platform"]).size()
    wanted = set()
    for (entity, platform), group in groups:
        gid = single.get((entity, platform))
        a, b = spans.get(gid, (0, 0)) if gid is not None else (0, 0)
        days = lines["day"].to_numpy()[a:b]
        counts = lines["followers"].to_numpy()[a:b]
        dated = group["figure_date"] != ""
        placed = group[dated].assign(placed=group.loc[dated, "figure_date"].map(placed_date)).sort_values(
            "placed", kind="stable")
        undated = group[~dated]
        if placed.empty and not len(counts):
            continue  # nothing to draw: the figures stay in the « Chiffres publiés » table
        path = f"{HISTORY_DIR}/{platform}/{safe_name(entity)}.csv"
        frame = pd.concat([
            pd.DataFrame({"date": [str(EPOCH + int(d)) for d in days], "followers": counts, "kind": "releve",
                          "text": "", "day": "", "source": ""}),
            pd.DataFrame({"date": placed["placed"].to_numpy(), "followers": placed["value"].to_numpy(),
                          "kind": "chiffre", "text": [figure_value(r) for _, r in placed.iterrows()],
                          "day": placed["figure_date"].map(date_fr).to_numpy(),
                          "source": [source_line(r) for _, r in placed.iterrows()]})])
        write_text_if_changed(folder.parent.parent / path, CSV_HEADER + "".join(_csv_lines(frame)))
        wanted.add(folder.parent.parent / path)
        starts_on = min([*placed["placed"], *(str(EPOCH + int(d)) for d in days[:1])])
        params = {"start": f"{starts_on[:4]}-01-01", "end": today.isoformat()}
        several = len(collected.get((entity, platform), [])) > 1
        summary = _summary(placed, undated, days, counts, int(others.get((entity, platform), 0)), several)
        handle = _handle(keys, gid, registry, entity, platform)
        block = chart_block("history", f"{prefix}{CHARTS_DIR}/{SPEC_FILE}", f"{prefix}donnees/{path}",
                            f"Historique des abonnés : {_who(handle, platform)}", summary,
                            _table_rows(placed, undated, days, counts), HEADERS, params, NOTE)
        if gid is not None:
            out.accounts[(platform, str(keys["account_id"].iat[gid]))] = block
        else:
            out.entities.setdefault(entity, []).append(block)
    return wanted


def _handle(keys: pd.DataFrame, gid: int | None, registry: Registry, entity: str, platform: str) -> str:
    """The collected account's handle; else the one registered on that network, or the
    establishment's name when it has several there (a figure does not say which)."""
    if gid is not None:
        return str(keys["handle"].iat[gid])
    found = registry.entities.get(entity)
    handles = [a.handle for a in (found.accounts if found else ()) if a.platform == platform]
    if len(handles) == 1:
        return handles[0]
    return found.name if found else entity
