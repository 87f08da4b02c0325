"""Suspect figures held aside: data/snapshots/held/<platform>.csv.

A sudden collapse of an account's followers (to 0, or by more than half) against its last stored
figure is far more often an API glitch, a wrong account or a typo than a fact. Such a row is held:
reported, written to the held file, never over the good row, never read by the metrics (they read
only accounts/). It is accepted, and moved into the series with its own date, when:

- a later run, on a later day, sees the same collapse again (against the same good figure); or
- a maintainer writes `oui` in its `confirmed` column (applied by the next collection or import).

A later figure that is not a collapse dismisses it: the held row is dropped, and reported."""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from pathlib import Path

from observatory.store.snapshots import (
    ACCOUNT_COLUMNS,
    AccountRow,
    account_sort_key,
    read_rows,
    render_rows,
    snapshots_dir,
    store_files,
)
from observatory.textfmt import plural

HELD_COLUMNS = (*ACCOUNT_COLUMNS, "reference_date", "reference_followers", "confirmed")
CONFIRMED = "oui"


def held_path(data_dir: Path, platform: str) -> Path:
    return snapshots_dir(data_dir) / "held" / f"{platform}.csv"


def collapse(followers: int | None, reference: int | None) -> bool:
    """Followers fallen to 0, or by more than half, against the reference figure."""
    return followers is not None and reference is not None and reference > 0 and followers * 2 < reference


@dataclass(frozen=True)
class Held:
    row: AccountRow
    reference_date: str
    reference_followers: int
    confirmed: bool = False

    def cells(self) -> dict[str, str]:
        cells = {f.name: "" if getattr(self.row, f.name) is None else str(getattr(self.row, f.name))
                 for f in fields(self.row)}
        return {**cells, "reference_date": self.reference_date,
                "reference_followers": str(self.reference_followers),
                "confirmed": CONFIRMED if self.confirmed else ""}


@dataclass
class Screening:
    accepted: list[AccountRow] = field(default_factory=list)  # to store
    held: list[Held] = field(default_factory=list)  # held aside by this screening
    confirmed: list[tuple[Held, str]] = field(default_factory=list)  # released, and by whom
    dismissed: list[tuple[Held, AccountRow]] = field(default_factory=list)  # and the row that did it
    texts: dict[Path, str] = field(default_factory=dict)  # the held files' new texts


def _count(text: str) -> int | None:
    return int(text) if text.isascii() and text.isdigit() else None


def _from_cells(cells: dict[str, str]) -> Held:
    values: dict[str, object] = {c: cells[c] for c in ACCOUNT_COLUMNS}
    for column in ("followers", "following", "posts"):
        values[column] = _count(cells[column])
    return Held(AccountRow(**values), cells["reference_date"],  # type: ignore[arg-type]
                _count(cells["reference_followers"]) or 0,
                cells["confirmed"].strip().lower() == CONFIRMED)


def read_held(data_dir: Path, platform: str) -> list[Held]:
    return [_from_cells(r) for r in read_rows(held_path(data_dir, platform), HELD_COLUMNS)]


class _References:
    """Each account's stored followers by day, for "the last stored day" of a new row."""

    def __init__(self, data_dir: Path, platform: str) -> None:
        self.days: dict[str, list[tuple[str, int]]] = {}
        for path in store_files(data_dir, "accounts", [platform]):
            for row in read_rows(path, ACCOUNT_COLUMNS):
                followers = _count(row["followers"])
                if followers is not None:
                    self.add(row["account_id"], row["date"], followers)

    def add(self, account_id: str, day: str, followers: int) -> None:
        days = self.days.setdefault(account_id, [])
        at = bisect.bisect_left(days, (day, -1))
        if at < len(days) and days[at][0] == day:
            days[at] = (day, followers)
        else:
            days.insert(at, (day, followers))

    def on_or_before(self, account_id: str, day: str) -> tuple[str, int] | None:
        days = self.days.get(account_id, [])
        at = bisect.bisect_right(days, (day, float("inf")))
        return days[at - 1] if at else None


