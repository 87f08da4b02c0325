"""The snapshot store: append-only, diff-friendly CSV files under data/snapshots/.

Two tables, one CSV per platform and month, fixed column order, sorted rows:

- data/snapshots/accounts/<platform>/<YYYY-MM>.csv: one row per account per collection day
  (month of the collection day). Key (date, platform, account_id): a second run on the same
  day replaces that day's row, it never adds one.
- data/snapshots/posts/<platform>/<YYYY-MM>.csv: one row per post of an account's own recent
  posts (month of publication). Key (platform, post_id): a new measurement replaces the row
  only while the post is younger than REFRESH_DAYS at measurement; after that the row stays
  as last measured. No post text is ever stored.

Every file is written aside then renamed over the old one (os.replace), so a run killed at
any moment leaves every file either as it was or as it should be: never half-written.
Empty cells mean "not given by the platform", never 0."""

from __future__ import annotations

import csv
import io
import multiprocessing
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from pandas.api.types import union_categoricals

from observatory.textfmt import words

REFRESH_DAYS = 30
PROVENANCES = ("api", "manual", "published")

ACCOUNT_COLUMNS = ("date", "entity", "platform", "account_id", "handle", "followers", "following",
                   "posts", "provenance", "collected_at", "source_title", "source_url")
POST_COLUMNS = ("platform", "post_id", "entity", "account_id", "published_at", "is_reply",
                "is_repost", "likes", "reposts", "replies", "quotes", "views", "measured_at")

_INT = "Int64"
_STR = "string"
ACCOUNT_DTYPES = {"date": _STR, "entity": _STR, "platform": _STR, "account_id": _STR,
                  "handle": _STR, "followers": _INT, "following": _INT, "posts": _INT,
                  "provenance": _STR, "collected_at": _STR, "source_title": _STR,
                  "source_url": _STR}
POST_DTYPES = {"platform": _STR, "post_id": _STR, "entity": _STR, "account_id": _STR,
               "published_at": _STR, "is_reply": "boolean", "is_repost": "boolean", "likes": _INT,
               "reposts": _INT, "replies": _INT, "quotes": _INT, "views": _INT,
               "measured_at": _STR}


MAX_COUNT = 2 ** 63 - 1  # a count must fit the store's 64-bit integers: beyond, it is garbage
ACCOUNT_COUNTS = ("followers", "following", "posts")
POST_COUNTS = ("likes", "reposts", "replies", "quotes", "views")


class StoreError(Exception):
    """A snapshot file that cannot be read safely (it is then never overwritten)."""


