"""The published JSON Schemas match the validator, and the committed data satisfy both."""

from __future__ import annotations

import json

import jsonschema
import pytest
from conftest import ROOT

from observatory.registry.schema import schema_texts
from observatory.registry.validate import registry_files, validate_paths
from observatory.registry.yamlio import parse_located


def test_committed_schemas_are_up_to_date() -> None:
    for name, text in schema_texts().items():
        committed = (ROOT / "schema" / name).read_text(encoding="utf-8")
        assert committed == text, f"schema/{name} est périmé : lancer « observatory schema »"


@pytest.mark.parametrize("folder", ["establishments", "benchmarks"])
def test_committed_files_satisfy_the_json_schema(folder: str) -> None:
    name = "establishment" if folder == "establishments" else "benchmark"
    schema = json.loads((ROOT / "schema" / f"{name}.schema.json").read_text())
    for path in registry_files([ROOT / "data" / folder]):
        jsonschema.validate(parse_located(path.read_text()).data, schema)


def test_schema_rejects_what_the_validator_rejects() -> None:
    schema = json.loads((ROOT / "schema" / "establishment.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    good = {"name": "CHU X", "short_name": "CHU X", "category": "chu-chr", "sources": [{"title": "S"}]}
    assert list(validator.iter_errors(good)) == []
    for bad in ({**good, "colour": "x"}, {**good, "category": "hopital"}, {**good, "website": "http://x.fr"},
                {**good, "sources": []}, {**good, "finess": {"ej": "1234"}}):
        assert list(validator.iter_errors(bad)), bad


def test_committed_data_is_valid_and_canonical() -> None:
    _, problems = validate_paths([ROOT / "data" / "establishments", ROOT / "data" / "benchmarks"], ROOT)
    assert [str(p) for p in problems] == []
