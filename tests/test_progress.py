"""The MkDocs progress display counts the pages as they are written."""

from __future__ import annotations

import io
import time
from pathlib import Path

from observatory.site.progress import count_pages, progress_line, watch_pages


def test_count_pages_counts_html_files_at_any_depth(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("index.html", "a/index.html", "a/b/index.html", "a/b/data.csv", "a/style.css"):
        (tmp_path / name).write_text("x")
    assert count_pages(tmp_path) == 3
    assert count_pages(tmp_path / "absent") == 0


def test_progress_line_before_and_during_writing() -> None:
    assert progress_line(0, 3000, 12.4) == "MkDocs : lecture et conversion des pages… (12 s)"
    assert progress_line(1500, 3000, 80) == "MkDocs : 1500 pages écrites sur environ 3000 (50%, 80 s)"
    assert "(100%" in progress_line(3100, 3000, 90)  # pages not counted beforehand: capped


def test_the_display_follows_pages_as_they_appear(tmp_path: Path) -> None:
    out = io.StringIO()
    finish = watch_pages(tmp_path, expected=2, interval=0.05, out=out)
    time.sleep(0.2)
    (tmp_path / "index.html").write_text("x")
    time.sleep(0.2)
    finish()
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("MkDocs : lecture et conversion")
    assert any(line.startswith("MkDocs : 1 page écrite sur environ 2 (50%") for line in lines)
