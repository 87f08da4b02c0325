"""Checks over the committed data: the CHU/CHR peer group is complete and every figure of the
shared reference archive is loaded with its source and quote."""

from __future__ import annotations

import csv

import pandas as pd
import pytest
from conftest import ROOT

from observatory.collect.run import _select
from observatory.registry.figures import validate_figures
from observatory.registry.handles import parse_handle
from observatory.registry.load import load_registry
from observatory.site.page_data import entity_page
from observatory.site.pages import entity_markdown

REFERENCE = ROOT.parent / "shared" / "reference"
# The reference (the 33 CHU/CHR and the seed figures) lives beside the repository, not in it.
NO_REFERENCE = ("../shared/reference absent à côté du dépôt : sans cette liste de référence (les 33 "
                "CHU/CHR et les chiffres publiés d'origine), ce contrôle de complétude du registre ne peut "
                "pas tourner")


@pytest.fixture(scope="module")
def registry():
    return load_registry(ROOT / "data")


def test_published_figures_are_valid(registry) -> None:
    problems = validate_figures(ROOT / "data" / "published-figures.csv", ROOT, set(registry.entities))
    assert [str(p) for p in problems] == []


def test_every_chu_chr_is_registered_with_a_source(registry) -> None:
    if not (REFERENCE / "chu-chr.csv").exists():
        pytest.skip(NO_REFERENCE)
    with (REFERENCE / "chu-chr.csv").open(encoding="utf-8") as handle:
        reference = list(csv.DictReader(handle))
    assert len(reference) == 33
    by_name = {name: e for e in registry.establishments for name in (e.name, *e.aliases)}
    missing = [row["name"] for row in reference if row["name"] not in by_name]
    assert missing == []
    for row in reference:
        entity = by_name[row["name"]]
        assert entity.category == "chu-chr" and entity.region == row["region"]
        assert row["source_url"] in {s.url for s in entity.sources}


def test_every_reference_figure_is_archived() -> None:
    if not (REFERENCE / "published-figures.csv").exists():
        pytest.skip(NO_REFERENCE)
    keys = ("platform", "metric", "value", "value_qualifier", "figure_date", "source_url", "quote")
    with (REFERENCE / "published-figures.csv").open(encoding="utf-8") as handle:
        reference = {tuple(row[k] for k in keys) for row in csv.DictReader(handle)}
    with (ROOT / "data" / "published-figures.csv").open(encoding="utf-8") as handle:
        archived = {tuple(row[k] for k in keys) for row in csv.DictReader(handle)}
    assert reference - archived == set()


def test_benchmarks_are_never_establishments(registry) -> None:
    assert {e.id for e in registry.benchmarks} == {"has", "coca-cola-france"}
    assert all(e.category is None for e in registry.benchmarks)


# handles.csv names establishments as its sources do; the registry file each one belongs to.
REFERENCE_IDS = {
    "Assistance Publique – Hôpitaux de Marseille": "aphm",
    "Assistance Publique – Hôpitaux de Paris": "aphp",
    "CHU Dijon-Bourgogne": "chu-dijon",
    "CHU Grenoble-Alpes": "chu-grenoble",
    "CHU de Bordeaux": "chu-bordeaux",
    "CHU de Lille": "chu-lille",
    "CHU de Montpellier": "chu-montpellier",
    "CHU de Nantes": "chu-nantes",
    "CHU de Rennes": "chu-rennes",
    "CHU de Toulouse": "chu-toulouse",
    "CHU de la Guadeloupe": "chu-guadeloupe",
    "Centre Léon Bérard (Lyon)": "centre-leon-berard",
    "Centre hospitalier Sud Francilien (Corbeil-Essonnes)": "ch-sud-francilien",
    "Gustave Roussy": "gustave-roussy",
    "Hospices Civils de Lyon": "hcl",
    "Hôpital Necker-Enfants malades (AP-HP)": "hopital-necker",
    "Hôpital Robert-Debré (AP-HP)": "hopital-robert-debre",
    "Hôpitaux Avicenne / René-Muret (AP-HP, Seine-Saint-Denis)": "hopitaux-avicenne-rene-muret",
    "Hôpitaux Universitaires de Strasbourg": "hus",
    "Pôle santé Deauville": "pole-sante-deauville",
    # A department-level account of two AP-HP hospitals: kept with the AP-HP.
    "Services d'urologie de l'Hôpital Necker et de l'HEGP (AP-HP)": "aphp",
}
NO_HANDLES = ("../shared/reference absent à côté du dépôt : sans handles.csv (les 40 comptes relevés "
              "dans leurs sources), ce contrôle des comptes du registre ne peut pas tourner")
