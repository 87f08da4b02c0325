"""Case studies, read: a study's front matter and body checked against the registry and the
vocabularies, every problem located (file:line)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observatory.registry.load import Registry, RegistryError
from observatory.registry.spec import LINK_PATTERN, SLUG_PATTERN
from observatory.registry.untrusted import character_problem, length_problem, not_a_regular_file, shown
from observatory.registry.validate import Problem, valid_date
from observatory.registry.vocab import PLATFORMS, SECTORS, THEMES
from observatory.registry.yamlio import Located, YamlSyntaxError, parse_located
from observatory.site import leaderboard_pages
from observatory.textfmt import number

SOURCES_DIR = "etudes"  # under data/
PAGES_DIR = "etudes"  # under docs/
SECTORS_DIR = "secteurs"  # under docs/
RESERVED_SLUGS = ("index", "themes", "reseaux")  # names of the index pages beside the studies
FIELDS = ("title", "date", "events_date", "summary", "establishments", "networks", "themes", "sector",
          "sources")
OPTIONAL_FIELDS = ("events_date",)  # absent when the sources do not say when the events took place
SOURCE_FIELDS = ("title", "publisher", "url", "published_on", "note")
# Matched with fullmatch: `$` would let a final line feed through.
FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# When the events took place: a date (AAAA, AAAA-MM or AAAA-MM-JJ) or a period of months or years.
PERIOD = re.compile(r"([0-9]{4}(?:-[0-9]{2})?)/([0-9]{4}(?:-[0-9]{2})?)")
SLUG = re.compile(SLUG_PATTERN)
LINK = re.compile(LINK_PATTERN)
# Longest value of each front-matter text, and of a whole study, in characters (docs/contribuer.md).
MAX_LENGTH = {"title": 200, "summary": 500, "publisher": 200, "url": 2000, "note": 2000}
MAX_STUDY = 50_000
DIRECTIVE = re.compile(r"\{\{(.*?)\}\}")
# An opening code fence (CommonMark): ``` or ~~~, at most three spaces in, and no backtick after
# ``` (a line of inline code that starts with three backticks opens nothing).
FENCE = re.compile(r" {0,3}(`{3,}|~{3,})([^`]*)")
METRICS = leaderboard_pages.METRIC_LABELS  # metrics of the live directives: code -> (label, unit, decimals)
USAGE = {
    "abonnes": "abonnes ID RÉSEAU [RÉSEAU…]",
    "mesure": "mesure ID RÉSEAU MESURE",
    "classement": "classement RÉSEAU MESURE ID ID [ID…]",
    "chiffres": "chiffres ID [RÉSEAU [MESURE]]",
}
ALIASES = {"abonnés": "abonnes"}
PROVENANCES = {"api": "relevé de l'observatoire", "manual": "relevé manuel",
               "published": "chiffre publié importé"}


class StudyProblem(Problem):
    """A located problem of a case study, shown as `page:line: message`."""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class CaseStudyError(RegistryError):
    """Case studies that cannot be expanded; build_site reports it like a registry problem."""


@dataclass
class Study:
    slug: str
    display: str  # source path as shown in messages
    title: str = ""
    date: str = ""  # of writing
    events_date: str = ""  # of the events: a date, or a period « start/end » (events_date_fr)
    summary: str = ""
    establishments: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    sectors: list[str] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    body: list[tuple[int, str]] = field(default_factory=list)  # (line in the source, text)

    @property
    def path(self) -> str:
        """Path of the generated page, relative to docs/."""
        return f"{PAGES_DIR}/{self.slug}.md"


Report = Callable[[int, str], None]


# ---------------------------------------------------------------------------------------------
# Reading and checking the sources


def suggest(token: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(token, choices, n=1)
    return f" (vouliez-vous dire « {close[0]} » ?)" if close else ""


def _codes(value: Any) -> list[Any]:
    """A front-matter value that may be one code or a list of codes."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _front_matter(study: Study, doc: Located, registry: Registry, error: Report) -> None:
    """Fill `study` from its front matter; every line is that of the source file."""
    data = doc.data

    def at(*path: str | int) -> int:
        return doc.line(path) + 1  # the front matter starts on line 2 of the file

    if not isinstance(data, dict):
        error(2, "l'en-tête doit être une suite de champs « nom: valeur » ; champs attendus : "
                 + ", ".join(FIELDS))
        return
    if _refused_texts(data, (), at, error):
        return
    for key in data:
        if key not in FIELDS:
            error(at(key), f"champ inconnu « {key} »{suggest(key, list(FIELDS))} ; champs permis : "
                           + ", ".join(FIELDS))
    for key in FIELDS:
        if data.get(key) in (None, "", []) and key not in OPTIONAL_FIELDS:
            error(at(key) if key in data else 1, f"champ obligatoire manquant ou vide : {key}")
    for key in ("title", "summary"):
        value = data.get(key)
        if value not in (None, "") and not isinstance(value, str):
            error(at(key), f"{key} : un texte est attendu")
        elif isinstance(value, str):
            setattr(study, key, " ".join(value.split()))
    date = str(data.get("date") or "")
    if date and not (FULL_DATE.fullmatch(date) and valid_date(date)):
        error(at("date"), f"date « {date} » : date complète attendue, AAAA-MM-JJ")
    elif date:
        study.date = date
    events = str(data.get("events_date") or "")
    if events and (problem := events_date_problem(events)):
        error(at("events_date"), f"events_date « {events} » : {problem}")
    elif events:
        study.events_date = events

    checks: list[tuple[str, dict[str, Any], str, str]] = [
        ("establishments", dict(registry.entities), "établissement inconnu",
         "aucun identifiant du registre (data/establishments, data/benchmarks) ne correspond"),
        ("networks", PLATFORMS, "réseau inconnu", "réseaux permis : " + ", ".join(PLATFORMS)),
        ("themes", THEMES, "thème inconnu", "thèmes permis : " + ", ".join(THEMES)),
        ("sector", SECTORS, "secteur inconnu", "secteurs permis : " + ", ".join(SECTORS)),
    ]
    for key, allowed, what, hint in checks:
        value = data.get(key)
        kept: list[str] = []
        for i, item in enumerate(_codes(value)):
            line = at(key, i) if isinstance(value, list) else at(key)
            if not isinstance(item, str) or item not in allowed:
                error(line, f"{key} : {what} « {item} »{suggest(str(item), list(allowed))} ; {hint}")
            elif item not in kept:
                kept.append(item)
        setattr(study, "sectors" if key == "sector" else key, kept)
    _sources(study, data.get("sources"), at, error)


