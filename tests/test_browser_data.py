"""The site filled with synthetic data, in a real browser: leaderboards sort and filter, charts
draw, and these pages too stay on 127.0.0.1 with no serious accessibility violation."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import describe, require_tools, serious_violations, serve, watch
from conftest import ROOT

from observatory.demo import make_demo

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    import os
    import subprocess
    import sys

    require_tools()
    project = make_demo(ROOT, tmp_path_factory.mktemp("browser-demo"), establishments=40, days=120)
    with serve(project / "site") as url:
        config = project / "mkdocs.yml"
        config.write_text(re.sub(r"(?m)^site_url: .*$", f"site_url: {url}/", config.read_text()))
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", "site"],
                       cwd=project, check=True, capture_output=True,
                       env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
        yield url, project


def open_page(browser: Browser, url: str):
    watched = watch(browser)
    watched.page.goto(url, wait_until="networkidle", timeout=TIMEOUT_MS)
    return watched


def values(page: Page, column: int) -> list[str]:
    return page.eval_on_selector_all(
        "table.obs-board tbody tr:not([hidden])",
        f"rows => rows.map(r => r.cells[{column}].getAttribute('data-sort') "
        f"?? r.cells[{column}].textContent)")


def test_leaderboard_sorts_by_any_column(browser: Browser, site: tuple[str, Path]) -> None:
    url, _ = site
    watched = open_page(browser, f"{url}/classements/twitter-followers/")
    try:
        page = watched.page
        value_column = page.eval_on_selector("table.obs-board thead tr", "r => r.cells.length - 2")
        page.locator("table.obs-board thead th").nth(value_column).locator("button").click()
        ascending = [float(v) for v in values(page, value_column) if v not in ("", None)]
        assert ascending == sorted(ascending) and len(ascending) > 5
        page.locator("table.obs-board thead th").nth(value_column).locator("button").click()
        descending = [float(v) for v in values(page, value_column) if v not in ("", None)]
        assert descending == sorted(descending, reverse=True)
        page.locator("table.obs-board thead th").nth(2).locator("button").click()
        names = page.eval_on_selector_all("table.obs-board tbody tr",
                                          "rows => rows.map(r => r.cells[2].innerText)")
        assert names == sorted(names, key=str.casefold) or names == sorted(names)
        assert watched.errors == [] and watched.outside == []
    finally:
        watched.close()


def test_leaderboard_filters_and_ranks_the_selection(browser: Browser, site: tuple[str, Path]) -> None:
    url, _ = site
    watched = open_page(browser, f"{url}/classements/twitter-followers/")
    try:
        page = watched.page
        total = page.locator("table.obs-board tbody tr").count()
        select = page.locator("select[data-filter=category]")
        option = select.locator("option").nth(1).get_attribute("value")
        select.select_option(option)
        shown = page.locator("table.obs-board tbody tr:not([hidden])")
        assert 0 < shown.count() < total
        categories = page.eval_on_selector_all("table.obs-board tbody tr:not([hidden])",
                                               "rows => rows.map(r => r.dataset.category)")
        assert set(categories) == {option}
        assert page.locator(".obs-count").inner_text().startswith(f"{shown.count()} ligne(s)")
        assert shown.first.locator("td").first.inner_text().startswith("1 (national : ")
        select.select_option("")
        assert page.locator("table.obs-board tbody tr:not([hidden])").count() == total
    finally:
        watched.close()


@pytest.mark.parametrize("path", ["/classements/twitter-followers/", "/etablissements/fictif-0001/",
                                  "/classements/"])
def test_pages_with_data_are_private_and_accessible(browser: Browser, site: tuple[str, Path],
                                                    path: str) -> None:
    url, _ = site
    watched = open_page(browser, url + path)
    try:
        assert watched.errors == [], watched.errors
        assert watched.outside == [], watched.outside
        violations = serious_violations(watched.page)
        assert violations == [], describe(violations)
        assert watched.context.cookies() == []
    finally:
        watched.close()


def test_charts_draw_marks(browser: Browser, site: tuple[str, Path]) -> None:
    url, _ = site
    watched = open_page(browser, f"{url}/etablissements/fictif-0001/")
    try:
        page = watched.page
        figures = page.locator("figure.obs-chart")
        assert figures.count() >= 1
        page.wait_for_selector("figure.obs-chart svg .mark-line path, figure.obs-chart svg .mark-symbol "
                               "path, figure.obs-chart svg .mark-rect path", timeout=TIMEOUT_MS)
        assert page.locator("figure.obs-chart details table, figure.obs-chart + details table").count() >= 1
        assert watched.errors == [] and watched.outside == []
    finally:
        watched.close()
