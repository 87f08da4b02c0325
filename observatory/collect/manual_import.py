"""`observatory import FILE.csv`: figures read by hand (LinkedIn, TikTok… or any network whose
key is absent) loaded into the snapshot store, with a mandatory source and date.

The file is checked as a whole first; every problem is reported as file:line: column: message,
in French, like the registry's; nothing is stored unless the whole file is valid, and then every
file it changes is written all or nothing. A row keyed to an account the API collects joins that
series (its stable id); a row for a day the API already measured is reported and not stored: the
API's row stands. A collapse of followers is held aside like the collection's (store/held.py)."""

from __future__ import annotations

import csv
import errno
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from observatory.registry.handles import HandleError, parse_handle
from observatory.registry.load import Account, Registry
from observatory.registry.validate import Problem
from observatory.registry.vocab import PLATFORMS
from observatory.store import held, ids, snapshots
from observatory.store import history as store_history
from observatory.textfmt import plural

COLUMNS = ("date", "entity", "platform", "handle", "followers", "following", "posts",
           "source_title", "source_url", "provenance")
REQUIRED_COLUMNS = ("date", "entity", "platform", "handle", "source_title")
COUNTS = ("followers", "following", "posts")
MANUAL_PROVENANCES = ("manual", "published")
DAY = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
URL = re.compile(r"^https?://[^\s/]+\.[^\s/]+")
INTEGER = re.compile(r"^[0-9]+$")
FRANCE = ZoneInfo("Europe/Paris")  # "in the future" means after today in France, not in UTC


# Spreadsheets save CSV in the computer's legacy encoding unless told otherwise: say how to.
NOT_UTF8 = ("le fichier n'est pas encodé en UTF-8 (sans doute Windows-1252 / Latin-1, l'encodage par "
            "défaut d'Excel) ; l'enregistrer à nouveau en UTF-8 : dans Excel, Fichier > Enregistrer sous, "
            "type « CSV UTF-8 (délimité par des virgules) » ; dans LibreOffice Calc, Fichier > Enregistrer "
            "sous, type « Texte CSV », cocher « Éditer les paramètres du filtre », puis jeu de caractères "
            "« Unicode (UTF-8) »")
SEPARATORS = (",", ";", "\t")


def _separator(header_line: str) -> str | None:
    """The separator that splits the header into the most known columns (French Excel writes « ; »).

    None when the line holds none of them (a single column); "," when no split names a column."""
    present = [s for s in SEPARATORS if s in header_line]
    if not present:
        return None if header_line.strip() and header_line.strip() not in COLUMNS else ","

    def known(separator: str) -> int:
        return sum(cell.strip().strip('"') in COLUMNS for cell in header_line.split(separator))

    return max(present, key=lambda s: (known(s), s == ","))


@dataclass
class ImportResult:
    problems: list[Problem] = field(default_factory=list)
    rows: list[snapshots.AccountRow] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # rows not stored for a stated reason, held figures
    lines: dict[tuple[str, str, str], int] = field(default_factory=dict)  # row key -> line in the file


def _find_account(registry: Registry, entity: str, platform: str, key: str) -> Account | None:
    for account in registry.entities[entity].accounts:
        if account.platform == platform and account.key == key:
            return account
    return None


def _unreadable(problem: csv.Error) -> str:
    if "field larger than field limit" in str(problem):
        return (f"ligne illisible : une valeur dépasse {csv.field_size_limit()} caractères (souvent un "
                "guillemet « \" » ouvert et jamais refermé, qui avale la suite du fichier)")
    return f"ligne CSV illisible (message d'origine : « {problem} »)"


def _readable_rows(reader: csv.DictReader, error: Callable[[int, str, str], None]) -> Iterator[dict]:
    """The rows of `reader`; a row the csv module cannot read is a located problem, and the end."""
    try:
        yield from reader
    except csv.Error as problem:
        error(reader.line_num + 1, "(ligne)", _unreadable(problem))  # the line being read