def events_date_problem(text: str) -> str | None:
    """Why `text` is not a date of events (a date, or a period of months or years), or None."""
    expected = ("une date (AAAA, AAAA-MM ou AAAA-MM-JJ) ou une période de mois ou d'années, "
                "début/fin (par exemple 2013-09/2014-12) attendue")
    period = PERIOD.fullmatch(text)
    if period is None:
        return None if valid_date(text) else expected
    start, end = period.groups()
    if not (valid_date(start) and valid_date(end)) or len(start) != len(end):
        return expected + " ; le début et la fin ont la même précision (deux mois ou deux années)"
    if start >= end:
        return "le début de la période doit précéder sa fin"
    return None


def _refused_texts(value: Any, path: tuple[str | int, ...], at: Callable[..., int], error: Report) -> bool:
    """Report every front-matter text holding a refused character or too long; True if any."""
    if isinstance(value, dict):
        found = [_refused_texts(v, (*path, k), at, error) for k, v in value.items()]
        return any(found) or _refused_texts(list(value), path, at, error)
    if isinstance(value, list):
        return any([_refused_texts(v, (*path, i), at, error) for i, v in enumerate(value)])
    if not isinstance(value, str):
        return False
    key = next((part for part in reversed(path) if isinstance(part, str)), "")
    problem = character_problem(value, multiline=key == "note") or length_problem(
        value, MAX_LENGTH.get(key, 200))
    if problem:
        error(at(*path), f"{key or 'en-tête'} : {problem}")
    return problem is not None


