#!/usr/bin/env python3
"""Build the whole site from synthetic data at a given scale and print one table of costs.

Usage (from the repository, after `python3 scripts/dev.py env`):
    .venv/bin/python scripts/benchmark.py --establishments 3000 --days 730
    .venv/bin/python scripts/benchmark.py --scales 300,1000,3000 --days 730   # linearity

The data are generated into a temporary folder (never into data/); nothing is kept unless
--keep is given. Figures: pipeline seconds per stage, MkDocs seconds, the bare MkDocs render
of the same generated pages (pipeline already done), total / bare, peak memory of each
process, site size, largest HTML page and the search index size. The reference: the same
mkdocs.yml (theme, extensions, plugins) rendering 3,000 plain pages, each one 4-row Markdown
table, timed in the same run before and after the builds; the whole build (pipeline + MkDocs) is
given as a multiple of their mean, a ratio that survives a noisy machine better than seconds do
(the two reference times say how much the machine drifted meanwhile)."""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from observatory.site.build import GENERATED_DOCS  # noqa: E402  (the repository, wherever it is run from)

PYTHON = sys.executable
REFERENCE_PAGES = 3000
ENV = {"NO_MKDOCS_2_WARNING": "1", "PATH": "/usr/bin:/bin"}

PIPELINE = """
import json, sys, time
from pathlib import Path
from observatory.site.build import generate
timings = {}
started = time.perf_counter()
generate(Path(sys.argv[1]), timings=timings)
timings["total"] = time.perf_counter() - started
print(json.dumps(timings))
"""

# The same pipeline under pyinstrument (timings inflated by the sampling; for where, not how long).
PROFILED = """
import sys
from pathlib import Path
from pyinstrument import Profiler
from observatory.site.build import generate
profiler = Profiler(interval=0.005)
profiler.start()
generate(Path(sys.argv[1]))
profiler.stop()
Path(sys.argv[2]).write_text(profiler.output_text(show_all=False), encoding="utf-8")
"""


