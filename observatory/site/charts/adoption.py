"""The adoption chart: share of establishments present on each network, month by month."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from observatory.registry.load import Registry
from observatory.registry.vocab import PLATFORMS
from observatory.site.charts.blocks import chart_block
from observatory.site.charts.specs import CHARTS_DIR, SERIES_DIR
from observatory.textfmt import date_fr, number

# --- Adoption --------------------------------------------------------------------------------


def _month(text: str | None, end: bool) -> int | None:
    """The month (year * 12 + month - 1) of a registry date; a bare year counts from its last
    month (start) or up to its first month (end): a year never claims months it may not cover."""
    if not text:
        return None
    parts = str(text).split("-")
    year = int(parts[0])
    if len(parts) == 1:
        return year * 12 + (0 if end else 11)
    return year * 12 + int(parts[1]) - 1


def adoption_frame(registry: Registry, accounts: pd.DataFrame, today: dt.date | None = None) -> pd.DataFrame:
    """Establishments with an account on each network, per month: months with a snapshot of the
    account, months between the registry's since and until (or now, for an active account), and
    for an active account without a known since, the current month. Columns: date (first day of
    the month), platform, label, count; every month from the first, zeros included."""
    establishments = {e.id for e in registry.establishments}
    parts = []
    snaps = accounts[accounts["entity"].isin(establishments)]
    if not snaps.empty:
        when = pd.DatetimeIndex(snaps["date"])
        parts.append(pd.DataFrame({"platform": snaps["platform"].astype(str).to_numpy(),
                                   "entity": snaps["entity"].astype(str).to_numpy(),
                                   "month": when.year * 12 + when.month - 1}).drop_duplicates())
        current = int(parts[0]["month"].max())
    else:
        moment = today or dt.date.today()
        current = moment.year * 12 + moment.month - 1
    rows = []
    for entity in registry.establishments:
        for account in entity.accounts:
            active = account.status in {"active", "dormant"}
            start, end = _month(account.since, end=False), _month(account.until, end=True)
            if end is None and active:
                end = current
            if start is None:
                if active and account.until is None:
                    rows.append((account.platform, entity.id, current))
                continue
            rows += [(account.platform, entity.id, m) for m in range(start, max(start, end or start) + 1)]
    parts.append(pd.DataFrame(rows, columns=["platform", "entity", "month"]))
    frame = pd.concat(parts, ignore_index=True).drop_duplicates()
    if frame.empty:
        return pd.DataFrame(columns=["date", "platform", "label", "count"])
    counts = frame.groupby(["month", "platform"]).size().unstack("platform", fill_value=0)
    months = range(int(counts.index.min()), int(counts.index.max()) + 1)
    counts = counts.reindex(months, fill_value=0)
    platforms = [p for p in PLATFORMS if p in counts.columns] + sorted(set(counts.columns) - set(PLATFORMS))
    counts.index = [f"{m // 12:04d}-{m % 12 + 1:02d}-01" for m in months]
    long = counts[platforms].rename_axis("date").reset_index().melt(
        id_vars="date", var_name="platform", value_name="count")
    long["label"] = long["platform"].map(lambda p: PLATFORMS.get(p, p))
    return long[["date", "platform", "label", "count"]].astype({"count": int})



def adoption_block(frame: pd.DataFrame, prefix: str) -> str:
    months = sorted(frame["date"].unique())
    table = frame.pivot(index="date", columns="label", values="count")
    labels = list(dict.fromkeys(frame["label"]))
    last = table.loc[months[-1]]
    peaks = []
    for label in labels:
        column = table[label]
        peaks.append(f"{label} {number(int(last[label]))} (maximum {number(int(column.max()))}, "
                     f"{date_fr(str(column.idxmax())[:7])})")
    summary = (f"De {date_fr(months[0][:7])} à {date_fr(months[-1][:7])}. Au dernier mois : "
               + " ; ".join(peaks) + ".")
    rows = [[date_fr(m[:7])] + [number(int(table.loc[m, label])) for label in labels] for m in months]
    return chart_block("adoption", f"{prefix}{CHARTS_DIR}/adoption.json",
                       f"{prefix}donnees/{SERIES_DIR}/adoption.csv",
                       "Établissements ayant un compte sur chaque réseau, par mois", summary, rows,
                       ["Mois", *labels], {"platform": "", "start": months[0], "end": months[-1]},
                       note="d'après les relevés de l'observatoire et les dates d'ouverture et de "
                            "fermeture connues du registre")
