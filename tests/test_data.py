"""Checks over the committed data: the CHU/CHR peer group is complete and every figure of the
shared reference archive is loaded with its source and quote."""

from __future__ import annotations

import csv

import pytest
from conftest import ROOT

from observatory.registry.figures import validate_figures
from observatory.registry.load import load_registry

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
