"""Accent-folded words for the site search.

Material's search (lunr, French pipeline) keeps accents: « hopital » does not find « hôpital »,
nor « saint etienne » « Saint-Étienne ». Rather than replace its search worker, each generated
page carries, in an element that is hidden (absent from the page and from the accessibility
tree) but indexed, the folded form of each of its words that carries an accent. A query typed
with accents still matches the page's own words; one typed without matches the folded forms.

The element is a <sub hidden> at the end of the page's first paragraph: Material's search index
keeps <sub> tags, so observatoire.css hides them in the search results too (a result shows the
paragraph where its words matched, and the folded words are no text to read).

The build writes them into every page it generates; the hand-written pages of docs/ get theirs
from scripts/fold_docs.py (with_folded_words below), and a test says when one is out of date."""

from __future__ import annotations

import re
from collections.abc import Iterable

from observatory.textfmt import slugify

_WORD = re.compile(r"\w+")


def folded_terms(texts: Iterable[str | None]) -> list[str]:
    """The folded forms (« hopital », « etienne », « coeur ») of the words of `texts` that carry
    an accent or a ligature, once each, in order of appearance; words without any are left out
    (the index already holds them as they are), and so are single letters."""
    terms: dict[str, None] = {}
    for text in texts:
        for word in _WORD.findall(text or ""):
            if word.isascii():
                continue
            for part in slugify(word).split("-"):
                if len(part) > 1 and part != word.lower():  # not « a » (à)
                    terms[part] = None
    return list(terms)


def hidden_terms(texts: Iterable[str | None]) -> str:
    """The folded words of `texts` as hidden inline HTML to end a paragraph with (the words are
    plain ASCII letters and digits: nothing to escape), or "" when no word needs folding."""
    terms = folded_terms(texts)
    return f' <sub hidden>{" ".join(terms)}</sub>' if terms else ""


# What hidden_terms writes: plain [a-z0-9 ] words, which Markdown leaves as they are (the renderer's
# shortcut, site/fast_render.py, relies on it).
FOLDED_SPAN = r"<sub hidden>[a-z0-9 ]*</sub>"
_SUB = re.compile(" ?" + FOLDED_SPAN)
_NOT_PROSE = ("#", "!!!", "|", "-", "*", "<", "{", "`", ">", "1.")


def with_folded_words(markdown: str) -> str:
    """A hand-written page with the folded words of all its text at the end of its first
    paragraph after the title (replacing those already there): scripts/fold_docs.py writes them,
    a test says when a page's are out of date."""
    text = _SUB.sub("", markdown)
    lines = text.split("\n")
    start = 0
    if lines and lines[0] == "---":  # front matter
        start = lines.index("---", 1) + 1
    for i in range(start, len(lines)):
        line = lines[i]
        if line.strip() and not line[:1].isspace() and not line.startswith(_NOT_PROSE):
            end = i
            while end + 1 < len(lines) and lines[end + 1].strip():
                end += 1
            lines[end] += hidden_terms([text])
            return "\n".join(lines)
    return text
