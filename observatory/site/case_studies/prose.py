"""Case studies, rendered: a study's prose comes from a pull request, so it never reaches the page as
it was written. Python-Markdown turns it into HTML, nh3 (the Python binding of ammonia) keeps only
the tags, attributes, classes and link schemes of an allow-list, and the page receives that HTML.
Headings stay Markdown headings, their text escaped, so the page keeps its table of contents."""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import markdown
import nh3

from observatory.textfmt import md

# The site's extensions (mkdocs.yml) but attr_list, which would let the text set any attribute,
# and toc, since headings are left to MkDocs.
EXTENSIONS = ["admonition", "tables", "pymdownx.details", "pymdownx.superfences"]
TAGS = {"p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre",
        "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "del", "sup",
        "sub", "details", "summary", "div", "span", "abbr", "dl", "dt", "dd"}
ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "ol": {"start"}, "details": {"open"},
              "th": {"align", "colspan", "rowspan"}, "td": {"align", "colspan", "rowspan"}}
ADMONITIONS = {"admonition", "note", "abstract", "info", "tip", "success", "question", "warning",
               "failure", "danger", "bug", "example", "quote"}
CLASSES = {"div": ADMONITIONS, "details": ADMONITIONS, "p": {"admonition-title"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Whole elements dropped with their content (the rest lose their tag and keep their text).
DROPPED = {"script", "style", "template", "noscript", "iframe", "object", "embed", "svg", "math",
           "textarea", "select", "title"}
WRAPPER = "obs-etude-texte"  # the class of each block of prose, for the reader's CSS and the tests

FENCE = re.compile(r" {0,3}(`{3,}|~{3,})([^`]*)")  # an opening fence: no backtick after ``` (CommonMark)
HEADING = re.compile(r" {0,3}(#{2,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")


@dataclass
class Page:
    """Where the rendered HTML sits: its links are not rewritten by MkDocs (raw HTML is left as
    it is), so links to Markdown pages are written as the built site's addresses here."""

    folder: str  # the page's folder under docs/, e.g. "etudes"
    depth: int = 2  # folders between the built page and the site's root: etudes/<slug>/index.html


def _site_link(href: str, page: Page) -> str:
    """A relative link written against docs/ (../methodologie.md#x) as the built page reaches it."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("#") or not parts.path:
        return href
    target = posixpath.normpath(posixpath.join(page.folder, parts.path))
    if target.startswith("../") or target == "..":
        return "#"  # outside the site
    if target.endswith(".md"):
        target = target[:-3]
        target = target[:-len("index")] if target.endswith("index") else target + "/"
    fragment = f"#{parts.fragment}" if parts.fragment else ""
    return "../" * page.depth + target.lstrip("/") + fragment


def clean_html(text: str, page: Page) -> str:
    """HTML that holds nothing outside the allow-list (no script, event handler, style, form,
    frame or svg; links http, https, mailto or relative only)."""

    def attribute(tag: str, name: str, value: str) -> str | None:
        if tag == "a" and name == "href":
            return _site_link(value, page)
        return value

    return nh3.clean(text, tags=TAGS, clean_content_tags=DROPPED, attributes=ATTRIBUTES,
                     allowed_classes=CLASSES, url_schemes=URL_SCHEMES, attribute_filter=attribute,
                     link_rel="noopener noreferrer nofollow", strip_comments=True)


def render_block(lines: list[str], page: Page) -> list[str]:
    """Markdown prose as one raw HTML block of the page, sanitized."""
    if not any(line.strip() for line in lines):
        return []
    converter = markdown.Markdown(extensions=EXTENSIONS, output_format="html")
    body = clean_html(converter.convert("\n".join(lines)), page)
    return ["", f'<div class="{WRAPPER}">', body, "</div>", ""]


def heading_text(text: str) -> str:
    """A heading's words, as plain text (its Markdown and HTML rendered, then every tag removed)."""
    converter = markdown.Markdown(output_format="html")
    plain = nh3.clean(converter.convert(text), tags=set(), clean_content_tags=DROPPED)
    return " ".join(html.unescape(plain).split())


def render_prose(lines: list[str], page: Page) -> list[str]:
    """The page's Markdown for prose lines: each run between headings is a sanitized HTML block, each
    heading (outside code blocks) a Markdown heading whose text is escaped."""
    out: list[str] = []
    run: list[str] = []
    fence: str | None = None
    for line in lines:
        opening = FENCE.fullmatch(line)
        if fence is None and opening:
            fence = opening.group(1)
        elif fence is not None and line.strip().startswith(fence) and not line.strip().strip(fence[0]):
            fence = None
        elif fence is None and (heading := HEADING.fullmatch(line)):
            out += render_block(run, page) + ["", f"{heading.group(1)} {md(heading_text(heading.group(2)))}",
                                              ""]
            run = []
            continue
        run.append(line)
    return out + render_block(run, page)
