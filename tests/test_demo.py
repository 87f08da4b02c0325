"""`observatory demo`: a full site from synthetic data, every page flagged as fictitious."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

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
