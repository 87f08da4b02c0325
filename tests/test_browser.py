"""The built site in a real browser (Debian's Chromium driven by Playwright): every kind of page
loads without error, asks nothing of another host, sets no cookie and has no serious accessibility
violation (axe-core); the directory, Material's instant navigation and the palette toggle work.

Set OBSERVATORY_SCREENSHOTS=<dossier> to keep a full-page screenshot of each kind of page."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

import pytest
import yaml
from browser_support import (
    SETTINGS,
    Watched,
    describe,
    require_tools,
    serious_violations,
    serve,
    watch,
)
from conftest import ROOT
from test_site import make_project

from observatory.site.build import build_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

ESTABLISHMENTS = ROOT / "data" / "establishments"

# One page of each kind the site has: screenshot name -> path.
PAGES = {
    "accueil": "/",
    "annuaire": "/etablissements/",
    "etablissement": "/etablissements/chu-angers/",
    "reference": "/references/has/",
    "methodologie": "/methodologie/",
    "contribuer": "/contribuer/",
    "format": "/donnees/format/",
    "etat-collecte": "/donnees/collecte-etat/",
}
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site built from the committed registry, served on 127.0.0.1.

    Material's instant navigation only intercepts links to pages listed in sitemap.xml, whose
    addresses come from site_url: like the deployed site (and `mkdocs serve`), the site is built
    for the address it is served from."""
    require_tools()
    project = make_project(tmp_path_factory.mktemp("browser-site"), ROOT / "data")
    with serve(project / "site") as url:
        config = project / "mkdocs.yml"
        text, count = re.subn(r"(?m)^site_url: .*$", f"site_url: {url}/", config.read_text(encoding="utf-8"))
        assert count == 1, "site_url introuvable dans mkdocs.yml"
        config.write_text(text, encoding="utf-8")
        assert build_site(project) == 0
        yield url


@dataclass
class Visit:
    status: int | None
    url: str
    h1: str
    errors: list[str]
    outside: list[str]
    cookies: list[dict]
    violations: list[dict]


class Visits(dict[str, Visit]):
    """Each kind of page loaded once, in its own fresh context, by whichever test asks first."""

    def __init__(self, browser: Browser, base_url: str, screenshots: Path | None) -> None:
        super().__init__()
        self.browser, self.base_url, self.screenshots = browser, base_url, screenshots

    def __missing__(self, key: str) -> Visit:
        name, _, setting = key.partition("@")
        scheme, width = SETTINGS[setting or "clair"]
        shot = self.screenshots / f"{key.replace('@', '-')}.png" if self.screenshots else None
        self[key] = visit(self.browser, self.base_url, PAGES[name], shot, scheme, width)
        return self[key]


@pytest.fixture(scope="session")
def visits(browser: Browser, base_url: str) -> Visits:
    folder = os.environ.get("OBSERVATORY_SCREENSHOTS")
    return Visits(browser, base_url, Path(folder) if folder else None)


def visit(browser: Browser, base_url: str, path: str, screenshot: Path | None,
          scheme: Literal["light", "dark"] = "light", width: int = 1280) -> Visit:
    watched = watch(browser, scheme, width)
    try:
        page = watched.page
        response = page.goto(base_url + path, wait_until="networkidle", timeout=TIMEOUT_MS)
        h1 = page.locator("article h1").first.inner_text(timeout=TIMEOUT_MS)
        violations = serious_violations(page)
        if screenshot is not None:
            screenshot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(screenshot), full_page=True)
        return Visit(response.status if response else None, page.url, clean(h1), list(watched.errors),
                     watched.outside, watched.context.cookies(), violations)
    finally:
        watched.close()


def clean(heading: str) -> str:
    """A heading's text without Material's permalink sign."""
    return heading.replace("¶", "").strip()


def establishment_files() -> list[Path]:
    return sorted(ESTABLISHMENTS.glob("*.yml"))


@pytest.mark.parametrize("name", PAGES)
def test_page_loads_without_error(visits: Visits, name: str) -> None:
    page = visits[name]
    assert page.status == 200, f"{PAGES[name]} : HTTP {page.status}"
    assert page.h1, f"{PAGES[name]} : pas de titre h1"
    assert not page.errors, f"{PAGES[name]} : erreurs dans la console\n" + "\n".join(page.errors)
    if folder := os.environ.get("OBSERVATORY_SCREENSHOTS"):
        assert (Path(folder) / f"{name}.png").stat().st_size > 0


@pytest.mark.parametrize("name", PAGES)
def test_page_stays_private(visits: Visits, name: str) -> None:
    page = visits[name]
    assert not page.outside, f"{PAGES[name]} : requêtes vers d'autres hôtes que 127.0.0.1\n" + "\n".join(
        page.outside)
    assert not page.cookies, f"{PAGES[name]} : cookies déposés {page.cookies}"


@pytest.mark.parametrize("setting", SETTINGS)
@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violation(visits: Visits, name: str, setting: str) -> None:
    page = visits[name if setting == "clair" else f"{name}@{setting}"]
    assert page.status == 200 and not page.errors, f"{PAGES[name]} ({setting}) : {page.errors}"
    assert not page.violations, (f"{PAGES[name]} ({setting}) : violations d'accessibilité (axe-core)\n"
                                   + describe(page.violations))


