"""What a reader sees of the filled site (issue #16), in Debian's Chromium: the demo's synthetic
data give every leaderboard, sector and establishment page its tables and charts. On a 390 px
screen no page is wider than the screen, a table scrolls inside a focusable, labelled region,
axe reports no serious violation in the light and dark palettes and on a phone, and no request
leaves the site."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from browser_support import SETTINGS, assert_fit_for_readers, watch

if TYPE_CHECKING:
    from playwright.sync_api import Browser

TIMEOUT_MS = 20_000
# One page of each kind that holds data tables or charts once figures are collected.
PAGES = {
    "accueil": "/",
    "etablissement": "/etablissements/fictif-0001/",
    "classement": "/classements/facebook-followers/",
    "audience": "/classements/audience/",
    "index-classements": "/classements/",
    "secteur": "/secteurs/ch/",
    "methodologie": "/methodologie/",
    "format": "/donnees/format/",
    "etat-collecte": "/donnees/collecte-etat/",
}


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("name", PAGES)
def test_filled_page_is_accessible_and_stays_on_the_site(browser: Browser, demo_url: str, name: str,
                                                         setting: str) -> None:
    scheme, width = SETTINGS[setting]
    watched = watch(browser, scheme, width)
    try:
        page = watched.page
        response = page.goto(demo_url + PAGES[name], wait_until="networkidle", timeout=TIMEOUT_MS)
        assert response is not None and response.status == 200
        page.locator("article h1").first.wait_for(timeout=TIMEOUT_MS)
        assert_fit_for_readers(watched, f"{PAGES[name]} ({setting})", width)
    finally:
        watched.close()


@pytest.mark.parametrize("path", [PAGES["audience"], PAGES["secteur"]])
def test_a_table_scrolls_inside_its_region_on_a_phone(browser: Browser, demo_url: str, path: str) -> None:
    watched = watch(browser, "light", 390)
    try:
        page = watched.page
        page.goto(demo_url + path, wait_until="networkidle", timeout=TIMEOUT_MS)
        region = page.locator("div.obs-scroll[role=region][tabindex='0']").first
        label = region.get_attribute("aria-label") or ""
        assert label.startswith("Audience tous réseaux") and not re.search(r"\d{4}-\d\d-\d\d", label)
        sizes = region.evaluate("e => [e.scrollWidth, e.clientWidth]")
        assert sizes[0] > sizes[1] and sizes[1] <= 390, sizes  # wider table, narrower region
        region.focus()
        assert page.evaluate("document.activeElement.classList.contains('obs-scroll')")
        page.keyboard.press("ArrowRight")
        page.wait_for_function("document.activeElement.scrollLeft > 0", timeout=TIMEOUT_MS)
        # the value column can be reached; names of networks, never codes
        assert page.locator("table.obs-board th[data-value]").count() == 1
        networks = page.locator("table.obs-board tbody tr td").all_inner_texts()
        assert not any(re.fullmatch(r"[a-z]+(, [a-z]+)*", text) for text in networks)
    finally:
        watched.close()


def test_a_sector_table_has_no_category_column_or_filter(browser: Browser, demo_url: str) -> None:
    watched = watch(browser)
    try:
        page = watched.page
        page.goto(demo_url + PAGES["secteur"], wait_until="networkidle", timeout=TIMEOUT_MS)
        heads = [h.strip(" ⇅▲▼") for h in page.locator("table.obs-board thead th").all_inner_texts()]
        assert "Catégorie" not in heads and "Établissement" in heads
        assert page.locator("select[data-filter=category]").count() == 0
        for index in range(len(heads)):
            column = page.locator(f"table.obs-board tbody tr td:nth-child({index + 1})").all_inner_texts()
            assert set(column) != {"—"}, f"colonne « {heads[index]} » vide"
    finally:
        watched.close()


def test_the_status_page_shows_the_last_run_network_by_network(browser: Browser, demo_url: str) -> None:
    """The demo's (fictitious) last run: each network's outcome, the failing account's reason in
    words, X left out for want of its key, how fresh each network is, the footer's update date."""
    watched = watch(browser, "light", 390)
    try:
        page = watched.page
        page.goto(demo_url + PAGES["etat-collecte"], wait_until="networkidle", timeout=TIMEOUT_MS)
        text = page.locator("article").inner_text()
        assert "La dernière collecte a eu lieu le" in text
        assert "relevé en partie" in text
        assert "1 compte en échec (profil : compte introuvable" in text
        assert "non relevé : clé d'accès absente" in text
        assert "Fraîcheur des chiffres par réseau" in text and "aujourd'hui" in text
        footer = page.locator(".md-footer .obs-updated").inner_text()
        assert footer.startswith("Données mises à jour le")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert watched.outside == []
    finally:
        watched.close()


@pytest.mark.parametrize("setting", SETTINGS)
def test_the_summary_comes_first_and_reads_each_network_against_what_is_typical(
        browser: Browser, demo_url: str, setting: str) -> None:
    """« En bref » before the accounts: total audience, best engagement, last measure, a trend line
    per network named for screen readers, and the medians each value is read against."""
    scheme, width = SETTINGS[setting]
    watched = watch(browser, scheme, width)
    try:
        page = watched.page
        page.goto(demo_url + PAGES["etablissement"], wait_until="networkidle", timeout=TIMEOUT_MS)
        headings = [h.replace("¶", "").strip() for h in page.locator("article h2").all_inner_texts()]
        assert headings.index("En bref") < headings.index("Comptes")
        summary = page.locator("article h2:has-text('En bref') ~ *").first.inner_text()
        for words in ("Audience totale", "Meilleur engagement", "Dernière mesure"):
            assert words in summary
        sparks = page.locator("article svg.obs-spark[role=img]")
        assert sparks.count() >= 1
        assert all(label for label in sparks.evaluate_all("s => s.map(e => e.getAttribute('aria-label'))"))
        assert "médiane" in page.locator("article").inner_text()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        watched.close()
