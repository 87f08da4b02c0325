"""The archive of published figures: numbers that rankings, the press and the seed articles
published about an establishment's accounts, each with its source and a short quote.

Stored as one CSV (data/published-figures.csv) so that additions are one-line diffs."""

from __future__ import annotations

import csv
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd

from observatory.registry.spec import LINK_PATTERN
from observatory.registry.untrusted import character_problem, length_problem, not_a_regular_file
from observatory.registry.validate import Problem, valid_date
from observatory.registry.vocab import FIGURE_METRICS, FIGURE_PLATFORMS, VALUE_QUALIFIERS

COLUMNS = ("entity", "platform", "metric", "value", "value_qualifier", "figure_date",
           "source_title", "source_publisher", "source_url", "published_on", "quote", "note")
REQUIRED = ("entity", "platform", "metric", "value", "value_qualifier", "source_title", "quote")
NUMBER = re.compile(r"[0-9]+(\.[0-9]+)?")  # used with fullmatch, as every pattern here
LINK = re.compile(LINK_PATTERN)
# Longest text of each free column, in characters (docs/contribuer.md); every cell is one line.
FRANCE = ZoneInfo("Europe/Paris")  # a figure "in the future" is one dated after today in France
DATED = ("figure_date", "published_on")
MAX_LENGTH = {"source_title": 200, "source_publisher": 200, "source_url": 2000, "quote": 500,
              "note": 2000}


def _row_problems(row: dict[str, str], line: int, display: str, ids: set[str], today: str) -> list[Problem]:
    problems = []

    def error(column: str, message: str) -> None:
        problems.append(Problem(display, line, column, message))

    refused = set()
    for column in COLUMNS:  # before anything else reads the cell
        cell = row.get(column) or ""
        if problem := character_problem(cell) or length_problem(cell, MAX_LENGTH.get(column, 200)):
            error(column, problem)
            refused.add(column)
    for column in REQUIRED:
        if column not in refused and not (row.get(column) or "").strip():
            error(column, "valeur obligatoire manquante")
    checks = (
        ("entity", lambda v: v in ids, "aucun établissement ni compte de référence n'a cet "
                                       "identifiant"),
        ("platform", lambda v: v in FIGURE_PLATFORMS, "réseau inconnu ; valeurs permises : "
                                                      + ", ".join(FIGURE_PLATFORMS)),
        ("metric", lambda v: v in FIGURE_METRICS, "mesure inconnue ; valeurs permises : "
                                                  + ", ".join(FIGURE_METRICS)),
        ("value", NUMBER.fullmatch, "nombre attendu, sans espace ni séparateur de milliers"),
        ("value_qualifier", lambda v: v in VALUE_QUALIFIERS, "valeurs permises : "
                                                             + ", ".join(VALUE_QUALIFIERS)),
        ("figure_date", valid_date, "date attendue : AAAA, AAAA-MM ou AAAA-MM-JJ"),
        ("published_on", valid_date, "date attendue : AAAA, AAAA-MM ou AAAA-MM-JJ"),
        ("source_url", LINK.fullmatch, "adresse invalide (http:// ou https://, sans espace)"),
    )
    for column, ok, message in checks:
        value = (row.get(column) or "").strip()
        if value and column not in refused and not ok(value):
            error(column, f"« {value} » : {message}")
        elif column in DATED and value and column not in refused and value > today[:len(value)]:
            error(column, f"« {value} » : date dans le futur (aujourd'hui, en France : {today})")
    if not (row.get("figure_date") or "").strip() and not (row.get("note") or "").strip():
        error("figure_date", "date du chiffre absente : l'expliquer dans la colonne note")
    if not (row.get("source_url") or "").strip() and not (row.get("source_publisher") or "").strip():
        error("source_url", "indiquer l'adresse de la source ou, à défaut, son éditeur")
    return problems


def validate_figures(path: Path, root: Path, ids: set[str], now: datetime | None = None) -> list[Problem]:
    """Every problem of the archive, located by CSV line; a date after today (in France) is one."""
    today = (now or datetime.now(FRANCE)).astimezone(FRANCE).date().isoformat()
    display = str(path.relative_to(root)) if path.is_relative_to(root) else str(path)
    if not path.exists() and not path.is_symlink():
        return []
    if refused := not_a_regular_file(path):
        return [Problem(display, 1, "(fichier)", refused)]
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header != COLUMNS:
            return [Problem(display, 1, "(en-tête)",
                            f"colonnes attendues, dans cet ordre : {','.join(COLUMNS)}")]
        problems = []
        for row in reader:
            line = reader.line_num
            if None in row or any(v is None for v in row.values()):
                problems.append(Problem(display, line, "(ligne)", "nombre de colonnes incorrect"))
                continue
            problems += _row_problems(row, line, display, ids, today)
    return problems


def load_figures(path: Path) -> pd.DataFrame:
    """The archive as a typed DataFrame (call after validate_figures found nothing)."""
    if not path.exists():
        return pd.DataFrame(columns=list(COLUMNS))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame["value"] = pd.to_numeric(frame["value"])
    return frame
