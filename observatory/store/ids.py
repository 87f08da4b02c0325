"""The memory of stable account ids: data/snapshots/ids.csv, one row per registry account whose
id a collection learned (platform, entity, handle as the registry writes it, account_id).

Stored rows alone are not enough: a same-day re-run after a rename replaces the only row that
held the old handle, and the next run would ask for that old name again and lose the account.
This small file keeps the id per registry account, whatever the account is called today; it is
written in the same all-or-nothing step as the day's rows."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from observatory.store.snapshots import read_rows, render_rows, snapshots_dir

IDS_COLUMNS = ("platform", "entity", "handle", "account_id")
Key = tuple[str, str, str]  # (platform, entity, registry handle key)


def ids_path(data_dir: Path) -> Path:
    return snapshots_dir(data_dir) / "ids.csv"


def read_ids(data_dir: Path) -> dict[Key, str]:
    """(platform, entity, registry handle key) -> last known account id (StoreError if unreadable)."""
    return {(r["platform"], r["entity"], r["handle"]): r["account_id"]
            for r in read_rows(ids_path(data_dir), IDS_COLUMNS) if r["account_id"]}


def ids_texts(data_dir: Path, learned: Mapping[Key, str]) -> dict[Path, str]:
    """The file's new text when `learned` adds or changes an id; nothing when it changes none."""
    known = read_ids(data_dir)
    if all(known.get(key) == value for key, value in learned.items()):
        return {}
    known.update(learned)
    rows = [dict(zip(IDS_COLUMNS, (*key, value), strict=True)) for key, value in sorted(known.items())]
    return {ids_path(data_dir): render_rows(rows, IDS_COLUMNS)}
