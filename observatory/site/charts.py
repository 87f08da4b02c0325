"""Charts: one Vega-Lite spec per kind of chart, each chart's data in a small CSV file.

The specs are built once per build with Altair and saved as JSON under
docs/assets/generated/charts/. Their data is a URL placeholder that docs/assets/charts.js
replaces with the figure's data-url; what differs from page to page (the account to highlight,
the platform, the dates between which event rules are drawn, a title) are Vega-Lite params that
charts.js sets from the figure's data-params. Series are computed for all accounts at once
(sorted int64 keys, searchsorted, cumulative sums) and their text is built column-wise in numpy,
never account by account, then written one CSV per account. The browser renders the charts
with the vega bundle of vl-convert, served by the site itself.

Every chart comes with a text summary (figcaption and aria-label) and its data as an HTML table
in a <details> element: a text alternative, as the French accessibility standard (RGAA) asks."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from observatory.analysis.metrics import ENGAGEMENT_DAYS, day_numbers
from observatory.registry.load import Registry
from observatory.registry.vocab import PLATFORMS
from observatory.site.leaderboard_pages import esc
from observatory.textfmt import date_fr, number

KINDS = ("followers", "engagement", "board", "distribution", "adoption")
DATA_URL = "__donnees__"  # replaced in the browser by the figure's data-url
CHARTS_DIR = "assets/generated/charts"  # under docs/
BUNDLE_PATH = "assets/generated/vega-bundle.js"
SERIES_DIR = "series"  # under docs/donnees/
EVENTS_FILE = "events.csv"
EVENT_COLUMNS = ("date", "platform", "label", "chart")
BOARD_TOP = 20
WEEK = 7

# Colours readable on Material's light and dark backgrounds (contrast of 3:1 or more on both).
MAIN = "#5c6bc0"
HIGHLIGHT = "#ef6c00"
MUTED = "#808080"
PLATFORM_COLORS = {
    "twitter": "#808080", "facebook": "#5b7fd6", "instagram": "#d6336c", "linkedin": "#1c8dc7",
    "youtube": "#e53935", "bluesky": "#2e8ae6", "mastodon": "#8e63ce", "peertube": "#ef6c00",
    "tiktok": "#00a39b", "threads": "#9c7a3c", "viadeo": "#c2185b",
}
DASHES = ([1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3], [10, 2], [3, 3, 1, 3], [6, 6],
          [2, 6], [12, 4])

FRENCH_LOCALE = {
    "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"],
               "percent": "\u202f%"},
    "time": {
        "dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S", "periods": ["", ""],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                   "septembre", "octobre", "novembre", "décembre"],
        "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.",
                        "oct.", "nov.", "déc."],
    },
}
# Axis labels of a time scale, by the unit of the ticks (Vega picks the unit); the data are
# daily, so ticks within a day (at most one, with DAY_MS as minimum step) get no label.
TIME_AXIS = {"year": "%Y", "quarter": "%b %Y", "month": "%b", "week": "%-d %b", "date": "%-d %b",
             "hours": "", "minutes": "", "seconds": "", "milliseconds": ""}
DAY_MS = 86_400_000
DAY_EXPR = "utcFormat(datum.date, '%-d %B %Y')"
MONTH_EXPR = "utcFormat(datum.date, '%B %Y')"


# --- Specs -----------------------------------------------------------------------------------


def _csv(url: str, parse: dict[str, str]) -> alt.UrlData:
    return alt.UrlData(url=url, format=alt.CsvDataFormat(type="csv", parse=parse))


def _x_date(title: str | None = None) -> alt.X:
    return alt.X("date:T", title=title, scale=alt.Scale(type="utc"),
                 axis=alt.Axis(format=TIME_AXIS, labelOverlap=True, grid=False, tickMinStep=DAY_MS))


def _page_params(**defaults: str) -> list[Any]:
    """Params the page sets (charts.js, from data-params); the defaults draw no event."""
    return [alt.param(name=f"obs_{name}", value=value) for name, value in defaults.items()]


def _event_layers(kind: str) -> list[alt.Chart]:
    """Dated events (events.csv, beside the specs) as rules, on the charts they concern:
    their platform (none: every platform), their kind of chart (none: every time chart), and
    only between the dates of the chart's data so that they never stretch its time axis."""
    test = (f"(!datum.chart || datum.chart == '{kind}')"
            " && (!datum.platform || obs_platform == '' || datum.platform == obs_platform)"
            " && obs_start != '' && time(datum.date) >= time(toDate(obs_start))"
            " && time(datum.date) <= time(toDate(obs_end))")
    events = alt.Chart(_csv(EVENTS_FILE, {"date": "date"})).transform_filter(test).transform_window(
        lane="row_number()", sort=[alt.SortField("date")]).transform_calculate(
        day=DAY_EXPR, top="((datum.lane - 1) % 3) * 12")  # labels on three lanes: fewer overlaps
    x = alt.X("date:T", scale=alt.Scale(type="utc"))
    rule = events.mark_rule(color=MUTED, strokeDash=[4, 3], strokeWidth=1.5).encode(
        x=x, tooltip=[alt.Tooltip("day:N", title="Date"), alt.Tooltip("label:N", title="Événement")])
    text = events.mark_text(align="left", baseline="top", dx=3, dy=2, fontSize=10, limit=160).encode(
        x=x, y=alt.Y("top:Q", scale=None, axis=None), text="label:N")
    return [rule, text]