def _sources(study: Study, value: Any, at: Callable[..., int], error: Report) -> None:
    if value in (None, "", []):
        return
    if not isinstance(value, list):
        error(at("sources"), "sources : une liste est attendue (chaque élément commence par « - title: »)")
        return
    for i, source in enumerate(value):
        if not isinstance(source, dict):
            error(at("sources", i), "sources : chaque source est un ensemble de champs (title, publisher, "
                                    "url, published_on, note)")
            continue
        for key in source:
            if key not in SOURCE_FIELDS:
                error(at("sources", i, key), f"sources : champ inconnu « {key} » ; champs permis : "
                                             + ", ".join(SOURCE_FIELDS))
        if not isinstance(source.get("title"), str) or not source["title"].strip():
            error(at("sources", i), "sources : le titre (title) de la source est obligatoire")
        url = str(source.get("url") or "")
        if url and not LINK.fullmatch(url):
            error(at("sources", i, "url"), f"sources : adresse « {url} » invalide (http:// ou https://)")
        published = str(source.get("published_on") or "")
        if published and not valid_date(published):
            error(at("sources", i, "published_on"),
                  f"sources : date « {published} » : AAAA, AAAA-MM ou AAAA-MM-JJ attendu")
        study.sources.append({k: str(source[k]) for k in SOURCE_FIELDS if source.get(k) not in (None, "")})


def in_code(lines: list[str]) -> list[bool]:
    """For each line, whether it belongs to a fenced code block (its fences included)."""
    inside, fence = [], None
    for line in lines:
        if fence is None and (opening := FENCE.fullmatch(line)):
            fence = opening.group(1)
            inside.append(True)
        elif fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence) and not stripped.strip(fence[0]):
                fence = None
            inside.append(True)
        else:
            inside.append(False)
    return inside


def _check_body(study: Study, error: Report) -> None:
    # No check of the HTML here: the prose is rendered and cleaned against an allow-list (prose.py).
    lines = [line for _, line in study.body]
    for (line_no, line), code in zip(study.body, in_code(lines), strict=True):
        if refused := character_problem(line, multiline=True):
            error(line_no, refused)
        if not code and re.match(r"^#(\s|$)", line):
            error(line_no, "titre de niveau 1 : le titre de la page vient du champ title de l'en-tête ; "
                           "commencer les sections par « ## »")


def read_study(path: Path, root: Path, registry: Registry) -> tuple[Study, list[Problem]]:
    """One study source, read and checked (directives are checked when expanded)."""
    display = shown(str(path.relative_to(root)) if path.is_relative_to(root) else str(path))
    problems: list[Problem] = []

    def error(line: int, message: str) -> None:
        problems.append(StudyProblem(display, line, "étude de cas", message))

    study = Study(slug=path.stem, display=display)
    if not SLUG.fullmatch(path.stem) or path.stem in RESERVED_SLUGS:
        error(1, f"nom de fichier « {shown(path.name)} » : minuscules sans accent, chiffres et tirets, "
                 f"terminé par .md ; noms réservés : {', '.join(RESERVED_SLUGS)}")
    if refused := not_a_regular_file(path):
        error(1, refused)
        return study, problems
    text = path.read_text(encoding="utf-8")
    if len(text) > MAX_STUDY:
        error(1, f"étude trop longue : {number(len(text))} caractères pour {number(MAX_STUDY)} au plus ; "
                 "la scinder en plusieurs études")
        return study, problems
    # Lines as an editor counts them: splitlines() would also break at the controls refused below.
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        error(1, "l'étude doit commencer par un en-tête YAML, entre deux lignes « --- »")
        return study, problems
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        error(1, "en-tête YAML non fermé : ajouter une ligne « --- » après le dernier champ")
        return study, problems
    try:
        doc = parse_located("\n".join(lines[1:end]))
    except YamlSyntaxError as problem:
        error(problem.line + 1, problem.message)
        return study, problems
    _front_matter(study, doc, registry, error)
    study.body = [(i + 1, lines[i]) for i in range(end + 1, len(lines))]
    _check_body(study, error)
    return study, problems


def load_studies(root: Path, registry: Registry) -> tuple[list[Study], list[Problem]]:
    folder = root / "data" / SOURCES_DIR
    studies, problems = [], []
    for path in sorted(folder.glob("*.md")) if folder.exists() else []:
        study, found = read_study(path, root, registry)
        studies.append(study)
        problems += found
    return studies, problems