def impossible(row: AccountRow | PostRow) -> list[str]:
    """What makes the row impossible (French, one item per count): a count that is negative, not
    an integer, or beyond 64 bits. Such a row is refused at the door: one of them would make
    every later build fail."""
    counts = ACCOUNT_COUNTS if isinstance(row, AccountRow) else POST_COUNTS
    out = []
    for name in counts:
        value = getattr(row, name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            out.append(f"{name} = {value!r} : nombre entier attendu")
        elif not 0 <= value <= MAX_COUNT:
            out.append(f"{name} = {value} : " + ("nombre négatif" if value < 0 else
                                                  "nombre hors de portée (plus de 64 bits)"))
    return out


def _refuse_impossible(rows: Iterable[AccountRow | PostRow]) -> None:
    for row in rows:
        problems = impossible(row)
        if problems:
            raise ValueError(f"relevé impossible refusé ({row.platform} {row.account_id}) : "
                             + " ; ".join(problems))


def snapshots_dir(data_dir: Path) -> Path:
    return data_dir / "snapshots"


def utc_text(moment: datetime) -> str:
    """2025-03-15T06:00:00Z: UTC, to the second."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """A stored or API timestamp as an aware UTC datetime (raises ValueError)."""
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class AccountRow:
    date: str  # YYYY-MM-DD, collection day (UTC)
    entity: str
    platform: str
    account_id: str  # stable id on the platform (DID, numeric id, channel id…)
    handle: str  # handle at that time
    followers: int | None
    following: int | None
    posts: int | None
    provenance: str  # api, manual or published
    collected_at: str  # UTC timestamp
    source_title: str = ""
    source_url: str = ""

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.date, self.platform, self.account_id)


@dataclass(frozen=True)
class PostRow:
    platform: str
    post_id: str
    entity: str
    account_id: str
    published_at: str  # UTC timestamp
    is_reply: bool  # a reply to someone else (threads of one's own posts are not replies)
    is_repost: bool  # a repost (boost, retweet) of someone else's post
    likes: int | None
    reposts: int | None
    replies: int | None
    quotes: int | None
    views: int | None
    measured_at: str  # UTC timestamp

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.post_id)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _as_cells(row: AccountRow | PostRow) -> dict[str, str]:
    return {f.name: _cell(getattr(row, f.name)) for f in fields(row)}


def read_rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    """The rows of a store CSV file as text cells (none when the file does not exist); also read by
    the held rows, the id table and the git merge driver."""
    if not path.exists():
        return []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != tuple(columns):
                raise StoreError(f"{path} : en-tête inattendu ; fichier laissé tel quel")
            rows = []
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    raise StoreError(f"{path}:{reader.line_num} : nombre de colonnes incorrect ; "
                                     "fichier laissé tel quel")
                rows.append(row)
            return rows
    except (UnicodeDecodeError, csv.Error) as error:
        raise StoreError(f"{path} : illisible ({error}) ; fichier laissé tel quel") from None


def render_rows(rows: Iterable[dict[str, str]], columns: Sequence[str]) -> str:
    """A store CSV file's exact text: every writer of the store goes through it, so files compare equal."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return out.getvalue()


def write_aside(path: Path, text: str) -> Path:
    """Write text to a temporary file beside path and flush it to disk; return the temporary."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
    except BaseException:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return Path(tmp)


LOCK_NAME = ".verrou-releves"  # beside data/snapshots/ (which may not exist yet), git-ignored


@contextmanager
def store_lock(data_dir: Path) -> Iterator[None]:
    """Hold the store's lock around a read-merge-write: two writers at once (a collection and an
    import, or two runs) would each merge into what they read, and the last rename would drop the
    other's rows. An advisory lock (flock) on Unix; elsewhere nothing (one writer at a time)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover (Windows)
        yield
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / LOCK_NAME, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_files(texts: Mapping[Path, str]) -> list[Path]:
    """Write several files all or nothing: every one aside first, then all renamed over the old
    ones. If any write fails (a full disk), none is renamed, every temporary is removed, and the
    error is raised: the store is left exactly as it was."""
    written: list[tuple[Path, Path]] = []
    try:
        for path in sorted(texts):
            written.append((write_aside(path, texts[path]), path))
    except BaseException:
        for tmp, _ in written:
            with suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    renamed = 0
    try:
        for tmp, path in written:
            os.replace(tmp, path)
            renamed += 1
    except BaseException:  # a rename refused: the files not reached stay as they were
        for tmp, _ in written[renamed:]:
            with suppress(FileNotFoundError):
                os.unlink(tmp)
        raise
    for folder in {path.parent for path in texts}:
        with suppress(OSError):  # make the renames durable where the platform allows
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    return sorted(texts)


def atomic_write(path: Path, text: str) -> None:
    """Write text to a temporary file beside path, flush it to disk, then rename it over path."""
    write_files({path: text})


def remove_stale_temp_files(data_dir: Path) -> list[Path]:
    """Temporary files left by a run that was killed between writing and renaming."""
    root = snapshots_dir(data_dir)
    stale = sorted(root.rglob(".*.tmp")) if root.exists() else []
    for path in stale:
        with suppress(FileNotFoundError):
            path.unlink()
    return stale


def account_sort_key(row: dict[str, str]) -> tuple[str, ...]:
    """The order of rows in an account snapshot file."""
    return (row["date"], row["entity"], row["account_id"])


def _post_sort(row: dict[str, str]) -> tuple[str, ...]:
    return (row["published_at"], row["post_id"])


def accounts_path(data_dir: Path, platform: str, month: str) -> Path:
    return snapshots_dir(data_dir) / "accounts" / platform / f"{month}.csv"


def posts_path(data_dir: Path, platform: str, month: str) -> Path:
    return snapshots_dir(data_dir) / "posts" / platform / f"{month}.csv"


def write_accounts(data_dir: Path, rows: Iterable[AccountRow]) -> list[Path]:
    """Store account rows (see account_texts); returns the files that changed."""
    with store_lock(data_dir):
        return write_files(account_texts(data_dir, rows))


