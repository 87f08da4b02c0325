"""The map of France on the home page: per region, the share of establishments present on a network.

The regions' contours (observatory/site/geo/regions.geojson, simplified IGN contours with the
overseas regions as insets, see its README) are copied beside the spec; the data, one row per
region and network, go to donnees/series/regions.csv. The reader picks the network with a select
that Vega binds to the spec's param; the figure is not an image for assistive technologies (it
holds that select): its caption says the highest and lowest regions of every network, and the
table after it gives every count, so that nobody over-reads a share of 1 out of 1."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import altair as alt
import pandas as pd

from observatory.registry.load import Registry
from observatory.registry.vocab import PLATFORMS, REGIONS
from observatory.site.charts.blocks import write_table, write_text_if_changed
from observatory.site.charts.specs import CHARTS_DIR, DATA_URL, SERIES_DIR, _csv, _finish
from observatory.textfmt import html_text, number, plural

GEO_FILE = Path(__file__).resolve().parents[1] / "geo" / "regions.geojson"
GEO_NAME = "regions.geojson"  # beside the spec, under docs/CHARTS_DIR
SPEC_NAME = "regions.json"
CSV_NAME = "regions.csv"  # under docs/donnees/SERIES_DIR
COLUMNS = ["code", "region", "platform", "label", "establishments", "present", "share", "lon", "lat"]
NO_DATA = "#9e9e9e"
RAMP = ["#dbe4f3", "#17407f"]  # share 0 to 100 %: pale to dark blue, readable in both palettes
FEW = 3  # fewer establishments than this in a region: its share is flagged as resting on few


def region_shapes(path: Path = GEO_FILE) -> list[dict[str, Any]]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def _centroid(ring: list[list[float]]) -> tuple[float, float, float]:
    """Centroid and absolute area of a ring (shoelace, in degrees: enough to place a label)."""
    area = cx = cy = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False):
        cross = x1 * y2 - x2 * y1
        area += cross
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    if area == 0:
        return ring[0][0], ring[0][1], 0.0
    return cx / (3 * area), cy / (3 * area), abs(area) / 2


def label_point(feature: dict[str, Any]) -> tuple[float, float]:
    """Where a region's counts are written: the centroid of its largest polygon."""
    x, y, _ = max((_centroid(polygon[0]) for polygon in feature["geometry"]["coordinates"]),
                  key=lambda c: c[2])
    return round(x, 3), round(y, 3)


def used_platforms(registry: Registry) -> list[str]:
    """Networks on which establishments have an account, the most used first."""
    counts = Counter(a.platform for e in registry.establishments for a in e.accounts
                     if a.status in {"active", "dormant"})
    order = list(PLATFORMS)
    return sorted(counts, key=lambda p: (-counts[p], order.index(p) if p in order else len(order)))


def region_frame(registry: Registry, features: list[dict[str, Any]]) -> pd.DataFrame:
    """One row per region and network: establishments of the region, those with an active or
    dormant account on the network, their share (empty for a region without establishment)."""
    platforms = used_platforms(registry)
    by_region: dict[str, list[set[str]]] = {}
    for entity in registry.establishments:
        if entity.region:
            by_region.setdefault(entity.region, []).append(
                {a.platform for a in entity.accounts if a.status in {"active", "dormant"}})
    rows = []
    order = {name: i for i, name in enumerate(REGIONS)}  # mainland regions, then overseas
    for feature in sorted(features, key=lambda f: order.get(f["properties"]["nom"], len(order))):
        name, code = feature["properties"]["nom"], feature["properties"]["code"]
        lon, lat = label_point(feature)
        members = by_region.get(name, [])
        for platform in platforms:
            present = sum(1 for networks in members if platform in networks)
            share = present / len(members) if members else math.nan
            rows.append((code, name, platform, PLATFORMS.get(platform, platform), len(members), present,
                         round(share, 4), lon, lat))
    return pd.DataFrame(rows, columns=COLUMNS)


def regions_spec(platforms: list[str]) -> dict[str, Any]:
    """The map: regions coloured by the share of the chosen network, counts written on them."""
    labels = [PLATFORMS.get(p, p) for p in platforms]
    network = alt.param(name="obs_network", value=platforms[0], bind=alt.binding_select(
        options=platforms, labels=labels, name="Réseau affiché : "))
    shapes_data = alt.UrlData(url=GEO_NAME, format=alt.JsonDataFormat(type="json", property="features"))
    base = alt.Chart().transform_filter("datum.platform == obs_network").transform_lookup(
        lookup="code", from_=alt.LookupData(data=shapes_data, key="properties.code"), as_="geo"
    ).transform_calculate(
        counts="datum.present + '/' + datum.establishments",
        detail="datum.establishments == 0 ? 'aucun établissement suivi' : datum.present + ' sur ' + "
               "datum.establishments + ' établissement' + (datum.establishments > 1 ? 's' : '') + "
               "' (' + format(datum.share, '.0%') + ')'")
    color = alt.Color("share:Q", title="Part des établissements présents",
                      scale=alt.Scale(domain=[0, 1], range=RAMP),
                      legend=alt.Legend(orient="bottom", format=".0%", gradientLength=200, values=[0, 0.5, 1],
                                        direction="horizontal"))
    shapes = base.mark_geoshape(stroke="#ffffff", strokeWidth=0.8, invalid=None).encode(  # no data: grey
        shape="geo:G",
        color=alt.condition("!isValid(datum.share) || !isFinite(datum.share)", alt.value(NO_DATA), color),
        tooltip=[alt.Tooltip("region:N", title="Région"), alt.Tooltip("label:N", title="Réseau"),
                 alt.Tooltip("detail:N", title="Présents")])
    counts = base.transform_filter("datum.establishments > 0").mark_text(
        fontSize=10, fontWeight="bold").encode(
        longitude="lon:Q", latitude="lat:Q", text="counts:N",
        color=alt.condition("datum.share > 0.55", alt.value("#ffffff"), alt.value("#1a1a1a")))
    parse = {name: "number" for name in ("establishments", "present", "share", "lon", "lat")}
    chart = alt.layer(shapes, counts, data=_csv(DATA_URL, parse))
    chart = chart.add_params(network).properties(
        width="container", height=420, projection=alt.Projection(type="mercator"),
        title=alt.TitleParams("Présence par région",
                              subtitle=["Présents / suivis ; en gris : aucun établissement suivi",
                                        "Outre-mer en encarts, hors échelle"]))
    return _finish(chart)


