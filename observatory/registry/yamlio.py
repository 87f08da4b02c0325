"""YAML reading that keeps the line of every value, and the one canonical way files are written."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # the C loader is ~10x faster; fall back when libyaml is absent
    from yaml import CSafeDumper as Dumper
    from yaml import CSafeLoader as Loader
except ImportError:  # pragma: no cover
    from yaml import SafeDumper as Dumper  # type: ignore[assignment]
    from yaml import SafeLoader as Loader  # type: ignore[assignment]

Path_ = tuple[str | int, ...]

_constructor = yaml.constructor.SafeConstructor()


class YamlSyntaxError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Located:
    """A parsed document with the 1-based line of each value (by path) and structural problems."""

    data: Any
    lines: dict[Path_, int] = field(default_factory=dict)
    duplicate_keys: list[tuple[Path_, int]] = field(default_factory=list)

    def line(self, path: Path_) -> int:
        """Line of `path`, or of its nearest located parent."""
        while path not in self.lines and path:
            path = path[:-1]
        return self.lines.get(path, 1)


_TEXT_TAGS = {"tag:yaml.org,2002:str", "tag:yaml.org,2002:timestamp"}


def _scalar(node: yaml.ScalarNode) -> Any:
    # Text is the node's value as it is (most scalars of a registry file: no constructor call).
    # Dates stay as the text written: the registry accepts YYYY, YYYY-MM and YYYY-MM-DD alike.
    if node.tag in _TEXT_TAGS:
        return node.value
    return _constructor.construct_object(node, deep=True)


def _convert(node: yaml.Node, path: Path_, doc: Located) -> Any:
    doc.lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            key = key if isinstance(key, str) else str(key)
            if key in result:
                doc.duplicate_keys.append(((*path, key), key_node.start_mark.line + 1))
            result[key] = _convert(value_node, (*path, key), doc)
            doc.lines[(*path, key)] = key_node.start_mark.line + 1
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, i), doc) for i, item in enumerate(node.value)]
    return _scalar(node)


# PyYAML's messages (libyaml's and the pure-Python loader's wording differ), as a maintainer
# needs them: what is wrong, in French, and the usual fix.
_TAB = ("tabulation en début de ligne ou dans une valeur : indentez avec des espaces, jamais avec la "
        "touche Tab")
_INDENT = ("indentation incohérente : cette ligne n'est pas alignée sur les champs de même niveau (même "
           "nombre d'espaces en début de ligne ; « - » au même niveau pour les éléments d'une liste)")
_YAML_PROBLEMS: tuple[tuple[str, str], ...] = (
    (r"mapping values are not allowed", "« : » inattendu : une valeur qui contient « : » se met entre "
                                        "guillemets (name: 'Hôpital : site Nord'), sinon la ligne est trop "
                                        "indentée"),
    (r"tab character|character '\\t'", _TAB),
    (r"expected <block end>|did not find expected key|did not find expected '-' indicator", _INDENT),
    (r"could not find expected ':'", "« : » manquant : chaque ligne s'écrit « champ: valeur » (ou un "
                                     "guillemet ouvert plus haut n'est pas refermé)"),
    (r"found unexpected end of stream", "guillemet non refermé : la valeur ouverte plus haut par ' ou \" "
                                        "n'a pas de guillemet de fin"),
    (r"expected ',' or '\]'|did not find expected ',' or '\]'",
     "crochet « [ » non refermé, ou virgule manquante entre deux éléments"),
    (r"expected ',' or '\}'|did not find expected ',' or '\}'",
     "accolade « { » non refermée, ou virgule manquante entre deux champs"),
    (r"found undefined alias", "une valeur ne peut pas commencer par « * » : mettez-la entre guillemets"),
    (r"unknown escape character", "barre oblique inverse (\\) inconnue dans un texte entre guillemets "
                                  "doubles : utilisez des guillemets simples ou doublez la barre"),
    (r"expected a single document", "un seul document par fichier : retirez la ligne « --- » en trop"),
    (r"unacceptable character", "caractère de contrôle invisible dans le texte (souvent copié d'un PDF "
                                "ou d'un traitement de texte) : supprimez-le en retapant la ligne"),
)


def _character_at(text: str, mark: yaml.Mark | None) -> str:
    lines = text.splitlines()
    if mark is None or mark.line >= len(lines) or mark.column >= len(lines[mark.line]):
        return ""
    return lines[mark.line][mark.column]


def french_yaml_problem(error: yaml.YAMLError, text: str) -> str:
    """PyYAML's English message said in French; an unknown one is quoted as it is."""
    if isinstance(error, yaml.MarkedYAMLError):
        original = ": ".join(p for p in (error.context, error.problem) if p) or str(error)
        mark = error.problem_mark or error.context_mark
    else:
        original, mark = str(error).split("\n")[0], None
    for pattern, french in _YAML_PROBLEMS:
        if re.search(pattern, original):
            return french
    if "cannot start any token" in original:
        character = _character_at(text, mark)
        if character == "\t":
            return _TAB
        if character:
            return (f"le caractère « {character} » ne peut pas commencer une valeur : mettez la valeur "
                    f"entre guillemets ('{character}…')")
    return f"erreur de syntaxe YAML (message d'origine : « {original} »)"