def screen(data_dir: Path, rows: Iterable[AccountRow], platforms: Iterable[str] = ()) -> Screening:
    """Split new rows into those to store and those to hold; release the held rows a maintainer
    confirmed or a later collapse confirms; dismiss those a later normal figure contradicts."""
    rows = sorted(rows, key=lambda r: (r.date, r.collected_at))
    out = Screening()
    for platform in sorted({*platforms, *(r.platform for r in rows)}):
        _screen_platform(data_dir, platform, [r for r in rows if r.platform == platform], out)
    return out


def _screen_platform(data_dir: Path, platform: str, rows: list[AccountRow], out: Screening) -> None:
    path = held_path(data_dir, platform)
    before = read_held(data_dir, platform)
    pending: dict[str, list[Held]] = {}
    for item in before:
        if item.confirmed:
            out.accepted.append(item.row)
            out.confirmed.append((item, "mainteneur"))
        else:
            pending.setdefault(item.row.account_id, []).append(item)
    references = _References(data_dir, platform) if rows else None
    for row in rows:
        assert references is not None
        reference = references.on_or_before(row.account_id, row.date)
        waiting = pending.pop(row.account_id, [])
        if reference is None or not collapse(row.followers, reference[1]):
            out.accepted.append(row)
            out.dismissed += [(h, row) for h in waiting if h.row.date <= row.date]
            pending_later = [h for h in waiting if h.row.date > row.date]
            if pending_later:
                pending[row.account_id] = pending_later
        elif any(h.row.date < row.date for h in waiting):
            earlier = [h for h in waiting if h.row.date < row.date]
            out.accepted += [h.row for h in earlier] + [row]
            out.confirmed += [(h, "collecte") for h in earlier]
        else:  # first sight of the collapse (or the same day again): held
            item = Held(row, reference[0], reference[1])
            pending[row.account_id] = [item]
            out.held.append(item)
            continue
        if row.followers is not None:
            references.add(row.account_id, row.date, row.followers)
    after = sorted((h for items in pending.values() for h in items),
                   key=lambda h: account_sort_key(h.cells()))
    text = render_rows([h.cells() for h in after], HELD_COLUMNS)
    if (path.exists() or after) and (not path.exists() or path.read_text(encoding="utf-8") != text):
        out.texts[path] = text


def release_confirmed(data_dir: Path) -> Screening:
    """Every held row a maintainer confirmed, to move into the series (all platforms)."""
    root = snapshots_dir(data_dir) / "held"
    platforms = [p.stem for p in sorted(root.glob("*.csv"))] if root.exists() else []
    return screen(data_dir, [], platforms)


def report_lines(screening: Screening) -> list[str]:
    """What the screening held aside, confirmed and dismissed, in French, one line each."""
    def who(row: AccountRow) -> str:
        return f"{row.entity} {row.handle}"

    def followers(count: int | None) -> str:
        return "n/a" if count is None else plural(count, "abonné")

    lines = [f"relevé suspect mis de côté : {who(h.row)} : {followers(h.row.followers)} le {h.row.date} "
             f"contre {followers(h.reference_followers)} le {h.reference_date} (effondrement) ; "
             f"accepté si une collecte d'un autre jour le retrouve, ou si un mainteneur écrit « oui » "
             f"dans la colonne confirmed de {held_path(Path('data'), h.row.platform)}"
             for h in screening.held]
    lines += [f"effondrement confirmé ({'par un mainteneur' if by == 'mainteneur' else 'par cette collecte'})"
              f" : {who(h.row)} : {followers(h.row.followers)} le {h.row.date}, enregistré"
              for h, by in screening.confirmed]
    lines += [f"relevé suspect écarté : {who(h.row)} : {followers(h.row.followers)} le {h.row.date}, "
              f"démenti par {followers(row.followers)} le {row.date}" for h, row in screening.dismissed]
    return lines