def _finish(chart: alt.TopLevelMixin) -> dict[str, Any]:
    # aria=False: marks and guides stay out of the accessibility tree; the figure around the
    # chart carries its text alternative (role="img", aria-label) and the data table follows it.
    spec = chart.configure(locale=FRENCH_LOCALE, background="transparent", font="sans-serif", aria=False,
                           autosize=alt.AutoSizeParams(type="fit-x", contains="padding"),
                           view=alt.ViewConfig(stroke=None),
                           title=alt.TitleConfig(anchor="start", fontSize=13, subtitleFontSize=11),
                           axis=alt.AxisConfig(labelFontSize=11, titleFontSize=11)
                           ).configure_mark(aria=False).to_dict(validate=False)  # the tests compile them
    spec.pop("$schema", None)  # charts.js says mode: "vega-lite"; no URL of another host
    return spec


def followers_spec() -> dict[str, Any]:
    """Follower history of one account: a line, and the values of the day under the pointer."""
    hover = alt.selection_point(name="survol", fields=["date"], nearest=True, on="pointerover",
                                clear="pointerout", empty=False)
    base = alt.Chart().transform_filter("isValid(datum.followers)").transform_joinaggregate(
        n="count()").transform_calculate(day=DAY_EXPR)
    y = alt.Y("followers:Q", title="Abonnés", scale=alt.Scale(zero=False),
              axis=alt.Axis(format=",d", tickMinStep=1))
    line = base.mark_line(color=MAIN, strokeWidth=2).encode(x=_x_date(), y=y)
    # Every point shows when there are few (a single snapshot draws no line); otherwise only
    # the one under the pointer.
    shown = {"condition": {"test": {"or": [{"param": "survol", "empty": False}, "datum.n <= 40"]},
                           "value": 1}, "value": 0}
    points = base.mark_point(filled=True, size=45, color=MAIN).encode(
        x=_x_date(), y=y, opacity=shown,
        tooltip=[alt.Tooltip("day:N", title="Date"),
                 alt.Tooltip("followers:Q", title="Abonnés", format=",d")]).add_params(hover)
    chart = alt.layer(line, points, *_event_layers("followers"),
                      data=_csv(DATA_URL, {"date": "date", "followers": "number", "engagement": "number"}))
    chart = chart.add_params(*_page_params(platform="", start="", end="")).properties(
        width="container", height=220, title=alt.TitleParams("Nombre d'abonnés à chaque relevé"))
    return _finish(chart)


def engagement_spec() -> dict[str, Any]:
    """Engagement over 30 days as of each week, with the formula the leaderboards use."""
    base = alt.Chart().transform_filter("isValid(datum.engagement)").transform_calculate(
        day=DAY_EXPR, value="format(datum.engagement, ',.3f') + ' %'")
    y = alt.Y("engagement:Q", title="Engagement (%)", scale=alt.Scale(zero=True),
              axis=alt.Axis(format=",~r"))
    line = base.mark_line(color=MAIN, strokeWidth=2).encode(x=_x_date(), y=y)
    points = base.mark_point(filled=True, size=30, color=MAIN).encode(
        x=_x_date(), y=y, tooltip=[alt.Tooltip("day:N", title="Fenêtre de 30 jours close le"),
                                   alt.Tooltip("value:N", title="Engagement")])
    chart = alt.layer(line, points, *_event_layers("engagement"),
                      data=_csv(DATA_URL, {"date": "date", "followers": "number", "engagement": "number"}))
    title = alt.TitleParams(
        f"Engagement sur {ENGAGEMENT_DAYS} jours glissants, une valeur par semaine (%)",
        subtitle=f"(J'aime + partages du jour) ÷ abonnés, moyenne des {ENGAGEMENT_DAYS} jours précédents")
    chart = chart.add_params(*_page_params(platform="", start="", end="")).properties(
        width="container", height=200, title=title)
    return _finish(chart)


def board_spec() -> dict[str, Any]:
    """The first rows of a leaderboard: horizontal bars, names on y, values on x."""
    base = alt.Chart()
    y = alt.Y("name:N", title=None, sort=alt.EncodingSortField("order", op="min"),
              axis=alt.Axis(labelLimit=220))
    x = alt.X("value:Q", title=None, axis=alt.Axis(format=",~r"))
    tooltip = [alt.Tooltip("rank:Q", title="Rang"), alt.Tooltip("name:N", title="Établissement"),
               alt.Tooltip("text:N", title="Valeur")]
    bars = base.mark_bar(color=MAIN).encode(x=x, y=y, tooltip=tooltip)
    labels = base.mark_text(align="left", baseline="middle", dx=3, fontSize=10).encode(
        x=x, y=y, text="text:N")
    chart = alt.layer(bars, labels, data=_csv(DATA_URL, {"rank": "number", "value": "number",
                                                         "order": "number"}))
    chart = chart.add_params(*_page_params(title="Classement")).properties(
        width="container", height=alt.Step(22), title=alt.TitleParams(alt.ExprRef("obs_title")),
        padding={"left": 5, "top": 5, "bottom": 5, "right": 50})  # room for the last value label
    return _finish(chart)