def _tree(pid: int) -> list[int]:
    """pid and its descendants (Linux /proc)."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                queue += [int(c) for c in task.read_text().split()]
    return found


def _pss_mb(pid: int) -> float:
    """Proportional set size of a process tree: pages shared after a fork count once in total."""
    total = 0
    for member in _tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
    return total / 1024


def run(command: list[str], cwd: Path) -> tuple[float, float, str, float]:
    """Wall seconds and peak memory (MB) of the child process and its own children, its stdout
    and its processor seconds (user + system, its children included: what other processes on
    the machine do not inflate). Memory: the largest of the process's peak (wait4) and of the
    tree's sampled PSS."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=err, text=True,
                                 env={**ENV, "PYTHONPATH": str(ROOT)})
        peak = [0.0]
        done = threading.Event()

        def sample() -> None:
            while not done.wait(0.2):
                peak[0] = max(peak[0], _pss_mb(child.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(child.pid, 0)
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if child.returncode != 0:
        sys.exit(f"échec de {' '.join(command)} :\n{stdout[-3000:]}\n{stderr[-3000:]}")
    return elapsed, max(usage.ru_maxrss / 1024, peak[0]), stdout, usage.ru_utime + usage.ru_stime


PLAIN_PAGE = """---
title: "Page simple {n}"
---

# Page simple {n}

| Colonne | Valeur |
|---|---|
| un | {n} |
| deux | 2 |
| trois | 3 |
| quatre | 4 |
"""


def measure_reference(pages: int) -> tuple[float, float]:
    """Wall and processor seconds of MkDocs rendering `pages` plain pages with the site's
    mkdocs.yml, theme override and assets. Not --strict: the navigation names pages this project
    does not have."""
    folder = Path(tempfile.mkdtemp(prefix="observatoire-bench-reference-"))
    try:
        shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
        shutil.copytree(ROOT / "overrides", folder / "overrides")  # theme.custom_dir
        shutil.copytree(ROOT / "docs" / "assets", folder / "docs" / "assets",
                        ignore=shutil.ignore_patterns(*GENERATED_DOCS))
        plain = folder / "docs" / "etablissements"  # outside the navigation (not_in_nav)
        plain.mkdir()
        for n in range(pages):
            (plain / f"page-{n:05d}.md").write_text(PLAIN_PAGE.format(n=n), encoding="utf-8")
        seconds, _, _, cpu = run([PYTHON, "-m", "mkdocs", "build", "--quiet", "--site-dir", "site"], folder)
        return seconds, cpu
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def make_project(folder: Path, establishments: int, days: int) -> dict:
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", folder / "overrides")  # theme.custom_dir
    shutil.copytree(ROOT / "schema", folder / "schema")
    shutil.copytree(ROOT / "docs", folder / "docs", ignore=shutil.ignore_patterns(*GENERATED_DOCS))
    started = time.perf_counter()
    out = subprocess.run([PYTHON, "-m", "observatory.demo.synthetic", str(folder), "--establishments",
                          str(establishments), "--days", str(days)], capture_output=True, text=True,
                         env={**ENV, "PYTHONPATH": str(ROOT)}, check=True)
    return {"generation_s": time.perf_counter() - started, "summary": out.stdout.strip()}


def measure(establishments: int, days: int, keep: bool, profile: Path | None = None) -> dict:
    folder = Path(tempfile.mkdtemp(prefix=f"observatoire-bench-{establishments}-"))
    try:
        info = make_project(folder, establishments, days)
        if profile:  # first, on its own: the measured run below starts from the same state
            profile.mkdir(parents=True, exist_ok=True)
            report = profile / f"pipeline-{establishments}.txt"
            run([PYTHON, "-c", PROFILED, str(folder), str(report.resolve())], folder)
            print(f"profil de la chaîne : {report}", file=sys.stderr)
        pipeline_s, pipeline_mb, out, pipeline_cpu = run([PYTHON, "-c", PIPELINE, str(folder)], folder)
        stages = json.loads(out.strip().splitlines()[-1])
        mkdocs = [PYTHON, "-m", "mkdocs", "build", "--strict", "--quiet", "--site-dir", "site"]
        mkdocs_s, mkdocs_mb, _, mkdocs_cpu = run(mkdocs, folder)
        bare_s, bare_mb, _, _ = run(mkdocs, folder)  # same pages, pipeline already done
        site = folder / "site"
        html = list(site.rglob("*.html"))
        largest = max(html, key=lambda p: p.stat().st_size)
        index = site / "search" / "search_index.json"
        return {
            "establishments": establishments, "days": days, **info, "stages": stages,
            "pipeline_s": pipeline_s, "pipeline_mb": pipeline_mb, "mkdocs_s": mkdocs_s,
            "mkdocs_mb": mkdocs_mb, "bare_s": bare_s, "cpu_s": pipeline_cpu + mkdocs_cpu,
            "pipeline_cpu": pipeline_cpu, "mkdocs_cpu": mkdocs_cpu,
            "ms_per_page": 1000 * mkdocs_s / len(html), "ratio": (pipeline_s + mkdocs_s) / bare_s,
            "site_mb": sum(p.stat().st_size for p in site.rglob("*") if p.is_file()) / 1e6,
            "pages": len(html), "largest_kb": largest.stat().st_size / 1024,
            "over_100kb": sum(p.stat().st_size > 100 * 1024 for p in html),
            "largest": str(largest.relative_to(site)),
            "search_index_mb": index.stat().st_size / 1e6 if index.exists() else 0.0,
            # What a phone downloads: static hosts (GitHub Pages) serve JSON compressed.
            "search_index_gz_mb": len(gzip.compress(index.read_bytes())) / 1e6 if index.exists() else 0.0,
        }
    finally:
        if keep:
            print(f"projet conservé : {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


def table(results: list[dict]) -> str:
    rows = [("établissements", "establishments", "{:d}"), ("jours", "days", "{:d}"),
            ("génération des données (s)", "generation_s", "{:.1f}"),
            ("pipeline (s)", "pipeline_s", "{:.1f}"), ("MkDocs (s)", "mkdocs_s", "{:.1f}"),
            ("rendu MkDocs seul, pages déjà écrites (s)", "bare_s", "{:.1f}"),
            ("total / rendu seul", "ratio", "{:.2f}"),
            ("rendu de référence : 3 000 pages simples, avant la construction (s)", "reference_before_s",
             "{:.1f}"),
            ("rendu de référence : 3 000 pages simples, après la construction (s)", "reference_after_s",
             "{:.1f}"),
            ("rendu de référence : moyenne des deux (s)", "reference_s", "{:.1f}"),
            ("total / rendu de référence", "reference_ratio", "{:.2f}"),
            ("temps processeur : chaîne (s)", "pipeline_cpu", "{:.1f}"),
            ("temps processeur : MkDocs (s)", "mkdocs_cpu", "{:.1f}"),
            ("temps processeur : rendu de référence (s)", "reference_cpu", "{:.1f}"),
            ("total / rendu de référence, en temps processeur", "reference_cpu_ratio", "{:.2f}"),
            ("rendu MkDocs par page (ms)", "ms_per_page", "{:.1f}"),
            ("mémoire max pipeline (Mo)", "pipeline_mb", "{:.0f}"),
            ("mémoire max MkDocs (Mo)", "mkdocs_mb", "{:.0f}"), ("pages HTML", "pages", "{:d}"),
            ("taille du site (Mo)", "site_mb", "{:.1f}"), ("plus grande page (Ko)", "largest_kb", "{:.1f}"),
            ("pages de plus de 100 Ko", "over_100kb", "{:d}"),
            ("index de recherche (Mo)", "search_index_mb", "{:.2f}"),
            ("index de recherche compressé, gzip (Mo)", "search_index_gz_mb", "{:.2f}")]
    lines = ["| mesure | " + " | ".join(str(r["establishments"]) for r in results) + " |",
             "|---|" + "---|" * len(results)]
    for label, key, fmt in rows:
        lines.append(f"| {label} | " + " | ".join(fmt.format(r[key]) for r in results) + " |")
    stage_names = list(results[0]["stages"])
    for name in stage_names:
        if name == "total":
            continue
        lines.append(f"| étape : {name} (s) | "
                     + " | ".join(f"{r['stages'].get(name, 0):.1f}" for r in results) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--establishments", type=int, default=300, help="nombre d'établissements fictifs")
    parser.add_argument("--scales", help="plusieurs tailles séparées par des virgules (linéarité)")
    parser.add_argument("--days", type=int, default=365, help="jours de relevés quotidiens")
    parser.add_argument("--keep", action="store_true", help="conserver le projet généré")
    parser.add_argument("--profile", type=Path, metavar="DOSSIER",
                        help="profiler aussi la chaîne (pyinstrument) et écrire le rapport dans DOSSIER")
    args = parser.parse_args(argv)
    scales = [int(s) for s in args.scales.split(",")] if args.scales else [args.establishments]
    # The reference before and after the builds, and their mean: on a shared machine the speed
    # drifts within minutes, and the two values say how much it did during this run.
    before_s, before_cpu = measure_reference(REFERENCE_PAGES)
    results = [measure(n, args.days, args.keep, args.profile) for n in scales]
    after_s, after_cpu = measure_reference(REFERENCE_PAGES)
    reference_s, reference_cpu = (before_s + after_s) / 2, (before_cpu + after_cpu) / 2
    for r in results:
        r["reference_s"], r["reference_cpu"] = reference_s, reference_cpu
        r["reference_before_s"], r["reference_after_s"] = before_s, after_s
        r["reference_ratio"] = (r["pipeline_s"] + r["mkdocs_s"]) / reference_s
        r["reference_cpu_ratio"] = r["cpu_s"] / reference_cpu
    print(table(results))
    for r in results:
        print(f"{r['establishments']} : plus grande page {r['largest']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
