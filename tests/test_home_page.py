"""The home page: key figures as cards with n/a and their reasons, the week's movements, the map of
France per region (overseas included), French month labels on the adoption chart, the coverage
figures that say what they count."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pandas as pd
import vl_convert
from conftest import ROOT, dict_nodes
from test_charts import with_inline_data
from test_metrics import ACCOUNTS, POSTS, REGISTRY, accounts_frame

from observatory.analysis.metrics import Inputs, account_metrics
from observatory.registry.load import Account, Entity, Registry
from observatory.registry.vocab import REGIONS
from observatory.site import home
from observatory.site.charts import regions_map, specs

OVERSEAS = {"Guadeloupe", "Martinique", "Guyane", "La Réunion", "Mayotte"}


def account(entity_id: str, platform: str, status: str = "active") -> Account:
    return Account(entity_id=entity_id, platform=platform, handle=f"{entity_id}-{platform}",
                   key=f"{entity_id}-{platform}", url=f"https://example.org/{entity_id}", status=status)


def establishment(entity_id: str, region: str | None, platforms: tuple[str, ...] = (),
                  category: str = "chu-chr", parent: str | None = None) -> Entity:
    return Entity(id=entity_id, name=entity_id, short_name=entity_id, is_benchmark=False, category=category,
                  kind=None, region=region, city=None, website=None, parent=parent,
                  accounts=tuple(account(entity_id, p) for p in platforms))


MAP_REGISTRY = Registry({e.id: e for e in (
    establishment("rennes", "Bretagne", ("facebook", "linkedin")),
    establishment("brest", "Bretagne", ("facebook",)),
    establishment("lille", "Hauts-de-France", ("linkedin",)),
    establishment("guadeloupe", "Guadeloupe", ("facebook",)),
    establishment("mayotte", "Mayotte", ()),
    establishment("nowhere", None, ("facebook",)),
)})


def metrics_of(accounts: pd.DataFrame, registry: Registry = REGISTRY) -> pd.DataFrame:
    return account_metrics(Inputs(accounts, POSTS, registry))


# --- Key figures ---------------------------------------------------------------------------------


def test_key_figures_are_cards_with_labels_and_networks_ordered_by_use() -> None:
    data = home.home_data(MAP_REGISTRY, pd.DataFrame(), pd.DataFrame())
    cards = home.key_figures(data)
    assert [(c["value"], c["label"]) for c in cards[:5]] == [
        ("6", "établissements suivis"), ("0", "chiffres publiés archivés"),
        ("4", "comptes Facebook"), ("2", "comptes LinkedIn"), ("n/a", "dernière collecte")]
    # No collection: n/a with its reason, never 0, and flagged as a warning.
    assert cards[-1]["note"] == "aucun relevé automatique pour l'instant" and cards[-1]["warn"]
    html = home.key_figures_html(cards)
    assert html.startswith('<ul class="obs-kpis" aria-label="Chiffres clés">') and "\n" not in html
    assert '<span class="obs-kpi-value">4</span> <span class="obs-kpi-label">comptes Facebook</span>' in html
    assert 'class="obs-kpi obs-kpi-warn"' in html and "⚠ aucun relevé" in html


def test_the_last_collection_card_says_how_old_it_is() -> None:
    metrics = metrics_of(ACCOUNTS)  # last measure: 31 January 2025
    fresh = home.key_figures(home.home_data(REGISTRY, metrics, pd.DataFrame(), today=dt.date(2025, 2, 1)))[-1]
    assert fresh == {"value": "31 janvier 2025", "label": "dernière collecte", "note": "hier : à jour",
                     "warn": False, "wide": True}
    late = home.home_data(REGISTRY, metrics, pd.DataFrame(), today=dt.date(2025, 2, 10))
    stale = home.key_figures(late)[-1]
    assert stale["note"] == "il y a 10 jours : données plus à jour" and stale["warn"]
    text = home.home_markdown(late)
    assert "ces données ne sont plus à jour" in text


# --- The week's movements ------------------------------------------------------------------------


def test_week_movements_rank_absolute_and_relative_changes() -> None:
    accounts = accounts_frame([
        (day, entity, f"did:{entity[-1]}", f"{entity}.fr", followers)
        for entity, before, after in (("chu-a", 1000, 1300), ("chu-b", 50, 100), ("chu-d", 5000, 4600),
                                      ("ref", 100000, 190000))
        for day, followers in (("2025-01-24", before), ("2025-01-31", after))])
    week = home.week_movements(REGISTRY, metrics_of(accounts))
    assert week["reason"] is None
    # Absolute: the loss of 400 comes before the gain of 300; the benchmark is no establishment.
    assert [(m["entity"], m["change"]) for m in week["absolute"]] == [
        ("chu-d", -400.0), ("chu-a", 300.0), ("chu-b", 50.0)]
    # Relative: chu-b's +100 % started from 50 followers (below 100): left out.
    assert [(m["entity"], round(m["pct"], 1)) for m in week["relative"]] == [("chu-a", 30.0), ("chu-d", -8.0)]
    text = "\n".join(home.movements_markdown(week))
    assert (r"| [chu\-d](etablissements/chu-d.md) | Bluesky | chu\-d\.fr | -400 (-8,0 %) | 4"
            "\u202f600 |") in text
    assert "+300 (+30,0 %) | 1\u202f300 | 7 jours |" in text


def test_week_movements_are_na_with_a_reason_before_seven_days() -> None:
    none = home.week_movements(REGISTRY, pd.DataFrame())
    assert none["reason"] == "aucun relevé automatique pour l'instant"
    short = accounts_frame([("2025-01-29", "chu-a", "did:a", "a.fr", 10),
                            ("2025-01-31", "chu-a", "did:a", "a.fr", 12)])
    week = home.week_movements(REGISTRY, metrics_of(short))
    assert week["absolute"] == [] and week["reason"] == (
        "la collecte couvre 2 jours (depuis le 29 janvier 2025) : il en faut 7 pour mesurer une semaine")
    assert "n/a : la collecte couvre 2 jours" in "\n".join(home.movements_markdown(week))


# --- The map -------------------------------------------------------------------------------------


def test_the_boundary_file_holds_the_18_regions_small_and_reproducible(tmp_path: Path) -> None:
    features = regions_map.region_shapes()
    assert {f["properties"]["nom"] for f in features} == set(REGIONS)
    assert {f["properties"]["nom"] for f in features if f["properties"]["encart"]} == OVERSEAS
    assert regions_map.GEO_FILE.stat().st_size < 150_000
    # The insets sit under mainland France (whose southernmost point is Corsica, 41.3° N).
    for feature in features:
        lats = [y for polygon in feature["geometry"]["coordinates"] for _, y in polygon[0]]
        assert (max(lats) < 41.3) == feature["properties"]["encart"], feature["properties"]["nom"]
    # The script rebuilds the committed file from a source in the same format.
    source = tmp_path / "source.geojson"
    square = [[[-1.0, 48.0], [-1.0, 48.5], [-0.5, 48.5], [-0.5, 48.0], [-1.0, 48.0]]]
    mayotte = [[[45.0, -13.0], [45.0, -12.6], [45.3, -12.6], [45.3, -13.0], [45.0, -13.0]]]
    source.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "53", "nom": "Bretagne"},
         "geometry": {"type": "Polygon", "coordinates": square}},
        {"type": "Feature", "properties": {"code": "06", "nom": "Mayotte"},
         "geometry": {"type": "Polygon", "coordinates": mayotte}}]}))
    out = tmp_path / "out.geojson"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "simplify_regions.py"), str(source), str(out)],
                   check=True, capture_output=True)
    result = {f["properties"]["nom"]: f for f in json.loads(out.read_text())["features"]}
    ring = result["Bretagne"]["geometry"]["coordinates"][0][0]
    assert sorted(map(tuple, ring[:-1])) == sorted(map(tuple, [p for p in square[0][:-1]]))
    assert sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) < 0  # clockwise
    lats = [y for _, y in result["Mayotte"]["geometry"]["coordinates"][0][0]]
    assert min(lats) > 39 and max(lats) < 41.3 and result["Mayotte"]["properties"]["encart"]


def test_map_data_per_region_and_network_with_counts() -> None:
    frame = regions_map.region_frame(MAP_REGISTRY, regions_map.region_shapes())
    assert len(frame) == 18 * 2 and list(dict.fromkeys(frame["platform"])) == ["facebook", "linkedin"]
    rows = frame.set_index(["region", "platform"])
    assert rows.loc[("Bretagne", "facebook"), ["establishments", "present", "share"]].tolist() == [2, 2, 1.0]
    assert rows.loc[("Bretagne", "linkedin"), "share"] == 0.5
    assert rows.loc[("Guadeloupe", "facebook"), ["establishments", "present"]].tolist() == [1, 1]
    assert rows.loc[("Mayotte", "facebook"), ["establishments", "present"]].tolist() == [1, 0]
    assert pd.isna(rows.loc[("Corse", "facebook"), "share"])  # no establishment: no share, not 0
    summary = regions_map.map_summary(frame, 1)
    assert ("Facebook : part la plus forte : Bretagne (2 sur 2, 100 %) ; la plus faible : "
            "Hauts-de-France (0 sur 1, 0 %).") in summary
    assert "Sans établissement suivi : " in summary and "Corse" in summary
    assert "1 établissement sans région connue ne figure pas sur la carte." in summary
    block = regions_map.map_block(frame, 1)
    assert '<th scope="row">Bretagne</th><td>2</td><td>2 (100 %) (peu)</td><td>1 (50 %) (peu)</td>' in block
    assert '<th scope="row">Corse</th><td>0</td><td>—</td><td>—</td>' in block
    assert 'role="img"' not in block  # the figure holds the network select: not an image
    assert 'data-params="&#123;&quot;obs_network&quot;: &quot;facebook&quot;&#125;"' in block
    text = home.home_markdown(home.home_data(MAP_REGISTRY, pd.DataFrame(), pd.DataFrame()), None, block)
    assert block in text and "Contours des régions : IGN, Admin Express COG 2018" in text


def test_map_spec_draws_every_region_and_follows_the_chosen_network() -> None:
    features = regions_map.region_shapes()
    frame = regions_map.region_frame(MAP_REGISTRY, features)
    spec = regions_map.regions_spec(["facebook", "linkedin"])
    text = json.dumps(spec)
    assert "http" not in text and spec["data"]["url"] == specs.DATA_URL  # data by URL, on the site
    [param] = [p for p in spec["params"] if p["name"] == "obs_network"]
    assert param["bind"]["input"] == "select" and param["bind"]["labels"] == ["Facebook", "LinkedIn"]
    values = json.loads(frame.to_json(orient="records"))

    for node in dict_nodes(spec):  # the contours inline (the browser reads them beside the spec)
        if "from" in node:
            node["from"]["data"] = {"values": features}

    def svg_for(network: str) -> str:
        return vl_convert.vegalite_to_svg(with_inline_data(spec, values, {"obs_network": network}))

    facebook, linkedin = svg_for("facebook"), svg_for("linkedin")
    assert len(re.findall(r'<path[^>]*d="M', facebook)) >= 18  # every region, overseas included
    assert ">2/2<" in facebook and ">1/2<" not in facebook  # Bretagne on Facebook
    assert ">1/2<" in linkedin and ">2/2<" not in linkedin  # Bretagne on LinkedIn
    assert regions_map.NO_DATA in facebook  # Corse: grey, not a share of 0


# --- Adoption chart ------------------------------------------------------------------------------


def test_adoption_ticks_use_one_french_month_format() -> None:
    spec = specs.adoption_spec(["facebook", "twitter"])
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["format"] == "%b %Y"
    legend = spec["layer"][0]["encoding"]["color"]["legend"]
    assert legend["orient"] == "bottom" and legend["columns"] == 2
    values = [{"date": f"2025-{m:02d}-01", "platform": "facebook", "label": "Facebook", "count": str(m)}
              for m in range(1, 13)]
    for width in (340, 800):
        inline = with_inline_data(spec, values, {"obs_start": "", "obs_end": "", "obs_platform": ""})
        inline["width"] = width
        texts = re.findall(r">([^<>]+)</text>", vl_convert.vegalite_to_svg(inline))
        months = [t for t in texts if re.fullmatch(r"[a-zéû.]+ 2025", t)]
        assert months and all(re.fullmatch(r"(janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|"
                                            r"nov\.|déc\.) 2025", t) for t in months), texts
        assert "2025" not in texts  # never a bare year beside « avr. 2025 »


# --- Coverage ------------------------------------------------------------------------------------


def test_coverage_says_what_each_figure_counts() -> None:
    registry = Registry({e.id: e for e in (
        establishment("aphp", "Île-de-France"), establishment("necker", "Île-de-France", parent="aphp"),
        establishment("pompidou", "Île-de-France", parent="aphp"), establishment("rennes", "Bretagne"))})
    text = home.home_markdown(home.home_data(registry, pd.DataFrame(), pd.DataFrame()))
    assert ("**CHU/CHR : 2 sur 33** de la liste de référence (les 32 CHU/CHR et le CHU de Guyane, créé en "
            "2025 ; un CHU y compte une fois). L'annuaire compte 4 fiches de catégorie CHU/CHR : ces 2 "
            "CHU/CHR et 2 hôpitaux rattachés à leur CHU, qui ont leurs propres comptes.") in text
    one = Registry({**registry.entities, "pompidou": replace(registry.entities["pompidou"], parent=None)})
    assert "1 hôpital rattaché à leur CHU, qui a ses propres comptes." in home.home_markdown(
        home.home_data(one, pd.DataFrame(), pd.DataFrame()))


def test_the_directory_counts_attached_sites_apart() -> None:
    from observatory.site import page_data

    registry = Registry({e.id: e for e in (
        establishment("aphp", "Île-de-France"), establishment("necker", "Île-de-France", parent="aphp"),
        establishment("rennes", "Bretagne"))})
    figures = pd.DataFrame(columns=["entity"])
    assert page_data.directory_page(registry, figures)["by_category"] == [
        {"category": "CHU/CHR (dont 1 site rattaché à un autre établissement de l'annuaire)", "count": 3}]