def account_texts(data_dir: Path, rows: Iterable[AccountRow]) -> dict[Path, str]:
    """The new text of every account file these rows change. A row with the same (date, platform,
    account_id) replaces the stored one, with two exceptions. A same-day API re-run keeps what the
    day's earlier run knew: a count it could not read (a listing that failed) is taken from the
    earlier row, never blanked. And an API row is never replaced by a manual or published one."""
    groups: dict[Path, list[AccountRow]] = {}
    rows = list(rows)
    _refuse_impossible(rows)
    for row in rows:
        if row.provenance not in PROVENANCES:
            raise ValueError(f"provenance inconnue : {row.provenance}")
        groups.setdefault(accounts_path(data_dir, row.platform, row.date[:7]), []).append(row)
    return _merged_texts(groups, ACCOUNT_COLUMNS, ("date", "platform", "account_id"), account_sort_key,
                         _combine_account)


def _combine_account(row: AccountRow, old: dict[str, str] | None) -> dict[str, str] | None:
    cells = _as_cells(row)
    if old is None:
        return cells
    if old["provenance"] == "api" and row.provenance != "api":
        return None
    if old["provenance"] == "api" == row.provenance:
        for column in ACCOUNT_COUNTS:
            cells[column] = cells[column] or old[column]
    return cells


def stored_api_rows(data_dir: Path, rows: Iterable[AccountRow]) -> dict[tuple[str, str, str], dict[str, str]]:
    """The API rows already stored under these rows' keys (same day, platform and account)."""
    keys = {row.key for row in rows}
    out = {}
    for path in sorted({accounts_path(data_dir, platform, day[:7]) for day, platform, _ in keys}):
        for stored in read_rows(path, ACCOUNT_COLUMNS):
            key = (stored["date"], stored["platform"], stored["account_id"])
            if key in keys and stored["provenance"] == "api":
                out[key] = stored
    return out


def refreshable(published_at: str, measured_at: str, days: int = REFRESH_DAYS) -> bool:
    """Whether a measurement taken at measured_at may still replace an earlier one."""
    return parse_time(measured_at) - parse_time(published_at) < timedelta(days=days)


def write_posts(data_dir: Path, rows: Iterable[PostRow]) -> list[Path]:
    """Store post measurements (see post_texts); returns the files that changed."""
    with store_lock(data_dir):
        return write_files(post_texts(data_dir, rows))


def post_texts(data_dir: Path, rows: Iterable[PostRow]) -> dict[Path, str]:
    """The new text of every post file these rows change: a new post is added; a known one is
    refreshed only while it is younger than REFRESH_DAYS at the new measurement, never by an
    older measurement."""
    groups: dict[Path, list[PostRow]] = {}
    rows = list(rows)
    _refuse_impossible(rows)
    for row in rows:
        month = utc_text(parse_time(row.published_at))[:7]
        groups.setdefault(posts_path(data_dir, row.platform, month), []).append(row)

    def combine(row: PostRow, old: dict[str, str] | None) -> dict[str, str] | None:
        if old is None or (refreshable(row.published_at, row.measured_at)
                           and parse_time(row.measured_at) >= parse_time(old["measured_at"])):
            return _as_cells(row)
        return None

    return _merged_texts(groups, POST_COLUMNS, ("platform", "post_id"), _post_sort, combine)


def _merged_texts(groups: dict[Path, list], columns: Sequence[str], key: Sequence[str],
                  sort: Callable[[dict[str, str]], tuple[str, ...]],
                  combine: Callable[[Any, dict[str, str] | None], dict[str, str] | None]
                  ) -> dict[Path, str]:
    """Merge new rows into each file by key (`combine` gives the row to keep, None for the stored
    one); the files whose text changed, with their new text."""
    changed = {}
    for path, new in sorted(groups.items()):
        merged = {tuple(r[k] for k in key): r for r in read_rows(path, columns)}
        for row in new:
            cells = combine(row, merged.get(row.key))
            if cells is not None:
                merged[row.key] = cells
        text = render_rows(sorted(merged.values(), key=sort), columns)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            changed[path] = text
    return changed


