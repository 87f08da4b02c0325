"""Synthetic data for tests, benchmarks and demonstrations: never real data.

generate() writes, under a folder of its own, a registry of clearly fake establishments
(« Établissement fictif 0001 » in « Ville fictive ») and two fake benchmarks, then years of
daily snapshots of their accounts and posts in exactly the format of observatory/store/snapshots.py.

The snapshots look like what the collectors would have gathered: followers that start
log-normally distributed and drift day after day, counters that each platform gives or not
(empty cells otherwise), missed collection days and multi-week outages, accounts opened or left
during the period, Bluesky handles renamed mid-history (same stable id), accounts that stop
posting, engagement roughly proportional to followers, posts refreshed for REFRESH_DAYS.

The CSV files are rendered directly into byte buffers with numpy (no Python loop per row), so
that 3,000 establishments over two years (millions of rows) take well under a minute.

    python -m observatory.demo.synthetic /tmp/synth --establishments 300 --days 365"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path

import numpy as np

from observatory.demo.columns import Column, DigitColumn, IntColumn, Table, TextColumn, render_rows, write_csv
from observatory.demo.fake_registry import (
    BASE32,
    BASE64,
    BENCHMARKS,
    DAY,
    HEX,
    NETWORKS,
    REPO_DATA,
    GeneratedSummary,
    Plan,
    write_registry,
)
from observatory.store.snapshots import ACCOUNT_COLUMNS, POST_COLUMNS, REFRESH_DAYS
from observatory.textfmt import FrenchArgumentParser, number


@dataclass
class _Calendar:
    first_day: date
    days: int
    dates: Table  # YYYY-MM-DD of each day
    stamps: Table  # YYYY-MM-DDT of each day (timestamps are day + time of day)
    clock: Table  # HH:MM:SSZ of each second of a day
    months: list[tuple[str, int, int]]  # (YYYY-MM, first day, day after the last)
    epoch: int  # Unix time of the first day's midnight (times are counted from there)
    api_stamps: Table  # provenance then collected_at: api,YYYY-MM-DDT
    api_clock: Table  # HH:MM:SSZ then two empty cells (source_title, source_url)


@cache
def _clocks() -> tuple[Table, Table]:
    """HH:MM:SSZ of every second of a day; the same followed by two empty cells."""
    second = np.arange(DAY)
    hour, minute, sec = second // 3600, second // 60 % 60, second % 60
    digits = [hour // 10, hour % 10, ":", minute // 10, minute % 10, ":", sec // 10, sec % 10, "Z", ",", ","]
    matrix = np.column_stack([np.full(DAY, ord(d)) if isinstance(d, str) else d + ord("0") for d in digits])
    return Table.fixed(matrix[:, :9]), Table.fixed(matrix)


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
    return _Calendar(first_day, days, Table(dates), Table([t + "T" for t in dates]), clock, months, epoch,
                     Table([("api", t + "T") for t in dates]), api_clock)


def _post_rates(plan: Plan, post_every_days: float) -> dict[str, float]:
    """Posts per day of an account, per platform, so that the mean over accounts is
    1 / post_every_days."""
    weights = np.array([NETWORKS[p].posting for p in plan.platform.tolist()])
    mean = float(weights.mean()) if len(weights) else 1.0
    return {p: NETWORKS[p].posting / mean / post_every_days for p in NETWORKS}


def _simulate_platform(rng: np.random.Generator, platform: str, plan: Plan, entity_ids: list[str],
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


def _posts(rng: np.random.Generator, platform: str, plan: Plan, members: np.ndarray,
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


def _write_accounts(platform: str, plan: Plan, members: np.ndarray, entity_ids: list[str],
                    cal: _Calendar, present: np.ndarray, followers: np.ndarray, following: np.ndarray,
                    counter: np.ndarray, offset: np.ndarray, data_dir: Path) -> int:
    net = NETWORKS[platform]
    count = len(members)
    # entity,platform,account_id,handle: latest handle, then the former one
    accounts = Table([(entity_ids[plan.entity[i]], platform, plan.account_id[i], handle)
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
        columns: list[Column] = [
            TextColumn(cal.dates, day),
            TextColumn(accounts, who + count * (day < change[who])),
            IntColumn(followers[who, day]),
            IntColumn(following[who, day], None if net.following else missing),
            IntColumn(counter[who, day], None if net.counter else missing),
            TextColumn(cal.api_stamps, day, joined=True),
            TextColumn(cal.api_clock, offset[who]),
        ]
        path = data_dir / "snapshots" / "accounts" / platform / f"{month}.csv"
        write_csv(path, ACCOUNT_COLUMNS, render_rows(columns, n))
        total += n
    return total


def _scramble(serial: np.ndarray, bits: int) -> np.ndarray:
    """Distinct serials to distinct, random-looking numbers below 2**bits (odd multiplier)."""
    product = (serial.astype(np.uint64) + np.uint64(12_345)) * np.uint64(0x9E3779B97F4A7C15)  # mod 2**64
    return (product & np.uint64((1 << bits) - 1)).astype(np.int64)


def _post_ids(platform: str, plan: Plan, members: np.ndarray, posts: dict[str, np.ndarray],
              rows: np.ndarray, epoch: int) -> list[Column]:
    """The post_id cells, in the form each platform gives them (unique on the platform)."""
    who, n = posts["account"][rows], len(rows)
    serial = rows.astype(np.int64)  # rank in publication order: unique, growing with time
    zeros = np.zeros(n, dtype=np.int64)
    if platform == "bluesky":
        prefixes = [f"at://{plan.account_id[i]}/app.bsky.feed.{kind}/"
                    for kind in ("post", "repost") for i in members.tolist()]
        micros = (epoch + posts["published"][rows]) * 1_000_000 + serial % 1_000_000
        tid = (micros << 10) | (serial % 1024)  # a TID: microseconds, then a clock id
        return [TextColumn(Table(prefixes), who + len(members) * posts["is_repost"][rows], joined=True),
                DigitColumn(tid, BASE32, 13)]
    if platform == "youtube":
        return [DigitColumn(_scramble(serial, 62), BASE64, 11)]
    if platform == "peertube":
        mixed = _scramble(serial, 48)
        pieces: list[Column] = [TextColumn(Table(["video.exemple.fr:"]), zeros, joined=True)]
        for j, (width, part) in enumerate(((8, serial * 2654435761 % (1 << 32)), (4, serial % 65536),
                                            (4, 0x4000 + serial % 4096), (4, 0x8000 + serial % 16384),
                                            (12, mixed))):
            pieces.append(DigitColumn(part, HEX, width, joined=j < 4))
            if j < 4:
                pieces.append(TextColumn(Table(["-"]), zeros, joined=True))
        return pieces
    if platform == "facebook":
        pages = Table([f"{plan.account_id[i]}_" for i in members.tolist()])
        return [TextColumn(pages, who, joined=True), IntColumn(122_000_000_000_000_000 + serial * 1_000_003)]
    if platform == "linkedin":
        return [TextColumn(Table(["urn:li:activity:"]), zeros, joined=True),
                IntColumn(7_100_000_000_000_000_000 + serial * 1_000_003)]
    if platform == "mastodon":
        return [TextColumn(Table(["social.exemple.fr:"]), zeros, joined=True),
                IntColumn(113_000_000_000_000_000 + serial * 1_000_003)]
    first = {"twitter": 1_850_000_000_000_000_000, "instagram": 3_400_000_000_000_000_000,
             "tiktok": 7_400_000_000_000_000_000, "threads": 3_500_000_000_000_000_000}[platform]
    return [IntColumn(first + serial * 1_000_003)]


def _write_posts(platform: str, plan: Plan, members: np.ndarray, entity_ids: list[str],
                 cal: _Calendar, posts: dict[str, np.ndarray], data_dir: Path) -> int:
    net = NETWORKS[platform]
    holders = Table([(entity_ids[plan.entity[i]], plan.account_id[i]) for i in members.tolist()])
    flags = Table([("false", "false"), ("true", "false"), ("false", "true"), ("true", "true")])
    constant = Table([platform])
    published, measured = posts["published"], posts["measured"]
    bounds = np.searchsorted(published, [first * DAY for _, first, _ in cal.months] + [cal.days * DAY])
    for k, (month, _, _) in enumerate(cal.months):
        rows = np.arange(bounds[k], bounds[k + 1])
        n = len(rows)
        if not n:
            continue
        who = posts["account"][rows]
        repost = posts["is_repost"][rows]
        columns: list[Column] = [TextColumn(constant, np.zeros(n, dtype=np.int64)),
                                  *_post_ids(platform, plan, members, posts, rows, cal.epoch),
                                  TextColumn(holders, who),
                                  TextColumn(cal.stamps, published[rows] // DAY, joined=True),
                                  TextColumn(cal.clock, published[rows] % DAY),
                                  TextColumn(flags, posts["is_reply"][rows] + 2 * repost)]
        for name in ("likes", "reposts", "replies", "quotes", "views"):
            given = name in net.counts
            columns.append(IntColumn(posts[name][rows], repost | (not given)))
        columns += [TextColumn(cal.stamps, measured[rows] // DAY, joined=True),
                    TextColumn(cal.clock, measured[rows] % DAY)]
        path = data_dir / "snapshots" / "posts" / platform / f"{month}.csv"
        write_csv(path, POST_COLUMNS, render_rows(columns, n))
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


def generate(root: Path, establishments: int, days: int, seed: int = 0, end: date | None = None,
             post_every_days: float = 2.0) -> GeneratedSummary:
    """Write a fake registry and `days` days of snapshots ending on `end` (default: today, so that a
    demonstration is never stale; tests pass a fixed day) under root/data/."""
    root = Path(root)
    data_dir = _check_target(root)
    if establishments < 1 or establishments > 999_999:
        raise ValueError("le nombre d'établissements doit être compris entre 1 et 999 999")
    if days < 1:
        raise ValueError("le nombre de jours doit être au moins 1")
    if not post_every_days > 0 or math.isinf(post_every_days):
        raise ValueError("l'intervalle moyen entre deux publications doit être positif")
    rng = np.random.default_rng(seed)
    end = end or date.today()
    first_day = end - timedelta(days=days - 1)
    plan, entity_ids = write_registry(rng, data_dir, establishments, days, first_day)
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
    parser = FrenchArgumentParser(
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
    parser.add_argument("--end", type=date.fromisoformat, default=None, metavar="AAAA-MM-JJ",
                        help="dernier jour de relevé (défaut : aujourd'hui)")
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
