"""The build: registry and snapshots -> validation -> page data -> Markdown pages -> MkDocs.

MkDocs only renders what this step wrote under docs/; no plugin or hook generates content, so
the site builds the same with Zensical."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from observatory import opendata, pagedata, pages
from observatory.figures import load_figures, validate_figures
from observatory.registry import RegistryError, load_registry
from observatory.spec import ACCOUNT, BENCHMARK, ESTABLISHMENT, SOURCE

FORMAT_SECTIONS = [
    ("Établissement", "Fichier `data/establishments/<identifiant>.yml`.", ESTABLISHMENT),
    ("Compte", "Chaque élément de la liste `accounts`.", ACCOUNT),
    ("Source", "Chaque élément de la liste `sources` (et `size.source`).", SOURCE),
    ("Compte de référence", "Fichier `data/benchmarks/<identifiant>.yml`.", BENCHMARK),
]


def generate(root: Path) -> int:
    """Write every generated page under docs/; return the number of pages, or raise."""
    data_dir = root / "data"
    registry = load_registry(data_dir)
    figures_path = data_dir / "published-figures.csv"
    problems = validate_figures(figures_path, root, set(registry.entities))
    if problems:
        raise RegistryError(problems)
    figures = load_figures(figures_path)
    entity_pages = [pagedata.entity_page(e, registry, figures) for e in registry.entities.values()]
    directory = pagedata.directory_page(registry, figures)
    count = pages.write_pages(root / "docs", entity_pages, directory)
    (root / "docs" / "donnees").mkdir(exist_ok=True)
    pages.write_if_changed(root / "docs" / "donnees" / "format.md", pages.format_markdown(FORMAT_SECTIONS))
    listing = opendata.write_datasets(root / "docs" / "donnees", {
        "etablissements": ("Registre : établissements et comptes de référence",
                           opendata.establishments_table(registry)),
        "comptes": ("Registre : comptes sur les réseaux sociaux", opendata.accounts_table(registry)),
        "chiffres-publies": ("Archive des chiffres publiés, avec sources et citations", figures),
    }, root / "schema")
    pages.write_if_changed(root / "docs" / "donnees" / "index.md", pages.opendata_markdown(listing))
    return count + 2


def _data_state(data_dir: Path) -> tuple[tuple[str, float], ...]:
    return tuple(sorted((str(p), p.stat().st_mtime) for p in data_dir.rglob("*")
                        if p.is_file() and "snapshots" not in p.parts))


def _watch_data(root: Path, interval: float = 1.0) -> None:
    """While serving, regenerate the pages when data/ changes; MkDocs then reloads them."""

    def loop() -> None:
        state = _data_state(root / "data")
        while True:
            time.sleep(interval)
            current = _data_state(root / "data")
            if current == state:
                continue
            state = current
            try:
                print(f"data/ a changé : {generate(root)} pages régénérées.", flush=True)
            except RegistryError as error:
                print("\n".join(str(p) for p in error.problems), flush=True)

    threading.Thread(target=loop, daemon=True, name="observatory-watch").start()


def build_site(root: Path, serve: bool = False, strict: bool = True,
               address: str = "127.0.0.1:8000") -> int:
    started = time.perf_counter()
    try:
        count = generate(root)
    except RegistryError as error:
        for problem in error.problems:
            print(problem)
        print(f"\n{len(error.problems)} problème(s) : le site n'a pas été construit.", file=sys.stderr)
        return 1
    print(f"{count} pages générées en {time.perf_counter() - started:.1f} s.")
    if serve:
        _watch_data(root)
        command = ["serve", "--dev-addr", address]
    else:
        command = ["build", "--clean", "--site-dir", str(root / "site")]
        if strict:
            command.append("--strict")
    # Material prints an end-of-life banner on every run; the build must print no warning.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    return subprocess.run([sys.executable, "-m", "mkdocs", *command], cwd=root, env=env).returncode
