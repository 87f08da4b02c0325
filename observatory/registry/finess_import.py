"""`observatory finess`: read an official FINESS file, bring its hospitals into the registry, report.

Takes a local file (the command line downloads it first when none is given); nothing is written
when the file is faulty, when --dry-run is asked, or when any file cannot be written."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from observatory.registry.finess_map import INCLUDED, select
from observatory.registry.finess_merge import (
    FINESS_PUBLISHER,
    Report,
    finess_source,
    read_registry,
    reconcile,
    write_all,
)
from observatory.registry.finess_read import ETALAB, read_finess
from observatory.registry.yamlio import dump_canonical

COVERAGE_FILE = "finess-coverage.yml"
DATASETS = {
    "finess+": ("FINESS - Structures (flux FINESS+, data.gouv.fr)",
                "https://www.data.gouv.fr/datasets/finess-structures-1"),
    ETALAB: ("FINESS - Extraction du fichier des établissements (data.gouv.fr)",
             "https://www.data.gouv.fr/datasets/finess-extraction-du-fichier-des-etablissements"),
}


def coverage_text(counts: dict[str, int], source: dict[str, Any]) -> str:
    """The small data file the site reads: open FINESS hospitals by registry category."""
    return ("# Établissements ouverts recensés par FINESS, par catégorie du registre\n"
            "# (écrit par « observatory finess », docs/finess.md)\n"
            + dump_canonical({"source": {k: v for k, v in source.items() if v and k != "note"},
                              "counts": counts}))


def import_file(path: Path, folder: Path, *, dry_run: bool = False, url: str | None = None,
                accessed: str | None = None, report_json: Path | None = None) -> Report:
    """Import `path` into the registry folder `folder` (data/establishments); FinessError if the
    file is faulty, before anything is written."""
    data = read_finess(path, set(INCLUDED))
    title, dataset_url = DATASETS[data.format]
    source = finess_source(title, url or dataset_url, data.date, accessed)
    outcome = reconcile(select(data), read_registry(folder), folder, source, data.date)
    writes = dict(outcome.writes)
    coverage = folder.parent / COVERAGE_FILE
    text = coverage_text(outcome.report.counts, source)
    if not coverage.exists() or coverage.read_text(encoding="utf-8") != text:
        writes[coverage] = text
    if not dry_run:
        write_all(writes)
    if report_json is not None:
        report_json.write_text(json.dumps(outcome.report.as_json(), ensure_ascii=False, indent=2) + "\n",
                               encoding="utf-8")
    return outcome.report


__all__ = ["COVERAGE_FILE", "FINESS_PUBLISHER", "import_file"]
