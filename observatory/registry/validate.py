"""Validation of registry files: every problem, located as file:line: field: message, in French.

All files are read and every problem is collected before anything is reported, so that a
maintainer fixes a pull request in one pass (as congress-legislators' validate.py does)."""

from __future__ import annotations

import datetime as dt
import difflib
import json
import multiprocessing
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from observatory.registry.finess import finess_problem
from observatory.registry.handles import PARSERS, HandleError, parse_handle, platform_id_problem
from observatory.registry.spec import (
    BENCHMARK,
    DATE_PATTERN,
    ESTABLISHMENT,
    HTTPS_PATTERN,
    LINK_PATTERN,
    SLUG_PATTERN,
    Field,
)
from observatory.registry.untrusted import character_problem, length_problem, not_a_regular_file, shown
from observatory.registry.vocab import ACCOUNT_STATUS_MEANINGS, ACCOUNT_STATUSES
from observatory.registry.yamlio import Located, Path_, YamlSyntaxError, dump_canonical, parse_located

PARSEABLE = set(PARSERS)

# Matched with fullmatch (see spec.py: `$` lets a final line feed through).
DATE = re.compile(DATE_PATTERN)
SLUG = re.compile(SLUG_PATTERN)
HTTPS = re.compile(HTTPS_PATTERN)
LINK = re.compile(LINK_PATTERN)
KIND_NAMES = {
    "str": "un texte", "text": "un texte", "int": "un nombre entier", "year": "une année",
    "bool": "true ou false", "date": "une date", "https": "une adresse https://",
    "link": "une adresse", "finess": "un numéro FINESS", "slug": "un identifiant",
    "enum": "une valeur de la liste", "list": "une liste", "object": "un ensemble de champs",
    "latitude": "une latitude en degrés décimaux", "longitude": "une longitude en degrés décimaux",
}
COORDINATE_BOUNDS = {"latitude": 90.0, "longitude": 180.0}
# Written by `observatory add` on the fields still to fill: the file is refused while one remains.
TODO_MARK = "# À compléter"
# Top-level keys a newcomer writes for what the format keeps under size:.
SIZE_HINT = ("utilisez `size:` (size.beds : nombre de lits et places ; size.staff : effectif ; "
             "avec size.year et size.source)")
MISPLACED = {"beds": SIZE_HINT, "lits": SIZE_HINT, "staff": SIZE_HINT, "effectif": SIZE_HINT}
# Enum values a maintainer cannot guess from their code alone: each one explained.
EXPLAINED = {tuple(ACCOUNT_STATUSES): {code: f"{code} ({ACCOUNT_STATUSES[code]} : {meaning})"
                                       for code, meaning in ACCOUNT_STATUS_MEANINGS.items()}}


