"""The « Comparer » page in Debian's Chromium, on the demo site (issue #16, item 3): a name typed
without accents finds the establishment, two establishments picked with the keyboard draw two
series on one chart with their data table and summary, the address keeps the choice (a fresh page
opened on it shows the same comparison; back and forward move between choices), axe reports no
serious violation in the light and dark palettes and on a phone, nothing is wider than a phone's
screen, and no request leaves the site."""

from __future__ import annotations

import contextlib
import unicodedata
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

import pytest
from browser_support import SETTINGS, assert_fit_for_readers, watch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
except ImportError:  # the browser tests skip without Playwright (browser_support.require_tools)
    PlaywrightTimeout = TimeoutError  # type: ignore[misc,assignment]

TIMEOUT_MS = 20_000
PAGE = "/comparer/"
READY = ".obs-compare-figure.obs-compare-ready"


def unaccented(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)).lower()


def pair(page: Page) -> tuple[dict, dict, str]:
    """Two establishments of the index that share a network, and that network."""
    index = page.evaluate("fetch('../donnees/comparer.json').then(r => r.json())")
    entries = [{"id": key, "name": value[0], "networks": {index["p"][a[0]][0] for a in value[3]}}
               for key, value in index["e"].items()]
    for platform, _name in index["p"]:
        having = [e for e in entries if platform in e["networks"]]
        if len(having) >= 2:
            return having[0], having[1], platform
    raise AssertionError("la démonstration n'a pas deux établissements sur un même réseau")


def choose_with_keyboard(page: Page, entry: dict) -> None:
    """Type the name without accents, then pick the entry with the arrows and Enter."""
    words = unaccented(entry["name"]).split()
    page.keyboard.type(f"{words[0]} {words[-1]}")  # « etablissement 0007 »: a fragment, no accent
    options = page.locator("#obs-compare-options [role=option]")
    options.first.wait_for(timeout=TIMEOUT_MS)
    texts = options.all_inner_texts()
    assert any(t.startswith(entry["name"]) for t in texts), texts  # « Établissement… » found
    target = next(i for i, t in enumerate(texts) if t.startswith(entry["name"] + " —") or t == entry["name"])
    for _ in range(target + 1):
        page.keyboard.press("ArrowDown")
    active = page.locator("#obs-compare-input").get_attribute("aria-activedescendant")
    assert active and page.locator(f"#{active}").get_attribute("aria-selected") == "true"
    page.keyboard.press("Enter")


def chosen(page: Page) -> list[str]:
    return (parse_qs(urlsplit(page.url).query).get("e") or [""])[0].split(",")


def lines_drawn(page: Page, expected: int = 2) -> int:
    """The lines of the first drawn chart, once it shows `expected` of them or the time is up: the
    chart drawn for the previous choice stays ready until the new one replaces it."""
    page.locator(READY).first.wait_for(timeout=TIMEOUT_MS)
    count = f"(document.querySelector('{READY}')?.querySelectorAll('g.mark-line path').length ?? 0)"
    with contextlib.suppress(PlaywrightTimeout):  # the assertion that follows shows how many were drawn
        page.wait_for_function(f"{count} === {expected}", timeout=TIMEOUT_MS)
    return page.locator(READY).first.locator("g.mark-line path").count()


def test_two_establishments_picked_with_the_keyboard_are_compared_and_shared(browser: Browser,
                                                                             demo_url: str) -> None:
    watched = watch(browser)
    try:
        page = watched.page
        page.goto(demo_url + PAGE, wait_until="networkidle", timeout=TIMEOUT_MS)
        page.locator("#obs-compare-input:not([disabled])").wait_for(timeout=TIMEOUT_MS)
        first, second, platform = pair(page)
        for _ in range(120):  # the search field is reached with Tab alone
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement && document.activeElement.id") == "obs-compare-input":
                break
        else:
            raise AssertionError("le champ de recherche n'est pas atteint au clavier")
        choose_with_keyboard(page, first)
        choose_with_keyboard(page, second)
        assert chosen(page) == [first["id"], second["id"]]
        assert parse_qs(urlsplit(page.url).query)["r"] == [platform]
        assert lines_drawn(page) == 2
        headers = page.locator(".obs-compare-data").first.locator("thead th").all_text_contents()
        assert len(headers) == 3 and headers[0] == "Date"
        summary = page.locator(".obs-compare-summary").inner_text()
        assert first["name"] in summary and second["name"] in summary and "abonnés au" in summary
        caption = page.locator(".obs-compare-figure figcaption").first.inner_text()
        assert caption.count(" : de ") == 2  # each series said in words
        shared = page.url

        # Back: the first choice alone; forward: both again.
        page.go_back()
        page.wait_for_function("new URL(location.href).searchParams.get('e').split(',').length === 1",
                               timeout=TIMEOUT_MS)
        page.wait_for_function("document.querySelectorAll('.obs-compare-chosen li').length === 1",
                               timeout=TIMEOUT_MS)
        page.go_forward()
        page.wait_for_function("document.querySelectorAll('.obs-compare-chosen li').length === 2",
                               timeout=TIMEOUT_MS)

        # Removing one with the keyboard: Tab from the field reaches the first « Retirer » button.
        page.locator("#obs-compare-input").focus()
        page.keyboard.press("Tab")
        label = page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert label == f"Retirer {first['name']}"
        page.keyboard.press("Enter")
        assert chosen(page) == [second["id"]]
        assert page.evaluate("document.activeElement.id") == "obs-compare-input"
        assert not watched.errors, "\n".join(watched.errors)
        assert watched.outside == [], watched.outside
    finally:
        watched.close()

    fresh = watch(browser)  # a reader who received the address
    try:
        page = fresh.page
        page.goto(shared, wait_until="networkidle", timeout=TIMEOUT_MS)
        assert lines_drawn(page) == 2
        chips = page.locator(".obs-compare-chosen li").all_inner_texts()
        assert [c.split("\n")[0].rstrip(" ×") for c in chips] == [first["name"], second["name"]]
        assert page.locator("#obs-compare-platform").input_value() == platform
        assert page.url == shared
        assert not fresh.errors, "\n".join(fresh.errors)
    finally:
        fresh.close()


@pytest.mark.parametrize("setting", SETTINGS)
def test_the_comparison_is_accessible_fits_a_phone_and_stays_on_the_site(browser: Browser, demo_url: str,
                                                                           setting: str) -> None:
    scheme, width = SETTINGS[setting]
    watched = watch(browser, scheme, width)
    try:
        page = watched.page
        page.goto(demo_url + PAGE, wait_until="networkidle", timeout=TIMEOUT_MS)
        first, second, platform = pair(page)
        page.goto(f"{demo_url}{PAGE}?e={first['id']},{second['id']}&r={platform}", wait_until="networkidle",
                  timeout=TIMEOUT_MS)
        assert lines_drawn(page) == 2
        page.locator(".obs-compare-data summary").first.click()  # a data table open
        page.locator("#obs-compare-input").fill("fictif")  # and the list of suggestions
        page.locator("#obs-compare-options [role=option]").first.wait_for(timeout=TIMEOUT_MS)
        assert_fit_for_readers(watched, f"{PAGE} ({setting})", width)
    finally:
        watched.close()
