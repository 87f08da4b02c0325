"""Accent-folded words for the site search.

Material's search (lunr, French pipeline) keeps accents: « hopital » does not find « hôpital »,
nor « saint etienne » « Saint-Étienne ». Rather than replace its search worker, each generated
page carries, in an element that is hidden (absent from the page and from the accessibility
tree) but indexed, the folded form of each of its words that carries an accent. A query typed
with accents still matches the page's own words; one typed without matches the folded forms.

The element is a <sub hidden> at the end of the page's first paragraph: Material's search index
keeps <sub> tags, so observatoire.css hides them in the search results too (a result shows the
paragraph where its words matched, and the folded words are no text to read).

Only generated pages carry them: a hand-written page (docs/methodologie.md…) would need an
include, which MkDocs does not do without a plugin. Its words are found as written, accents
included; typed without their accents, they are not."""

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
