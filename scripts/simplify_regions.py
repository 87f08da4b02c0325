"""Simplify the regions of France (with overseas regions as insets) for the home page's map.

Source: regions-avec-outre-mer.geojson of github.com/gregoiredavid/france-geojson (IGN Admin Express
COG 2018 contours, INSEE codes and names, Licence Ouverte). Reproducible, pure Python:

    python scripts/simplify_regions.py SOURCE.geojson observatory/site/geo/regions.geojson

where SOURCE comes from `git --git-dir=<mirror> show HEAD:regions-avec-outre-mer.geojson`.

Steps, for each region: holes are dropped, islands smaller than MIN_AREA_KM2 are dropped (the
largest polygon of a region always stays), every ring is simplified with Douglas-Peucker
(TOLERANCE degrees, as displayed), coordinates are rounded to DECIMALS digits and exterior
rings turn clockwise, as d3-geo (Vega) expects. The five
overseas regions are moved to a row of insets under mainland France and resized so that each
fits a box of INSET_KM kilometres: the file is a display layout, not their real position.
Shapes keep their proportions under a Mercator projection: a move from latitude φ0 to φ1 scales
longitudes by k·cos φ0 / cos φ1 and latitudes by k (k: the inset's enlargement)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

TOLERANCE = 0.02  # degrees as displayed, ~2 km: invisible at the map's size (~600 px for 1,000 km)
DECIMALS = 3
MIN_AREA_KM2 = 40.0  # islands smaller than this (as displayed) are dropped
INSET_KM = 190.0  # side of the box each overseas region is resized to fit
INSET_LAT = 40.0  # latitude of the row of insets (mainland France stops at 41.3° N, Corsica)
INSET_LONS = {"01": -4.2, "02": -1.3, "03": 1.8, "04": 5.0, "06": 7.9}  # Guadeloupe … Mayotte
KM_PER_DEGREE = 111.2

Ring = list[tuple[float, float]]


def _perpendicular(point: tuple[float, float], start: tuple[float, float], end: tuple[float, float]) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = x2 - x1, y2 - y1
    if dx == 0 and dy == 0:
        return math.hypot(x - x1, y - y1)
    return abs(dy * x - dx * y + x2 * y1 - y2 * x1) / math.hypot(dx, dy)


def douglas_peucker(points: Ring, tolerance: float) -> Ring:
    """Points kept by Douglas-Peucker (iterative: rings have tens of thousands of points)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            distance = _perpendicular(points[i], points[first], points[last])
            if distance > worst:
                worst, index = distance, i
        if index >= 0 and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def simplify_ring(ring: Ring, tolerance: float) -> Ring:
    """A closed ring simplified; split in two halves first, since its ends are the same point."""
    middle = len(ring) // 2
    half = douglas_peucker(ring[: middle + 1], tolerance)
    return half[:-1] + douglas_peucker(ring[middle:], tolerance)


def area_km2(ring: Ring) -> float:
    """Approximate area of a ring (shoelace on degrees scaled at the ring's latitude)."""
    lat = sum(y for _, y in ring) / len(ring)
    scale = KM_PER_DEGREE * KM_PER_DEGREE * math.cos(math.radians(lat))
    return abs(_signed_area(ring)) * scale


def _signed_area(ring: Ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2


def outer_rings(geometry: dict) -> list[Ring]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [[(float(x), float(y)) for x, y in polygon[0]] for polygon in polygons]  # holes dropped


def inset_transform(rings: list[Ring], code: str):  # noqa: ANN201 - a small closure
    """The move and resize of an overseas region into its inset box (identity for mainland)."""
    if code not in INSET_LONS:
        return 1.0, lambda x, y: (x, y)
    xs = [x for ring in rings for x, _ in ring]
    ys = [y for ring in rings for _, y in ring]
    lon0, lat0 = (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
    width = (max(xs) - min(xs)) * math.cos(math.radians(lat0)) * KM_PER_DEGREE
    height = (max(ys) - min(ys)) * KM_PER_DEGREE
    k = INSET_KM / max(width, height)
    lon1, lat1 = INSET_LONS[code], INSET_LAT
    x_scale = k * math.cos(math.radians(lat0)) / math.cos(math.radians(lat1))
    return k, lambda x, y: (lon1 + (x - lon0) * x_scale, lat1 + (y - lat0) * k)


def simplify_region(feature: dict) -> dict:
    code = feature["properties"]["code"]
    rings = outer_rings(feature["geometry"])
    k, move = inset_transform(rings, code)
    moved = [[move(x, y) for x, y in ring] for ring in rings]
    largest = max(moved, key=area_km2)
    polygons = []
    for ring in moved:
        if ring is not largest and area_km2(ring) < MIN_AREA_KM2:
            continue
        simple = [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in simplify_ring(ring, TOLERANCE)]
        simple = [p for i, p in enumerate(simple) if i == 0 or p != simple[i - 1]]
        if len(simple) < 4:
            if ring is not largest:
                continue
            simple = [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in ring[:: max(1, len(ring) // 8)]]
            simple.append(simple[0])
        if _signed_area(simple) > 0:  # counterclockwise: d3-geo (Vega) wants exteriors clockwise
            simple.reverse()
        polygons.append([[list(p) for p in simple]])
    properties = {"code": code, "nom": feature["properties"]["nom"],
                  "encart": code in INSET_LONS, "agrandissement": round(k, 2)}
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "MultiPolygon", "coordinates": polygons}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("output", type=Path)
    args = parser.parse_args()
    source = json.loads(args.source.read_text(encoding="utf-8"))
    features = sorted((simplify_region(f) for f in source["features"]), key=lambda f: f["properties"]["code"])
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False,
                      separators=(",", ":"))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    points = sum(len(r) for f in features for p in f["geometry"]["coordinates"] for r in p)
    print(f"{len(features)} régions, {points} points, {len(text.encode()) / 1024:.0f} Ko : {args.output}")


if __name__ == "__main__":
    main()
