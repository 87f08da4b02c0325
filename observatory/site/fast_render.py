"""MkDocs plugin ``observatoire``: takes the build's pages, gives the same site, rendered faster.

The build writes its tables and figures as raw HTML blocks of one line each. Python-Markdown, MkDocs'
anchor scan and the search plugin would each run a pure-Python HTML parser over them: most of a
generated page's render time. Here a line whose single element is closed at its very end is stashed as
Python-Markdown would stash it, without the parser, and search-excluded elements reach the search index
empty (it skips their content anyway).

The output is the same HTML and the same search index, byte for byte (tests/test_fast_render.py builds
the demo with and without this plugin). Zensical ignores MkDocs plugins it does not know: it renders the
same pages the ordinary way. Anything unusual in a page (a comment, a script, raw HTML over several
lines) turns the shortcut off for that page.
"""

from __future__ import annotations

import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from material.plugins.search.plugin import SearchPlugin
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from observatory.site.search_terms import FOLDED_SPAN

OPENING_TAG = re.compile(r"<([a-z][a-z0-9]*)[\s>]")
# What Python-Markdown would read differently from plain elements: comments, declarations, processing
# instructions, and elements whose content is not HTML.
UNUSUAL_HTML = re.compile(r"<(?:!|\?|script\b|style\b)", re.IGNORECASE)
RAW_LINE = re.compile(r" {0,3}<")
ELEMENT_ID = re.compile(r"\sid=\"([^\"]*)\"")
# The accent-folded words a line ends with (site/search_terms.py): plain [a-z0-9 ] text, which no
# inline pattern changes, so the whole span can be stashed as Python-Markdown would emit it.
FOLDED_WORDS = re.compile(FOLDED_SPAN + "$")
HEADING = re.compile(r"<h[1-6][\s>]", re.IGNORECASE)
# Material's search plugin removes these attributes from the page once it has indexed it (search/plugin.py).
SEARCH_ATTRIBUTES = re.compile(r"\s?data-search-\w+=\"[^\"]+\"")


def sealed_tag(line: str) -> str | None:
    """The tag of the one element `line` holds, opened at its start and closed at its very end; else None."""
    opening = OPENING_TAG.match(line)
    if not opening:
        return None
    tag = opening.group(1)
    if not line.endswith(f"</{tag}>"):
        return None
    depth = 0
    for match in re.finditer(rf"<(/?){tag}[\s>/]", line):
        depth += -1 if match.group(1) else 1
        if depth == 0 and match.end() != len(line):
            return None  # closed before the end: Python-Markdown would split the line
    return tag if depth == 0 else None


def sealed_lines(lines: list[str], md: Markdown) -> list[int] | None:
    """Indexes of the lines to stash as they are; None when the page holds raw HTML they could not explain."""
    if any(UNUSUAL_HTML.search(line) for line in lines):
        return None
    found = []
    for index, line in enumerate(lines):
        if not RAW_LINE.match(line):
            continue
        tag = sealed_tag(line)
        blank_before = index == 0 or not lines[index - 1].strip()
        blank_after = index + 1 == len(lines) or not lines[index + 1].strip()
        if not (tag and md.is_block_level(tag) and blank_before and blank_after):
            return None  # raw HTML shaped otherwise: leave the whole page to Python-Markdown
        found.append(index)
    return found


class SealedHtmlPreprocessor(Preprocessor):
    """Stashes sealed lines before MkDocs' anchor scan (21) and the html_block parser (20) see them."""

    def __init__(self, md: Markdown) -> None:
        super().__init__(md)
        self.anchor_ids: set[str] = set()

    def run(self, lines: list[str]) -> list[str]:
        self.anchor_ids = set()
        indexes = sealed_lines(lines, self.md)
        if indexes is None:
            return lines
        lines = list(lines)
        for index in indexes:
            self.anchor_ids.update(ELEMENT_ID.findall(lines[index]))
            # What html_block stores for a block followed by a blank line: its text and one newline.
            lines[index] = self.md.htmlStash.store(lines[index] + "\n")
        for index, line in enumerate(lines):  # at a paragraph's end, where no inline span goes on
            last = index + 1 == len(lines) or not lines[index + 1].strip()
            if last and line.endswith("</sub>") and (words := FOLDED_WORDS.search(line)):
                lines[index] = line[: words.start()] + self.md.htmlStash.store(words.group())
        return lines


class AnchorIdsPreprocessor(Preprocessor):
    """Gives MkDocs' anchor check the ids of the stashed blocks, which its own scan no longer sees."""

    def __init__(self, md: Markdown, sealed: SealedHtmlPreprocessor) -> None:
        super().__init__(md)
        self.sealed = sealed

    def run(self, lines: list[str]) -> list[str]:
        if "mkdocs_raw_html" in self.md.preprocessors and self.sealed.anchor_ids:  # a Registry: no get()
            scan = self.md.preprocessors["mkdocs_raw_html"]
            scan.present_anchor_ids = scan.present_anchor_ids | self.sealed.anchor_ids
        return lines


class SealedHtmlExtension(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        sealed = SealedHtmlPreprocessor(md)
        md.preprocessors.register(sealed, "observatoire_sealed_html", 22)  # after fenced code (25)
        md.preprocessors.register(AnchorIdsPreprocessor(md, sealed), "observatoire_anchor_ids", 20.5)


def without_excluded_content(html: str) -> str:
    """`html` with the one-line elements whose content the search plugin skips emptied.

    It skips an element marked data-search-exclude and keeps nothing of a section whose heading is marked so.
    Elements holding a heading stay whole, since headings cut sections; a page with a heading inside another
    element is only emptied of marked elements.
    """
    lines = html.split("\n")
    headings_at_line_start = sum(1 for line in lines if HEADING.match(line))
    by_section = headings_at_line_start == len(HEADING.findall(html))
    section_excluded = False
    for index, line in enumerate(lines):
        if not line.startswith("<"):
            continue
        opening = line[: line.find(">")]
        if HEADING.match(line):
            section_excluded = by_section and "data-search-exclude" in opening
            continue
        if not (section_excluded or "data-search-exclude" in opening):
            continue
        tag = sealed_tag(line)
        if tag and not HEADING.search(line):
            lines[index] = opening + f"></{tag}>"
    return "\n".join(lines)


class FastRenderPlugin(BasePlugin):
    """mkdocs.yml `plugins: [observatoire]` (entry point in pyproject.toml)."""

    def __init__(self) -> None:
        self._indexing = False
        self._full_html: str | None = None

    def on_config(self, config):  # noqa: ANN001, ANN201 (MkDocs' event signature)
        config.markdown_extensions.append(SealedHtmlExtension())
        search = config.plugins.get("material/search") or config.plugins.get("search")
        self._indexing = isinstance(search, SearchPlugin) and bool(search.config.enabled)
        return config

    @event_priority(100)  # before the search plugin indexes the page
    def _index_without_excluded(self, context, *, page, config, nav):  # noqa: ANN001, ANN202
        if self._indexing:
            self._full_html = page.content
            page.content = without_excluded_content(page.content)
        return context

    @event_priority(-100)  # after it: the whole page again, without the attributes the search plugin removes
    def _restore_page(self, context, *, page, config, nav):  # noqa: ANN001, ANN202
        if self._full_html is not None:
            page.content = SEARCH_ATTRIBUTES.sub("", self._full_html)
            self._full_html = None
        return context

    on_page_context = CombinedEvent(_index_without_excluded, _restore_page)
