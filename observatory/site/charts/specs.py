"""Vega-Lite specs, one per kind of chart, built once per build with Altair and saved as JSON.

What differs from page to page (the account to highlight, the platform, the dates between which
event rules are drawn, a title) are Vega-Lite params that docs/assets/charts.js sets from the
figure's data-params; the data is a URL placeholder replaced by the figure's data-url."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import altair as alt

from observatory.analysis.metrics import ENGAGEMENT_DAYS
from observatory.registry.vocab import PLATFORMS
from observatory.site.charts.blocks import write_text_if_changed

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


MONTH_TICK_MS = 28 * DAY_MS  # the adoption chart's data are monthly: no tick between two months


def adoption_spec(platforms: Sequence[str] = tuple(PLATFORMS)) -> dict[str, Any]:
    """Establishments with an account on each network, month by month: one line per network.
    Every tick reads « avr. 2026 » (one format, French months); the legend sits under the chart
    on two columns and the title is short, so that nothing is cut off on a 390 px screen."""
    labels = [PLATFORMS.get(p, p) for p in platforms]
    colors = [PLATFORM_COLORS.get(p, MUTED) for p in platforms]
    legend = alt.Legend(orient="bottom", direction="horizontal", symbolType="stroke", labelLimit=150,
                        columns=2, symbolStrokeWidth=2)
    color = alt.Color("label:N", title="Réseau", scale=alt.Scale(domain=labels, range=colors),
                      sort=labels, legend=legend)
    dash = alt.StrokeDash("label:N", title="Réseau", sort=labels,
                          scale=alt.Scale(domain=labels, range=list(DASHES[:len(labels)])))
    base = alt.Chart().transform_calculate(month=MONTH_EXPR)
    y = alt.Y("count:Q", title="Établissements", axis=alt.Axis(format=",d", tickMinStep=1))
    x = alt.X("date:T", title=None, scale=alt.Scale(type="utc"),
              axis=alt.Axis(format="%b %Y", labelOverlap=True, grid=False, labelFlush=True,
                            tickCount=alt.ExprRef("max(2, floor(width / 75))"), tickMinStep=MONTH_TICK_MS,
                            # a tick that is not the first of a month (never expected) stays unlabelled
                            labelExpr="utcdate(datum.value) == 1 ? datum.label : ''"))
    lines = base.mark_line(strokeWidth=2).encode(x=x, y=y, color=color, strokeDash=dash)
    points = base.mark_point(filled=True, size=25).encode(
        x=x, y=y, color=color,
        tooltip=[alt.Tooltip("month:N", title="Mois"), alt.Tooltip("label:N", title="Réseau"),
                 alt.Tooltip("count:Q", title="Établissements", format=",d")])
    chart = alt.layer(lines, points, *_event_layers("adoption"),
                      data=_csv(DATA_URL, {"date": "date", "count": "number"}))
    chart = chart.add_params(*_page_params(platform="", start="", end="")).properties(
        width="container", height=260,
        title=alt.TitleParams("Présence sur les réseaux",
                              subtitle="Établissements ayant un compte, par réseau et par mois"))
    return _finish(chart)


HISTORY_SERIES = "Relevés de l'observatoire"
HISTORY_FIGURES = "Chiffres publiés"


def history_spec() -> dict[str, Any]:
    """An account's whole history on one time axis, from its earliest published figure to today:
    published follower counts as points (their source on hover), the collected series as a line.
    Written beside the other specs but outside KINDS (history.py writes it, for accounts with
    published figures only)."""
    x = alt.X("date:T", title=None, axis=alt.Axis(format=TIME_AXIS, labelOverlap=True, grid=False,
                                                  tickMinStep=DAY_MS),
              scale=alt.Scale(type="utc", domainMin=alt.ExprRef("time(toDate(obs_start))"),
                              domainMax=alt.ExprRef("time(toDate(obs_end))")))
    y = alt.Y("followers:Q", title="Abonnés", scale=alt.Scale(zero=True),
              axis=alt.Axis(format=",d", tickMinStep=1))
    color = alt.Color("what:N", title=None, legend=alt.Legend(orient="top"),
                      scale=alt.Scale(domain=[HISTORY_SERIES, HISTORY_FIGURES], range=[MAIN, HIGHLIGHT]))
    base = alt.Chart().transform_calculate(
        what=f"datum.kind == 'chiffre' ? '{HISTORY_FIGURES}' : \"{HISTORY_SERIES}\"")
    collected = base.transform_filter("datum.kind == 'releve'").transform_joinaggregate(
        n="count()").transform_calculate(day=DAY_EXPR)
    line = collected.mark_line(strokeWidth=2).encode(x=x, y=y, color=color)
    hover = alt.selection_point(name="survol", fields=["date"], nearest=True, on="pointerover",
                                clear="pointerout", empty=False)
    shown = {"condition": {"test": {"or": [{"param": "survol", "empty": False}, "datum.n <= 1"]},
                           "value": 1}, "value": 0}  # a single snapshot draws no line: its point
    collected_points = collected.mark_point(filled=True, size=40).encode(
        x=x, y=y, color=color, opacity=shown,
        tooltip=[alt.Tooltip("what:N", title="Origine"), alt.Tooltip("day:N", title="Date"),
                 alt.Tooltip("followers:Q", title="Abonnés", format=",d")]).add_params(hover)
    figures = base.transform_filter("datum.kind == 'chiffre'").mark_point(
        shape="diamond", filled=True, size=110, opacity=1).encode(
        x=x, y=y, color=color,
        tooltip=[alt.Tooltip("what:N", title="Origine"), alt.Tooltip("day:N", title="Date du chiffre"),
                 alt.Tooltip("text:N", title="Abonnés"), alt.Tooltip("source:N", title="Source")])
    chart = alt.layer(line, collected_points, figures,
                      data=_csv(DATA_URL, {"date": "date", "followers": "number"}))
    chart = chart.add_params(*_page_params(start="", end="")).properties(
        width="container", height=240,
        title=alt.TitleParams("Abonnés : chiffres publiés et relevés de l'observatoire"))
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
        write_text_if_changed(out_dir / names[kind], json.dumps(spec, ensure_ascii=False,
                                                            separators=(",", ":")) + "\n")
    return names
