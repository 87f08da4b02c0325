"""Synthetic data for tests, benchmarks and demonstrations: never real data.

generate() writes, under a folder of its own, a registry of clearly fake establishments
(« Établissement fictif 0001 » in « Ville fictive ») and two fake benchmarks, then years of
daily snapshots of their accounts and posts in exactly the format of observatory/store.py.

The snapshots look like what the collectors would have gathered: followers that start
log-normally distributed and drift day after day, counters that each platform gives or not
(empty cells otherwise), missed collection days and multi-week outages, accounts opened or left
during the period, Bluesky handles renamed mid-history (same stable id), accounts that stop
posting, engagement roughly proportional to followers, posts refreshed for REFRESH_DAYS.

The CSV files are rendered directly into byte buffers with numpy (no Python loop per row), so
that 3,000 establishments over two years (millions of rows) take well under a minute.

    python -m observatory.demo.synthetic /tmp/synth --establishments 300 --days 365"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from observatory.registry.spec import BENCHMARK, ESTABLISHMENT
from observatory.registry.validate import canonical_data
from observatory.registry.vocab import REGIONS
from observatory.registry.yamlio import dump_canonical
from observatory.store.snapshots import ACCOUNT_COLUMNS, POST_COLUMNS, REFRESH_DAYS
from observatory.textfmt import number

REPO_DATA = Path(__file__).resolve().parent.parent / "data"
DAY = 86_400

SOURCE_TITLE = "Données fictives générées pour les tests"
SIZE_SOURCE_TITLE = "Données fictives générées"
NOTE = "Établissement fictif, généré pour les tests et les démonstrations : aucune donnée réelle."

# Category -> (share of establishments, beds range, followers factor).
CATEGORIES: dict[str, tuple[float, tuple[int, int], float]] = {
    "chu-chr": (0.01, (1000, 3000), 8.0),
    "ch": (0.35, (100, 800), 1.0),
    "clinique-privee": (0.35, (50, 300), 0.6),
    "espic": (0.20, (50, 400), 0.8),
    "clcc": (0.01, (150, 500), 3.0),
    "groupe": (0.03, (500, 5000), 4.0),
    "autre": (0.05, (20, 200), 0.4),
}

# Rough population of each region (millions), so that regions are drawn in realistic proportions.
REGION_WEIGHTS = (8.1, 2.8, 3.4, 2.6, 0.35, 5.6, 6.0, 12.3, 3.3, 6.1, 6.1, 3.9, 5.1, 0.38, 0.35,
                  0.29, 0.87, 0.32)


@dataclass(frozen=True)
class Network:
    """How accounts behave on one platform, and what its API gives."""

    presence: float  # share of establishments with an account there
    followers: float  # median followers of an ordinary account (a CH)
    drift: float  # mean daily change of log(followers)
    late: float  # share of accounts opened during the period
    posting: float  # relative posting frequency (normalised so the mean is post_every_days)
    run: int  # hour (UTC) at which its daily collection starts
    following: bool  # the API gives the number of accounts followed
    counter: bool  # the API gives the total number of posts
    counts: tuple[str, ...]  # post counts the API gives
    threads: bool  # replies and reposts appear among an account's posts
    engagement: float  # multiplier of the account's engagement rate


NETWORKS: dict[str, Network] = {
    "facebook": Network(0.85, 2500, 0.0003, 0.05, 1.0, 4, False, False,
                        ("likes", "reposts", "replies"), False, 1.0),
    "twitter": Network(0.55, 1500, -0.0002, 0.05, 1.4, 2, True, True,
                       ("likes", "reposts", "replies", "quotes"), True, 0.5),
    "linkedin": Network(0.60, 2000, 0.0006, 0.10, 0.6, 5, False, False,
                        ("likes", "reposts", "replies"), False, 1.2),
    "instagram": Network(0.45, 900, 0.0006, 0.15, 0.8, 4, True, True, ("likes", "replies"), False, 2.0),
    "youtube": Network(0.25, 250, 0.0004, 0.08, 0.15, 5, False, True, ("likes", "replies", "views"),
                       False, 1.0),
    "bluesky": Network(0.15, 300, 0.0015, 0.50, 1.2, 3, True, True,
                       ("likes", "reposts", "replies", "quotes"), True, 1.0),
    "mastodon": Network(0.05, 150, 0.0004, 0.20, 1.0, 2, True, True, ("likes", "reposts", "replies"),
                        True, 1.0),
    "peertube": Network(0.02, 40, 0.0003, 0.30, 0.1, 3, False, False, ("likes", "replies", "views"),
                        False, 1.0),
    "tiktok": Network(0.05, 600, 0.0015, 0.40, 0.5, 5, True, True, ("likes", "reposts", "replies"),
                      False, 1.5),
    "threads": Network(0.03, 300, 0.0010, 0.50, 0.8, 4, False, False,
                       ("likes", "reposts", "replies", "quotes"), True, 1.0),
}

BENCHMARKS = (
    ("reference-fictive-1", "Référence fictive 1", "marque",
     ("twitter", "facebook", "instagram", "youtube", "linkedin", "tiktok")),
    ("reference-fictive-2", "Référence fictive 2", "agence",
     ("twitter", "facebook", "linkedin", "youtube", "bluesky", "mastodon")),
)

BASE32 = "234567abcdefghijklmnopqrstuvwxyz"  # DIDs, and Bluesky record keys (TIDs)
BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"  # YouTube ids
HEX = "0123456789abcdef"


@dataclass(frozen=True)
class GeneratedSummary:
    establishments: int
    benchmarks: int
    accounts: int
    account_rows: int
    post_rows: int
    data_dir: Path


# --- CSV rendering: rows assembled as bytes with numpy ------------------------------------------

_POW10 = 10 ** np.arange(19, dtype=np.int64)


class _Table:
    """Strings stored once as bytes; a column refers to them by code. An entry given as a tuple
    spans several cells (fewer, longer columns render faster)."""

    def __init__(self, entries: Sequence[str | tuple[str, ...]]) -> None:
        cells = [e if isinstance(e, tuple) else (e,) for e in entries]
        every = "\0".join("\0".join(entry) for entry in cells)
        if any(mark in every for mark in ',"\n\r'):
            raise ValueError("texte qui demanderait des guillemets dans un fichier CSV")
        encoded = [",".join(entry).encode("utf-8") for entry in cells]
        self.lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=len(encoded))
        self.offsets = np.cumsum(self.lengths) - self.lengths
        self.flat = np.frombuffer(b"".join(encoded) or b"\0", dtype=np.uint8)
        self.width = int(self.lengths[0]) if len(encoded) and (self.lengths == self.lengths[0]).all() else -1

    @classmethod
    def fixed(cls, matrix: np.ndarray) -> _Table:
        """Entries of one width, given as the rows of a matrix of ASCII codes."""
        table = cls([])
        count, width = matrix.shape
        table.lengths = np.full(count, width, dtype=np.int64)
        table.offsets = np.arange(count, dtype=np.int64) * width
        table.flat = np.ascontiguousarray(matrix, dtype=np.uint8).ravel()
        table.width = width
        return table


@dataclass
class _Text:
    table: _Table
    codes: np.ndarray
    joined: bool = False  # no comma after it: glued to the next column

    def lengths(self) -> np.ndarray:
        return self.table.lengths[self.codes]

    def write(self, buf: np.ndarray, pos: np.ndarray, lengths: np.ndarray) -> None:
        # Rows of the same width together, one byte position at a time: small index arrays.
        widths = [self.table.width] if self.table.width >= 0 else np.unique(lengths).tolist()
        for width in widths:
            if self.table.width >= 0:
                where, source = pos, self.table.offsets[self.codes]
            else:
                chosen = lengths == width
                where, source = pos[chosen], self.table.offsets[self.codes[chosen]]
            for j in range(width):
                buf[where + j] = self.table.flat[source + j]


@dataclass
class _Ints:
    values: np.ndarray  # int64, >= 0
    missing: np.ndarray | None = None  # True where the cell stays empty
    joined: bool = False

    def lengths(self) -> np.ndarray:
        digits = 1 + np.searchsorted(_POW10[1:], self.values, side="right")
        return np.where(self.missing, 0, digits) if self.missing is not None else digits

    def write(self, buf: np.ndarray, pos: np.ndarray, lengths: np.ndarray) -> None:
        # From the last digit leftwards, dropping the rows whose number is fully written.
        live = lengths > 0
        where, rest, width = pos[live] + lengths[live] - 1, self.values[live], lengths[live]
        written = 0
        while len(where):
            buf[where] = (rest % 10 + 48).astype(np.uint8)
            written += 1
            more = width > written
            where, rest, width = where[more] - 1, rest[more] // 10, width[more]


@dataclass
class _Digits:
    """A non-negative integer written in a fixed width with its own alphabet (base32, hex…)."""

    values: np.ndarray
    alphabet: str
    width: int
    joined: bool = False

    def lengths(self) -> np.ndarray:
        return np.full(len(self.values), self.width, dtype=np.int64)

    def write(self, buf: np.ndarray, pos: np.ndarray, lengths: np.ndarray) -> None:
        symbols = np.frombuffer(self.alphabet.encode("ascii"), dtype=np.uint8)
        base = len(self.alphabet)
        rest = self.values.copy()
        for k in range(self.width - 1, -1, -1):
            buf[pos + k] = symbols[rest % base]
            rest //= base


_Column = _Text | _Ints | _Digits


def _render(columns: Sequence[_Column], count: int) -> bytes:
    """CSV lines (no quoting needed: no cell holds a comma, a quote or a line break)."""
    if count == 0:
        return b""
    lengths = [c.lengths() for c in columns]
    commas = sum(1 for c in columns[:-1] if not c.joined)
    row_len = np.sum(lengths, axis=0) + commas + 1
    starts = np.cumsum(row_len) - row_len
    buf = np.full(int(row_len.sum()), ord(","), dtype=np.uint8)
    buf[starts + row_len - 1] = ord("\n")
    pos = starts
    for column, width in zip(columns, lengths, strict=True):
        column.write(buf, pos, width)
        pos = pos + width + (0 if column.joined else 1)
    return buf.tobytes()


def _write_csv(path: Path, header: Sequence[str], body: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes((",".join(header) + "\n").encode("ascii") + body)


# --- The registry -------------------------------------------------------------------------------

def _handles(platform: str, dotted: str, dashed: str, compact: str) -> str:
    return {
        "twitter": compact,
        "facebook": dotted,
        "instagram": dotted,
        "linkedin": f"company/{dashed}",
        "youtube": f"@{compact}",
        "bluesky": f"{dashed}.bsky.social",
        "mastodon": f"{compact}@social.exemple.fr",
        "peertube": f"{compact}@video.exemple.fr",
        "tiktok": dotted,
        "threads": dotted,
    }[platform]


def _random_text(rng: np.random.Generator, alphabet: str, count: int, width: int) -> list[str]:
    letters = np.array(list(alphabet))[rng.integers(0, len(alphabet), (count, width))]
    return ["".join(row) for row in letters]


def _platform_ids(rng: np.random.Generator, platform: str, count: int) -> list[str]:
    """Stable ids in the form each collector stores them, unique by construction."""
    if platform == "bluesky":
        return ["did:plc:" + t for t in _random_text(rng, BASE32, count, 24)]
    if platform == "youtube":
        return ["UC" + t for t in _random_text(rng, BASE64, count, 22)]
    # (first id, stride): a random offset below the stride keeps ids unique
    first, stride = {
        "twitter": (1_000_000_000, 1_000_003), "facebook": (100_000_000_000_000, 1_000_003),
        "instagram": (17_841_400_000_000_000, 1_000_003), "linkedin": (1_000_000, 997),
        "mastodon": (109_000_000_000_000_000, 1_000_003), "peertube": (100, 7),
        "tiktok": (6_800_000_000_000_000_000, 1_000_003), "threads": (25_000_000_000_000_000, 1_000_003),
    }[platform]
    numbers = first + np.arange(count, dtype=np.int64) * stride + rng.integers(0, stride, count)
    prefix = {"mastodon": "social.exemple.fr:", "peertube": "video.exemple.fr:channel:"}.get(platform, "")
    return [f"{prefix}{n}" for n in numbers.tolist()]


@dataclass
class _Plan:
    """One entry per registry account: who holds it and how it behaves over the period."""

    entity: np.ndarray  # index into entity ids
    platform: np.ndarray  # platform names
    handle: list[str]  # latest handle (the registry's)
    old_handle: list[str]  # handle before change_day ("" when never renamed)
    account_id: list[str]
    start: np.ndarray  # first collection day (index)
    stop: np.ndarray  # last collection day (index)
    left: np.ndarray  # status left, with until = stop + 1
    change_day: np.ndarray  # first day with the new handle (-1: never renamed)
    outage: np.ndarray  # (first day, length) of a multi-week gap; length 0 when none
    post_stop: np.ndarray  # last day with posts
    scale: np.ndarray  # followers factor (category, benchmark)


def _choose(rng: np.random.Generator, candidates: np.ndarray, share: float) -> np.ndarray:
    """About `share` of the candidates, and at least one when there is any."""
    if not len(candidates):
        return candidates
    count = min(len(candidates), max(1, round(share * len(candidates))))
    return np.sort(rng.choice(candidates, count, replace=False))


def _plan(rng: np.random.Generator, n_establishments: int, categories: np.ndarray, width: int,
          days: int) -> tuple[_Plan, list[str]]:
    platforms = list(NETWORKS)
    present = rng.random((n_establishments, len(platforms))) < [NETWORKS[p].presence for p in platforms]
    holder, which = np.nonzero(present)
    entity_ids = [f"fictif-{i + 1:0{width}d}" for i in range(n_establishments)]
    entity_ids += [b[0] for b in BENCHMARKS]
    holder_list = holder.tolist()
    platform_list = [platforms[w] for w in which.tolist()]
    factors = {c: v[2] for c, v in CATEGORIES.items()}
    scale = [factors[categories[h]] for h in holder_list]
    for j, (_, _, _, networks) in enumerate(BENCHMARKS):
        for platform in networks:
            holder_list.append(n_establishments + j)
            platform_list.append(platform)
            scale.append(60.0 if j == 0 else 25.0)
    entity = np.array(holder_list, dtype=np.int64)
    platform = np.array(platform_list)
    count = len(entity)

    handles, ids = [""] * count, [""] * count
    for name in platforms:
        where = np.flatnonzero(platform == name)
        for i, new_id in zip(where.tolist(), _platform_ids(rng, name, len(where)), strict=True):
            ids[i] = new_id
    for i in range(count):
        e = int(entity[i])
        if e < n_establishments:
            num = f"{e + 1:0{width}d}"
            handles[i] = _handles(platform_list[i], f"fictif.{num}", f"fictif-{num}", f"fictif{num}")
        else:
            j = e - n_establishments + 1
            handles[i] = _handles(platform_list[i], f"reference.fictive.{j}", f"reference-fictive-{j}",
                                  f"reffictive{j}")

    # Opening during the period: no rows before.
    late_share = np.array([NETWORKS[p].late for p in platform_list])
    late = (rng.random(count) < late_share) & (entity < n_establishments) & (days >= 10)
    start = np.where(late, rng.integers(1, max(2, int(0.85 * days)), count), 0)
    stop = np.full(count, days - 1)
    # Leaving: mostly X, from the third of the period on.
    left_share = np.where(platform == "twitter", 0.08, 0.01)
    first_until = np.maximum(start + 10, days // 3)
    can_leave = (first_until < days - 1) & (entity < n_establishments) & (days >= 30)
    left = can_leave & (rng.random(count) < left_share)
    until = rng.integers(np.minimum(first_until, days - 2), days - 1)
    stop = np.where(left, until - 1, stop)
    # Bluesky accounts renamed once (to their own domain): same id, new handle in later rows.
    change_day = np.full(count, -1)
    renamable = np.flatnonzero((platform == "bluesky") & (stop - start >= 20))
    for i in _choose(rng, renamable, 0.02).tolist():
        change_day[i] = int(rng.integers(start[i] + 5, stop[i] - 4))
    old_handles = [""] * count
    for i in np.flatnonzero(change_day >= 0).tolist():
        old_handles[i] = handles[i]
        handles[i] = handles[i].replace(".bsky.social", ".exemple.fr")
    # Multi-week outages: the collector missed the account for two to six weeks.
    outage = np.zeros((count, 2), dtype=np.int64)
    if days >= 30:
        long_enough = np.flatnonzero(stop - start >= 30)
        for i in _choose(rng, long_enough, 0.015).tolist():
            length = int(rng.integers(min(14, days // 3), min(43, days // 3) + 1))
            first = int(rng.integers(start[i] + 1, max(start[i] + 2, stop[i] - length)))
            outage[i] = (first, length)
    # Dormant accounts: nothing posted in their last 120 to 240 days.
    post_stop = stop.copy()
    dormant = _choose(rng, np.flatnonzero(entity < n_establishments), 0.05)
    post_stop[dormant] = stop[dormant] - rng.integers(120, 241, len(dormant))
    post_stop = np.where(left, stop - rng.integers(0, 30, count), post_stop)
    plan = _Plan(entity, platform, handles, old_handles, ids, start, stop, left, change_day, outage,
                 post_stop, np.array(scale))
    return plan, entity_ids


def _write_registry(rng: np.random.Generator, data_dir: Path, n_establishments: int, days: int,
                    first_day: date) -> tuple[_Plan, list[str]]:
    names = list(CATEGORIES)
    shares = np.array([CATEGORIES[c][0] for c in names])
    categories = np.array(names)[rng.choice(len(names), n_establishments, p=shares / shares.sum())]
    weights = np.array(REGION_WEIGHTS)
    regions = np.array(REGIONS)[rng.choice(len(REGIONS), n_establishments, p=weights / weights.sum())]
    sized = rng.random(n_establishments) < 0.6
    low = np.array([CATEGORIES[c][1][0] for c in categories])
    high = np.array([CATEGORIES[c][1][1] for c in categories])
    beds = rng.integers(low, high + 1)
    staff = np.rint(beds * rng.uniform(1.5, 4.0, n_establishments)).astype(np.int64)
    width = max(4, len(str(n_establishments)))
    plan, entity_ids = _plan(rng, n_establishments, categories, width, days)

    accounts: list[list[dict[str, Any]]] = [[] for _ in entity_ids]
    for i in range(len(plan.entity)):
        account: dict[str, Any] = {"platform": str(plan.platform[i]), "handle": plan.handle[i],
                                   "id": plan.account_id[i], "status": "active"}
        if plan.start[i] > 0:
            account["since"] = (first_day + timedelta(days=int(plan.start[i]))).isoformat()
        if plan.left[i]:
            account["status"] = "left"
            account["until"] = (first_day + timedelta(days=int(plan.stop[i]) + 1)).isoformat()
        accounts[plan.entity[i]].append(account)

    folder = data_dir / "establishments"
    folder.mkdir(parents=True)
    for e in range(n_establishments):
        num = f"{e + 1:0{width}d}"
        data: dict[str, Any] = {
            "name": f"Établissement fictif {num}", "short_name": f"Fictif {num}",
            "category": str(categories[e]), "region": str(regions[e]), "city": "Ville fictive",
            "accounts": accounts[e], "note": NOTE, "sources": [{"title": SOURCE_TITLE}]}
        if sized[e]:
            data["size"] = {"beds": int(beds[e]), "staff": int(staff[e]), "year": 2025,
                            "source": {"title": SIZE_SOURCE_TITLE}}
        text = dump_canonical(canonical_data(data, ESTABLISHMENT))
        (folder / f"{entity_ids[e]}.yml").write_text(text, encoding="utf-8")
    folder = data_dir / "benchmarks"
    folder.mkdir(parents=True)
    for j, (slug, name, kind, _) in enumerate(BENCHMARKS):
        data = {"name": name, "short_name": name, "kind": kind,
                "accounts": accounts[n_establishments + j],
                "note": "Compte de référence fictif, généré pour les tests : aucune donnée réelle.",
                "sources": [{"title": SOURCE_TITLE}]}
        text = dump_canonical(canonical_data(data, BENCHMARK))
        (folder / f"{slug}.yml").write_text(text, encoding="utf-8")
    return plan, entity_ids


# --- Snapshots ----------------------------------------------------------------------------------

@dataclass
class _Calendar:
    first_day: date
    days: int
    dates: _Table  # YYYY-MM-DD of each day
    stamps: _Table  # YYYY-MM-DDT of each day (timestamps are day + time of day)
    clock: _Table  # HH:MM:SSZ of each second of a day
    months: list[tuple[str, int, int]]  # (YYYY-MM, first day, day after the last)
    epoch: int  # Unix time of the first day's midnight (times are counted from there)
    api_stamps: _Table  # provenance then collected_at: api,YYYY-MM-DDT
    api_clock: _Table  # HH:MM:SSZ then two empty cells (source_title, source_url)


@cache
def _clocks() -> tuple[_Table, _Table]:
    """HH:MM:SSZ of every second of a day; the same followed by two empty cells."""
    second = np.arange(DAY)
    hour, minute, sec = second // 3600, second // 60 % 60, second % 60
    digits = [hour // 10, hour % 10, ":", minute // 10, minute % 10, ":", sec // 10, sec % 10, "Z", ",", ","]
    matrix = np.column_stack([np.full(DAY, ord(d)) if isinstance(d, str) else d + ord("0") for d in digits])
    return _Table.fixed(matrix[:, :9]), _Table.fixed(matrix)


def _calendar(first_day: date, days: int) -> _Calendar:
    dates = [(first_day + timedelta(days=d)).isoformat() for d in range(days)]
    clock, api_clock = _clocks()
    months: list[tuple[str, int, int]] = []
    for d, text in enumerate(dates):
        if months and months[-1][0] == text[:7]:
            months[-1] = (text[:7], months[-1][1], d + 1)
        else:
            months.append((text[:7], d, d + 1))
    epoch = (first_day - date(1970, 1, 1)).days * DAY
    return _Calendar(first_day, days, _Table(dates), _Table([t + "T" for t in dates]), clock, months, epoch,
                     _Table([("api", t + "T") for t in dates]), api_clock)


def _post_rates(plan: _Plan, post_every_days: float) -> dict[str, float]:
    """Posts per day of an account, per platform, so that the mean over accounts is
    1 / post_every_days."""
    weights = np.array([NETWORKS[p].posting for p in plan.platform.tolist()])
    mean = float(weights.mean()) if len(weights) else 1.0
    return {p: NETWORKS[p].posting / mean / post_every_days for p in NETWORKS}


def _simulate_platform(rng: np.random.Generator, platform: str, plan: _Plan, entity_ids: list[str],
                       cal: _Calendar, rate: float, data_dir: Path) -> tuple[int, int]:
    """Account rows and posts of one platform, written month by month. Returns their counts."""
    net = NETWORKS[platform]
    members = np.flatnonzero(plan.platform == platform)
    if not len(members):
        return 0, 0
    # Rows are sorted (date, entity, account_id) as the store sorts them: sort accounts once.
    members = np.array(sorted(members.tolist(), key=lambda i: (entity_ids[plan.entity[i]],
                                                               plan.account_id[i])))
    count, days = len(members), cal.days
    start, stop = plan.start[members], plan.stop[members]
    day = np.arange(days)

    present = (day >= start[:, None]) & (day <= stop[:, None]) & (rng.random((count, days)) >= 0.03)
    first, length = plan.outage[members, 0], plan.outage[members, 1]
    present &= ~((day >= first[:, None]) & (day < (first + length)[:, None]))

    late = start > 0
    log_start = (np.log(net.followers * plan.scale[members]) + rng.normal(0, 1.2, count)
                 + np.where(late, np.log(rng.uniform(0.05, 0.3, count)), 0.0))
    drift = rng.normal(net.drift, 0.0003, count) + np.where(late, rng.uniform(0.001, 0.004, count), 0.0)
    walk = np.cumsum(drift[:, None] + rng.normal(0, 0.002, (count, days)), axis=1)
    walk -= walk[np.arange(count), start][:, None]
    followers = np.rint(np.exp(log_start[:, None] + walk)).astype(np.int64)
    del walk
    following = (np.rint(rng.lognormal(np.log(300), 0.9, count))[:, None]
                 + np.floor(rng.uniform(0, 0.2, count)[:, None] * np.maximum(day - start[:, None], 0)))
    following = following.astype(np.int64)

    # Collection moments: the platform's run starts at net.run o'clock; accounts follow in order.
    offset = net.run * 3600 + np.arange(count) * 3600 // max(count, 3600)

    per_day = rate * rng.gamma(2.0, 0.5, count)  # each account its own posting frequency
    posts = _posts(rng, platform, plan, members, followers, offset, cal, per_day)
    who, published = posts["account"], posts["published"]
    # Total posts counter: posts from before the period, plus those published before each collection.
    seen_on = np.minimum(-((offset[who] - published) // DAY), days)  # first collection after it
    counted = np.bincount(who * (days + 1) + seen_on, minlength=count * (days + 1))
    counter = np.cumsum(counted.reshape(count, days + 1)[:, :days], axis=1)
    before = np.rint(per_day * rng.uniform(365, 3650, count)).astype(np.int64)  # one to ten years
    counter += np.where(late, 0, before)[:, None]

    account_rows = _write_accounts(platform, plan, members, entity_ids, cal, present, followers,
                                   following, counter, offset, data_dir)
    post_rows = _write_posts(platform, plan, members, entity_ids, cal, posts, data_dir)
    return account_rows, post_rows


def _posts(rng: np.random.Generator, platform: str, plan: _Plan, members: np.ndarray,
           followers: np.ndarray, offset: np.ndarray, cal: _Calendar, per_day: np.ndarray
           ) -> dict[str, np.ndarray]:
    """Posts of the platform's accounts, sorted by publication (one post per second at most)."""
    net = NETWORKS[platform]
    count, days = len(members), cal.days
    start, stop, post_stop = plan.start[members], plan.stop[members], plan.post_stop[members]
    # Posting window: from the first collection to the last collection, or earlier when dormant.
    window_start = start * DAY + offset
    window_stop = np.minimum((post_stop + 1) * DAY, stop * DAY + offset)
    span = np.maximum(window_stop - window_start, 0) / DAY
    total = rng.poisson(per_day * span)
    who = np.repeat(np.arange(count), total)
    n = len(who)
    anywhere = window_start[who] + np.floor(rng.random(n) * (span[who] * DAY)).astype(np.int64)
    # Fewer posts at weekends (moved to the Friday before), mostly in office hours; a post that
    # would then leave its window keeps its first draw.
    on_day = anywhere // DAY
    weekday = (cal.first_day.weekday() + on_day) % 7
    on_day = np.where((weekday >= 5) & (rng.random(n) < 0.6), on_day - (weekday - 4), on_day)
    hours = np.array([1, 1, 1, 1, 1, 2, 4, 8, 12, 14, 13, 12, 9, 10, 12, 12, 11, 9, 7, 5, 4, 3, 2, 1],
                     dtype=float)
    hour = rng.choice(24, n, p=hours / hours.sum())
    published = on_day * DAY + hour * 3600 + rng.integers(0, 3600, n)
    published = np.where((published >= window_start[who]) & (published < window_stop[who]), published,
                         anywhere)
    order = np.argsort(published, kind="stable")
    who, published = who[order], published[order]
    # At most one post per second on a platform: rows then sort by time alone, as the store does.
    ranks = np.arange(len(published))
    published = np.maximum.accumulate(published - ranks) + ranks
    n = len(who)

    threads = net.threads
    draw = rng.random(n)
    is_repost = (draw < 0.10) & threads
    is_reply = (draw >= 0.10) & (draw < 0.25) & threads
    # Measured at the last collection less than REFRESH_DAYS after publication, or the last one.
    limit = published + REFRESH_DAYS * DAY - offset[who]
    measured_day = np.minimum(-(-limit // DAY) - 1, stop[who])
    measured = np.maximum(measured_day * DAY + offset[who], published)
    age = (measured - published) / DAY
    pub_day = np.minimum(published // DAY, days - 1)
    audience = followers[who, pub_day].astype(float)
    rate_of = np.exp(rng.uniform(np.log(0.001), np.log(0.03), count)) * net.engagement
    interest = (audience * rate_of[who] * rng.lognormal(-0.25, 0.7, n) * (1 - np.exp(-age / 2))
                * np.where(is_reply, 0.2, 1.0))
    counts = {
        "likes": rng.poisson(interest * 0.75),
        "reposts": rng.poisson(interest * 0.12),
        "replies": rng.poisson(interest * 0.10),
        "quotes": rng.poisson(interest * 0.03),
    }
    counts["views"] = rng.poisson(audience * rng.lognormal(-0.5, 1.0, n) * (1 - np.exp(-age / 3))) \
        + counts["likes"]
    return {"account": who, "published": published, "measured": measured, "is_reply": is_reply,
            "is_repost": is_repost, **counts}


def _write_accounts(platform: str, plan: _Plan, members: np.ndarray, entity_ids: list[str],
                    cal: _Calendar, present: np.ndarray, followers: np.ndarray, following: np.ndarray,
                    counter: np.ndarray, offset: np.ndarray, data_dir: Path) -> int:
    net = NETWORKS[platform]
    count = len(members)
    # entity,platform,account_id,handle: latest handle, then the former one
    accounts = _Table([(entity_ids[plan.entity[i]], platform, plan.account_id[i], handle)
                       for handles in (plan.handle, [o or h for o, h in zip(plan.old_handle, plan.handle,
                                                                           strict=True)])
                       for i in members.tolist() for handle in (handles[i],)])
    change = plan.change_day[members]
    total = 0
    for month, first, after in cal.months:
        mask = present[:, first:after].T.ravel()
        day = np.repeat(np.arange(first, after), count)[mask]
        who = np.tile(np.arange(count), after - first)[mask]
        n = len(who)
        if not n:
            continue
        missing = np.ones(n, dtype=bool)
        columns: list[_Column] = [
            _Text(cal.dates, day),
            _Text(accounts, who + count * (day < change[who])),
            _Ints(followers[who, day]),
            _Ints(following[who, day], None if net.following else missing),
            _Ints(counter[who, day], None if net.counter else missing),
            _Text(cal.api_stamps, day, joined=True),
            _Text(cal.api_clock, offset[who]),
        ]
        path = data_dir / "snapshots" / "accounts" / platform / f"{month}.csv"
        _write_csv(path, ACCOUNT_COLUMNS, _render(columns, n))
        total += n
    return total


def _scramble(serial: np.ndarray, bits: int) -> np.ndarray:
    """Distinct serials to distinct, random-looking numbers below 2**bits (odd multiplier)."""
    product = (serial.astype(np.uint64) + np.uint64(12_345)) * np.uint64(0x9E3779B97F4A7C15)  # mod 2**64
    return (product & np.uint64((1 << bits) - 1)).astype(np.int64)


def _post_ids(platform: str, plan: _Plan, members: np.ndarray, posts: dict[str, np.ndarray],
              rows: np.ndarray, epoch: int) -> list[_Column]:
    """The post_id cells, in the form each platform gives them (unique on the platform)."""
    who, n = posts["account"][rows], len(rows)
    serial = rows.astype(np.int64)  # rank in publication order: unique, growing with time
    zeros = np.zeros(n, dtype=np.int64)
    if platform == "bluesky":
        prefixes = [f"at://{plan.account_id[i]}/app.bsky.feed.{kind}/"
                    for kind in ("post", "repost") for i in members.tolist()]
        micros = (epoch + posts["published"][rows]) * 1_000_000 + serial % 1_000_000
        tid = (micros << 10) | (serial % 1024)  # a TID: microseconds, then a clock id
        return [_Text(_Table(prefixes), who + len(members) * posts["is_repost"][rows], joined=True),
                _Digits(tid, BASE32, 13)]
    if platform == "youtube":
        return [_Digits(_scramble(serial, 62), BASE64, 11)]
    if platform == "peertube":
        mixed = _scramble(serial, 48)
        pieces: list[_Column] = [_Text(_Table(["video.exemple.fr:"]), zeros, joined=True)]
        for j, (width, part) in enumerate(((8, serial * 2654435761 % (1 << 32)), (4, serial % 65536),
                                            (4, 0x4000 + serial % 4096), (4, 0x8000 + serial % 16384),
                                            (12, mixed))):
            pieces.append(_Digits(part, HEX, width, joined=j < 4))
            if j < 4:
                pieces.append(_Text(_Table(["-"]), zeros, joined=True))
        return pieces
    if platform == "facebook":
        pages = _Table([f"{plan.account_id[i]}_" for i in members.tolist()])
        return [_Text(pages, who, joined=True), _Ints(122_000_000_000_000_000 + serial * 1_000_003)]
    if platform == "linkedin":
        return [_Text(_Table(["urn:li:activity:"]), zeros, joined=True),
                _Ints(7_100_000_000_000_000_000 + serial * 1_000_003)]
    if platform == "mastodon":
        return [_Text(_Table(["social.exemple.fr:"]), zeros, joined=True),
                _Ints(113_000_000_000_000_000 + serial * 1_000_003)]
    first = {"twitter": 1_850_000_000_000_000_000, "instagram": 3_400_000_000_000_000_000,
             "tiktok": 7_400_000_000_000_000_000, "threads": 3_500_000_000_000_000_000}[platform]
    return [_Ints(first + serial * 1_000_003)]


def _write_posts(platform: str, plan: _Plan, members: np.ndarray, entity_ids: list[str],
                 cal: _Calendar, posts: dict[str, np.ndarray], data_dir: Path) -> int:
    net = NETWORKS[platform]
    holders = _Table([(entity_ids[plan.entity[i]], plan.account_id[i]) for i in members.tolist()])
    flags = _Table([("false", "false"), ("true", "false"), ("false", "true"), ("true", "true")])
    constant = _Table([platform])
    published, measured = posts["published"], posts["measured"]
    bounds = np.searchsorted(published, [first * DAY for _, first, _ in cal.months] + [cal.days * DAY])
    for k, (month, _, _) in enumerate(cal.months):
        rows = np.arange(bounds[k], bounds[k + 1])
        n = len(rows)
        if not n:
            continue
        who = posts["account"][rows]
        repost = posts["is_repost"][rows]
        columns: list[_Column] = [_Text(constant, np.zeros(n, dtype=np.int64)),
                                  *_post_ids(platform, plan, members, posts, rows, cal.epoch),
                                  _Text(holders, who),
                                  _Text(cal.stamps, published[rows] // DAY, joined=True),
                                  _Text(cal.clock, published[rows] % DAY),
                                  _Text(flags, posts["is_reply"][rows] + 2 * repost)]
        for name in ("likes", "reposts", "replies", "quotes", "views"):
            given = name in net.counts
            columns.append(_Ints(posts[name][rows], repost | (not given)))
        columns += [_Text(cal.stamps, measured[rows] // DAY, joined=True),
                    _Text(cal.clock, measured[rows] % DAY)]
        path = data_dir / "snapshots" / "posts" / platform / f"{month}.csv"
        _write_csv(path, POST_COLUMNS, _render(columns, n))
    return int(bounds[-1] - bounds[0])


# --- Entry points -------------------------------------------------------------------------------

def _check_target(root: Path) -> Path:
    data_dir = (root / "data").resolve()
    repo_data = REPO_DATA.resolve()
    if data_dir.is_relative_to(repo_data) or root.resolve().is_relative_to(repo_data):
        raise ValueError("refus d'écrire des données fictives dans le dossier data/ du dépôt "
                         f"({repo_data}) : choisir un dossier temporaire")
    if data_dir.exists() and any(data_dir.iterdir()):
        raise ValueError(f"{data_dir} n'est pas vide : choisir un dossier neuf")
    return data_dir


def generate(root: Path, establishments: int, days: int, seed: int = 0, end: date = date(2026, 11, 1),
             post_every_days: float = 2.0) -> GeneratedSummary:
    """Write a fake registry and `days` days of snapshots ending on `end` under root/data/."""
    root = Path(root)
    data_dir = _check_target(root)
    if establishments < 1 or establishments > 999_999:
        raise ValueError("le nombre d'établissements doit être compris entre 1 et 999 999")
    if days < 1:
        raise ValueError("le nombre de jours doit être au moins 1")
    if not post_every_days > 0 or math.isinf(post_every_days):
        raise ValueError("l'intervalle moyen entre deux publications doit être positif")
    rng = np.random.default_rng(seed)
    first_day = end - timedelta(days=days - 1)
    plan, entity_ids = _write_registry(rng, data_dir, establishments, days, first_day)
    cal = _calendar(first_day, days)
    rates = _post_rates(plan, post_every_days)
    account_rows = post_rows = 0
    for platform in NETWORKS:
        rows, post_count = _simulate_platform(rng, platform, plan, entity_ids, cal, rates[platform],
                                              data_dir)
        account_rows += rows
        post_rows += post_count
    return GeneratedSummary(establishments=establishments, benchmarks=len(BENCHMARKS),
                            accounts=len(plan.entity), account_rows=account_rows, post_rows=post_rows,
                            data_dir=data_dir)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m observatory.demo.synthetic",
        description="Génère des données entièrement fictives (registre et relevés quotidiens) pour les "
                    "tests, les mesures de performance et les démonstrations. Jamais de données réelles.")
    parser.add_argument("out", type=Path, metavar="DOSSIER",
                        help="dossier de sortie (les fichiers vont dans DOSSIER/data/) ; jamais le "
                             "dossier data/ du dépôt")
    parser.add_argument("--establishments", type=int, default=300, metavar="N",
                        help="nombre d'établissements fictifs (défaut : 300)")
    parser.add_argument("--days", type=int, default=365, metavar="J",
                        help="nombre de jours de relevés (défaut : 365)")
    parser.add_argument("--seed", type=int, default=0,
                        help="graine du générateur : même graine, mêmes fichiers (défaut : 0)")
    parser.add_argument("--end", type=date.fromisoformat, default=date(2026, 11, 1), metavar="AAAA-MM-JJ",
                        help="dernier jour de relevé (défaut : 2026-11-01)")
    parser.add_argument("--post-every-days", type=float, default=2.0, metavar="J",
                        help="intervalle moyen entre deux publications d'un compte, en jours (défaut : 2)")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    try:
        summary = generate(args.out, args.establishments, args.days, seed=args.seed, end=args.end,
                           post_every_days=args.post_every_days)
    except ValueError as error:
        parser.error(str(error))
    print(f"Données fictives écrites dans {summary.data_dir} en {number(time.perf_counter() - began, 1)} s :")
    print(f"  {number(summary.establishments)} établissements, {number(summary.benchmarks)} références, "
          f"{number(summary.accounts)} comptes")
    print(f"  {number(summary.account_rows)} relevés de comptes, {number(summary.post_rows)} publications")
    return 0


if __name__ == "__main__":
    sys.exit(main())