def distribution_spec() -> dict[str, Any]:
    """Every establishment's account on a platform as a dot (log followers), one highlighted."""
    base = alt.Chart().transform_filter(
        "datum.followers > 0 && (datum.benchmark != 1 || datum.account_id == obs_account)"
    ).transform_window(row="row_number()").transform_calculate(
        highlight="datum.account_id == obs_account", front="datum.account_id == obs_account ? 1 : 0",
        # A deterministic jitter (golden ratio), so that dots do not move between renderings.
        jitter="(datum.row * 0.6180339887) % 1")
    x = alt.X("followers:Q", title="Abonnés (échelle logarithmique)", scale=alt.Scale(type="log"),
              axis=alt.Axis(format=",d", grid=True))
    y = alt.Y("jitter:Q", title=None, axis=None, scale=alt.Scale(domain=[-0.15, 1.15]))
    dots = base.mark_circle().encode(
        x=x, y=y,
        color=alt.condition("datum.highlight", alt.value(HIGHLIGHT), alt.value(MUTED)),
        size=alt.condition("datum.highlight", alt.value(160), alt.value(28)),
        opacity=alt.condition("datum.highlight", alt.value(1), alt.value(0.55)),
        order=alt.Order("front:Q"),
        tooltip=[alt.Tooltip("name:N", title="Établissement"),
                 alt.Tooltip("followers:Q", title="Abonnés", format=",d")])
    marked = base.transform_filter("datum.highlight")
    rule = marked.mark_rule(color=HIGHLIGHT, strokeWidth=2).encode(x=x)
    label = marked.mark_text(align="left", baseline="top", dx=5, dy=2, fontWeight="bold").encode(
        x=x, y=alt.value(0), text="name:N")
    chart = alt.layer(dots, rule, label, data=_csv(DATA_URL, {"followers": "number", "benchmark": "number"}))
    chart = chart.add_params(*_page_params(account="")).properties(
        width="container", height=110,
        title=alt.TitleParams("Abonnés des comptes d'établissements sur ce réseau",
                              subtitle="Échelle logarithmique ; les comptes sans abonné n'y figurent pas."))
    return _finish(chart)


def adoption_spec(platforms: Sequence[str] = tuple(PLATFORMS)) -> dict[str, Any]:
    """Establishments with an account on each network, month by month: one line per network."""
    labels = [PLATFORMS.get(p, p) for p in platforms]
    colors = [PLATFORM_COLORS.get(p, MUTED) for p in platforms]
    color = alt.Color("label:N", title="Réseau", scale=alt.Scale(domain=labels, range=colors),
                      sort=labels, legend=alt.Legend(orient="top", symbolType="stroke"))
    dash = alt.StrokeDash("label:N", title="Réseau", sort=labels,
                          scale=alt.Scale(domain=labels, range=list(DASHES[:len(labels)])))
    base = alt.Chart().transform_calculate(month=MONTH_EXPR)
    y = alt.Y("count:Q", title="Établissements", axis=alt.Axis(format=",d", tickMinStep=1))
    x = alt.X("date:T", title=None, scale=alt.Scale(type="utc"),
              axis=alt.Axis(format=TIME_AXIS, labelOverlap=True, grid=False,
                            tickCount=alt.TimeIntervalStep(interval="month", step=1)))
    lines = base.mark_line(strokeWidth=2).encode(x=x, y=y, color=color, strokeDash=dash)
    points = base.mark_point(filled=True, size=25).encode(
        x=x, y=y, color=color,
        tooltip=[alt.Tooltip("month:N", title="Mois"), alt.Tooltip("label:N", title="Réseau"),
                 alt.Tooltip("count:Q", title="Établissements", format=",d")])
    chart = alt.layer(lines, points, *_event_layers("adoption"),
                      data=_csv(DATA_URL, {"date": "date", "count": "number"}))
    chart = chart.add_params(*_page_params(platform="", start="", end="")).properties(
        width="container", height=260,
        title=alt.TitleParams("Établissements ayant un compte, par réseau et par mois"))
    return _finish(chart)


def chart_specs(platforms: Sequence[str] = tuple(PLATFORMS)) -> dict[str, dict[str, Any]]:
    return {"followers": followers_spec(), "engagement": engagement_spec(), "board": board_spec(),
            "distribution": distribution_spec(), "adoption": adoption_spec(platforms)}


def write_chart_specs(out_dir: Path, platforms: Sequence[str] = tuple(PLATFORMS)) -> dict[str, str]:
    """Write one spec per kind of chart (<kind>.json); return the file name of each kind.
    `platforms`: the networks of the adoption chart, in the order of its legend."""
    out_dir.mkdir(parents=True, exist_ok=True)
    names = {}
    for kind, spec in chart_specs(platforms).items():
        names[kind] = f"{kind}.json"
        _write_if_changed(out_dir / names[kind], json.dumps(spec, ensure_ascii=False,
                                                            separators=(",", ":")) + "\n")
    return names


# --- Events ----------------------------------------------------------------------------------

_JOURNAL_ENTRY = re.compile(r"^-\s+\*\*(\d{4}-\d{2}-\d{2})\*\*\s*[—–-]+\s*(.+?)\s*$")


def _plain(text: str, limit: int = 90) -> str:
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"[*_`]", "", " ".join(text.split()))
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def _day(text: str) -> str | None:
    """A YYYY-MM-DD (or YYYY-MM: its first day) date, or None."""
    text = text.strip()
    for pattern, suffix in (("%Y-%m-%d", ""), ("%Y-%m", "-01")):
        try:
            dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
        return text + suffix
    return None


def events_frame(data_dir: Path, methodology: Path | None = None) -> pd.DataFrame:
    """Dated events drawn on the time charts: data/events.csv (date, platform, label and an
    optional chart: followers, engagement or adoption), and the entries of the methodology's
    "Journal des définitions", on the engagement charts. Unreadable rows are left out."""
    rows: list[dict[str, str]] = []
    path = data_dir / "events.csv"
    if path.exists():
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                day, label = _day(row.get("date") or ""), _plain(row.get("label") or "")
                chart = (row.get("chart") or "").strip()
                if day and label and (not chart or chart in KINDS):
                    rows.append({"date": day, "platform": (row.get("platform") or "").strip(),
                                 "label": label, "chart": chart})
    if methodology is not None and methodology.exists():
        text = methodology.read_text(encoding="utf-8")
        start = text.find("## Journal des définitions")
        section = text[start:].split("\n## ", 1)[0] if start >= 0 else ""
        # One entry per list item (continued on indented lines); its label is its first clause.
        for item in re.split(r"\n(?=- )", section):
            match = _JOURNAL_ENTRY.match(" ".join(item.split()))
            if match and _day(match.group(1)):
                clause = re.split(r" : |;|\. ", match.group(2), maxsplit=1)[0].rstrip(" .")
                rows.append({"date": match.group(1), "platform": "", "chart": "engagement",
                             "label": _plain("Définitions : " + clause)})
    frame = pd.DataFrame(rows, columns=list(EVENT_COLUMNS))
    return frame.drop_duplicates().sort_values(["date", "label"], kind="stable").reset_index(drop=True)


