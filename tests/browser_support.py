"""Helpers for the browser tests: find the tools, serve a built site, watch what a page does."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

import pytest
from conftest import ROOT

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, Request, Route

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
LOCAL_HOSTS = {"127.0.0.1"}
# Schemes that never reach the network.
LOCAL_SCHEMES = {"data", "blob", "about"}


# The settings every page is checked in: the system's light palette, its dark one, a phone.
SETTINGS: dict[str, tuple[Literal["light", "dark"], int]] = {
    "clair": ("light", 1280), "sombre": ("dark", 1280), "telephone": ("light", 390)}


def chromium_path() -> str | None:
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def require(condition: bool, message: str) -> None:
    """Skip when a browser tool is missing, except in CI where the tools are required."""
    if condition:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{message} (obligatoire en intégration continue, CI est défini)", pytrace=False)
    pytest.skip(message)


def require_tools() -> str:
    """The path of Chromium, once every tool the browser tests need is known to be there."""
    path = chromium_path()
    require(path is not None, "Chromium est absent (/usr/bin/chromium) : installez-le avec "
            "« apt-get install chromium » pour lancer les tests dans un navigateur.")
    require(AXE.exists(), f"axe-core est absent ({AXE.relative_to(ROOT)}) : lancez « npm ci » "
            "(ou « python3 scripts/dev.py test ») pour installer les outils de test Node.js.")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        require(False, "Le paquet Python playwright est absent : lancez « python3 scripts/dev.py env --dev » "
                "(outils de développement).")
    assert path is not None
    return path


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serve(directory: Path) -> Iterator[str]:
    """Serve `directory` on 127.0.0.1 (a free port) in a background thread; yields the base URL."""
    handler = functools.partial(QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or parts.hostname in LOCAL_HOSTS


@dataclass
class Watched:
    """A page in its own context, with what it logged and asked for."""

    context: BrowserContext
    page: Page
    errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)

    @property
    def outside(self) -> list[str]:
        """Every request for a host other than 127.0.0.1, whether or not it was let through."""
        return sorted({url for url in self.requests + self.blocked if not is_local(url)})

    def close(self) -> None:
        self.context.close()


def watch(browser: Browser, color_scheme: Literal["light", "dark"] = "light", width: int = 1280) -> Watched:
    """A fresh context (no cookies, no storage) whose requests to other hosts are recorded and
    aborted, so that the tests stay offline and still see what the site would have fetched.
    The system's palette (the site follows it) and the screen's width are chosen."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR",
                                  color_scheme=color_scheme, service_workers="block",
                                  is_mobile=width < 600, has_touch=width < 600)
    watched = Watched(context, context.new_page())

    def route(route: Route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:
            watched.blocked.append(route.request.url)
            route.abort()

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location
            watched.errors.append(f"console: {message.text} ({location.get('url')}:"
                                  f"{location.get('lineNumber')})")

    def request(request: Request) -> None:
        watched.requests.append(request.url)

    context.route("**/*", route)
    context.on("request", request)
    watched.page.on("console", console)
    watched.page.on("pageerror", lambda error: watched.errors.append(f"pageerror: {error}"))
    return watched


def serious_violations(page: Page) -> list[dict]:
    """axe-core's violations of impact "serious" or "critical" on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in {"serious", "critical"}]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}) : {violation['help']} "
                     f"<{violation.get('helpUrl', '')}>")
        for node in violation["nodes"][:10]:
            lines.append(f"    cible {node['target']} : {node['html'][:200]}")
            if node.get("failureSummary"):
                lines.append("      " + node["failureSummary"].replace("\n", "\n      "))
        if len(violation["nodes"]) > 10:
            lines.append(f"    … et {len(violation['nodes']) - 10} autres éléments")
    return "\n".join(lines)


def assert_fit_for_readers(watched: Watched, where: str, width: int) -> None:
    """What every page must hold in every setting: no serious or critical axe violation, no wider
    than the screen, no script error, no request leaving the site."""
    violations = serious_violations(watched.page)
    assert not violations, f"{where}\n" + describe(violations)
    wide = watched.page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{where} : page de {wide} px sur un écran de {width} px"
    assert not watched.errors, "\n".join(watched.errors)
    assert watched.outside == [], f"{where} : requêtes hors du site {watched.outside}"