def store_files(data_dir: Path, table: str, platforms: Iterable[str] | None) -> list[Path]:
    """The monthly CSV files of a table (accounts or posts), of the given platforms (all: None)."""
    root = snapshots_dir(data_dir) / table
    if not root.exists():
        return []
    wanted = set(platforms) if platforms is not None else None
    return sorted(p for p in root.glob("*/*.csv") if wanted is None or p.parent.name in wanted)


# Columns with few distinct values are read as categories: millions of rows then hold small
# codes instead of one string object each (a national build stays within its memory budget).
_CATEGORICAL = {"date", "entity", "platform", "account_id", "handle", "provenance", "source_title",
                "source_url"}
METRIC_ACCOUNT_COLUMNS = ("date", "entity", "platform", "account_id", "handle", "followers", "following",
                          "posts")
METRIC_POST_COLUMNS = ("platform", "entity", "account_id", "published_at", "is_reply", "is_repost",
                       "likes", "reposts")
PARALLEL_BYTES = 64 * 1024 * 1024  # past this much CSV (national: ~900 MB), one forked reader per core
_TIMES = ("collected_at", "published_at", "measured_at")  # UTC timestamps, parsed file by file


def _load(files: list[Path], columns: Sequence[str], dtypes: dict[str, str],
          data_dir: Path, problems: list[str] | None) -> pd.DataFrame:
    """The files' rows, typed. A row a hand edit made unreadable (a count that is negative, not a
    number or beyond 64 bits, a day that does not exist…) is left out and reported as file:line,
    in `problems` or else on stderr: one bad cell must never stop a build."""
    arguments, workers = [(path, columns, dtypes, data_dir) for path in files], min(4, os.cpu_count() or 1)
    forking = "fork" in multiprocessing.get_all_start_methods()
    if forking and workers > 1 and sum(path.stat().st_size for path in files) >= PARALLEL_BYTES:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            results = pool.starmap(_read_file, arguments, chunksize=4)  # in file order, problems too
    else:
        results = [_read_file(*args) for args in arguments]
    frames = [frame for frame, _ in results if frame is not None]
    found = [problem for _, file_problems in results for problem in file_problems]
    if problems is None:
        for problem in found:
            print(problem, file=sys.stderr, flush=True)
    else:
        problems.extend(found)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="category" if c in _CATEGORICAL else "datetime64[ns, UTC]"
                                       if c in _TIMES else dtypes[c]) for c in columns})
    data = {}
    for column in columns:
        parts = [f.pop(column) for f in frames]  # freed as merged: the peak stays near one copy
        if column in _CATEGORICAL:
            data[column] = pd.Series(union_categoricals(parts, sort_categories=True))
        else:
            data[column] = pd.concat(parts, ignore_index=True)
            if dtypes[column] == _STR and column not in _TIMES:
                data[column] = data[column].astype(_STR)
    return pd.DataFrame(data)


def _read_file(path: Path, columns: Sequence[str], dtypes: dict[str, str],
               data_dir: Path) -> tuple[pd.DataFrame | None, list[str]]:
    """One file's rows, typed, and the problems of the rows left out (file:line)."""
    try:
        frame = _read_typed(path, columns, dtypes)
        if not _suspicious(frame, columns, dtypes):
            return frame, []
    except (ValueError, OverflowError, TypeError):
        pass
    found: list[str] = []
    good = _checked_rows(path, display(path, data_dir), columns, dtypes, found)
    return (_read_typed(io.StringIO(render_rows(good, columns)), columns, dtypes) if good else None,
            found)


def display(path: Path, data_dir: Path) -> str:
    """A store file as a maintainer finds it: data/snapshots/…"""
    root = data_dir.parent
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _read_typed(source: Path | io.StringIO, columns: Sequence[str], dtypes: dict[str, str]) -> pd.DataFrame:
    # Text is read as plain objects and made categorical file by file: read_csv's own "category"
    # would turn ids such as 010 into numbers (a test says so).
    types = {c: object if c in _CATEGORICAL else dtypes[c] for c in columns}
    frame = pd.read_csv(source, usecols=list(columns), dtype=types, keep_default_na=False,
                        na_values={c: [""] for c in columns if dtypes[c] != _STR}, engine="c")
    for column in _CATEGORICAL.intersection(columns):
        frame[column] = frame[column].astype("category")
    for column in set(_TIMES).intersection(columns):  # ISO 8601: pandas' compiled parser
        frame[column] = pd.to_datetime(frame[column], format="ISO8601", utc=True)
    return frame