def write_events(out_dir: Path, events: pd.DataFrame) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    _write_table(out_dir / EVENTS_FILE, events[list(EVENT_COLUMNS)])


# --- Vega bundle -----------------------------------------------------------------------------


@cache
def _bundle_text() -> str:
    import vl_convert

    return vl_convert.javascript_bundle()


def write_vega_bundle(out_path: Path) -> None:
    """vega, vega-lite and vega-embed in one file, from vl-convert: an ES module without imports
    or exports that sets window.vegaEmbed (charts.js loads it with import()). Building it takes
    seconds: it is skipped when the file already comes from the same vl-convert version."""
    import vl_convert

    stamp = f"/* vega bundle of vl-convert {vl_convert.__version__} */\n"
    if out_path.exists():
        with out_path.open(encoding="utf-8") as handle:
            if handle.readline() == stamp:
                return
    _write_if_changed(out_path, stamp + _bundle_text())


# --- Series ----------------------------------------------------------------------------------
# Rows are identified by an int64 key, account code << 32 | day number (days since 1970): one
# sort, then every "latest value on or before a day" lookup is a searchsorted on the keys, and
# every window sum a difference of two cumulative sums. No merge, no groupby per account.

_SHIFT = 32
_EPOCH = np.datetime64("1970-01-01", "D")


@dataclass
class Series:
    """Every account's series, each table sorted by account code (gid) then day."""

    keys: pd.DataFrame  # gid -> platform, account_id, entity, handle
    daily: pd.DataFrame  # gid, day, date, followers (float, NaN when not given): every snapshot
    engagement: pd.DataFrame  # gid, day, date, engagement (%, NaN when n/a): one a week
    weekly_followers: pd.DataFrame  # gid, day, date, followers: the week's latest snapshot
    as_of: int | None  # day number of the latest collection day


def safe_name(account_id: str) -> str:
    """A file name for an account id: DIDs hold ':', other ids may hold anything. Ids that are
    not plain get a short hash, so that two ids never share a file (even on a file system that
    ignores case)."""
    plain = re.sub(r"[^A-Za-z0-9_-]", "_", account_id)[:80] or "_"
    if plain == account_id and plain.lower() == plain:
        return plain
    return f"{plain}-{hashlib.sha1(account_id.encode('utf-8')).hexdigest()[:8]}"


def _table(gid: np.ndarray, day: np.ndarray, **columns: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"gid": gid, "day": day, "date": (_EPOCH + day).astype("datetime64[ns]"), **columns})


