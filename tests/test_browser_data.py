"""The site filled with synthetic data, in a real browser: leaderboards sort and filter, charts
draw, and these pages too stay on 127.0.0.1 with no serious accessibility violation."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser_support import describe, require_tools, serious_violations, serve, watch
from conftest import ROOT

from observatory.demo.run import make_demo
from observatory.site import leaderboard_pages
from observatory.textfmt import words

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TIMEOUT_MS = 20_000
ROWS_PER_PAGE = 10
BOARD = "twitter-followers"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    import os
    import subprocess
    import sys

    require_tools()
    with pytest.MonkeyPatch.context() as patch:  # a few rows a page: boards span several pages
        patch.setattr(leaderboard_pages, "ROWS_PER_PAGE", ROWS_PER_PAGE)
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
    watched = open_page(browser, f"{url}/classements/{BOARD}/")
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


def board_rows(project: Path, board: str = BOARD) -> list[list]:
    return json.loads((project / "site" / "donnees" / "classements" / f"{board}.json").read_text())["rows"]


def cells_by_entity(page: Page) -> dict[str, list[list[str | None]]]:
    """Visible rows: entity link -> every cell but the rank (which a filter rewrites), as its
    data-sort and inner HTML; links by their resolved address (Material rewrites the page's)."""
    return dict(page.eval_on_selector_all("table.obs-board tbody tr:not([hidden])", """rows => rows.map(r => [
        r.cells[2].querySelector('a').href,
        Array.from(r.cells).slice(1).map(c => c.querySelector('a')
            ? [c.querySelector('a').href, c.textContent] : [c.getAttribute('data-sort'), c.innerHTML])])"""))


def wait_filtered(page: Page) -> None:
    page.wait_for_selector("table.obs-board:not([aria-busy])", timeout=TIMEOUT_MS)


def test_leaderboard_filters_span_every_page(browser: Browser, site: tuple[str, Path]) -> None:
    url, project = site
    everything = board_rows(project)
    assert len(everything) > 2 * ROWS_PER_PAGE  # the board has at least three pages
    watched = open_page(browser, f"{url}/classements/{BOARD}-2/")
    try:
        page = watched.page
        assert page.locator("table.obs-board tbody tr").count() == ROWS_PER_PAGE
        server_rows = cells_by_entity(page)
        select = page.locator("select[data-filter=category]")
        option = everything[ROWS_PER_PAGE][4]  # the category of the page's first row
        expected = [r for r in everything if r[4] == option]
        assert len(expected) > sum(1 for r in everything[ROWS_PER_PAGE:2 * ROWS_PER_PAGE] if r[4] == option)
        select.select_option(option)
        wait_filtered(page)
        shown = page.locator("table.obs-board tbody tr:not([hidden])")
        assert shown.count() == len(expected)
        rows = "table.obs-board tbody tr"
        names = page.eval_on_selector_all(rows, "rows => rows.map(r => r.cells[2].innerText)")
        assert names == [r[3] for r in expected]  # rows of every page, in the board's order
        categories = page.eval_on_selector_all(rows, "rows => rows.map(r => r.dataset.category)")
        assert set(categories) == {option}
        count = page.locator(".obs-count")
        shown_text = words(len(expected), "ligne affichée")
        assert count.inner_text() == f"{len(expected)} {shown_text} sur {len(everything)}"
        assert shown.first.locator("td").first.inner_text().startswith("1 (national : ")
        assert page.locator("nav.obs-pages").is_hidden() and page.locator(".obs-range").is_hidden()
        # Rows drawn from the JSON are the server's rows: same cells, texts, n/a reasons, links.
        drawn = cells_by_entity(page)
        common = set(drawn) & set(server_rows)
        assert common
        assert all(drawn[entity] == server_rows[entity] for entity in common)
        select.select_option("")
        wait_filtered(page)
        assert cells_by_entity(page) == server_rows
        assert count.inner_text() == f"{ROWS_PER_PAGE} lignes affichées sur {len(everything)}"
        assert page.locator("nav.obs-pages").is_visible()
        assert watched.errors == [] and watched.outside == []
        assert all(r.startswith(url) for r in watched.requests)
    finally:
        watched.close()


def test_na_reasons_survive_a_filter(browser: Browser, site: tuple[str, Path]) -> None:
    url, project = site
    boards = sorted(p.stem for p in (project / "site" / "donnees" / "classements").glob("*.json"))
    board, missing = next((b, rows) for b in boards
                          if (rows := [r for r in board_rows(project, b) if r[8] is None]))
    watched = open_page(browser, f"{url}/classements/{board}/")
    try:
        page = watched.page
        page.locator("select[data-filter=region]").select_option(missing[0][5])
        wait_filtered(page)
        row = page.locator("table.obs-board tbody tr", has_text=missing[0][3]).first
        assert row.locator(".obs-na").get_attribute("title") == missing[0][9]
        assert row.locator(".obs-sr").inner_text().strip() == f": {missing[0][9]}"
    finally:
        watched.close()


def test_pages_work_without_javascript(browser: Browser, site: tuple[str, Path]) -> None:
    url, project = site
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{url}/classements/{BOARD}/", timeout=TIMEOUT_MS)
        assert page.locator("table.obs-board tbody tr").count() == ROWS_PER_PAGE
        nav = page.locator('nav[aria-label="Pagination du classement"]')
        assert nav.locator('[aria-current="page"]').inner_text() == "1"
        nav.locator('a[rel="next"]').click()
        page.wait_for_url(f"{url}/classements/{BOARD}-2/", timeout=TIMEOUT_MS)
        first_rank = page.locator("table.obs-board tbody tr td").first.inner_text()
        assert first_rank == str(board_rows(project)[ROWS_PER_PAGE][0])
        assert "Page 2 sur" in page.locator(".obs-range").inner_text()
        assert page.locator(".obs-chart").count() == 0
    finally:
        context.close()


@pytest.mark.parametrize("path", [f"/classements/{BOARD}/", f"/classements/{BOARD}-2/",
                                  "/etablissements/fictif-0001/", "/classements/"])
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
