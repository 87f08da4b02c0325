"""Running a collection against the fake servers: no waiting, no output, a fixed clock."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from observatory.collect.http import Http
from observatory.collect.run import Progress, RunReport, run_collection


def quick_http(**options: Any) -> Http:
    # Generous timeouts: a loaded test machine must not turn a slow fake answer into a retry (the
    # request counts are asserted); tests of timeouts pass their own.
    settings: dict[str, Any] = dict(sleep=lambda seconds: None, min_interval=0.0, retries=2,
                                    timeout=(10.0, 10.0), max_workers=4)
    settings.update(options)
    return Http(**settings)


def collect(data_dir: Path, env: dict[str, str], clock: Any, http: Http | None = None,
            **options: Any) -> RunReport:
    return run_collection(data_dir, env=env, http=http or quick_http(), clock=clock,
                          progress=Progress(io.StringIO(), interactive=False), log=lambda text: None,
                          **options)


def snapshot_files(data_dir: Path) -> dict[str, bytes]:
    root = data_dir / "snapshots"
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.csv"))}
