"""A git merge driver for snapshot files, so that a day's collection survives a concurrent push.

Snapshots are append-only rows with a key, so two sides that both changed a monthly file (the
collection bot and a maintainer's correction, or two runs) merge by the store's own rules rather
than by lines: the union of both sides' rows; where both hold the same key, the later measurement
wins (collected_at for accounts, measured_at for posts, and a post only while it may still be
refreshed), and on a tie the side already published (ours, during a rebase the upstream) stays.
The two small files beside them merge the same way: a held figure (held/<platform>.csv) that a
maintainer confirmed keeps its confirmation, else the later one wins; in ids.csv, where rows
carry no time, the id learned by the side being replayed (the collection, during its rebase)
wins, since it is the newer knowledge.

Declared in .gitattributes (`data/snapshots/**/*.csv merge=snapshots`) and configured by the
collection workflow:

    git config merge.snapshots.driver ".venv/bin/python -m observatory.store.merge %O %A %B %P"

Exit status 0 writes the merged file over %A; anything unreadable exits 1 and leaves the conflict
to git, so that nothing is merged by guess."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from observatory.store.held import HELD_COLUMNS
from observatory.store.ids import IDS_COLUMNS
from observatory.store.snapshots import (
    ACCOUNT_COLUMNS,
    POST_COLUMNS,
    _post_sort,
    account_sort_key,
    atomic_write,
    parse_time,
    refreshable,
    render_rows,
)

Row = dict[str, str]


class MergeError(Exception):
    """A side that is not a snapshot file the store wrote: left to git as a conflict."""


def _rows(text: str, columns: Sequence[str], side: str) -> list[Row]:
    if not text.strip():
        return []
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if tuple(reader.fieldnames or ()) != tuple(columns):
        raise MergeError(f"{side} : en-tête inattendu")
    rows = list(reader)
    if any(None in row or None in row.values() for row in rows):
        raise MergeError(f"{side} : nombre de colonnes incorrect")
    return rows


def _later_account(new: Row, old: Row) -> bool:
    return parse_time(new["collected_at"]) > parse_time(old["collected_at"])


def _later_post(new: Row, old: Row) -> bool:
    return (refreshable(new["published_at"], new["measured_at"])
            and parse_time(new["measured_at"]) > parse_time(old["measured_at"]))


def _later_held(new: Row, old: Row) -> bool:
    if bool(new["confirmed"]) != bool(old["confirmed"]):
        return bool(new["confirmed"])
    return _later_account(new, old)


def _replayed_id(new: Row, old: Row) -> bool:
    return True


TABLES: dict[tuple[str, ...], tuple[tuple[str, ...], Callable[[Row], tuple[str, ...]],
                                    Callable[[Row, Row], bool]]] = {
    ACCOUNT_COLUMNS: (("date", "platform", "account_id"), account_sort_key, _later_account),
    POST_COLUMNS: (("platform", "post_id"), _post_sort, _later_post),
    HELD_COLUMNS: (("date", "platform", "account_id"), account_sort_key, _later_held),
    IDS_COLUMNS: (("platform", "entity", "handle"), lambda r: (r["platform"], r["entity"], r["handle"]),
                  _replayed_id),
}


def merge_texts(ours: str, theirs: str) -> str:
    """Both sides' rows merged by key, in the store's order and format."""
    header = next(csv.reader(io.StringIO(ours or theirs)), [])
    table = TABLES.get(tuple(header))
    if table is None:
        raise MergeError("fichier qui n'est pas un relevé connu (comptes, publications, chiffres "
                         "retenus, identifiants)")
    key, order, later = table
    merged = {tuple(r[k] for k in key): r for r in _rows(ours, header, "notre version")}
    for row in _rows(theirs, header, "leur version"):
        old = merged.get(tuple(row[k] for k in key))
        if old is None or later(row, old):
            merged[tuple(row[k] for k in key)] = row
    return render_rows(sorted(merged.values(), key=order), header)


def main(argv: Sequence[str] | None = None) -> int:
    """git's call: BASE OURS THEIRS [PATH]; the result replaces OURS. The base is not needed:
    rows are never deleted from a snapshot, so the union of both sides holds every change."""
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) < 3:
        print("utilisation : python -m observatory.store.merge BASE NOTRE LEUR [CHEMIN]", file=sys.stderr)
        return 2
    ours, theirs = Path(args[1]), Path(args[2])
    shown = args[3] if len(args) > 3 else str(ours)
    try:
        text = merge_texts(ours.read_text(encoding="utf-8"), theirs.read_text(encoding="utf-8"))
    except (MergeError, UnicodeDecodeError, csv.Error, KeyError, ValueError) as error:
        print(f"{shown} : fusion des relevés impossible ({error}) ; conflit laissé à git", file=sys.stderr)
        return 1
    atomic_write(ours, text)
    print(f"{shown} : relevés fusionnés ligne à ligne", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
