from __future__ import annotations

import re
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


def dict_nodes(tree: object) -> Iterator[dict]:
    """Every mapping in a parsed JSON tree (a Vega-Lite spec), each before what it holds: a test
    may replace a node's values as it goes."""
    if isinstance(tree, dict):
        yield tree
        for child in tree.values():
            yield from dict_nodes(child)
    elif isinstance(tree, list):
        for child in tree:
            yield from dict_nodes(child)


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


@pytest.fixture(scope="session")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo site (synthetic data), built once for the address it is served from and shared by
    the browser tests of every file."""
    from browser_support import require_tools, serve

    from observatory.demo.run import make_demo
    from observatory.site.build import build_site

    require_tools()
    project = make_demo(ROOT, tmp_path_factory.mktemp("demo-site"), establishments=30, days=60)
    with serve(project / "site") as url:
        config = project / "mkdocs.yml"
        text, count = re.subn(r"(?m)^site_url: .*$", f"site_url: {url}/", config.read_text(encoding="utf-8"))
        assert count == 1
        config.write_text(text, encoding="utf-8")
        assert build_site(project) == 0
        yield url
