"""Safe text for generated Markdown pages, French formatting of numbers and dates, and a French
command-line parser.

Everything that comes from a YAML or CSV file is untrusted (a pull request can hold anything):
it goes through `md` or `link` (`html_text` or `html_link` inside raw HTML) before it reaches a
page, so HTML, Markdown, attribute lists and template macros show as plain text and run nothing."""

from __future__ import annotations

import argparse
import html
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, NoReturn
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
    escaped = _MD_SPECIAL.sub(r"\\\1", _one_line(str(text)).strip())
    escaped = html.escape(escaped, quote=True)
    return escaped.replace("{", "&#123;").replace("}", "&#125;")


def _one_line(text: str) -> str:
    """Runs of spaces and line breaks as one space; no-break spaces (French number groups) kept."""
    # Called about a million times in a national build: the common case (nothing to fold) tested cheaply.
    if "\n" in text or "\r" in text or "\t" in text or "  " in text or "\f" in text or "\v" in text:
        return re.sub(r"[ \t\r\n\f\v]+", " ", text)
    return text


def html_text(text: object) -> str:
    """Plain text for raw HTML, where no Markdown is parsed, on one line: the build writes each
    table as one line, and a line break in a cell would end that HTML block early."""
    return html.escape(_one_line(str(text)), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def front_matter_text(text: object) -> str:
    """A page's title or description for its front matter, on one line. Material prints these
    unescaped in HTML and in double-quoted attributes: <, >, & and " are escaped. The apostrophe,
    the one of them French names are full of, is kept as it is: escaped, « CHU d'Angers » showed
    as CHU d&#x27;Angers in Zensical's search, which escapes the title again."""
    return html.escape(" ".join(str(text).split()), quote=False).replace('"', "&quot;")


def safe_url(url: str) -> str | None:
    """The URL percent-encoded for an href, or None when it is not an http(s) address."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#[]@!&'()*+,;=%~.-_")


def link(text: object, url: str | None) -> str:
    """An HTML link (external, opened in place) or the plain text when the URL is unusable."""
    return _anchor(md(text), url)


def html_link(text: object, url: str | None) -> str:
    """`link` for raw HTML: the same link, its text escaped for HTML only."""
    return _anchor(html_text(text), url)


def _anchor(shown: str, url: str | None) -> str:
    href = safe_url(url) if url else None
    return shown if href is None else f'<a href="{html.escape(href, quote=True)}">{shown}</a>'


def number(value: float | int | None, decimals: int = 0) -> str:
    """French number: 36 500 ; 0,1."""
    if value is None:
        return "n/a"
    text = f"{value:,.{decimals}f}".replace(",", "\u202f").replace(".", ",")
    return text


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """« 1 établissement », « 2 établissements », « 0 échec » (in French 0 and 1 are singular);
    numbers grouped the French way."""
    return f"{number(count)} {words(count, singular, plural_form)}"


def words(count: int, singular: str, plural_form: str | None = None) -> str:
    """The words alone, agreed with `count`: « réseau inconnu » or « réseaux inconnus ». Each word
    of `singular` takes its s (x after -eau): a phrase with a preposition gives `plural_form`."""
    if abs(count) < 2:
        return singular
    return plural_form or " ".join(_plural_word(w) for w in singular.split(" "))


def _plural_word(word: str) -> str:
    if word.endswith(("s", "x", "z")):
        return word
    if word.endswith("eau"):
        return word + "x"
    return word + "s"


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


# --- The command line in French ---------------------------------------------------------------------
# argparse writes its own words (usage, options, errors) in English through gettext, and the project
# ships no translation catalogue: the parser and its formatter below say them in French instead.

_TYPE_NAMES = {"int": "nombre entier attendu", "float": "nombre attendu",
               "fromisoformat": "date AAAA-MM-JJ attendue", "Path": "chemin attendu"}
_ARGPARSE_MESSAGES: tuple[tuple[str, str], ...] = (
    (r"the following arguments are required: (.*)", r"arguments obligatoires manquants : \1"),
    (r"argument (.+?): (.*)", "argument {0} : {1}"),
    (r"invalid choice: '?(.*?)'? \(choose from (.*)\)", "choix invalide : « {0} » (valeurs permises : {1})"),
    (r"invalid (\w+) value: '?(.*?)'?", "valeur invalide ({0}) : « {1} »"),
    (r"expected one argument", "une valeur est attendue"),
    (r"expected at most one argument", "une valeur au plus est attendue"),
    (r"expected at least one argument", "au moins une valeur est attendue"),
    (r"expected (\d+) arguments?", r"\1 valeurs attendues"),
    (r"unrecognized arguments: (.*)", r"arguments non reconnus : \1"),
    (r"one of the arguments (.*) is required", r"l'un des arguments \1 est obligatoire"),
    (r"not allowed with argument (.*)", r"incompatible avec l'argument \1"),
    (r"ambiguous option: (.*) could match (.*)", r"option ambiguë : \1 peut désigner \2"),
    (r"ignored explicit argument '?(.*?)'?", "argument explicite ignoré : « {0} »"),
)


def french_argparse_message(message: str) -> str:
    """argparse's English error message in French (unknown ones are left as they are)."""
    for pattern, french in _ARGPARSE_MESSAGES:
        match = re.fullmatch(pattern, message, re.S)
        if match is None:
            continue
        if "{" not in french:
            return match.expand(french)
        groups = list(match.groups())
        if pattern.startswith("argument "):
            groups[1] = french_argparse_message(groups[1])
        elif pattern.startswith("invalid ("):
            groups[0] = _TYPE_NAMES.get(groups[0], groups[0])
        elif pattern.startswith("invalid choice"):
            groups[1] = re.sub(r"'([^']*)'", r"\1", groups[1])
        return french.format(*groups)
    return message


class FrenchHelpFormatter(argparse.HelpFormatter):
    """« utilisation : » and « options : » (French puts a space before the colon)."""

    def add_usage(self, usage: str | None, actions: Iterable[argparse.Action], groups: Iterable[Any],
                  prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, "utilisation : " if prefix is None else prefix)

    def start_section(self, heading: str | None) -> None:
        # argparse appends the colon itself: the space before it is the French one.
        super().start_section(f"{heading} " if heading else heading)


class FrenchArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose help and errors are in French; its sub-commands inherit it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", FrenchHelpFormatter)
        add_help = kwargs.pop("add_help", True)
        super().__init__(*args, add_help=False, **kwargs)
        self._positionals.title = "arguments"
        self._optionals.title = "options"
        if add_help:
            self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                              help="afficher cette aide et quitter")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog} : erreur : {french_argparse_message(message)}\n")


Handler = Callable[[argparse.Namespace], int]


def command_adder(sub: Any) -> Callable[[str, Handler, str], argparse.ArgumentParser]:
    """`command(name, handler, help)` for the sub-parsers `sub` of a CLI: the help is also the
    command's description, and the handler is what `main` calls with the parsed arguments."""

    def command(name: str, handler: Handler, help_: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_, description=help_)
        p.set_defaults(handler=handler)
        return p

    return command