def _error_line(error: yaml.YAMLError, text: str) -> int:
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        return mark.line + 1 if mark else 1
    if isinstance(error, yaml.reader.ReaderError):
        return text.count("\n", 0, error.position) + 1
    return 1


ALIAS_REFUSED = ("ancre (&nom) ou alias (*nom) YAML refusé : chaque valeur s'écrit en entier ; un texte "
                 "qui commence par « & » ou « * » se met entre guillemets")


def refuse_aliases(text: str) -> None:
    """Raise YamlSyntaxError at the first anchor or alias, before anything is composed: an alias
    expands into a copy of its anchor (nine nested levels of nine make 9^9 values from 300 bytes)
    and one may name its own parent (an endless structure)."""
    if "&" not in text and "*" not in text:  # fast path: no event can hold an anchor or an alias
        return
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
                raise YamlSyntaxError(event.start_mark.line + 1, f"YAML illisible : {ALIAS_REFUSED}")
    except yaml.YAMLError:
        return  # a syntax error: compose reports it, with its own message


def parse_located(text: str) -> Located:
    """Parse one YAML document; raise YamlSyntaxError (with its line) when it is not valid YAML
    or holds an anchor or an alias."""
    refuse_aliases(text)
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.YAMLError as error:
        raise YamlSyntaxError(_error_line(error, text),
                              f"YAML illisible : {french_yaml_problem(error, text)}") from None
    except ValueError as error:
        raise YamlSyntaxError(1, f"YAML illisible : {error}") from None
    doc = Located(data=None)
    if node is None:
        return doc
    try:
        doc.data = _convert(node, (), doc)
    except (yaml.YAMLError, ValueError, TypeError, OverflowError) as error:
        raise YamlSyntaxError(1, f"YAML illisible : {error}") from None
    return doc


class _CanonicalDumper(Dumper):  # type: ignore[misc,valid-type]
    pass


def _str_representer(dumper: yaml.Dumper, value: str) -> yaml.Node:
    # Quote digit strings (FINESS numbers, ids): YAML 1.2 parsers would read 010780054 as a number.
    style = "|" if "\n" in value else ("'" if value.isdigit() else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_CanonicalDumper.add_representer(str, _str_representer)


def dump_canonical(data: Any) -> str:
    """The canonical text of a registry file: block style, UTF-8, keys in the given order."""
    return yaml.dump(data, Dumper=_CanonicalDumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1000, indent=2)


# --- Page data: thousands of files per build ----------------------------------------------------
# PyYAML builds a node per value in Python (10 s for the page data of 3,000 establishments); page
# data are plain dicts, lists and scalars, so they are written directly, in block style. Strings
# are JSON strings, which are valid YAML double-quoted scalars.

_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*\Z")
# Characters YAML does not accept raw (non-printable) or reads as line breaks, which JSON leaves raw.
_YAML_UNSAFE = re.compile("[^\x09\x0a\x0d\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                          "\U00010000-\U0010ffff]")


def _emit_scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if not math.isfinite(value):
            return ".inf" if value > 0 else "-.inf"
        text = repr(value)  # YAML 1.1 reads 1e-05 as text: its floats need a dot before the exponent
        return text.replace("e", ".0e") if "e" in text and "." not in text else text
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
        return _YAML_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    raise TypeError(f"valeur non représentable en YAML : {type(value).__name__}")


def _emit_key(key: Any) -> str:
    if not isinstance(key, str):
        raise TypeError(f"clé non textuelle : {key!r}")
    reserved = key.lower() in ("null", "true", "false", "yes", "no", "on", "off", "y", "n")
    return key if _PLAIN_KEY.match(key) and not reserved else _emit_scalar(key)


def _emit_block(value: Any, indent: str, out: list[str]) -> None:
    """Lines of a non-empty dict or list at `indent`."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (dict, list)) and item:
                out.append(f"{indent}{_emit_key(key)}:")
                _emit_block(item, indent + "  " if isinstance(item, dict) else indent, out)
            else:
                out.append(f"{indent}{_emit_key(key)}: {_emit_inline(item)}")
        return
    for item in value:
        if isinstance(item, (dict, list)) and item:
            start = len(out)
            _emit_block(item, indent + "  ", out)
            out[start] = f"{indent}- {out[start][len(indent) + 2:]}"  # first line after the dash
        else:
            out.append(f"{indent}- {_emit_inline(item)}")


def _emit_inline(value: Any) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _emit_scalar(value)


def dump_data(data: Any) -> str:
    """Plain data (dicts with text keys, lists, text, numbers, booleans, None) as block YAML;
    yaml.safe_load(dump_data(x)) == x. Much faster than yaml.dump for many small files."""
    if not isinstance(data, (dict, list)) or not data:
        return _emit_inline(data) + "\n"
    out: list[str] = []
    _emit_block(data, "", out)
    return "\n".join(out) + "\n"
