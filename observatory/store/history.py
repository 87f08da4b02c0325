"""What earlier snapshots say about one platform's accounts: takes the store, gives the stable id
behind each handle ever seen and the last collection day (read without pandas, for the collection)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from observatory.store.snapshots import ACCOUNT_COLUMNS, read_rows, store_files


@dataclass
class History:
    """What earlier snapshots say about one platform's accounts, read without pandas."""

    ids_by_handle: dict[str, str]  # handle (lower case) at any time -> stable account id
    last_handle: dict[str, str]  # account id -> handle in its latest row
    last_date: str | None  # latest collection day with api rows (before `before`)
    last_count: int  # accounts collected through the API on that day


def history(data_dir: Path, platform: str, before: str | None = None) -> History:
    """Stable ids and last handles of a platform's accounts, from rows collected through its API;
    the last collection day strictly before `before` (YYYY-MM-DD) and how many accounts it
    reached."""
    ids: dict[str, str] = {}
    last_handle: dict[str, str] = {}
    per_day: dict[str, set[str]] = {}
    for path in store_files(data_dir, "accounts", [platform]):
        for row in sorted(read_rows(path, ACCOUNT_COLUMNS), key=lambda r: (r["date"], r["collected_at"])):
            if row["provenance"] != "api":  # only the platform itself vouches for an id
                continue
            if row["handle"]:
                ids[row["handle"].lower()] = row["account_id"]
                last_handle[row["account_id"]] = row["handle"]
            if before is None or row["date"] < before:
                per_day.setdefault(row["date"], set()).add(row["account_id"])
    last_date = max(per_day) if per_day else None
    return History(ids, last_handle, last_date, len(per_day[last_date]) if last_date else 0)
