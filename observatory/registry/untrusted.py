"""Text from a pull request, checked before anything reads it: the characters a value may hold
(allow-list: printable characters, plus tab and line feed where a field is multi-line) and how a
refused value is quoted back in a message without carrying what was refused."""

from __future__ import annotations

import re
import stat
from pathlib import Path

# C0 and C1 controls and DEL (terminal escapes, NUL), the bidi embeddings, overrides and isolates
# (text shown in another order than it is read), and the Unicode line and paragraph separators.
_BIDI = "\u202a-\u202e\u2066-\u2069"
_REFUSED_ONE_LINE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
_REFUSED_MULTI_LINE = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{_BIDI}\u2028\u2029]")
# The same sets as JSON Schema (ECMA-262) patterns, for editors.
SCHEMA_ONE_LINE = "^[^\\u0000-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029]*$"
SCHEMA_MULTI_LINE = ("^[^\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u202a-\\u202e\\u2066-\\u2069"
                     "\\u2028\\u2029]*$")


def _kind(char: str) -> str:
    if re.fullmatch(f"[{_BIDI}]", char):
        return "contrôle de direction du texte, qui fait afficher le texte dans un autre ordre que celui lu"
    if char in "\u2028\u2029":
        return "séparateur de ligne Unicode"
    if char == "\t":
        return "tabulation, permise seulement dans un texte sur plusieurs lignes"
    if char in "\n\r":
        return "retour à la ligne, permis seulement dans un texte sur plusieurs lignes (note)"
    return "caractère de contrôle invisible"


def character_problem(text: str, multiline: bool = False) -> str | None:
    """None when every character of `text` may stand in a field, else the first refused one,
    named by its code point (never the character itself) and its position, in French."""
    found = (_REFUSED_MULTI_LINE if multiline else _REFUSED_ONE_LINE).search(text)
    if found is None:
        return None
    char = found.group()
    return (f"caractère refusé U+{ord(char):04X} ({_kind(char)}) en position {found.start() + 1} : "
            "retapez la valeur sans le copier-coller (souvent venu d'un PDF ou d'un traitement de texte)")


def shown(text: str) -> str:
    """`text` fit to quote in a message: every refused character written as \\uXXXX."""
    return _REFUSED_ONE_LINE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def length_problem(text: str, limit: int) -> str | None:
    """None when `text` holds at most `limit` characters, else the limit in French."""
    if len(text) <= limit:
        return None
    return f"texte trop long : {len(text)} caractères pour {limit} au plus"


def not_a_regular_file(path: Path) -> str | None:
    """None for a regular file, else why it is refused, in French. A symbolic link is never
    followed: its target (/etc/passwd, a secret) would be read and quoted in messages."""
    try:
        mode = path.lstat().st_mode  # one system call, and never through a link
    except OSError:
        mode = 0
    if stat.S_ISLNK(mode):
        return ("lien symbolique refusé : les données ne contiennent que des fichiers ordinaires "
                "(le lien n'a pas été suivi)")
    if stat.S_ISDIR(mode):
        return "dossier refusé : à cet endroit, seuls des fichiers ordinaires sont permis"
    if not stat.S_ISREG(mode):
        return "fichier spécial ou introuvable refusé : seuls des fichiers ordinaires sont permis"
    return None