def test_establishment_pages_show_their_name(visits: Visits) -> None:
    assert visits["etablissement"].h1 == "CHU d'Angers"
    assert visits["reference"].h1 == "Haute Autorité de Santé"


def open_page(browser: Browser, url: str,
              wait_until: Literal["load", "networkidle"] = "networkidle") -> Watched:
    watched = watch(browser)
    response = watched.page.goto(url, wait_until=wait_until, timeout=TIMEOUT_MS)
    assert response is not None and response.status == 200, url
    return watched


def establishment_links(page: Page, base_url: str) -> list[str]:
    """The slugs of the establishment pages the directory's table links to, in table order."""
    hrefs = page.locator("article table a[href]").evaluate_all("links => links.map(a => a.href)")
    prefix = re.compile(re.escape(base_url) + r"/etablissements/([^/]+)/$")
    return [m.group(1) for href in hrefs if (m := prefix.match(href))]


def region_links(page: Page, base_url: str) -> list[str]:
    """The directory's links to its region pages, in table order."""
    hrefs = page.locator("article table a[href]").evaluate_all("links => links.map(a => a.href)")
    return [href for href in hrefs if re.match(re.escape(base_url) + r"/annuaire/[a-z0-9-]+/$", href)]


def test_directory_lists_every_establishment(browser: Browser, base_url: str) -> None:
    watched = open_page(browser, base_url + "/etablissements/", wait_until="load")
    try:
        regions = region_links(watched.page, base_url)
        assert regions
        slugs = []
        for url in regions:  # each region page lists its establishments
            watched.page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
            slugs += establishment_links(watched.page, base_url)
        files = establishment_files()
        assert len(slugs) == len(files)
        assert sorted(slugs) == [f.stem for f in files]
        assert not watched.errors, "\n".join(watched.errors)
    finally:
        watched.close()


def test_directory_link_opens_the_establishment_page(browser: Browser, base_url: str) -> None:
    watched = open_page(browser, base_url + "/etablissements/")
    try:
        page = watched.page
        name = yaml.safe_load((ESTABLISHMENTS / "chu-angers.yml").read_text(encoding="utf-8"))["name"]
        page.locator('article table a[href$="annuaire/pays-de-la-loire/"]').click()
        page.wait_for_url(base_url + "/annuaire/pays-de-la-loire/", timeout=TIMEOUT_MS)
        page.locator('article table a[href$="chu-angers/"]').click()
        page.wait_for_url(base_url + "/etablissements/chu-angers/", timeout=TIMEOUT_MS)
        heading = page.locator("article h1").first
        heading.filter(has_text=name).wait_for(timeout=TIMEOUT_MS)
        assert clean(heading.inner_text()) == name
        assert not watched.errors, "\n".join(watched.errors)
        assert watched.outside == []
    finally:
        watched.close()


def test_instant_navigation_keeps_the_page_alive(browser: Browser, base_url: str) -> None:
    watched = open_page(browser, base_url + "/")
    try:
        page = watched.page
        # A full reload would drop this marker; Material's instant navigation keeps it.
        page.evaluate("window.__observatoireMarker = 'instant'")
        page.locator(".md-sidebar--primary").get_by_role("link", name="Annuaire", exact=True).click()
        page.wait_for_url(base_url + "/etablissements/", timeout=TIMEOUT_MS)
        page.locator("article h1").filter(has_text="Annuaire des établissements").wait_for(
            timeout=TIMEOUT_MS)
        page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
        assert urlsplit(page.url).path == "/etablissements/"
        assert page.evaluate("window.__observatoireMarker") == "instant", "rechargement complet"
        assert page.title().startswith("Annuaire")
        assert not watched.errors, "\n".join(watched.errors)
        assert watched.outside == []
    finally:
        watched.close()


def test_palette_follows_the_system_until_the_reader_chooses(browser: Browser, base_url: str) -> None:
    scheme = "document.body.getAttribute('data-md-color-scheme')"
    for system, shown in (("light", "default"), ("dark", "slate")):
        watched = watch(browser, system)
        try:
            watched.page.goto(base_url + "/", wait_until="networkidle", timeout=TIMEOUT_MS)
            assert watched.page.evaluate(scheme) == shown, system
        finally:
            watched.close()
    watched = open_page(browser, base_url + "/")
    try:
        page = watched.page
        toggle = page.locator("label.md-header__button[for^='__palette_']:visible")
        # automatic (light here) -> light -> dark -> automatic again
        for expected in ("default", "slate", "default"):
            toggle.click()
            page.wait_for_function(f"{scheme} === '{expected}'", timeout=TIMEOUT_MS)
        assert not watched.errors, "\n".join(watched.errors)
        assert watched.context.cookies() == []
    finally:
        watched.close()


def test_footer_says_when_the_data_was_updated(browser: Browser, base_url: str) -> None:
    watched = open_page(browser, base_url + "/donnees/collecte-etat/")
    try:
        footer = watched.page.locator(".md-footer .obs-updated")
        assert footer.inner_text().startswith("Données")
        assert watched.page.locator("article h1").first.inner_text().startswith("État de la collecte")
    finally:
        watched.close()
