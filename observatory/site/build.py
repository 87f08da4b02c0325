"""The build: registry and snapshots -> validation -> page data -> Markdown pages -> MkDocs.

MkDocs only renders what this step wrote under docs/; no plugin or hook generates content, so
the site builds the same with Zensical."""

from __future__ import annotations

import errno
import gc
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pandas as pd

try:
    import resource  # peak memory in the progress display; Unix only
except ImportError:  # pragma: no cover
    resource = None  # type: ignore[assignment]

from observatory.analysis import leaderboards, metrics, worked_example
from observatory.registry.figures import load_figures, validate_figures
from observatory.registry.load import Registry, RegistryError, load_registry
from observatory.registry.spec import ACCOUNT, BENCHMARK, ESTABLISHMENT, SOURCE
from observatory.registry.yamlio import dump_data
from observatory.site import (
    charts,
    compare,
    home,
    leaderboard_pages,
    open_data,
    page_data,
    pages,
    progress,
    status,
    summary,
)
from observatory.site.case_studies import pages as study_pages
from observatory.store import report as report_file
from observatory.store import snapshots
from observatory.textfmt import plural

T = TypeVar("T")
# What the build writes under docs/ (git-ignored): copies of docs/ for a synthetic site leave them out.
GENERATED_DOCS = ("index.md", "etablissements", "references", "annuaire", "classements", "donnees",
                  "etudes", "secteurs", "generated", "comparer.md")
RANK_CHANGE_DAYS = 7  # "previous period" for rank changes


def hand_written_pages(docs: Path) -> list[Path]:
    """The top-level pages of docs/ that people write (the build writes GENERATED_DOCS)."""
    return sorted(p for p in docs.glob("*.md") if p.name not in GENERATED_DOCS)


FORMAT_SECTIONS = [
    ("Établissement", "Fichier `data/establishments/<identifiant>.yml`.", ESTABLISHMENT),
    ("Compte", "Chaque élément de la liste `accounts`.", ACCOUNT),
    ("Source", "Chaque élément de la liste `sources` (et `size.source`).", SOURCE),
    ("Compte de référence", "Fichier `data/benchmarks/<identifiant>.yml`.", BENCHMARK),
]


def compute_metrics(data_dir: Path, registry: Registry,
                    loaded: tuple[pd.DataFrame, pd.DataFrame] | None = None) -> pd.DataFrame:
    """Metrics as of the latest collection day, ranked, with changes since a week before.
    `loaded`: the store's accounts and posts when already loaded (they take seconds to read)."""
    accounts, posts = loaded or (snapshots.load_accounts(data_dir), snapshots.load_posts(data_dir))
    inputs = metrics.Inputs(accounts, posts, registry)
    current = metrics.account_metrics(inputs)
    if current.empty:
        return current
    as_of = pd.Timestamp(current["as_of"].iloc[0])
    previous = metrics.account_metrics(inputs, as_of - pd.Timedelta(days=RANK_CHANGE_DAYS))
    return metrics.with_ranks(current, metrics.with_ranks(previous, None) if not previous.empty else None)


def write_page_data(out_dir: Path, boards: list[dict], summaries: dict[str, dict]) -> None:
    """The page data as YAML files (one per leaderboard, one per establishment), downloadable.
    Only .yml files are touched: other stages write beside them, possibly at the same time."""
    for folder, items in (("classements", {b["id"]: b for b in boards}), ("mesures", summaries)):
        target = out_dir / folder
        target.mkdir(parents=True, exist_ok=True)
        wanted = {target / f"{name}.yml": data for name, data in items.items()}
        for stale in set(target.glob("*.yml")) - set(wanted):
            stale.unlink()
        for path, data in wanted.items():
            path.write_text(dump_data(data), encoding="utf-8")


def in_background(work: Callable[[], T]) -> Callable[[], T]:
    """Start `work` in a forked child process while the build goes on (a second core writes the
    data files while the first draws charts and pages); the returned function waits for the
    child and gives back its result, or raises if it failed. Without fork, `work` runs at once."""
    if "fork" not in multiprocessing.get_all_start_methods():
        result = work()
        return lambda: result
    receive, send = multiprocessing.Pipe(duplex=False)

    def child() -> None:
        try:
            send.send(("ok", work()))
        except BaseException as error:  # reported to the parent, which raises
            send.send(("error", f"{type(error).__name__}: {error}"))

    process = multiprocessing.get_context("fork").Process(target=child, daemon=True)
    gc.freeze()  # the child's collector then leaves the parent's objects (and their pages) alone
    try:
        process.start()
    finally:
        gc.unfreeze()
    send.close()

    def wait() -> T:
        try:
            status, value = receive.recv()
        except EOFError:
            status, value = "error", "processus interrompu"
        process.join()
        receive.close()
        if status != "ok":
            raise RuntimeError(f"écriture des données en parallèle : {value} (code {process.exitcode})")
        return value

    return wait


