"""The synthetic registry: clearly fictitious establishments and benchmarks, their accounts and
the plan of who is present on which network, written as valid registry files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from observatory.registry.spec import BENCHMARK, ESTABLISHMENT
from observatory.registry.validate import canonical_data
from observatory.registry.vocab import REGIONS
from observatory.registry.yamlio import dump_canonical

REPO_DATA = Path(__file__).resolve().parents[2] / "data"
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
class Plan:
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
          days: int) -> tuple[Plan, list[str]]:
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
    plan = Plan(entity, platform, handles, old_handles, ids, start, stop, left, change_day, outage,
                 post_stop, np.array(scale))
    return plan, entity_ids


def write_registry(rng: np.random.Generator, data_dir: Path, n_establishments: int, days: int,
                    first_day: date) -> tuple[Plan, list[str]]:
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