def _bounds(gid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each run of equal codes in a sorted array."""
    if len(gid) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    return starts, np.r_[starts[1:], len(gid)]


def _account_codes(platforms: pd.Series, account_ids: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
    """Dense integer codes of (platform, account_id) pairs, and the pairs by code; factorising
    each column then their combination avoids hashing millions of tuples."""
    p_codes, p_uniques = pd.factorize(platforms)
    a_codes, a_uniques = pd.factorize(account_ids)
    width = max(len(a_uniques), 1)
    codes, combined = pd.factorize(p_codes.astype(np.int64) * width + a_codes)
    keys = pd.DataFrame({"gid": np.arange(len(combined)),
                         "platform": np.asarray(p_uniques, dtype=object)[combined // width].astype(str),
                         "account_id": np.asarray(a_uniques, dtype=object)[combined % width].astype(str)})
    return codes.astype(np.int64), keys


def _lookup_codes(keys: pd.DataFrame, platforms: pd.Series, account_ids: pd.Series) -> np.ndarray:
    """The codes of other (platform, account_id) pairs; -1 for pairs without a code."""
    p_index, a_index = pd.Index(pd.unique(keys["platform"])), pd.Index(pd.unique(keys["account_id"]))
    p = p_index.get_indexer(platforms.astype(str))
    a = a_index.get_indexer(account_ids.astype(str))
    width = max(len(a_index), 1)
    known = pd.Index(p_index.get_indexer(keys["platform"]).astype(np.int64) * width
                     + a_index.get_indexer(keys["account_id"]))
    codes = known.get_indexer(p.astype(np.int64) * width + a)
    return np.where((p < 0) | (a < 0), -1, codes).astype(np.int64)


def _anchors(gids: np.ndarray, k_lo: np.ndarray, k_hi: np.ndarray,
             as_of: int) -> tuple[np.ndarray, np.ndarray]:
    """Per account, the days as_of - 7k for k from k_hi down to k_lo (ascending days)."""
    counts = np.maximum(k_hi - k_lo + 1, 0).astype(np.int64)
    gid = np.repeat(gids, counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return gid, as_of - WEEK * (np.repeat(k_hi, counts) - offset)


def _empty_series() -> Series:
    none = np.zeros(0, np.int64)
    keys = pd.DataFrame({c: pd.Series(dtype=object) for c in ("platform", "account_id", "entity", "handle")})
    return Series(keys.assign(gid=pd.Series(dtype=np.int64)), _table(none, none, followers=none * 1.0),
                  _table(none, none, engagement=none * 1.0), _table(none, none, followers=none * 1.0), None)


def compute_series(accounts: pd.DataFrame, posts: pd.DataFrame) -> Series:
    """Followers of every snapshot; engagement as of every week (as_of - 7k), with the metrics'
    formula: mean over ENGAGEMENT_DAYS of daily (likes + reposts of the day's own posts) /
    followers, n/a while the window is not covered or a value is missing, 0 without posts."""
    if accounts.empty:
        return _empty_series()
    codes, keys = _account_codes(accounts["platform"], accounts["account_id"])
    key = (codes << _SHIFT) | day_numbers(accounts["date"])
    order = np.argsort(key, kind="stable")
    key = key[order]
    keep = np.r_[key[1:] != key[:-1], True]  # a day's last row wins, as in the store
    order, key = order[keep], key[keep]
    gid, day = key >> _SHIFT, key & ((1 << _SHIFT) - 1)
    followers = accounts["followers"].to_numpy(dtype=float, na_value=np.nan)[order]
    starts, ends = _bounds(gid)
    keys["entity"] = np.asarray(accounts["entity"].to_numpy(), dtype=object)[order[ends - 1]].astype(str)
    keys["handle"] = np.asarray(accounts["handle"].to_numpy(), dtype=object)[order[ends - 1]].astype(str)
    as_of = int(day.max())
    first, last = day[starts], day[ends - 1]

    # Engagement, as of each week once the window is covered (first snapshot ENGAGEMENT_DAYS - 1
    # days before) and up to the account's last snapshot.
    a_gid, a_day = _anchors(gid[starts], np.ceil((as_of - last) / WEEK).astype(np.int64),
                            np.floor((as_of - first - (ENGAGEMENT_DAYS - 1)) / WEEK).astype(np.int64), as_of)
    day_keys, rate, count = _daily_rates(posts, keys, key, followers)
    rate_sum = np.r_[0.0, np.cumsum(np.nan_to_num(rate))]
    missing = np.r_[0, np.cumsum(np.isnan(rate))]
    posted = np.r_[0, np.cumsum(count)]
    end = np.searchsorted(day_keys, (a_gid << _SHIFT) | a_day, side="right")
    begin = np.searchsorted(day_keys, (a_gid << _SHIFT) | (a_day - ENGAGEMENT_DAYS), side="right")
    value = (rate_sum[end] - rate_sum[begin]) / ENGAGEMENT_DAYS * 100
    value[missing[end] - missing[begin] > 0] = np.nan
    value[posted[end] - posted[begin] == 0] = 0.0

    # One row a week for the tables: the latest known followers in the 7 days up to each anchor.
    known = ~np.isnan(followers)
    k_key, k_followers = key[known], followers[known]
    k_gid, k_day = k_key >> _SHIFT, k_key & ((1 << _SHIFT) - 1)
    k_starts, k_ends = _bounds(k_gid)
    since_last = np.maximum(np.ceil((as_of - k_day[k_ends - 1] - (WEEK - 1)) / WEEK), 0)
    w_gid, w_day = _anchors(k_gid[k_starts], since_last.astype(np.int64),
                            np.floor((as_of - k_day[k_starts]) / WEEK).astype(np.int64), as_of)
    at = np.searchsorted(k_key, (w_gid << _SHIFT) | w_day, side="right") - 1
    found = (at >= 0) & (k_gid[np.maximum(at, 0)] == w_gid) & (w_day - k_day[np.maximum(at, 0)] < WEEK)
    at = at[found]
    return Series(keys, _table(gid, day, followers=followers), _table(a_gid, a_day, engagement=value),
                  _table(k_gid[at], k_day[at], followers=k_followers[at]), as_of)


def _daily_rates(posts: pd.DataFrame, keys: pd.DataFrame, account_keys: np.ndarray,
                 followers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per account and day with own posts (sorted keys): the rate of the day, interactions /
    followers of the latest snapshot on or before it (NaN when a value is missing or there
    are 0 followers), and the number of posts."""
    own = posts[~posts["is_repost"].fillna(False).to_numpy(dtype=bool)]
    code = _lookup_codes(keys, own["platform"], own["account_id"])
    interactions = (own["likes"].to_numpy(dtype=float, na_value=np.nan)
                    + own["reposts"].to_numpy(dtype=float, na_value=np.nan))
    post_keys = (code << _SHIFT) | day_numbers(own["published_at"].dt.tz_convert(None))
    post_keys, interactions = post_keys[code >= 0], interactions[code >= 0]
    order = np.argsort(post_keys, kind="stable")
    post_keys, interactions = post_keys[order], interactions[order]
    starts, ends = _bounds(post_keys)
    if len(starts) == 0:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)
    day_keys = post_keys[starts]
    total = np.add.reduceat(np.nan_to_num(interactions), starts)
    unknown = np.add.reduceat(np.isnan(interactions).astype(np.int64), starts)
    at = np.searchsorted(account_keys, day_keys, side="right") - 1
    same = (at >= 0) & ((account_keys[np.maximum(at, 0)] >> _SHIFT) == (day_keys >> _SHIFT))
    base = np.where(same, followers[np.maximum(at, 0)], np.nan)
    usable = (unknown == 0) & (base > 0)
    rate = np.full(len(day_keys), np.nan)
    rate[usable] = total[usable] / base[usable]
    return day_keys, rate, ends - starts


# Text built column-wise: each column is a byte matrix (one row per line) with a mask of the
# bytes it holds; a line is its columns' masked bytes. Formatting millions of numbers one by
# one in Python takes seconds; this takes a few numpy operations per column.
_Column = tuple[np.ndarray, np.ndarray]
_THIN_SPACE = "\u202f".encode()


def _constant(n: int, text: str, present: np.ndarray | None = None) -> _Column:
    data = np.frombuffer(text.encode(), np.uint8)
    if present is None:
        return np.broadcast_to(data, (n, len(data))), np.ones((n, len(data)), bool)
    mask = np.repeat(present[:, None], len(data), axis=1)
    return np.broadcast_to(data, (n, len(data))), mask


def _strings(codes: np.ndarray, table: Sequence[str]) -> _Column:
    """table[code] for each line (UTF-8, any length)."""
    encoded = [t.encode() for t in table]
    width = max((len(e) for e in encoded), default=0)
    padded = np.frombuffer(b"".join(e.ljust(width, b"\0") for e in encoded) or b"\0", np.uint8)
    lengths = np.array([len(e) for e in encoded], dtype=np.int64)
    padded = padded[:len(encoded) * width].reshape(len(encoded), width)
    return padded[codes], np.arange(width) < lengths[codes][:, None]


def _integers(values: np.ndarray, present: np.ndarray, width: int | None = None, zeros: bool = False,
              grouped: bool = False) -> _Column:
    """Non-negative integers in decimal; `zeros`: left-padded to `width`; `grouped`: French
    thousands separator (narrow no-break space). Lines not `present` hold nothing."""
    values = np.where(present, values, 0).astype(np.int64)
    if width is None:
        width = len(str(int(values.max()))) if len(values) else 1
    digits = np.empty((len(values), width), np.uint8)
    rest = values.copy()
    for column in range(width - 1, -1, -1):
        digits[:, column] = rest % 10 + 48
        rest //= 10
    length = np.ones(len(values), np.int64)
    for power in range(1, width):
        length += values >= 10 ** power
    if zeros:
        length[:] = width
    held = (np.arange(width) >= width - length[:, None]) & present[:, None]
    if not grouped:
        return digits, held
    matrices, masks = [], []
    separator = np.frombuffer(_THIN_SPACE, np.uint8)
    for column in range(width):
        if column > 0 and (width - column) % 3 == 0:
            matrices.append(np.broadcast_to(separator, (len(values), len(separator))))
            masks.append(np.repeat(held[:, column - 1:column], len(separator), axis=1))
        matrices.append(digits[:, column:column + 1])
        masks.append(held[:, column:column + 1])
    return np.hstack(matrices), np.hstack(masks)


def _lines(columns: Sequence[_Column]) -> tuple[np.ndarray, np.ndarray]:
    """The lines' bytes end to end, and where each line ends."""
    matrix = np.hstack([c[0] for c in columns])
    mask = np.hstack([c[1] for c in columns])
    return matrix[mask], np.cumsum(mask.sum(axis=1))


def _chunked(n: int, build: Any, chunk: int = 400_000) -> tuple[np.ndarray, np.ndarray]:
    """_lines over slices of at most `chunk` lines (bounded memory), joined."""
    buffers, ends, offset = [], [], 0
    for start in range(0, n, chunk):
        data, stops = build(slice(start, min(start + chunk, n)))
        buffers.append(data)
        ends.append(stops + offset)
        offset += len(data)
    if not buffers:
        return np.zeros(0, np.uint8), np.zeros(0, np.int64)
    return np.concatenate(buffers), np.concatenate(ends)


def _day_table(day: np.ndarray, french: bool = False) -> tuple[np.ndarray, list[str]]:
    days, inverse = np.unique(day, return_inverse=True)
    iso = [str(_EPOCH + int(d)) for d in days]
    return inverse, [esc(date_fr(d)) for d in iso] if french else iso


def _thousandths(values: np.ndarray) -> np.ndarray:
    """Values rounded to 3 decimals, as integers: the CSV and the tables show the same digits."""
    return np.floor(np.nan_to_num(values) * 1000 + 0.5).astype(np.int64)


def _csv_body(day: np.ndarray, followers: np.ndarray, engagement: np.ndarray,
              chunk: int = 400_000) -> tuple[np.ndarray, np.ndarray]:
    """CSV lines 'YYYY-MM-DD,followers,engagement' end to end, and each line's end."""

    def build(part: slice) -> tuple[np.ndarray, np.ndarray]:
        codes, table = _day_table(day[part])
        f, e = followers[part], engagement[part]
        has_f, has_e, n = ~np.isnan(f), ~np.isnan(e), len(codes)
        milli = _thousandths(e)
        return _lines([_strings(codes, table), _constant(n, ","), _integers(np.nan_to_num(f), has_f),
                       _constant(n, ","), _integers(milli // 1000, has_e), _constant(n, ".", has_e),
                       _integers(milli % 1000, has_e, width=3, zeros=True), _constant(n, "\n")])

    return _chunked(len(day), build, chunk)


def _html_rows(day: np.ndarray, values: np.ndarray, decimals: int,
               chunk: int = 400_000) -> tuple[np.ndarray, np.ndarray]:
    """Table rows '<tr><td>French date</td><td>French number</td></tr>' end to end."""

    def build(part: slice) -> tuple[np.ndarray, np.ndarray]:
        codes, table = _day_table(day[part], french=True)
        n, known = len(codes), np.ones(len(codes), bool)
        if decimals:
            milli = _thousandths(values[part])
            number_columns = [_integers(milli // 1000, known, grouped=True), _constant(n, ","),
                              _integers(milli % 1000, known, width=3, zeros=True)]
        else:
            number_columns = [_integers(np.round(values[part]), known, grouped=True)]
        return _lines([_constant(n, "<tr><td>"), _strings(codes, table), _constant(n, "</td><td>"),
                       *number_columns, _constant(n, "</td></tr>")])

    return _chunked(len(day), build, chunk)


def _split(gid: np.ndarray, data: np.ndarray, ends: np.ndarray) -> dict[int, bytes]:
    """The bytes of each account's lines (gid sorted)."""
    starts, stops = _bounds(gid)
    offsets = np.r_[0, ends]
    return {int(gid[a]): data[offsets[a]:offsets[b]].tobytes() for a, b in zip(starts, stops, strict=True)}


def series_paths(series: Series) -> dict[int, str]:
    """gid -> path of its CSV, relative to docs/donnees/."""
    return {int(g): f"{SERIES_DIR}/{p}/{safe_name(a)}.csv"
            for g, p, a in zip(series.keys["gid"], series.keys["platform"], series.keys["account_id"],
                               strict=True)}


def write_series_files(data_dir_out: Path, series: Series) -> dict[tuple[str, str], str]:
    """One CSV per account (date, followers, engagement); stale files are removed."""
    paths = series_paths(series)
    daily, weekly = series.daily, series.engagement
    keys = (daily["gid"].to_numpy() << _SHIFT) | daily["day"].to_numpy()
    anchor_keys = (weekly["gid"].to_numpy() << _SHIFT) | weekly["day"].to_numpy()
    at = np.minimum(np.searchsorted(keys, anchor_keys), max(len(keys) - 1, 0))
    on_snapshot = (keys[at] == anchor_keys) if len(keys) else np.zeros(len(anchor_keys), bool)
    engagement = np.full(len(keys), np.nan)
    engagement[at[on_snapshot]] = weekly["engagement"].to_numpy()[on_snapshot]
    followers = daily["followers"].to_numpy()
    if not on_snapshot.all():  # an anchor day without snapshot gets a row of its own
        keys = np.r_[keys, anchor_keys[~on_snapshot]]
        followers = np.r_[followers, np.full(int((~on_snapshot).sum()), np.nan)]
        engagement = np.r_[engagement, weekly["engagement"].to_numpy()[~on_snapshot]]
        order = np.argsort(keys, kind="stable")
        keys, followers, engagement = keys[order], followers[order], engagement[order]
    body, line_ends = _csv_body(keys & ((1 << _SHIFT) - 1), followers, engagement)
    header = b"date,followers,engagement\n"
    wanted = {data_dir_out / paths[g]: header + lines
              for g, lines in _split(keys >> _SHIFT, body, line_ends).items()}
    root = data_dir_out / SERIES_DIR
    if root.exists():
        for folder in root.iterdir():
            if folder.is_dir() and folder.name in PLATFORMS:
                for stale in set(folder.glob("*.csv")) - set(wanted):
                    stale.unlink()
    for platform in set(series.keys["platform"]):
        (root / platform).mkdir(parents=True, exist_ok=True)
    for path, data in wanted.items():
        _write_bytes_if_changed(path, data)
    return {(p, a): paths[int(g)] for g, p, a in zip(series.keys["gid"], series.keys["platform"],
                                                      series.keys["account_id"], strict=True)}


def write_series(data_dir_out: Path, accounts: pd.DataFrame,
                 posts: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Compute every account's series and write one CSV each under data_dir_out/series/<platform>/;
    return each account's path relative to data_dir_out."""
    return write_series_files(data_dir_out, compute_series(accounts, posts))


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


# --- Blocks ----------------------------------------------------------------------------------


def chart_block(kind: str, spec_url: str, data_url: str, title: str, summary: str,
                table_rows: Sequence[Sequence[object]], table_headers: Sequence[str],
                params: dict[str, str] | None = None, note: str = "") -> str:
    """One chart in a Markdown page: a figure that charts.js fills, its text summary as caption
    and label, then its data as a table (escaped raw HTML, kept out of the search index)."""
    body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in row) + "</tr>" for row in table_rows)
    return _block(kind, spec_url, data_url, title, summary, table_headers, body, params, note)


def _block(kind: str, spec_url: str, data_url: str, title: str, summary: str, headers: Sequence[str],
           body: str, params: dict[str, str] | None, note: str) -> str:
    """chart_block with the table's rows already in HTML (escaped by the caller)."""
    attrs = [("class", "obs-chart"), ("data-kind", kind), ("data-spec", spec_url), ("data-url", data_url),
             ("data-search-exclude", "")]  # the summary is long and not what a reader searches for
    if params:
        values = {f"obs_{name}": value for name, value in params.items()}
        attrs.append(("data-params", json.dumps(values, ensure_ascii=False)))
    attrs += [("role", "img"), ("aria-label", f"{title}. {summary}")]
    figure = ("<figure " + " ".join(f'{name}="{esc(value)}"' for name, value in attrs) + ">"
              '<div class="obs-chart-view"></div>'
              f"<figcaption><strong>{esc(title)}</strong>. {esc(summary)}</figcaption></figure>")
    head = "".join(f'<th scope="col">{esc(h)}</th>' for h in headers)
    caption = esc(title) + (f" — {esc(note)}" if note else "")
    details = ('<details class="obs-chart-data" data-search-exclude>'
               "<summary>Données du graphique (tableau)</summary>"
               f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
               f'</table><p><a href="{esc(data_url)}">Télécharger ces données (CSV)</a></p></details>')
    return f"{figure}\n\n{details}\n"


def _signed(value: float, decimals: int = 0) -> str:
    return ("+" if value > 0 else "") + number(value, decimals)


@dataclass
class ChartBlocks:
    """The chart blocks of the pages, with URLs relative to each kind of page."""

    accounts: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # establishment pages
    boards: dict[str, str] = field(default_factory=dict)  # board id -> block; "index": adoption

    @property
    def empty(self) -> bool:
        return not self.accounts and not self.boards


def _account_blocks(series: Series, csv_paths: dict[int, str], metrics: pd.DataFrame,
                    prefix: str) -> dict[tuple[str, str], list[str]]:
    """Per account with snapshots: follower history, engagement over time and its place among
    the platform's establishments. Tables and summaries come from the same arrays as the CSV."""
    spec, data = f"{prefix}{CHARTS_DIR}/", f"{prefix}donnees/"
    engagement = series.engagement[series.engagement["engagement"].notna()]
    # The tables hold one row a month (the month's latest weekly value): two years of weekly rows
    # for each account would make pages too heavy; every value is in the CSV.
    monthly = series.weekly_followers[_last_of_month(series.weekly_followers)]
    follower_rows = _split(monthly["gid"].to_numpy(), *_html_rows(
        monthly["day"].to_numpy(), monthly["followers"].to_numpy(), 0))
    monthly = engagement[_last_of_month(engagement)]
    engagement_rows = _split(monthly["gid"].to_numpy(), *_html_rows(
        monthly["day"].to_numpy(), monthly["engagement"].to_numpy(), 3))
    known = series.daily[series.daily["followers"].notna()]
    spans = _spans(known["gid"].to_numpy())
    values = (known["day"].to_numpy(), known["followers"].to_numpy())
    e_spans = _spans(engagement["gid"].to_numpy())
    e_values = (engagement["day"].to_numpy(), _thousandths(engagement["engagement"].to_numpy()) / 1000)
    places = _distribution_positions(metrics)
    french: dict[int, str] = {}

    def fr(day: int) -> str:
        if day not in french:
            french[day] = date_fr(str(_EPOCH + int(day)))
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
                pct = f", {_signed(change / counts[0] * 100, 1)} %" if counts[0] > 0 else ""
                summary = (f"{len(counts)} relevés du {fr(days[0])} au {fr(days[-1])} : de "
                           f"{number(counts[0])} à {number(counts[-1])} abonnés ({_signed(change)}{pct}).")
            out.append(_block(
                "followers", spec + "followers.json", data + csv_paths[gid], f"Abonnés de {who}", summary,
                ("Date du relevé", "Abonnés"), follower_rows[gid].decode(),
                {"platform": platform, "start": _iso(days[0]), "end": _iso(days[-1])},
                "une ligne par mois (dernière valeur hebdomadaire du mois) ; tous les relevés dans le "
                "fichier CSV"))
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
            out.append(_block(
                "engagement", spec + "engagement.json", data + csv_paths[gid],
                f"Engagement sur {ENGAGEMENT_DAYS} jours glissants de {who}", summary,
                (f"Fenêtre de {ENGAGEMENT_DAYS} jours close le", "Engagement (%)"),
                engagement_rows[gid].decode(),
                {"platform": platform, "start": _iso(days[0]), "end": _iso(days[-1])},
                "une ligne par mois (dernière valeur hebdomadaire du mois), toutes dans le fichier CSV ; "
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


def _last_of_month(table: pd.DataFrame) -> np.ndarray:
    """Rows (sorted by account then day) that are their account's last of a calendar month."""
    month = (_EPOCH + table["day"].to_numpy()).astype("datetime64[M]").astype(np.int64)
    key = table["gid"].to_numpy().astype(np.int64) * 100_000 + month
    return np.r_[key[1:] != key[:-1], True] if len(key) else np.zeros(0, bool)


def _iso(day: int) -> str:
    return str(_EPOCH + int(day))


def _spans(gid: np.ndarray) -> dict[int, tuple[int, int]]:
    starts, ends = _bounds(gid)
    return {int(gid[a]): (int(a), int(b)) for a, b in zip(starts, ends, strict=True)}


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


def _board_block(board: dict[str, Any], frame: pd.DataFrame, path: str, prefix: str) -> str:
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


def _adoption_block(frame: pd.DataFrame, prefix: str) -> str:
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


def _write_table(path: Path, frame: pd.DataFrame) -> None:
    _write_if_changed(path, frame.to_csv(index=False, lineterminator="\n"))


def write_charts(root: Path, registry: Registry, accounts: pd.DataFrame, posts: pd.DataFrame,
                 metrics: pd.DataFrame, boards: list[dict[str, Any]],
                 today: dt.date | None = None) -> ChartBlocks:
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
        _write_table(folder / "repartition" / f"{platform}.csv", frame)
    out = ChartBlocks(accounts=_account_blocks(series, csv_paths, metrics, "../../"))
    for board in boards:
        frame = board_frame(board)
        if frame.empty:
            continue
        path = f"{SERIES_DIR}/classements/{board['id']}.csv"
        wanted.add(data_out / path)
        _write_table(data_out / path, frame)
        out.boards[board["id"]] = _board_block(board, frame, path, "../../")
    adoption = adoption_frame(registry, accounts, today)
    if adoption["date"].nunique() >= 2:
        wanted.add(folder / "adoption.csv")
        _write_table(folder / "adoption.csv", adoption)
        out.boards["index"] = _adoption_block(adoption, "../")
        out.boards["home"] = _adoption_block(adoption, "")  # the home page is at the root
    for stale in {*folder.glob("repartition/*.csv"), *folder.glob("classements/*.csv"),
                  *folder.glob("adoption.csv")} - wanted:
        stale.unlink()
    charts_dir = docs / CHARTS_DIR
    platforms = list(dict.fromkeys(adoption["platform"])) or list(PLATFORMS)
    write_chart_specs(charts_dir, platforms)
    write_events(charts_dir, events_frame(root / "data", docs / "methodologie.md"))
    if not out.empty:  # the bundle takes seconds to build: only when a page has a chart
        write_vega_bundle(docs / BUNDLE_PATH)
    return out


def _write_if_changed(path: Path, text: str) -> None:
    _write_bytes_if_changed(path, text.encode("utf-8"))


def _write_bytes_if_changed(path: Path, data: bytes) -> None:
    """Unchanged files keep their date, so that a live preview reloads only what changed."""
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