def _extremes(rows: pd.DataFrame) -> str:
    """« le plus : Bretagne (2 sur 2) ; le moins : … » for one network's located regions."""
    shown = rows[rows["establishments"] > 0].sort_values(["share", "establishments"],
                                                         ascending=[False, False])
    if shown.empty:
        return "aucun établissement situé"

    def say(r: pd.Series) -> str:
        return f"{r['region']} ({number(r['present'])} sur {number(r['establishments'])}, " \
               f"{number(r['share'] * 100)} %)"

    top = shown.iloc[0]
    low = shown.sort_values(["share", "establishments"], ascending=[True, False]).iloc[0]
    if top["share"] == low["share"]:
        return f"même part partout, {number(top['share'] * 100)} %"
    return f"part la plus forte : {say(top)} ; la plus faible : {say(low)}"


def map_summary(frame: pd.DataFrame, unlocated: int) -> str:
    """The plain-text summary: each network's highest and lowest region, then what is missing."""
    parts = [f"{label} : {_extremes(rows)}." for label, rows in frame.groupby("label", sort=False)]
    first = frame[frame["platform"] == frame["platform"].iloc[0]]
    empty = first.loc[first["establishments"] == 0, "region"].tolist()
    sizes = first.loc[first["establishments"] > 0, "establishments"]
    if not sizes.empty:
        parts.append(f"Chaque région compte de {number(sizes.min())} à {number(sizes.max())} "
                     "établissements suivis : une part repose sur peu d'établissements, lisez les effectifs.")
    if empty:
        parts.append(f"Sans établissement suivi : {', '.join(empty)}.")
    if unlocated:
        parts.append(f"{plural(unlocated, 'établissement')} sans région connue "
                     f"{'ne figurent' if unlocated > 1 else 'ne figure'} pas sur la carte.")
    return " ".join(parts)


def _cell(present: int, total: int, share: float) -> str:
    if not total:
        return "—"
    flag = " (peu)" if total < FEW else ""
    return f"{number(present)} ({number(share * 100)} %){flag}"


def map_block(frame: pd.DataFrame, unlocated: int, prefix: str = "") -> str:
    """The figure (select, map, caption) and its data table, in raw HTML."""
    title = "Part des établissements présents sur chaque réseau, par région"
    summary = map_summary(frame, unlocated)
    labels = list(dict.fromkeys(frame["label"]))
    data_url = f"{prefix}donnees/{SERIES_DIR}/{CSV_NAME}"
    params = json.dumps({"obs_network": str(frame["platform"].iloc[0])}, ensure_ascii=False)
    attrs = {"class": "obs-chart obs-map", "data-kind": "regions",
             "data-spec": f"{prefix}{CHARTS_DIR}/{SPEC_NAME}", "data-url": data_url,
             "data-search-exclude": "", "data-params": params}
    figure = ("<figure " + " ".join(f'{k}="{html_text(v)}"' for k, v in attrs.items()) + ">"
              '<div class="obs-chart-view"></div>'
              f"<figcaption><strong>{html_text(title)}</strong>. {html_text(summary)}</figcaption></figure>")
    head = "".join(f'<th scope="col">{html_text(h)}</th>'
                   for h in ["Région", "Établissements suivis", *labels])
    body = []
    for region, rows in frame.groupby("region", sort=False):
        cells = [number(int(rows["establishments"].iloc[0]))] + [
            _cell(int(r["present"]), int(r["establishments"]), float(r["share"])) for _, r in rows.iterrows()]
        body.append(f'<tr><th scope="row">{html_text(region)}</th>'
                    + "".join(f"<td>{html_text(c)}</td>" for c in cells) + "</tr>")
    caption = (f"{html_text(title)} — établissements présents (part de la région) ; « (peu) » : "
               f"moins de {FEW} établissements suivis dans la région")
    details = ('<details class="obs-chart-data" data-search-exclude>'
               "<summary>Données de la carte (tableau)</summary>"
               f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}"
               f'</tbody></table><p><a href="{html_text(data_url)}">Télécharger ces données (CSV)</a></p>'
               "</details>")
    return f"{figure}\n\n{details}\n"


def write_map(docs: Path, registry: Registry, prefix: str = "") -> str | None:
    """Write the contours, the spec and the data of the map; return its block (None: no network)."""
    features = region_shapes()
    frame = region_frame(registry, features)
    if frame.empty:
        return None
    charts_dir = docs / CHARTS_DIR
    write_text_if_changed(charts_dir / GEO_NAME, GEO_FILE.read_text(encoding="utf-8"))
    spec = regions_spec(list(dict.fromkeys(frame["platform"])))
    text = json.dumps(spec, ensure_ascii=False, separators=(",", ":"))
    write_text_if_changed(charts_dir / SPEC_NAME, text + "\n")
    write_table(docs / "donnees" / SERIES_DIR / CSV_NAME, frame)
    unlocated = sum(1 for e in registry.establishments if not e.region)
    return map_block(frame, unlocated, prefix)
