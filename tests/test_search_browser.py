"""The site search in Debian's Chromium, on the demo site (Material's own search, lunr, French):
a word typed without its accents finds the pages that write it with them, the accented word
still does, and a result shows the page's first sentence, never the hidden folded words."""

from __future__ import annotations

import json
import urllib.request
from typing import TYPE_CHECKING

from browser_support import watch

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

TIMEOUT_MS = 20_000


def search(page: Page, query: str) -> list[dict[str, str]]:
    """Type `query` into the search box; each result's title and visible text."""
    box = page.locator("input.md-search__input")
    box.click()
    box.fill(query)
    box.press("End")  # a key event: Material searches on keyup
    items = page.locator(".md-search-result__item")
    items.first.wait_for(timeout=TIMEOUT_MS)
    return items.evaluate_all(
        "items => items.map(i => ({title: i.querySelector('h1, h2').textContent.trim(),"
        " text: i.querySelector('article').innerText}))")


def test_a_word_typed_without_accents_finds_the_pages_that_write_it_with_them(
        browser: Browser, demo_url: str) -> None:
    watched = watch(browser)
    try:
        page = watched.page
        page.goto(demo_url + "/", wait_until="networkidle", timeout=TIMEOUT_MS)
        # « établissement » is written with its accent everywhere in the demo's establishment pages.
        folded = search(page, "etablissement fictif")
        titles = [r["title"] for r in folded]
        assert any(t.startswith("Établissement fictif") for t in titles), titles
        first = next(r for r in folded if r["title"].startswith("Établissement fictif"))
        # The result shows the page's first sentence, with its accents, and not the folded words.
        assert "recensé" in first["text"] and "recense" not in first["text"].replace("recensé", ""), first
        assert "etablissement" not in first["text"].lower().replace("établissement", ""), first
        accented = search(page, "établissement fictif")
        assert any(r["title"].startswith("Établissement fictif") for r in accented)
        assert not watched.errors, "\n".join(watched.errors)
    finally:
        watched.close()


def test_no_search_result_of_a_page_starts_with_table_headers(demo_url: str) -> None:
    """Material's index keeps paragraphs and lists as tags and a table as bare text: a page's
    first text (what its result shows) must be a paragraph, here on every page of the demo, and
    so must each section of an establishment page."""
    with urllib.request.urlopen(demo_url + "/search/search_index.json") as response:  # noqa: S310 (local)
        docs = json.load(response)["docs"]
    pages = [d for d in docs if "#" not in d["location"]]
    assert len(pages) > 60
    bare = [(d["location"], d["text"][:60]) for d in pages if not d["text"].startswith("<p>")]
    assert not bare, bare
    sections = [d for d in docs if d["location"].startswith(("etablissements/fictif", "references/"))]
    bare = [(d["location"], d["text"][:60]) for d in sections if d["text"] and not d["text"].startswith("<")]
    assert not bare, bare
