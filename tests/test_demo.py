"""`observatory demo`: a full site from synthetic data, every page flagged as fictitious."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from observatory.demo.run import BANNER, make_demo


def test_demo_builds_strictly_with_a_banner_on_every_page(tmp_path: Path) -> None:
    before = sorted(p.name for p in (ROOT / "data").rglob("*"))
    project = make_demo(ROOT, tmp_path, establishments=12, days=60)
    pages = list((project / "docs").rglob("*.md"))
    assert pages and all(BANNER in p.read_text() for p in pages)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", "site"],
                            cwd=project, capture_output=True, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert result.returncode == 0, result.stderr[-2000:]
    board = project / "site" / "classements" / "twitter-followers" / "index.html"
    assert "Établissement fictif" in board.read_text() or "Fictif" in board.read_text()
    assert "Données fictives" in (project / "site" / "index.html").read_text()
    assert sorted(p.name for p in (ROOT / "data").rglob("*")) == before


def test_demo_home_shows_the_adoption_chart(tmp_path: Path) -> None:
    project = make_demo(ROOT, tmp_path, establishments=12, days=90)
    home = (project / "docs" / "index.md").read_text()
    assert '<figure class="obs-chart"' in home and "adoption.json" in home
    assert "Établissements ayant un compte sur chaque réseau" in home


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_stopping_the_demo_stops_its_server_and_removes_its_folder(stop: signal.Signals) -> None:
    """A real `observatory demo`, stopped by its pid as a service manager or Ctrl-C would."""
    port = _free_port()
    demo = subprocess.Popen([sys.executable, "-m", "observatory", "demo", "--establishments", "5",
                             "--days", "30", "--address", f"127.0.0.1:{port}"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    try:
        first = demo.stdout.readline() if demo.stdout else ""
        folder = Path(re.search(r"Démonstration dans (\S+) ", first).group(1))  # type: ignore[union-attr]
        assert folder.is_dir()
        deadline = time.monotonic() + 180
        while not _answers(port):
            assert demo.poll() is None and time.monotonic() < deadline, "the demo never served"
            time.sleep(0.5)
        demo.send_signal(stop)
        demo.wait(timeout=15)
        deadline = time.monotonic() + 5
        while _answers(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not _answers(port), "mkdocs serve outlived the demo"
        assert not folder.exists()
        assert "Démonstration arrêtée." in (demo.stdout.read() if demo.stdout else "")
    finally:
        if demo.poll() is None:
            demo.kill()


@pytest.mark.parametrize("command", ["demo", "serve"])
def test_a_busy_port_is_refused_before_any_work(command: str, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    from observatory import cli
    from observatory.demo import run
    from observatory.site import build

    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("work started although the port is taken")

    monkeypatch.setattr(run.tempfile, "mkdtemp", no_work)
    monkeypatch.setattr(build, "generate", no_work)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert cli.main([command, "--address", f"127.0.0.1:{port}"]) == 1
    err = capsys.readouterr().err
    assert f"Erreur : le port {port} est déjà utilisé sur 127.0.0.1" in err
    assert f"choisissez une autre adresse avec --address, par exemple --address 127.0.0.1:{port + 1}" in err


def test_the_demo_is_current_and_shows_every_kind_of_page(tmp_path: Path) -> None:
    """Data ending today (the home page does not call them stale), fictitious published figures and a
    fictitious case study, and none of the real registry's coverage wording."""
    from datetime import date

    from observatory.registry.figures import validate_figures
    from observatory.registry.load import load_registry
    from observatory.textfmt import date_fr

    project = make_demo(ROOT, tmp_path, establishments=12, days=60)
    home = (project / "docs" / "index.md").read_text()
    assert f"**Dernière collecte : {date_fr(date.today().isoformat())}** (aujourd'hui)" in home
    assert "plus à jour" not in home
    assert "liste de référence" not in home and "articles et classements archivés" not in home
    registry = load_registry(project / "data")
    figures = project / "data" / "published-figures.csv"
    assert validate_figures(figures, project, set(registry.entities)) == []
    rows = figures.read_text().splitlines()[1:]
    assert len(rows) >= 3 and all("fictif" in row for row in rows)
    assert re.search(r'obs-kpi-value">[1-9][^<]*</span> '  # the key figures' card
                     r'<span class="obs-kpi-label">chiffres publiés archivés', home)
    studies = list((project / "data" / "etudes").glob("*.md"))
    assert len(studies) == 1 and "fictive" in studies[0].read_text()
    page = (project / "docs" / "etudes" / f"{studies[0].stem}.md").read_text()
    assert "fictive" in page and "{{" not in page and "Fictif 0" in page  # directives expanded
    assert "Aucune étude de cas" not in (project / "docs" / "etudes" / "index.md").read_text()


def test_synthetic_series_end_today_unless_told(tmp_path: Path) -> None:
    from datetime import date

    import pandas as pd

    from observatory.demo.synthetic import generate
    from observatory.store import snapshots

    generate(tmp_path, establishments=3, days=5)
    assert snapshots.load_accounts(tmp_path / "data")["date"].max() == pd.Timestamp(date.today())
