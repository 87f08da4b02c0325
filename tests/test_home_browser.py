"""The home page in Debian's Chromium, on the demo site (issue #16, item 2): the key figures as
cards, the adoption chart with its legend inside the drawing, the map of France with every region
(the five overseas regions as insets under mainland France) and a network select that recolours
it; axe reports no serious violation in the light and dark palettes and on a phone, no horizontal
overflow at 390 px, and no request leaves the site."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from browser_support import SETTINGS, assert_fit_for_readers, watch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Locator, Page

TIMEOUT_MS = 20_000
MAP = "figure.obs-map"
ADOPTION = 'figure.obs-chart[data-kind="adoption"]'


def boxes(locator: Locator) -> list[dict[str, float]]:
    return locator.evaluate_all("els => els.map(e => { const r = e.getBoundingClientRect();"
                                " return {top: r.top, bottom: r.bottom, left: r.left, right: r.right}; })")


def region_fills(page: Page) -> list[str]:
    return page.locator(f"{MAP} g.mark-shape path").evaluate_all(
        "els => els.map(e => e.getAttribute('fill'))")


@pytest.mark.parametrize("setting", SETTINGS)
def test_home_shows_key_figures_adoption_and_map(browser: Browser, demo_url: str, setting: str) -> None:
    scheme, width = SETTINGS[setting]
    watched = watch(browser, scheme, width)
    try:
        page = watched.page
        response = page.goto(demo_url + "/", wait_until="networkidle", timeout=TIMEOUT_MS)
        assert response is not None and response.status == 200
        # Key figures: cards whose number and label are text, side by side with the label.
        cards = page.locator("ul.obs-kpis > li.obs-kpi")
        assert cards.count() >= 4
        assert cards.first.locator(".obs-kpi-value").text_content() == "30"
        assert cards.first.locator(".obs-kpi-label").text_content() == "établissements suivis"
        last = cards.last.text_content() or ""
        assert "dernière collecte" in last and "aujourd'hui : à jour" in last
        size = cards.first.locator(".obs-kpi-value").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 24, size  # a large number
        # The adoption chart: its legend lies inside the drawing (not cut off), every network listed.
        page.locator(ADOPTION + ".obs-chart-ready").wait_for(timeout=TIMEOUT_MS)
        [svg] = boxes(page.locator(f"{ADOPTION} svg"))
        legend_boxes = boxes(page.locator(f"{ADOPTION} svg g.role-legend"))
        assert legend_boxes
        for box in legend_boxes:
            assert box["left"] >= svg["left"] - 1 and box["right"] <= svg["right"] + 1, (box, svg)
            assert box["top"] >= svg["top"] - 1 and box["bottom"] <= svg["bottom"] + 1, (box, svg)
        labels = page.locator(f"{ADOPTION} svg g.role-legend-label text").all_text_contents()
        headers = page.locator(f"{ADOPTION} + details.obs-chart-data thead th").all_text_contents()
        assert labels and set(labels) == set(headers[1:]), (labels, headers)
        ticks = page.locator(f"{ADOPTION} svg g.role-axis-label text").all_text_contents()
        months = [t for t in ticks if not t.strip().isdigit()]
        assert months and all(len(t.split()) == 2 and t.split()[1].isdigit() for t in months), ticks
        # The map: the 18 regions drawn, the five insets under every mainland region.
        page.locator(MAP + ".obs-chart-ready").wait_for(timeout=TIMEOUT_MS)
        regions = boxes(page.locator(f"{MAP} g.mark-shape path"))
        assert len(regions) == 18
        by_top = sorted(regions, key=lambda b: b["top"])
        mainland, insets = by_top[:13], by_top[13:]
        assert max(b["bottom"] for b in mainland) <= min(b["top"] for b in insets) + 1
        assert all(b["right"] - b["left"] > 5 for b in insets)  # visible, not a dot
        [view] = boxes(page.locator(f"{MAP} svg"))
        assert view["right"] <= width and view["left"] >= 0
        # The select, labelled, recolours the map and rewrites the counts.
        select = page.get_by_label("Réseau affiché")
        options = select.locator("option").all_text_contents()
        assert len(options) >= 2, options
        before = region_fills(page), page.locator(f"{MAP} g.mark-text text").all_text_contents()
        select.select_option(index=len(options) - 1)
        page.wait_for_function(
            "([sel, old]) => JSON.stringify([...document.querySelectorAll(sel)].map(e => e.getAttribute("
            "'fill'))) !== old", timeout=TIMEOUT_MS,
            arg=[f"{MAP} g.mark-shape path", json.dumps(before[0], separators=(",", ":"))])
        after = region_fills(page), page.locator(f"{MAP} g.mark-text text").all_text_contents()
        assert after[0] != before[0] and after[1] != before[1]
        # Its text alternative: the caption names regions, the table gives every count.
        caption = page.locator(f"{MAP} figcaption").text_content() or ""
        assert "part la plus forte" in caption and "la plus faible" in caption
        rows = page.locator(f"{MAP} + details.obs-chart-data tbody tr")
        assert rows.count() == 18
        if setting == "clair":  # a palette switch redraws the map with one select, not two
            page.evaluate("document.body.setAttribute('data-md-color-scheme', 'slate')")
            page.wait_for_function("document.querySelectorAll('figure.obs-map svg').length === 1"
                                   " && document.querySelector('figure.obs-map.obs-chart-ready') !== null")
            page.wait_for_timeout(500)
            assert page.locator(f"{MAP} select").count() == 1
            page.evaluate("document.body.setAttribute('data-md-color-scheme', 'default')")
            page.wait_for_timeout(500)
        assert_fit_for_readers(watched, f"accueil ({setting})", width)
    finally:
        watched.close()
