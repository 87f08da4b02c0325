from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """An empty registry laid out like data/."""
    (tmp_path / "data" / "establishments").mkdir(parents=True)
    (tmp_path / "data" / "benchmarks").mkdir(parents=True)
    return tmp_path / "data"


def write(data_dir: Path, name: str, text: str, folder: str = "establishments") -> Path:
    path = data_dir / folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One Chromium for the whole session (Playwright's sync API cannot run twice at once)."""
    from browser_support import CHROMIUM_ARGS, require_tools

    chromium = require_tools()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