class Stages:
    """Times each stage of the build and reports it as it goes (the progress display)."""

    def __init__(self, timings: dict[str, float] | None, verbose: bool) -> None:
        self.timings = timings if timings is not None else {}
        self.verbose = verbose

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        if self.verbose:
            print(f"… {name}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
        self.timings[name] = self.timings.get(name, 0.0) + elapsed
        if self.verbose and resource is not None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
            print(f"  fait en {elapsed:.1f} s (mémoire maximale jusqu'ici : {peak:.0f} Mo)",
                  file=sys.stderr, flush=True)
        elif self.verbose:
            print(f"  fait en {elapsed:.1f} s", file=sys.stderr, flush=True)


def generate(root: Path, timings: dict[str, float] | None = None, verbose: bool = False) -> int:
    """Write every generated page under docs/; return the number of pages, or raise."""
    data_dir, docs = root / "data", root / "docs"
    stages = Stages(timings, verbose)
    with stages.stage("registre et validation"):
        registry = load_registry(data_dir)
        figures_path = data_dir / "published-figures.csv"
        problems = validate_figures(figures_path, root, set(registry.entities))
        if problems:
            raise RegistryError(problems)
        figures = load_figures(figures_path)
    with stages.stage("chargement des relevés"):
        loaded = (snapshots.load_accounts(data_dir, columns=snapshots.METRIC_ACCOUNT_COLUMNS),  # also for
                  snapshots.load_posts(data_dir, columns=snapshots.METRIC_POST_COLUMNS))  # the charts
    with stages.stage("métriques"):
        metrics_frame = compute_metrics(data_dir, registry, loaded)
    with stages.stage("classements et données de pages"):
        summaries = leaderboards.entity_summaries(metrics_frame, registry)
        categories = {key: e.category for key, e in registry.entities.items() if e.category}
        shown = summary.enriched(summaries, metrics_frame, categories, summary.follower_trends(loaded[0]))
        boards = leaderboards.platform_boards(metrics_frame, registry)
        audience = leaderboards.audience_board(metrics_frame, registry)
    with stages.stage("graphiques"):
        chart_blocks = charts.write_charts(root, registry, *loaded, metrics_frame, boards + [audience],
                                           figures=figures)  # figures: the accounts' history charts
        compare.write_compare(docs, registry, loaded[0])  # the « Comparer » page and its index
    # The snapshots' last use was the charts: dropped before the fork, so that the child shares a
    # small parent and the parent's later work copies few shared pages (peak memory stays < 2 GB).
    fresh = status.freshness(loaded[0], registry)  # each network's latest measured day
    del loaded
    data_files_written = in_background(
        lambda: write_data_files(root, registry, figures, metrics_frame, boards, audience, summaries))
    with stages.stage("pages"):
        leaderboard_pages.write_board_pages(docs, boards, audience, chart_blocks.boards)
        studies = study_pages.write_studies(root, registry, figures, summaries, audience,
                                            chart_blocks.accounts)  # case studies, with charts
        entity_pages = page_data.entity_pages(registry, figures, summaries)
        for page in entity_pages:
            page["charts"] = chart_blocks.accounts  # blocks per (platform, account_id)
            page["summary"] = shown.get(page["id"])  # the « En bref » section (summary.summary_block)
        study_pages.attach(entity_pages, studies)  # each establishment page lists its case studies
        directory = page_data.directory_page(registry, figures)
        count = pages.write_pages(docs, entity_pages, directory)
        (docs / "donnees").mkdir(exist_ok=True)
        pages.write_if_changed(docs / "donnees" / "format.md", pages.format_markdown(FORMAT_SECTIONS))
        pages.write_if_changed(docs / "donnees" / "exemple.md", worked_example.example_markdown())
        home_page = home.home_data(registry, metrics_frame, figures,
                                   finess_file=data_dir / "finess-coverage.yml")
        home_text = home.home_markdown(home_page, chart_blocks.boards.get("home"),
                                       chart_blocks.boards.get("home_map"))
        pages.write_if_changed(docs / "index.md",
                               status.with_footer_date(home_text, status.footer_sentence(fresh)))
        pages.write_if_changed(docs / status.PAGE,
                               status.status_markdown(report_file.read_report(data_dir), fresh))
    with stages.stage("données ouvertes (fin de l'écriture en parallèle)"):
        listing = data_files_written()
        pages.write_if_changed(docs / "donnees" / "index.md", pages.opendata_markdown(listing))
    return count + 4


def write_data_files(root: Path, registry: Registry, figures: pd.DataFrame, metrics_frame: pd.DataFrame,
                     boards: list[dict], audience: dict, summaries: dict[str, dict]) -> list[dict]:
    """The downloadable files: page data (YAML) and open datasets; returns the datasets' listing."""
    out = root / "docs" / "donnees"
    write_page_data(out, boards + [audience], summaries)
    listing = open_data.write_datasets(out, {
        "etablissements": ("Registre : établissements et comptes de référence",
                           open_data.establishments_table(registry)),
        "comptes": ("Registre : comptes sur les réseaux sociaux", open_data.accounts_table(registry)),
        "chiffres-publies": ("Archive des chiffres publiés, avec sources et citations", figures),
        "mesures": ("Dernières mesures de chaque compte (toutes les métriques, raisons des n/a)",
                    open_data.metrics_table(metrics_frame)),
        "classements": ("Classements : une ligne par compte classé et par classement",
                        open_data.boards_table(boards)),
    }, root / "schema")
    shutil.rmtree(out / "releves", ignore_errors=True)  # raw snapshots: linked, no longer copied
    return listing


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


class Stopped(Exception):
    """SIGTERM or SIGINT received while serving: unwinds, so that the server's process group and
    the demo's temporary folder go too."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.exit_code = 128 + signum


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """Inside, SIGTERM and SIGINT raise Stopped instead of ending Python on the spot (SIGTERM would
    skip every `finally`); a second signal during the clean-up is ignored."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        for name in (signal.SIGTERM, signal.SIGINT):
            signal.signal(name, signal.SIG_IGN)
        raise Stopped(signum)

    previous = {name: signal.signal(name, stop) for name in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for name, handler in previous.items():
            signal.signal(name, handler)


def address_problem(address: str) -> str | None:
    """Why `mkdocs serve` could not listen on HOST:PORT (port taken, bad address), in French; checked
    before the minutes of generation rather than after."""
    host, sep, port = address.rpartition(":")
    host = host.strip("[]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        return f"adresse invalide « {address} » : HÔTE:PORT attendu, par exemple --address 127.0.0.1:8000"
    try:
        family, kind, proto, _, where = socket.getaddrinfo(host, int(port), type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as MkDocs' server does
            probe.bind(where)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return (f"le port {port} est déjà utilisé sur {host} (un autre « observatory serve » ou "
                    f"« observatory demo » tourne peut-être) : choisissez une autre adresse avec --address, "
                    f"par exemple --address {host}:{int(port) + 1}")
        return f"impossible d'écouter sur {address} ({error.strerror or error}) : changez --address"
    return None


def serve_mkdocs(cwd: Path, address: str) -> int:
    """`mkdocs serve` in a process group of its own, stopped as a whole however this one ends."""
    # Material prints an end-of-life banner on every run.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    server = subprocess.Popen([sys.executable, "-m", "mkdocs", "serve", "--dev-addr", address], cwd=cwd,
                              env=env, start_new_session=True)
    try:
        return server.wait()
    finally:
        _stop_group(server)


def _stop_group(process: subprocess.Popen[bytes], grace: float = 5.0) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    except ProcessLookupError:  # already gone
        pass


def build_site(root: Path, serve: bool = False, strict: bool = True,
               address: str = "127.0.0.1:8000") -> int:
    if serve:
        if problem := address_problem(address):
            print(f"Erreur : {problem}", file=sys.stderr)
            return 1
        try:
            with stopped_by_signals():
                return _build(root, serve, strict, address)
        except Stopped as stopped:
            print("Prévisualisation arrêtée.", file=sys.stderr)
            return stopped.exit_code
    return _build(root, serve, strict, address)


def _build(root: Path, serve: bool, strict: bool, address: str) -> int:
    started = time.perf_counter()
    try:
        count = generate(root, verbose=True)
    except RegistryError as error:
        for problem in error.problems:
            print(problem)
        print(f"\n{plural(len(error.problems), 'problème')} : le site n'a pas été construit.",
              file=sys.stderr)
        return 1
    print(f"{count} pages générées en {time.perf_counter() - started:.1f} s.")
    if serve:
        _watch_data(root)
        return serve_mkdocs(root, address)
    command = ["build", "--clean", "--site-dir", str(root / "site")]
    if strict:
        command.append("--strict")
    # Material prints an end-of-life banner on every run; the build must print no warning.
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    # MkDocs is silent for minutes at scale: a build shows the pages it has written so far.
    finish = progress.watch_pages(root / "site", sum(1 for _ in (root / "docs").rglob("*.md")))
    try:
        return subprocess.run([sys.executable, "-m", "mkdocs", *command], cwd=root, env=env).returncode
    finally:
        finish()
