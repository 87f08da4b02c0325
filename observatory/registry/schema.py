"""The published JSON Schemas of the registry files (schema/*.json), for editors."""

from __future__ import annotations

import json
from pathlib import Path

from observatory.registry.spec import BENCHMARK, ESTABLISHMENT, json_schema

SCHEMAS = {
    "establishment.schema.json": (ESTABLISHMENT, "Établissement de santé (data/establishments/*.yml)"),
    "benchmark.schema.json": (BENCHMARK, "Compte de référence (data/benchmarks/*.yml)"),
}


def schema_texts() -> dict[str, str]:
    return {name: json.dumps(json_schema(spec, title), ensure_ascii=False, indent=2) + "\n"
            for name, (spec, title) in SCHEMAS.items()}


def write_schemas(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
