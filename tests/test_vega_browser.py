"""The vendored vega bundle in a real browser: every chart of a page is drawn (charts.js only warns
when one fails, so the console-error checks of the other browser tests would not see it), the
bundle is fetched once from the site, and instant navigation reuses it."""

from __future__ import annotations

from browser_support import watch
from playwright.sync_api import Browser, ConsoleMessage

TIMEOUT_MS = 20_000
ESTABLISHMENT = "/etablissements/fictif-0001/"
LEADERBOARD = "/classements/facebook-followers/"
READY = "figure.obs-chart.obs-chart-ready .obs-chart-view svg"


def _all_charts_drawn(page) -> tuple[int, int]:
    # Every figure of the page drawn (a chart failing to draw makes this wait time out).
    page.wait_for_function(f"""() => {{
        const figures = document.querySelectorAll("figure.obs-chart");
        return figures.length > 0 && document.querySelectorAll({READY!r}).length === figures.length;
    }}""", timeout=TIMEOUT_MS)
    page.wait_for_load_state("networkidle", timeout=TIMEOUT_MS)
    return page.locator("figure.obs-chart").count(), page.locator(READY).count()


def test_charts_are_drawn_with_the_vendored_bundle_across_instant_navigation(
        browser: Browser, demo_url: str) -> None:
    watched = watch(browser, "light", 1280)
    warnings: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "warning" and "obs-chart" in message.text:
            warnings.append(message.text)

    watched.page.on("console", console)
    try:
        page = watched.page
        page.goto(demo_url + ESTABLISHMENT, wait_until="networkidle", timeout=TIMEOUT_MS)
        figures, drawn = _all_charts_drawn(page)
        assert figures >= 2 and drawn == figures, (figures, drawn)
        assert page.evaluate("[typeof vegaEmbed, vega.version, vegaLite.version]") == \
            ["function", "6.2.0", "6.4.1"]

        # Material's instant navigation: the page is not reloaded, the bundle is not fetched again.
        page.evaluate("window.__vegaMarker = 'instant'")
        page.evaluate("""href => {
            const link = Object.assign(document.createElement("a"), {href, id: "vers-classement"});
            link.textContent = "Classement";
            document.querySelector("article").append(link);
        }""", LEADERBOARD)
        page.locator("#vers-classement").click()
        # The new page's content is in once the link added to the old one is gone: until then, the
        # figures found could be the old page's.
        page.wait_for_function(f"location.pathname === {LEADERBOARD!r} && !document.querySelector("
                               f"'#vers-classement') && document.querySelector('figure.obs-chart')",
                               timeout=TIMEOUT_MS)
        figures, drawn = _all_charts_drawn(page)
        assert figures >= 1 and drawn == figures, (figures, drawn)
        assert page.evaluate("window.__vegaMarker") == "instant", "rechargement complet"
        bundles = [url for url in watched.requests if url.endswith("/generated/vega-bundle.js")]
        assert len(bundles) == 1, bundles
        assert warnings == []
        assert not watched.errors, "\n".join(watched.errors)
        assert watched.outside == []
    finally:
        watched.close()
