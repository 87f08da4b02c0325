"""MkDocs plugin ``observatoire``: takes the build's pages, gives the same site, rendered faster.

The build writes its tables and figures as raw HTML blocks of one line each. Python-Markdown, MkDocs'
anchor scan and the search plugin would each run a pure-Python HTML parser over them: most of a
generated page's render time. Here a line whose single element is closed at its very end is stashed as
Python-Markdown would stash it, without the parser, and search-excluded elements reach the search index
empty (it skips their content anyway). The build's data files are hard-linked into the site, not copied.

The output is the same HTML and the same search index, byte for byte (tests/test_fast_render.py builds
the demo with and without this plugin). Zensical ignores MkDocs plugins it does not know: it renders the
same pages the ordinary way. Anything unusual in a page (a comment, a script, raw HTML over several
lines) turns the shortcut off for that page.
"""

from __future__ import annotations

import os
import re

from markdown import Extension, Markdown
from markdown.preprocessors import Preprocessor
from material.plugins.search.plugin import SearchPlugin
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File

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
SEARCH_ATTRIBUTE = re.compile(r"data-search-\w+=\"[^\"]+\"")  # the same, without its optional space


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
    """`html` lighter for the search parser, which will index the same sections from it.

    The parser skips an element marked data-search-exclude, and keeps nothing of a section whose
    heading is marked so. Here such an element, on a line of its own, is emptied; and in an excluded
    section the one-element lines are dropped. A one-element line is balanced (Python-Markdown and the
    build write well-formed HTML), so it cannot end the section; any other line may close the element
    the heading was in, and ends the dropping. Elements holding a heading stay whole. The parser tells
    skipped elements apart by tag name only: from a marked element it could read otherwise (spread over
    lines, marked inside, holding its own tag), the rest of the page is left whole.
    """
    kept = []
    section_excluded = False
    lines = html.split("\n")
    for index, line in enumerate(lines):
        if "<" not in line:  # text or blank: no element starts or ends here
            kept.append(line)
            continue
        tag = sealed_tag(line) if line.startswith("<") else None
        opening = line[: line.find(">")]
        if "data-search-exclude" in line and not (
                tag and "data-search-exclude" not in line[len(opening):] and line.count(f"<{tag}") == 1):
            return "\n".join(kept + lines[index:])
        if tag and HEADING.match(line):  # <hN …>…</hN>: a section starts
            section_excluded = "data-search-exclude" in opening
        elif not tag or HEADING.search(line):
            section_excluded = False
        elif section_excluded:
            continue
        elif "data-search-exclude" in opening:
            line = f"{opening}></{tag}>"
        kept.append(line)
    return "\n".join(kept)


def without_search_attributes(html: str) -> str:
    """SEARCH_ATTRIBUTES.sub("", html), found from their literal start (a regex opening on an optional
    space is tried at every character of the page)."""
    parts, last = [], 0
    for match in SEARCH_ATTRIBUTE.finditer(html):
        start = match.start()
        if start > last and html[start - 1].isspace():  # the optional space, when not the last match's
            start -= 1
        parts.append(html[last:start])
        last = match.end()
    return "".join(parts) + html[last:] if parts else html


LINKED_FOLDER = "donnees/"  # the build's data files, regenerated by every build


class LinkedFile(File):
    """A data file of the build hard-linked into the site instead of copied: the same bytes, one directory
    entry instead of a file written (some 12,000 files, most of the render's file copying, at national
    scale). Where no link can be made (another file system, a file already there), copied as usual. Until
    the next build, the site's copy is the docs/ file itself: the build rewrites both at once."""

    def copy_file(self, dirty: bool = False) -> None:
        if dirty or self.generated_by or self.abs_src_path is None:
            return super().copy_file(dirty)
        output = self.abs_dest_path
        os.makedirs(os.path.dirname(output), exist_ok=True)
        try:
            os.link(self.abs_src_path, output)
        except OSError:
            super().copy_file(dirty)


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

    def on_files(self, files, *, config):  # noqa: ANN001, ANN201 (MkDocs' event signature)
        for file in files:
            linked = file.src_uri.startswith(LINKED_FOLDER) and not file.is_documentation_page()
            if linked and type(file) is File:
                file.__class__ = LinkedFile  # the same file (all MkDocs set on it), copied differently
        return files

    @event_priority(100)  # before the search plugin indexes the page
    def _index_without_excluded(self, context, *, page, config, nav):  # noqa: ANN001, ANN202
        if self._indexing:
            self._full_html = page.content
            page.content = without_excluded_content(page.content)
        return context

    @event_priority(-100)  # after it: the whole page again, without the attributes the search plugin removes
    def _restore_page(self, context, *, page, config, nav):  # noqa: ANN001, ANN202
        if self._full_html is not None:
            page.content = without_search_attributes(self._full_html)
            self._full_html = None
        return context

    on_page_context = CombinedEvent(_index_without_excluded, _restore_page)
