"""Safe text for generated Markdown pages, and French formatting of numbers and dates.

Everything that comes from a YAML or CSV file is untrusted (a pull request can hold anything):
it goes through `md` or `link` before it reaches a page, so HTML, Markdown, attribute lists and
template macros show as plain text and run nothing."""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import quote, urlsplit

MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")

# Letters NFKD does not decompose: without this map they vanish (Sacré-Cœur -> sacre-cur).
_SPELLED_OUT = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ẞ": "SS",
                              "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D",
                              "ð": "d", "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i"})


def slugify(name: str) -> str:
    """Lower-case ASCII words joined by hyphens: identifiers and URL segments."""
    spelled = name.translate(_SPELLED_OUT)
    ascii_name = unicodedata.normalize("NFKD", spelled).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#+\-.!|])")


def md(text: object) -> str:
    """Plain text for a Markdown page or table cell, on one line."""
    # Backslash escapes neutralise Markdown syntax, then entities neutralise HTML and macros.
    # Collapse line breaks and runs of spaces, but keep no-break spaces (French number groups).
    escaped = _MD_SPECIAL.sub(r"\\\1", re.sub(r"[ \t\r\n\f\v]+", " ", str(text)).strip())
    escaped = html.escape(escaped, quote=True)
    return escaped.replace("{", "&#123;").replace("}", "&#125;")


def safe_url(url: str) -> str | None:
    """The URL percent-encoded for an href, or None when it is not an http(s) address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#[]@!&'()*+,;=%~.-_")


def link(text: object, url: str | None) -> str:
    """An HTML link (external, opened in place) or the plain text when the URL is unusable."""
    href = safe_url(url) if url else None
    if href is None:
        return md(text)
    return f'<a href="{html.escape(href, quote=True)}">{md(text)}</a>'


def number(value: float | int | None, decimals: int = 0) -> str:
    """French number: 36 500 ; 0,1."""
    if value is None:
        return "n/a"
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def date_fr(text: str | None) -> str:
    """'2016-11-24' -> '24 novembre 2016'; '2016-11' -> 'novembre 2016'; '2016' -> '2016'."""
    if not text:
        return "date inconnue"
    parts = text.split("-")
    if len(parts) == 1:
        return parts[0]
    month = MONTHS[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    day = int(parts[2])
    return f"{'1er' if day == 1 else day} {month} {parts[0]}"
