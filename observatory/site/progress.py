"""Progress of the MkDocs render, the longest stage at national scale (minutes for 3,000 pages).

MkDocs prints nothing while it works; this watches the HTML pages appear under the site folder
and reports how many are written, so a maintainer sees the build move. It reads the file system
only: the renderer stays untouched (the same display works with Zensical)."""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO


def count_pages(site_dir: Path) -> int:
    """HTML pages written so far under site_dir (the walk takes milliseconds for 3,000 pages)."""
    total = 0
    for _folder, _dirs, files in os.walk(site_dir):
        total += sum(name.endswith(".html") for name in files)
    return total


def progress_line(written: int, expected: int, elapsed: float) -> str:
    if written == 0:
        return f"MkDocs : lecture et conversion des pages… ({elapsed:.0f} s)"
    share = min(written / expected, 1.0) if expected else 1.0
    pages = "1 page écrite" if written == 1 else f"{written} pages écrites"
    return f"MkDocs : {pages} sur environ {expected} ({share:.0%}, {elapsed:.0f} s)"


def watch_pages(site_dir: Path, expected: int, interval: float = 10.0,
                out: TextIO | None = None) -> Callable[[], None]:
    """Print the render's progress every `interval` seconds until the returned function is called."""
    stream = out or sys.stderr
    stop = threading.Event()
    started = time.perf_counter()

    def loop() -> None:
        last = None
        while not stop.wait(interval):
            line = progress_line(count_pages(site_dir), expected, time.perf_counter() - started)
            if line != last:
                print(line, file=stream, flush=True)
                last = line

    thread = threading.Thread(target=loop, daemon=True, name="observatory-progress")
    thread.start()

    def finish() -> None:
        stop.set()
        thread.join()

    return finish
