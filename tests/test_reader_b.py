"""Reader experience, part B: French plurals, the collection status page, the footer's update
date, page metadata (OpenGraph), titles escaped once, and Material's conventions in mkdocs.yml."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from conftest import ROOT

from observatory.textfmt import plural, words


def test_plural_agrees_in_french() -> None:
    assert plural(0, "établissement") == "0 établissement"
    assert plural(1, "établissement") == "1 établissement"
    assert plural(2, "établissement") == "2 établissements"
    assert plural(3, "compte relevé") == "3 comptes relevés"
    assert plural(2, "réseau ignoré") == "2 réseaux ignorés"
    assert plural(5, "relevé de comptes", "relevés de comptes") == "5 relevés de comptes"
    assert plural(1500, "échec") == "1\u202f500 échecs"
    assert words(1, "réseau inconnu") == "réseau inconnu"
    assert words(4, "réseau inconnu") == "réseaux inconnus"


# « compte(s) », « réseau(x) », « relevé(s) » in a string of the code or a page written by hand
# (« (s) » after a space is a unit, seconds, as in the performance tables).
# A call such as f(s) or source_text(s)} is code inside an f-string, not a plural.
PARENTHESISED_PLURAL = re.compile(r"\w\((?:s|x|es|e)\)(?![)}.]| ==)")


def _texts(path: Path) -> list[tuple[int, str]]:
    """A Python file's string literals (f-strings included), or every line of another file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return list(enumerate(text.splitlines(), 1))
    return [(token.start[0], token.string) for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.STRING]


def test_no_parenthesised_plural_in_code_or_pages() -> None:
    found = []
    for path in [*ROOT.joinpath("observatory").rglob("*.py"), *ROOT.joinpath("docs").glob("*.md"),
                 *ROOT.joinpath("docs", "assets").glob("*.js")]:
        for number, text in _texts(path):
            if PARENTHESISED_PLURAL.search(text.replace("http(s)", "")):
                found.append(f"{path.relative_to(ROOT)}:{number}: {text.strip()[:100]}")
    assert found == []