def _suspicious(frame: pd.DataFrame, columns: Sequence[str], dtypes: dict[str, str]) -> bool:
    """Whether a file read without error still holds a value no writer of the store produces
    (then it is read again row by row, to name the line)."""
    if any((frame[c] < 0).any() for c in columns if dtypes[c] == _INT):
        return True
    if any(frame[c].isna().any() for c in _REQUIRED.intersection(columns)):
        return True
    return "date" in columns and bool(pd.to_datetime(frame["date"].cat.categories.astype(str),
                                                     format="%Y-%m-%d", errors="coerce").isna().any())


_REQUIRED = {"date", "platform", "account_id", "post_id", "published_at"}
_BOOLEANS = ("", "true", "false")


def _bad_cell(row: dict[str, str], columns: Sequence[str], dtypes: dict[str, str]) -> str | None:
    """Why a stored row cannot be read (French), or None."""
    for column in columns:
        value = row[column]
        if column in _REQUIRED and not value:
            return f"colonne {column} vide"
        if not value:
            continue
        if dtypes[column] == _INT and (not value.isascii() or not value.isdigit() or int(value) > MAX_COUNT):
            return f"colonne {column} : « {value} » : nombre entier positif sur 64 bits attendu"
        if dtypes[column] == "boolean" and value.lower() not in _BOOLEANS:
            return f"colonne {column} : « {value} » : true ou false attendu"
        if column == "date" and not _valid_day(value):
            return f"colonne date : « {value} » : jour AAAA-MM-JJ attendu"
        if column in _TIMES:
            try:
                parse_time(value)
            except ValueError:
                return f"colonne {column} : « {value} » : horodatage ISO 8601 attendu"
    return None


def _valid_day(text: str) -> bool:
    try:
        return len(text) == 10 and date.fromisoformat(text) is not None
    except ValueError:
        return False


def _checked_rows(path: Path, display: str, columns: Sequence[str], dtypes: dict[str, str],
                  problems: list[str]) -> list[dict[str, str]]:
    """The file's readable rows; each other one reported as file:line and left out."""
    good = []
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = [c for c in columns if c not in (reader.fieldnames or ())]
            if missing:
                absent = words(len(missing), "colonne absente")
                problems.append(f"{display}:1 : en-tête inattendu ({absent} : {', '.join(missing)}) ; "
                                "fichier écarté des calculs")
                return []
            for row in reader:
                if None in row or any(v is None for v in row.values()):
                    reason: str | None = "nombre de colonnes incorrect"
                else:
                    reason = _bad_cell(row, columns, dtypes)
                if reason:
                    problems.append(f"{display}:{reader.line_num} : {reason} ; relevé écarté des calculs")
                else:
                    good.append({c: row[c] for c in columns})
    except (UnicodeDecodeError, csv.Error) as error:
        problems.append(f"{display} : illisible ({error}) ; fichier écarté des calculs")
        return []
    return good


def _parse_days(column: pd.Series) -> pd.Series:
    """A categorical column of YYYY-MM-DD dates as datetime64, parsing each distinct day once."""
    days = pd.to_datetime(column.cat.categories, format="ISO8601")
    return pd.Series(days.take(column.cat.codes.to_numpy()), index=column.index)


def load_accounts(data_dir: Path, platforms: Iterable[str] | None = None,
                  columns: Sequence[str] = ACCOUNT_COLUMNS, problems: list[str] | None = None
                  ) -> pd.DataFrame:
    """The account rows (`columns` of them), typed: counts as Int64 (missing = <NA>), date as
    datetime64, collected_at as UTC datetimes, other text columns as categories."""
    frame = _load(store_files(data_dir, "accounts", platforms), columns, ACCOUNT_DTYPES, data_dir, problems)
    frame["date"] = _parse_days(frame["date"])
    return frame


def load_posts(data_dir: Path, platforms: Iterable[str] | None = None,
               columns: Sequence[str] = POST_COLUMNS, problems: list[str] | None = None) -> pd.DataFrame:
    """The post rows (`columns` of them), typed: counts as Int64, flags as boolean, times as
    UTC datetimes, platform, entity and account id as categories."""
    return _load(store_files(data_dir, "posts", platforms), columns, POST_DTYPES, data_dir, problems)