@dataclass(frozen=True, order=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"

    def github_annotation(self) -> str:
        # Properties escape , and : as well, so a file name cannot end one and start another.
        def escape(text: str, prop: bool) -> str:
            text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
            return text.replace(":", "%3A").replace(",", "%2C") if prop else text

        return (f"::error file={escape(self.file, True)},line={self.line},"
                f"title={escape(self.field, True)}::{escape(self.message, False)}")


@dataclass
class Document:
    """One registry file, read and checked."""

    path: Path
    display: str  # path as shown in messages
    id: str
    folder: str  # "establishments" or "benchmarks"
    text: str
    located: Located | None
    problems: list[Problem]

    @property
    def data(self) -> dict[str, Any]:
        return self.located.data if self.located and isinstance(self.located.data, dict) else {}


def field_name(path: Path_) -> str:
    """accounts[1].handle for the first account's handle (positions counted from 1, as people count);
    odd keys are quoted so the field stays one word: ["a\u0020b"]."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part + 1}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}" if out else part
        else:
            out += "[" + json.dumps(part).replace(" ", "\\u0020") + "]"
    return out or "(fichier)"


def _quote(value: Any) -> str:
    text = shown(str(value))
    return f"« {text[:80]}{'…' if len(text) > 80 else ''} »"


def valid_date(text: str) -> bool:
    if not DATE.fullmatch(text):
        return False
    parts = [int(p) for p in text.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


class Checker:
    """Walks one parsed document against a spec, collecting located problems."""

    def __init__(self, display: str, located: Located) -> None:
        self.display = display
        self.located = located
        self.problems: list[Problem] = []

    def error(self, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.display, self.located.line(path), field_name(path), message))

    def check_object(self, value: Any, spec: tuple[Field, ...], path: Path_) -> None:
        if not isinstance(value, dict):
            self.error(path, f"un ensemble de champs « nom: valeur » est attendu, reçu {_quote(value)}")
            return
        known = {f.name: f for f in spec}
        for key in value:
            if key not in known:
                hint = MISPLACED.get(key) if not path else None
                self.error((*path, key), f"champ inconnu « {shown(str(key))} » ; " + (
                    f"{hint} ; " if hint else "") + f"champs permis : {', '.join(known)}")
        for f in spec:
            if f.name not in value or value[f.name] is None:
                if f.required:
                    self.error(path, f"champ obligatoire manquant : « {f.name} » ({f.doc})")
                continue
            self.check_value(value[f.name], f, (*path, f.name))

    def check_value(self, value: Any, f: Field, path: Path_) -> None:
        kind = f.kind
        if kind == "object":
            self.check_object(value, f.spec, path)
        elif kind == "list":
            if not isinstance(value, list):
                self.error(path, f"une liste est attendue (éléments précédés de « - »), "
                                 f"reçu {_quote(value)}")
                return
            assert f.item is not None
            for i, item in enumerate(value):
                if item is None:
                    self.error((*path, i), "élément vide")
                else:
                    self.check_value(item, f.item, (*path, i))
        elif kind == "bool":
            if not isinstance(value, bool):
                self.error(path, f"true ou false attendu, reçu {_quote(value)}")
        elif kind in {"int", "year"}:
            self.check_int(value, kind, path)
        elif kind in COORDINATE_BOUNDS:
            if isinstance(value, bool) or not isinstance(value, (int, float)) \
                    or not abs(value) <= COORDINATE_BOUNDS[kind]:
                self.error(path, f"{KIND_NAMES[kind]} est attendue (entre -{COORDINATE_BOUNDS[kind]:g} "
                                 f"et {COORDINATE_BOUNDS[kind]:g}), reçu {_quote(value)}")
        elif not isinstance(value, str):
            self.error(path, f"{KIND_NAMES[kind]} est attendu, reçu {_quote(value)} "
                             "(mettre la valeur entre guillemets si c'est un texte)")
        else:
            self.check_text(value, f, path)

    def check_int(self, value: Any, kind: str, path: Path_) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(path, f"{KIND_NAMES[kind]} est attendu, reçu {_quote(value)}")
        elif kind == "int" and value < 1:
            self.error(path, f"un nombre positif est attendu, reçu {value}")
        elif kind == "year" and not 1900 <= value <= 2100:
            self.error(path, f"année invraisemblable : {value}")

    def check_text(self, value: str, f: Field, path: Path_) -> None:
        kind = f.kind
        if refused := character_problem(value, multiline=kind == "text"):
            self.error(path, refused)
        elif f.max_length and (too_long := length_problem(value, f.max_length)):
            self.error(path, too_long)
        elif not value.strip():
            self.error(path, "valeur vide")
        elif kind == "str" and "\n" in value:
            self.error(path, "le texte doit tenir sur une ligne")
        elif kind == "enum" and value not in f.choices:
            explained = EXPLAINED.get(f.choices, {})
            self.error(path, f"valeur inconnue {_quote(value)} ; valeurs permises : "
                             f"{', '.join(explained.get(c, c) for c in f.choices)}")
        elif kind == "date" and not valid_date(value):
            self.error(path, f"date invalide {_quote(value)} : AAAA, AAAA-MM ou AAAA-MM-JJ attendu")
        elif kind == "https" and not value.startswith("https://"):
            self.error(path, f"le lien doit commencer par https:// : {_quote(value)}")
        elif kind == "https" and not HTTPS.fullmatch(value):
            self.error(path, f"adresse invalide {_quote(value)} : un nom de domaine après https://, "
                             "sans espace")
        elif kind == "link" and not LINK.fullmatch(value):
            self.error(path, f"adresse invalide {_quote(value)} : http:// ou https://, sans espace")
        elif kind == "slug" and not SLUG.fullmatch(value):
            self.error(path, f"identifiant invalide {_quote(value)} : minuscules, chiffres et tirets")
        elif kind == "finess" and (reason := finess_problem(value)):
            self.error(path, reason)


def _text(value: Any) -> str | None:
    """A field's value when it is text, else None: a list or a mapping where text belongs is
    reported by the field checks, and must not break the checks that compare it."""
    return value if isinstance(value, str) else None


def _check_accounts(checker: Checker, data: dict[str, Any]) -> None:
    accounts = data.get("accounts")
    if not isinstance(accounts, list):
        return
    for i, account in enumerate(accounts):
        if not isinstance(account, dict):
            continue
        platform, handle = _text(account.get("platform")), account.get("handle")
        if isinstance(handle, str) and handle.strip() and platform in PARSEABLE \
                and not character_problem(handle):
            try:
                parse_handle(platform, handle)
            except HandleError as error:
                checker.error(("accounts", i, "handle"), str(error))
        platform_id = account.get("id")
        if isinstance(platform_id, str) and platform in PARSEABLE and not character_problem(platform_id) \
                and (problem := platform_id_problem(platform, platform_id)):
            checker.error(("accounts", i, "id"), problem)
        since, until = account.get("since"), account.get("until")
        _check_previous_handles(checker, i, account)
        if _text(account.get("status")) in {"closed", "left"} and not until:
            checker.error(("accounts", i, "status"),
                          f"un compte « {account['status']} » doit indiquer sa date de fin (until)")
        if isinstance(since, str) and isinstance(until, str) and until < since:
            checker.error(("accounts", i, "until"), f"la date de fin {until} précède le début {since}")


def _handle_key(platform: str, raw: Any) -> str | None:
    """The account's identity on its platform, or None when `raw` breaks the platform's rules."""
    if not isinstance(raw, str) or not raw.strip() or character_problem(raw):
        return None
    try:
        return parse_handle(platform, raw).key
    except HandleError:
        return None


def _check_previous_handles(checker: Checker, i: int, account: dict[str, Any]) -> None:
    """A renamed account's former handles follow its platform's rules, differ from the current
    handle and appear once each: the collector follows the current handle only."""
    platform, previous = _text(account.get("platform")), account.get("previous_handles")
    if platform not in PARSEABLE or not isinstance(previous, list):
        return
    current = _handle_key(platform, account.get("handle"))
    seen: dict[str, int] = {}
    for j, item in enumerate(previous):
        old = item.get("handle") if isinstance(item, dict) else None
        if not isinstance(old, str) or not old.strip() or character_problem(old):
            continue  # reported by the field checks
        path = ("accounts", i, "previous_handles", j, "handle")
        try:
            key = parse_handle(platform, old).key
        except HandleError as error:
            checker.error(path, str(error))
            continue
        if key == current:
            checker.error(path, f"ancien identifiant « {shown(old)} » identique à l'identifiant actuel "
                                "(handle) : ne garder ici que les noms abandonnés")
        elif key in seen:
            checker.error(path, f"ancien identifiant « {shown(old)} » déjà indiqué "
                                f"({field_name(('accounts', i, 'previous_handles', seen[key]))})")
        else:
            seen[key] = j


def _check_unverified(checker: Checker, data: dict[str, Any], spec: tuple[Field, ...]) -> None:
    names = {f.name for f in spec} - {"unverified", "sources"}
    listed = data.get("unverified")
    for i, name in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(name, str) and name not in names:
            checker.error(("unverified", i), f"« {name} » n'est pas un champ de ce fichier")


def _check_finess(checker: Checker, data: dict[str, Any]) -> None:
    finess = data.get("finess")
    if not isinstance(finess, dict):
        return
    sites = finess.get("et") or []
    if isinstance(sites, list):
        seen: set[str] = set()
        for i, number in enumerate(sites):
            if not isinstance(number, str):
                continue
            if number in seen or number == finess.get("ej"):
                checker.error(("finess", "et", i), f"numéro FINESS en double : {number}")
            seen.add(number)


def check_document(path: Path, root: Path | None = None) -> Document:
    """Read and check one registry file on its own (cross-file checks come later)."""
    display = shown(str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path))
    folder = "benchmarks" if path.parent.name == "benchmarks" else "establishments"
    doc_id = path.stem
    if refused := not_a_regular_file(path):
        return Document(path, display, doc_id, folder, "", None, [Problem(display, 1, "(fichier)", refused)])
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problem = Problem(display, 1, "(fichier)", "le fichier doit être encodé en UTF-8")
        return Document(path, display, doc_id, folder, "", None, [problem])
    try:
        located = parse_located(text)
    except YamlSyntaxError as error:
        problem = Problem(display, error.line, "(fichier)", error.message)
        return Document(path, display, doc_id, folder, text, None, [problem])
    checker = Checker(display, located)
    if path.suffix != ".yml":
        checker.error((), "l'extension du fichier doit être .yml")
    if not SLUG.fullmatch(doc_id):
        checker.error((), f"nom de fichier invalide « {shown(path.name)} » : l'identifiant (nom du fichier "
                          "sans .yml) ne contient que des minuscules, chiffres et tirets")
    for key, line in located.duplicate_keys:
        checker.problems.append(Problem(display, line, field_name(key), "champ répété"))
    spec = BENCHMARK if folder == "benchmarks" else ESTABLISHMENT
    if located.data is None:
        checker.error((), "fichier vide")
    else:
        checker.check_object(located.data, spec, ())
    if isinstance(located.data, dict):
        if folder == "establishments" and located.data.get("sources") == []:
            checker.error(("sources",), "au moins une source est requise")
        _check_accounts(checker, located.data)
        _check_unverified(checker, located.data, spec)
        _check_finess(checker, located.data)
    return Document(path, display, doc_id, folder, text, located, checker.problems)


def canonical_data(data: dict[str, Any], spec: tuple[Field, ...]) -> dict[str, Any]:
    """Keys in spec order, handles in their canonical form, empty values dropped."""
    out: dict[str, Any] = {}
    for f in spec:
        value = data.get(f.name)
        if value is None or value == []:
            continue
        if f.kind == "object":
            value = canonical_data(value, f.spec)
        elif f.kind == "list" and f.item is not None and f.item.kind == "object":
            value = [canonical_data(item, f.item.spec) for item in value]
        out[f.name] = value
    if "platform" in out and "handle" in out:
        out["handle"] = parse_handle(out["platform"], out["handle"]).handle
        for previous in out.get("previous_handles", []):
            previous["handle"] = parse_handle(out["platform"], previous["handle"]).handle
    return out


def canonical_text(doc: Document) -> str:
    spec = BENCHMARK if doc.folder == "benchmarks" else ESTABLISHMENT
    return dump_canonical(canonical_data(doc.data, spec))


DIFF_WINDOW = 200  # lines of each side that difflib compares, at most


def format_diff(current: list[str], expected: list[str]) -> tuple[int, list[str]]:
    """The first line that differs and a unified diff of the first differences, in linear time:
    the common start and end are skipped line by line, and difflib (quadratic on long inputs:
    minutes for 20,000 accounts) only compares DIFF_WINDOW lines where the texts first differ."""
    start = 0
    while start < min(len(current), len(expected)) and current[start] == expected[start]:
        start += 1
    end = 0
    while end < min(len(current), len(expected)) - start and current[-1 - end] == expected[-1 - end]:
        end += 1
    old, new = current[start:len(current) - end], expected[start:len(expected) - end]
    first = max(start - 1, 0)  # one line of context before
    window_old = current[first:start] + old[:DIFF_WINDOW]
    window_new = expected[first:start] + new[:DIFF_WINDOW]
    out = []
    for line in difflib.unified_diff(window_old, window_new, "actuel", "attendu", lineterm="", n=1):
        hunk = re.fullmatch(r"@@ -(\d+)(,\d+)? \+(\d+)(,\d+)? @@", line)
        if hunk:  # line numbers of the whole file, not of the window
            line = (f"@@ -{int(hunk[1]) + first}{hunk[2] or ''} "
                    f"+{int(hunk[3]) + first}{hunk[4] or ''} @@")
        out.append(line)
    if len(old) > DIFF_WINDOW or len(new) > DIFF_WINDOW:
        out.append(f"… et d'autres différences plus bas (jusqu'à la ligne {len(current) - end}) : "
                   "« observatory format » les corrige toutes")
    return start + 1, out


def format_problem(doc: Document) -> Problem | None:
    """A problem showing the diff when a valid file is not in canonical form."""
    expected = canonical_text(doc)
    if expected == doc.text:
        return None
    marked = [n for n, line in enumerate(doc.text.splitlines(), start=1) if TODO_MARK in line]
    if marked:
        lines = "ligne marquée" if len(marked) == 1 else "lignes marquées"
        return Problem(doc.display, marked[0], "(à compléter)",
                       f"{len(marked)} {lines} « {TODO_MARK} » (lignes "
                       f"{', '.join(map(str, marked))}) : complétez ces champs ou supprimez ces lignes")
    current, wanted = doc.text.splitlines(), expected.splitlines()
    first_line, diff = format_diff(current, wanted)
    return Problem(doc.display, first_line, "(forme)",
                   "le fichier n'est pas sous sa forme canonique ; lancer « observatory format » "
                   "ou appliquer :\n" + "\n".join(diff))


def cross_file_problems(docs: list[Document]) -> list[Problem]:
    """Duplicate ids, the same account in two places, parents that do not exist."""
    problems: list[Problem] = []
    by_id: dict[str, list[Document]] = defaultdict(list)
    for doc in docs:
        by_id[doc.id.lower()].append(doc)
    # Every file of a clash is named, so the pull request's annotation also lands on the file it changed.
    for same in by_id.values():
        for doc in same if len(same) > 1 else []:
            others = ", ".join(d.display for d in same if d is not doc)
            problems.append(Problem(doc.display, 1, "(identifiant)",
                                    f"identifiant « {doc.id} » déjà utilisé par {others}"))
    holders: dict[tuple[str, str], list[tuple[Document, int]]] = defaultdict(list)
    for doc in docs:
        accounts = doc.data.get("accounts")
        for i, account in enumerate(accounts if isinstance(accounts, list) else []):
            for key in _account_keys(account):
                holders[key].append((doc, i))
    for (platform, key), places in holders.items():
        for n, (doc, i) in enumerate(places):
            line = doc.located.line(("accounts", i)) if doc.located else 1
            here = [j for d, j in places[:n] if d is doc]
            if here:  # twice in one file: reported once, at the second place
                problems.append(Problem(doc.display, line, field_name(("accounts", i)),
                                        f"ce compte {platform} ({key}) figure déjà dans ce fichier "
                                        f"({field_name(('accounts', here[0]))})"))
                continue
            elsewhere = {d.display: field_name(("accounts", j)) for d, j in places if d is not doc}
            if elsewhere:
                where = ", ".join(f"{display} ({field})" for display, field in elsewhere.items())
                problems.append(Problem(doc.display, line, field_name(("accounts", i)),
                                        f"ce compte {platform} ({key}) figure aussi dans {where} ; "
                                        "un compte n'appartient qu'à une fiche"))
    ids = {doc.id for doc in docs}
    for doc in docs:
        parent = doc.data.get("parent")
        if isinstance(parent, str) and SLUG.fullmatch(parent):
            line = doc.located.line(("parent",)) if doc.located else 1
            if parent == doc.id:
                problems.append(Problem(doc.display, line, "parent", "un établissement ne peut "
                                                                     "être son propre parent"))
            elif parent not in ids:
                problems.append(Problem(doc.display, line, "parent",
                                        f"aucun établissement n'a l'identifiant « {parent} »"))
    return problems


def _account_keys(account: Any) -> list[tuple[str, str]]:
    platform = _text(account.get("platform")) if isinstance(account, dict) else None
    if platform not in PARSEABLE:
        return []
    keys = []
    try:
        handle = parse_handle(platform, str(account.get("handle", "")))
        keys.append((platform, handle.key))
    except HandleError:
        pass
    if isinstance(account.get("id"), str):
        keys.append((platform, "id:" + account["id"]))
    return keys


def registry_files(paths: list[Path]) -> list[Path]:
    """Expand folders into the registry files they hold, and anything a registry file cannot be
    (a symbolic link, a folder named x.yml), which check_document reports."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir() and not path.is_symlink():  # rglob does not enter linked folders
            files.extend(sorted(p for p in path.rglob("*") if p.is_symlink() or (
                p.suffix in {".yml", ".yaml"} and p.parent.name in {"establishments", "benchmarks"})))
        else:
            files.append(path)
    return files


def _registry_around(files: list[Path]) -> list[Path]:
    """The other registry files beside the given ones (same data/ folder), for cross-file checks."""
    folders = {f.resolve().parent.parent for f in files if f.parent.name in {"establishments", "benchmarks"}}
    given = {f.resolve() for f in files}
    around = registry_files([d / sub for d in sorted(folders) for sub in ("establishments", "benchmarks")
                             if (d / sub).is_dir()])
    return [f for f in around if f.resolve() not in given]


PARALLEL_FROM = 400  # files: below this, starting worker processes costs more than it saves


def _check_with_format(path: Path, root: Path | None, check_format: bool) -> tuple[Document, Problem | None]:
    doc = check_document(path, root)
    return doc, (format_problem(doc) if check_format and not doc.problems else None)


def _check_in_worker(path: Path, root: Path | None, check_format: bool) -> tuple[Document, Problem | None]:
    """As _check_with_format, but the document sent back to the parent is only what it still
    reads (data, and the lines of cross-file problems): sending whole documents back cost as much
    as checking them."""
    doc, problem = _check_with_format(path, root, check_format)
    if doc.located is not None:
        kept = {key: line for key, line in doc.located.lines.items()
                if key == () or key == ("parent",) or (len(key) == 2 and key[0] == "accounts")}
        doc.located = Located(doc.located.data, kept)
    return Document(doc.path, doc.display, doc.id, doc.folder, "", doc.located, doc.problems), problem


def _check_files(files: list[Path], root: Path | None, check_format: bool,
                 workers: int) -> list[tuple[Document, Problem | None]]:
    """Each file checked on its own (parse, schema, canonical form): the bulk of the work, spread
    over `workers` forked processes for a national registry (thousands of files), in file order."""
    if workers > 1 and len(files) >= PARALLEL_FROM and "fork" in multiprocessing.get_all_start_methods():
        check = partial(_check_in_worker, root=root, check_format=check_format)
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            return pool.map(check, files, chunksize=max(1, len(files) // (workers * 8)))
    return [_check_with_format(f, root, check_format) for f in files]


def validate_paths(paths: list[Path], root: Path | None = None, check_format: bool = True,
                   workers: int = 1) -> tuple[list[Document], list[Problem]]:
    """Check the given files; the rest of their registry is read too (a duplicate account, an id
    taken, a parent), but only the given files' problems are reported. `workers` > 1 (the command
    line's validate): files are checked in that many processes, and the documents returned keep
    their data but not their text."""
    files = registry_files(paths)
    checked = _check_files(files, root, check_format, workers)
    docs = [doc for doc, _ in checked]
    problems = [p for doc in docs for p in doc.problems]
    # Given folders are read whole: only single files need the rest of their registry around them.
    singles = [f for f in files if f in paths]
    context = [check_document(p, root) for p in _registry_around(singles)] if singles else []
    displays = {doc.display for doc in docs}
    problems += [p for p in cross_file_problems([d for d in docs + context if d.located is not None])
                 if p.file in displays]
    problems += [problem for _, problem in checked if problem is not None]
    return docs, sorted(problems)