def check_file(path: Path, registry: Registry, data_dir: Path, display: str | None = None,
               today: date | None = None, collected_at: str = "") -> ImportResult:
    """Every problem of the file, located; and the rows it would store when there is none."""
    display = display or str(path)
    today = today or datetime.now(FRANCE).date()
    result = ImportResult()

    def error(line: int, column: str, message: str) -> None:
        result.problems.append(Problem(display, line, column, message))

    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        error(1, "(fichier)", "fichier introuvable")
        return result
    try:
        text = raw_bytes.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        error(raw_bytes.count(b"\n", 0, problem.start) + 1, "(fichier)", NOT_UTF8)
        return result
    lines = text.splitlines(keepends=True)
    separator = _separator(lines[0] if lines else "")
    reader = csv.DictReader(lines, delimiter=separator or ",")
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as problem:
        error(reader.line_num + 1, "(ligne)", _unreadable(problem))  # the line being read
        return result
    reader.fieldnames = header
    unknown = [h for h in header if h not in COLUMNS]
    absent = [c for c in REQUIRED_COLUMNS if c not in header]
    if not header:
        error(1, "(en-tête)", f"fichier vide ; colonnes attendues : {','.join(COLUMNS)}")
    elif separator is None:
        error(1, "(en-tête)", "colonnes non séparées : séparateurs reconnus : virgule « , », point-virgule "
                              "« ; » ou tabulation ; la première ligne n'en contient aucun")
        return result  # every other header message would only repeat this one
    for column in unknown:
        error(1, "(en-tête)", f"colonne inconnue « {column} » ; colonnes permises : {', '.join(COLUMNS)}")
    for column in absent:
        error(1, "(en-tête)", f"colonne obligatoire manquante : « {column} »")
    if not any(c in header for c in COUNTS):
        error(1, "(en-tête)", "au moins une colonne de chiffres est attendue : followers, following ou posts")
    if result.problems:
        result.problems.sort()
        return result
    histories: dict[str, store_history.History] = {}
    known_ids = ids.read_ids(data_dir)
    seen: dict[tuple[str, str, str], int] = {}
    for raw in _readable_rows(reader, error):
        line = reader.line_num
        if None in raw or any(v is None for v in raw.values()):
            error(line, "(ligne)", f"nombre de colonnes incorrect ({len(header)} attendues)")
            continue
        row = {k: (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        before = len(result.problems)
        for column in REQUIRED_COLUMNS:
            if not row.get(column):
                what = {"date": "date du relevé (AAAA-MM-JJ)", "source_title":
                        "source : titre de la page ou du document où le chiffre a été lu"}.get(column, column)
                error(line, column, f"valeur obligatoire manquante : {what}")
        day = row.get("date", "")
        if day:
            try:
                parsed = date.fromisoformat(day) if DAY.match(day) else None
            except ValueError:
                parsed = None
            if parsed is None:
                error(line, "date", f"« {day} » : date invalide, AAAA-MM-JJ attendu (jour compris)")
            elif parsed > today:
                error(line, "date", f"« {day} » : date dans le futur")
        entity, platform, handle = row.get("entity", ""), row.get("platform", ""), row.get("handle", "")
        if entity and entity not in registry.entities:
            error(line, "entity", f"« {entity} » : aucun établissement ni compte de référence n'a cet "
                                  "identifiant dans le registre")
        if platform and platform not in PLATFORMS:
            error(line, "platform", f"« {platform} » : réseau inconnu ; valeurs permises : "
                                    f"{', '.join(PLATFORMS)}")
        account = None
        if handle and platform in PLATFORMS:
            try:
                parsed_handle = parse_handle(platform, handle)
            except HandleError as problem:
                error(line, "handle", str(problem))
            else:
                if entity in registry.entities:
                    account = _find_account(registry, entity, platform, parsed_handle.key)
                    if account is None:
                        known = [a.handle for a in registry.entities[entity].accounts
                                 if a.platform == platform]
                        error(line, "handle", f"« {handle} » : ce compte {platform} n'est pas dans la "
                                              f"fiche de {entity} ; l'y ajouter d'abord" +
                              (f" (comptes {platform} connus : {', '.join(known)})" if known else ""))
        counts: dict[str, int | None] = {}
        for column in COUNTS:
            value = row.get(column, "")
            counts[column] = None
            if value:
                if INTEGER.match(value) and int(value) > snapshots.MAX_COUNT:
                    error(line, column, f"« {value} » : nombre impossible (plus de 64 bits)")
                elif INTEGER.match(value):
                    counts[column] = int(value)
                else:
                    error(line, column, f"« {value} » : nombre entier attendu, sans espace ni "
                                        "séparateur de milliers")
        if all(not row.get(c) for c in COUNTS):
            error(line, next(c for c in COUNTS if c in header),
                  "aucun chiffre : remplir au moins followers, following ou posts")
        url = row.get("source_url", "")
        if url and not URL.match(url):
            error(line, "source_url", f"« {url} » : adresse invalide (http:// ou https:// attendu)")
        provenance = row.get("provenance") or "manual"
        if provenance not in MANUAL_PROVENANCES:
            error(line, "provenance", f"« {provenance} » : valeurs permises : manual (relevé à la main) "
                                      "ou published (chiffre publié par un tiers)")
        if len(result.problems) > before or account is None:
            continue
        duplicate_key = (day, platform, account.key)
        if duplicate_key in seen:
            error(line, "date", f"relevé en double : même compte et même date qu'à la ligne "
                                f"{seen[duplicate_key]}")
            continue
        seen[duplicate_key] = line
        if platform not in histories:
            histories[platform] = store_history.history(data_dir, platform)
        known_id = account.platform_id or known_ids.get((platform, entity, account.key)) \
            or histories[platform].ids_by_handle.get(account.key.lower())
        result.rows.append(snapshots.AccountRow(
            date=day, entity=entity, platform=platform, account_id=known_id or account.key,
            handle=parsed_handle.handle, followers=counts["followers"], following=counts["following"],
            posts=counts["posts"], provenance=provenance, collected_at=collected_at,
            source_title=row["source_title"], source_url=url))
        result.lines[result.rows[-1].key] = line
    if not result.rows and not result.problems:
        error(1, "(fichier)", "aucun relevé dans le fichier")
    result.problems.sort()
    return result


def import_file(path: Path, registry: Registry, data_dir: Path, *, dry_run: bool = False,
                display: str | None = None, clock: Callable[[], datetime] | None = None) -> ImportResult:
    """Check the file; store its rows (provenance manual or published) only if all are valid, in
    one all-or-nothing write; a failed write (a full disk) is a French problem, not a traceback."""
    now = (clock or (lambda: datetime.now(UTC)))()
    display = display or str(path)
    try:
        result = check_file(path, registry, data_dir, display, today=now.astimezone(FRANCE).date(),
                            collected_at=snapshots.utc_text(now))
        if result.problems:
            result.rows = []
            return result
        with snapshots.store_lock(data_dir):
            _leave_out_api_days(result, data_dir, display)
            screening = held.screen(data_dir, result.rows)
            result.notes += held.report_lines(screening)
            if not dry_run:
                result.files = snapshots.write_files({
                    **snapshots.account_texts(data_dir, screening.accepted), **screening.texts})
    except (OSError, snapshots.StoreError) as error:
        return ImportResult(problems=[Problem(display, 1, "(écriture)", _write_failure(error))])
    return result


def _leave_out_api_days(result: ImportResult, data_dir: Path, display: str) -> None:
    """API rows win: an imported row for a day the API measured is reported and not stored."""
    api = snapshots.stored_api_rows(data_dir, result.rows)
    for row in result.rows:
        if row.key in api:
            result.notes.append(
                f"{display}:{result.lines[row.key]}: {row.platform} {row.handle} le {row.date} : un "
                f"relevé de l'API existe déjà ce jour-là ({_followers(api[row.key]['followers'])}) ; "
                "il fait foi, ligne non importée")
    result.rows = [row for row in result.rows if row.key not in api]


def _followers(cell: str) -> str:
    return plural(int(cell), "abonné") if cell.isdigit() else "abonnés non communiqués"


def _write_failure(error: Exception) -> str:
    if isinstance(error, OSError) and error.errno == errno.ENOSPC:
        what = "disque plein"
    elif isinstance(error, OSError):
        what = f"écriture impossible ({error.strerror or error})"
    else:
        what = f"fichier de relevés illisible ({error})"
    return (f"{what} ; rien n'a été importé, les fichiers de relevés sont restés tels quels ; "
            "corriger la cause puis relancer l'import")