# Weakest sources (README of handles.csv): a handle tagged by someone else, or a 2011–2013 panorama.
WEAK = ("tagged", "named inside", "OLD (2011)")
# Accounts confirmed by a stronger source than their weak handles.csv row.
CONFIRMED_ELSEWHERE = {"hopital_necker": "Orange Healthcare (2016)"}


def _reference_handles() -> list[dict[str, str]]:
    if not (REFERENCE / "handles.csv").exists():
        pytest.skip(NO_HANDLES)
    with (REFERENCE / "handles.csv").open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _registry_handle(row: dict[str, str]) -> str:
    # LinkedIn pages are written company/<slug> in the registry; the source shows the company URL.
    if row["platform"] == "linkedin" and f"linkedin.com/company/{row['handle']}" in row["quote"]:
        return f"company/{row['handle']}"
    # A YouTube name that is neither an @handle nor a UC… id is a legacy user name (/user/NAME).
    if row["platform"] == "youtube" and not row["handle"].startswith(("@", "UC")):
        return f"user/{row['handle']}"
    return row["handle"]


def test_every_reference_account_is_registered_with_its_source(registry) -> None:
    rows = _reference_handles()
    assert len(rows) == 40
    weak_only: dict[tuple[str, str, str], bool] = {}
    for row in rows:
        entity = registry.entities[REFERENCE_IDS[row["establishment"]]]
        key = parse_handle(row["platform"], _registry_handle(row)).key
        mine = [a for a in entity.accounts if a.platform == row["platform"]]
        found = [(a, list(a.sources)) for a in mine if a.key == key]
        found += [(a, list(p.sources)) for a in mine for p in a.previous_handles
                  if parse_handle(a.platform, p.handle).key == key]
        assert len(found) == 1, f"{row['establishment']} : {row['platform']} {row['handle']} absent"
        account, sources = found[0]
        if row["platform"] == "youtube" and _registry_handle(row).startswith("user/"):
            assert account.handle == _registry_handle(row), row  # the user name's own spelling
        assert row["source_url"] in {s.url for s in sources}, row
        assert row["quote"] in {s.quote for s in sources if s.url == row["source_url"]}, row
        weak = any(word in row["confidence"] for word in WEAK)
        ident = (entity.id, account.platform, account.key)
        weak_only[ident] = weak_only.get(ident, True) and weak
    assert len(weak_only) == 35  # 40 rows, less the same account read in two sources or renamed
    for (entity_id, _, key), weak in weak_only.items():
        account = next(a for a in registry.entities[entity_id].accounts if a.key == key)
        expected = weak and account.handle not in CONFIRMED_ELSEWHERE
        assert account.unverified == expected, (entity_id, account.handle)


def test_accounts_that_left_x_carry_their_end_and_its_source(registry) -> None:
    by_handle = {a.handle: a for a in registry.accounts() if a.platform == "twitter"}
    bfmtv = ("https://www.bfmtv.com/tech/twitter/desinformation-l-ap-hp-abandonne-le-reseau-social-x-au-"
             "profit-de-bluesky_AV-202412030560.html")
    for handle in ("APHP", "APHP_Actualites", "LeWebzine_APHP", "hopital_necker", "HopRobertDebre",
                   "Avicenne_RMuret"):
        account = by_handle[handle]
        assert (account.status, account.until) == ("left", "2024-12-03"), handle
        assert bfmtv in {s.url for s in account.sources}, handle
    assert (by_handle["aphm_actu"].status, by_handle["aphm_actu"].until) == ("left", "2024-12-23")
    assert (by_handle["CHUBordeaux"].status, by_handle["CHUBordeaux"].until) == ("left", "2025-01")


def test_renamed_account_is_collected_and_shown_under_its_current_handle(registry) -> None:
    lille = [a for a in registry.entities["chu-lille"].accounts if a.platform == "twitter"]
    assert [(a.handle, [(p.handle, p.until) for p in a.previous_handles]) for a in lille] == [
        ("CHU_Lille", [("CHRU_Lille", "2018-02-01")])]
    chosen = _select(ROOT / "data", ["twitter"], ["chu-lille"])
    assert [a.handle for a in chosen["twitter"]] == ["CHU_Lille"]
    page = entity_page(registry.entities["chu-lille"], registry, pd.DataFrame(columns=["entity"]))
    assert "anciennement @CHRU_Lille (jusqu'en 2018)" in entity_markdown(page)
