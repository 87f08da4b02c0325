"""The account's whole history in Debian's Chromium, on the demo site (issue #16, item 1): an
establishment with (fictitious) published follower counts shows them as points beside the collected
line, their source on hover and in the chart's data table; the caption is plain left-aligned text;
axe reports no serious violation in the light and dark palettes and on a phone, and no request
leaves the site."""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

import pytest
from browser_support import SETTINGS, assert_fit_for_readers, watch

from observatory.demo.showcase import FIGURE_SOURCE
from observatory.site.charts.specs import HIGHLIGHT, MAIN

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TIMEOUT_MS = 20_000
CHART = 'figure.obs-chart[data-kind="history"]'


def page_with_figures(browser: Browser, demo_url: str) -> str:
    """The page of an establishment that the demo's published figures give a follower count."""
    watched = watch(browser)
    try:
        response = watched.page.request.get(demo_url + "/donnees/chiffres-publies.csv")
        assert response.ok
        rows = list(csv.DictReader(io.StringIO(response.text())))
    finally:
        watched.close()
    entities = [r["entity"] for r in rows if r["metric"] == "followers" and r["figure_date"]]
    assert entities, "la démo n'a aucun chiffre publié d'abonnés"
    return f"/etablissements/{entities[0]}/"


@pytest.mark.parametrize("setting", SETTINGS)
def test_history_chart_draws_points_and_line_with_their_sources(browser: Browser, demo_url: str,
                                                                setting: str) -> None:
    path = page_with_figures(browser, demo_url)
    scheme, width = SETTINGS[setting]
    watched = watch(browser, scheme, width)
    try:
        page = watched.page
        response = page.goto(demo_url + path, wait_until="networkidle", timeout=TIMEOUT_MS)
        assert response is not None and response.status == 200
        chart = page.locator(CHART).first
        page.locator(CHART + ".obs-chart-ready").first.wait_for(timeout=TIMEOUT_MS)
        # The line: one path with points in it, in the series' colour.
        line = chart.locator("g.mark-line path")
        assert line.count() == 1 and line.get_attribute("stroke") == MAIN
        assert (line.get_attribute("d") or "").count("L") >= 2
        # The published figures: visible diamonds in their own colour.
        figures = chart.locator(f'g.mark-symbol path[fill="{HIGHLIGHT}"][opacity="1"]')
        assert figures.count() >= 1
        # Caption: plain text, left-aligned, upright.
        style = chart.locator("figcaption").evaluate(
            "e => [getComputedStyle(e).fontStyle, getComputedStyle(e).textAlign]")
        assert style == ["normal", "left"], style
        # The data table lists the figures with their source and qualifier.
        table = page.locator("details.obs-chart-data").filter(has_text="Historique des abonnés").first
        text = table.text_content() or ""
        assert f"Chiffre publié : {FIGURE_SOURCE}" in text and "environ" in text
        assert "Relevé de l'observatoire" in text
        if setting == "clair":  # the source on hover (Vega's tooltip)
            figures.first.hover(force=True)
            tooltip = page.locator("#vg-tooltip-element")
            tooltip.wait_for(state="visible", timeout=TIMEOUT_MS)
            assert FIGURE_SOURCE in (tooltip.text_content() or "")
        assert_fit_for_readers(watched, f"{path} ({setting})", width)
    finally:
        watched.close()
