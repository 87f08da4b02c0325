"""The last collection's report (data/snapshots/last-run.json): written by the run, read by the
next run (to compare) and by the site's collection status page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from observatory.store.snapshots import snapshots_dir

REPORT_NAME = "last-run.json"  # the last collection's report, beside the snapshots


def report_path(data_dir: Path) -> Path:
    return snapshots_dir(data_dir) / REPORT_NAME


def read_report(data_dir: Path) -> dict[str, Any] | None:
    """The last collection's report as written by the run, or None when there is none or it
    cannot be read (the collection compares with it; the status page shows it)."""
    try:
        data = json.loads(report_path(data_dir).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and isinstance(data.get("date"), str) else None
