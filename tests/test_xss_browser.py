"""A case study is untrusted text: built into the site and loaded in a real browser (Debian's
Chromium through Playwright), XSS filter-evasion vectors in its prose (OWASP cheat-sheet style) open
no dialog, navigate nowhere, and leave no element or attribute outside the allow-list."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from browser_support import require_tools, serve, watch
from test_site import make_project

from observatory.site.build import build_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser

# The six that passed the former pattern check ("active HTML refused"), one per paragraph.
BYPASSES = [
    "<img src=x onerror=alert(1)>",
    '<a href="&#106;avascript&#58;alert(2)">lien encodé</a> et [lien encodé](&#106;avascript:alert(2))',
    "<svg/onload=alert(3)>",
    '<meta http-equiv="refresh" content="0;url=about:blank">',
    "Un paragraphe survolé.\n{: onmouseover=alert(4) style=\"position:fixed;inset:0\" }",
    "```inline``` puis, plus bas, ce que l'ancien contrôle croyait dans un bloc de code :\n\n"
    "<script>alert(5)</script>\n\n<img src=y onerror=alert(6)>",
]
MORE = [
    "<script>alert(7)</script>",
    '<iframe src="javascript:alert(8)"></iframe>',
    '<object data="javascript:alert(9)"></object><embed src="javascript:alert(10)">',
    '<a href="JaVaScRiPt:alert(11)">casse mélangée</a>',
    '<a href=" &#14;  javascript:alert(12)">espaces et contrôle</a>',
    "<details open ontoggle=alert(13)><summary>x</summary>y</details>",
    "<body onload=alert(14)>",
    '<form action="javascript:alert(15)"><button>envoyer</button></form>',
    "<input autofocus onfocus=alert(16)>",
    '<div style="background:url(javascript:alert(17))">style</div><style>*{color:red}</style>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(18)>",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxOSk8L3NjcmlwdD4=)",
    '<base href="javascript:alert(20)//">',
    '![image](x" onerror="alert(21))',
    "<video><source onerror=alert(22)></video><audio src=x onerror=alert(23)></audio>",
    '<a href="vbscript:msgbox(24)">vbscript</a> <javascript:alert(25)>',
    "## Un titre {: onclick=alert(26) }",
    "<marquee onstart=alert(27)>défile</marquee>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(28)>\"></noscript>",
    '<a href="#" onclick="alert(29)">ancre</a> <b onmouseover=alert(30)>gras</b>',
]
# What the study's prose may hold once built (the allow-list, as the browser parses the page).
TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "sup", "sub", "details",
        "summary", "div", "span", "abbr", "dl", "dt", "dd"}
ATTRIBUTES = {"href", "rel", "title", "id", "class", "open", "align", "colspan", "rowspan", "start"}

STUDY = """---
title: Étude piégée
date: 2026-11-23
summary: Des vecteurs d'injection dans le texte d'une étude.
establishments: [chu-fictif]
networks: [bluesky]
themes: [mesure-audience]
sector: chu-chr
sources:
  - title: Source fictive
---

## Introduction

Texte ordinaire avec un [lien sûr](https://exemple.org/page) et un
[lien interne](../methodologie.md).

{vectors}

## Conclusion

Fin de l'étude : {{{{ mesure chu-fictif bluesky followers }}}}.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    require_tools()
    project = make_project(tmp_path_factory.mktemp("xss"))
    folder = project / "data" / "etudes"
    folder.mkdir()
    for slug, vectors in (("contournements", BYPASSES), ("corpus", MORE)):
        (folder / f"{slug}.md").write_text(STUDY.format(vectors="\n\n".join(vectors)), encoding="utf-8")
    assert build_site(project) == 0
    with serve(project / "site") as url:
        yield url


@pytest.mark.parametrize("slug", ["contournements", "corpus"])
def test_vectors_in_a_study_stay_inert_in_a_browser(browser: Browser, site: str, slug: str) -> None:
    watched = watch(browser)
    dialogs: list[str] = []
    try:
        page = watched.page
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        address = f"{site}/etudes/{slug}/"
        page.goto(address, wait_until="networkidle", timeout=15_000)
        # Every element of the article is hovered, focused and clicked where it is not a link.
        for element in page.locator("article *").all():
            if element.is_visible():
                element.hover(timeout=2_000, force=True)
                element.dispatch_event("focus")
        page.wait_for_timeout(1_500)  # a meta refresh, a timer
        assert dialogs == []
        assert page.url.split("#")[0] == address  # the theme's navigation.tracking sets the fragment
        prose = page.locator(".obs-etude-texte")
        assert prose.count() >= 2  # the prose before and after each heading
        found = page.evaluate("""() => [...document.querySelectorAll('.obs-etude-texte *')].map(e =>
            [e.tagName.toLowerCase(), [...e.attributes].map(a => [a.name, a.value])])""")
        assert {tag for tag, _ in found} <= TAGS, found
        for tag, attributes in found:
            assert {name for name, _ in attributes} <= ATTRIBUTES, (tag, attributes)
            for name, value in attributes:
                if name == "href":
                    assert value.startswith(("https://", "http://", "mailto:", "#", "../", "./")) or \
                        ":" not in value.split("/")[0], value
        headings = page.evaluate("() => [...document.querySelectorAll('article h2')].map(h => h.id)")
        assert "introduction" in headings and "conclusion" in headings
        toc = page.evaluate("() => [...document.querySelectorAll('.md-nav--secondary a')].map(a => "
                            "a.getAttribute('href').split('#').pop())")
        assert "introduction" in toc and "conclusion" in toc  # the headings stay in the table of contents
        assert watched.errors == [] or all("favicon" in e for e in watched.errors), watched.errors
    finally:
        watched.close()


def test_the_internal_link_of_a_study_leads_to_its_page(browser: Browser, site: str) -> None:
    watched = watch(browser)
    try:
        page = watched.page
        page.goto(f"{site}/etudes/corpus/", wait_until="networkidle", timeout=15_000)
        href = page.locator(".obs-etude-texte a", has_text="lien interne").evaluate("a => a.href")
        assert href == f"{site}/methodologie/"
        response = page.request.get(f"{site}/methodologie/")
        assert response.status == 200
    finally:
        watched.close()

