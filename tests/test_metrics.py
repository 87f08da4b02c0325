"""Metrics on hand-computed fixtures: gaps, a single snapshot, a handle change, zero followers,
ties, benchmark accounts, missing size."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from observatory.analysis.metrics import Inputs, account_metrics, percentile_score, with_ranks
from observatory.registry.load import Entity, Registry

# The store's column order (observatory/store/snapshots.py).
ACCOUNT_COLUMNS = ("date", "entity", "platform", "account_id", "handle", "followers", "following",
                   "posts", "provenance", "collected_at", "source_title", "source_url")
POST_COLUMNS = ("platform", "post_id", "entity", "account_id", "published_at", "is_reply",
                "is_repost", "likes", "reposts", "replies", "quotes", "views", "measured_at")


def entity(entity_id: str, benchmark: bool = False, beds: int | None = None) -> Entity:
    return Entity(id=entity_id, name=entity_id, short_name=entity_id, is_benchmark=benchmark,
                  category=None if benchmark else "chu-chr", kind="marque" if benchmark else None,
                  region="Bretagne", city=None, website=None, beds=beds)


REGISTRY = Registry({e.id: e for e in (entity("chu-a", beds=2000), entity("chu-b"), entity("chu-c"),
                                       entity("chu-d"), entity("chu-e"), entity("ref", benchmark=True))})


def accounts_frame(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame([dict(zip(("date", "entity", "account_id", "handle", "followers"), r, strict=True))
                          for r in rows])
    frame["platform"] = "bluesky"
    frame["following"] = pd.NA
    frame["posts"] = pd.NA
    frame["provenance"] = "api"
    frame["collected_at"] = frame["date"] + "T06:00:00Z"
    frame["source_title"] = ""
    frame["source_url"] = ""
    frame = frame[list(ACCOUNT_COLUMNS)]
    frame["date"] = pd.to_datetime(frame["date"])
    return frame.astype({"followers": "Int64", "following": "Int64", "posts": "Int64"})


def posts_frame(rows: list[tuple]) -> pd.DataFrame:
    names = ("post_id", "entity", "account_id", "published_at", "is_reply", "is_repost", "likes", "reposts")
    frame = pd.DataFrame([dict(zip(names, r, strict=True)) for r in rows])
    frame["platform"] = "bluesky"
    for column in ("replies", "quotes", "views"):
        frame[column] = pd.NA
    frame["measured_at"] = "2025-01-31T06:00:00Z"
    frame = frame[list(POST_COLUMNS)]
    for column in ("published_at", "measured_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame.astype({"is_reply": "boolean", "is_repost": "boolean", "likes": "Int64", "reposts": "Int64",
                         "replies": "Int64", "quotes": "Int64", "views": "Int64"})


ACCOUNTS = accounts_frame([
    # chu-a: a handle change on 24 January; history follows the DID.
    ("2025-01-01", "chu-a", "did:a", "chu-a.bsky.social", 1000),
    ("2025-01-24", "chu-a", "did:a", "chu-a.fr", 1100),
    ("2025-01-31", "chu-a", "did:a", "chu-a.fr", 1200),
    # chu-b: zero followers throughout.
    ("2025-01-01", "chu-b", "did:b", "chu-b.fr", 0),
    ("2025-01-31", "chu-b", "did:b", "chu-b.fr", 0),
    # chu-c: a single snapshot.
    ("2025-01-31", "chu-c", "did:c", "chu-c.fr", 500),
    # chu-d and chu-e: tied on followers.
    ("2025-01-01", "chu-d", "did:d", "chu-d.fr", 800),
    ("2025-01-31", "chu-d", "did:d", "chu-d.fr", 900),
    ("2025-01-01", "chu-e", "did:e", "chu-e.fr", 850),
    ("2025-01-31", "chu-e", "did:e", "chu-e.fr", 900),
    # ref: a benchmark account, bigger than everyone.
    ("2025-01-01", "ref", "did:r", "ref.fr", 100000),
    ("2025-01-31", "ref", "did:r", "ref.fr", 101000),
])
POSTS = posts_frame([
    ("a1", "chu-a", "did:a", "2025-01-10T08:00:00Z", False, False, 10, 2),
    ("a2", "chu-a", "did:a", "2025-01-10T17:00:00Z", True, False, 5, 3),
    ("a3", "chu-a", "did:a", "2025-01-25T09:00:00Z", False, False, 22, 0),
    ("a4", "chu-a", "did:a", "2025-01-26T09:00:00Z", False, True, 500, 500),  # a repost: not counted
    ("a5", "chu-a", "did:a", "2024-12-20T09:00:00Z", False, False, 900, 900),  # before the window
    ("b1", "chu-b", "did:b", "2025-01-15T09:00:00Z", False, False, 1, 0),
])


@pytest.fixture(scope="module")
def metrics() -> pd.DataFrame:
    frame = account_metrics(Inputs(ACCOUNTS, POSTS, REGISTRY))
    return frame.set_index("entity")


def test_latest_values_follow_the_did_through_a_handle_change(metrics: pd.DataFrame) -> None:
    row = metrics.loc["chu-a"]
    assert (row["handle"], row["followers"]) == ("chu-a.fr", 1200)
    assert row["measured_on"] == pd.Timestamp("2025-01-31")
    assert len(metrics) == 6


def test_growth_from_nearest_snapshots_with_actual_span(metrics: pd.DataFrame) -> None:
    row = metrics.loc["chu-a"]
    assert (row["growth_7_abs"], row["growth_7_span"]) == (100, 7)
    assert row["growth_7_pct"] == pytest.approx(100 / 1100 * 100)
    assert row["growth_7_weekly"] == pytest.approx(100 / 1100 * 100)
    assert (row["growth_30_abs"], row["growth_30_span"], row["growth_30_pct"]) == (200, 30, 20)
    assert row["growth_30_weekly"] == pytest.approx((1.2 ** (7 / 30) - 1) * 100)


def test_growth_gap_is_na_with_reason_never_zero(metrics: pd.DataFrame) -> None:
    row = metrics.loc["chu-a"]
    assert pd.isna(row["growth_90_abs"]) and pd.isna(row["growth_90_pct"])
    assert row["growth_90_na"] == "historique insuffisant : suivi depuis le 01/01/2025"
    single = metrics.loc["chu-c"]
    for days in (7, 30, 90, 365):
        assert pd.isna(single[f"growth_{days}_pct"])
        assert single[f"growth_{days}_na"] == "historique insuffisant : suivi depuis le 31/01/2025"
    assert single["engagement_na"] == "fenêtre de 30 jours non couverte : suivi depuis le 31/01/2025"
    assert pd.isna(single["engagement"]) and pd.isna(single["posts_per_week"])


def test_engagement_as_fanpage_karma_defines_it(metrics: pd.DataFrame) -> None:
    row = metrics.loc["chu-a"]
    # 10 January: (10+2)+(5+3) = 20 interactions / 1,000 followers (snapshot of 1 January) = 0.02;
    # 25 January: 22 / 1,100 (snapshot of 24 January) = 0.02; 28 other days count 0.
    assert row["engagement"] == pytest.approx((0.02 + 0.02) / 30 * 100)
    # Post interaction: mean over posting days of interactions / posts / followers.
    assert row["post_interaction"] == pytest.approx((0.02 / 2 + 0.02 / 1) / 2 * 100)
    assert row["posts_in_window"] == 3
    assert row["posts_per_week"] == pytest.approx(3 * 7 / 30)
    assert row["conversation"] == pytest.approx(100 / 3)
    assert bool(row["few_posts"]) is True


def test_no_post_means_zero_engagement_when_the_window_is_covered(metrics: pd.DataFrame) -> None:
    row = metrics.loc["chu-d"]
    assert row["engagement"] == 0 and pd.isna(row["engagement_na"])
    assert pd.isna(row["conversation"]) and row["conversation_na"] == "aucune publication"


def test_zero_followers(metrics: pd.DataFrame) -> None:
    row = metrics.loc["chu-b"]
    assert row["growth_30_abs"] == 0
    assert pd.isna(row["growth_30_pct"]) and row["growth_30_na"] == "0 abonné au début de la période"
    assert pd.isna(row["engagement"]) and row["engagement_na"] == "0 abonné"


def test_missing_size(metrics: pd.DataFrame) -> None:
    assert metrics.loc["chu-a", "followers_per_100_beds"] == pytest.approx(60.0)
    assert pd.isna(metrics.loc["chu-d", "followers_per_100_beds"])
    assert metrics.loc["chu-d", "followers_per_100_beds_na"] == "taille de l'établissement non renseignée"


def test_ties_share_a_rank_and_benchmarks_are_never_ranked(metrics: pd.DataFrame) -> None:
    ranked = with_ranks(metrics.reset_index(), None).set_index("entity")
    assert ranked.loc["chu-a", "rank_followers"] == 1
    assert ranked.loc["chu-d", "rank_followers"] == ranked.loc["chu-e", "rank_followers"] == 2
    assert ranked.loc["chu-c", "rank_followers"] == 4
    assert pd.isna(ranked.loc["ref", "rank_followers"])


def test_rank_change_since_the_previous_period() -> None:
    current = account_metrics(Inputs(ACCOUNTS, POSTS, REGISTRY))
    previous = account_metrics(Inputs(ACCOUNTS, POSTS, REGISTRY), as_of=pd.Timestamp("2025-01-24"))
    ranked = with_ranks(current, with_ranks(previous, None)).set_index("entity")
    # On 24 January, chu-a (1,100) led and chu-e (850) was ahead of chu-d (800).
    assert ranked.loc["chu-a", "rank_followers_change"] == 0
    assert ranked.loc["chu-d", "rank_followers_change"] == 1
    assert pd.isna(ranked.loc["chu-c", "rank_followers_change"])  # not observed then


def test_percentile_score_is_share_strictly_below_capped_at_the_top_decile() -> None:
    population = pd.Series(range(1, 21), dtype="Float64")  # 1..20
    scores = percentile_score(pd.Series([1, 5, 18, 19, 20, pd.NA], dtype="Float64"), population)
    assert list(scores[:5]) == [0.0, 20.0, 85.0, 100.0, 100.0]
    assert pd.isna(scores.iloc[5])


def test_composite_index_is_the_geometric_mean_of_the_scores(metrics: pd.DataFrame) -> None:
    for name, row in metrics.iterrows():
        if pd.notna(row["index"]):
            assert row["index"] == pytest.approx(math.sqrt(row["engagement_score"] * row["growth_score"]))
        else:
            assert isinstance(row["index_na"], str), name
    assert metrics.loc["chu-c", "index_na"] == "engagement n/a"


def _peer_world(with_benchmark: bool) -> pd.DataFrame:
    """Seven establishments, some with few posts (shrunk toward the median), and optionally a
    benchmark with a far higher engagement on few posts."""
    ids = [f"ch-{i}" for i in range(7)] + (["marque"] if with_benchmark else [])
    registry = Registry({i: entity(i, benchmark=i == "marque") for i in ids})
    rows, posts = [], []
    for n, name in enumerate(ids):
        big = name == "marque"
        start, end = (50000, 52000) if big else (1000 * (n + 1), 1000 * (n + 1) + 37 * n + 5)
        rows += [("2025-01-01", name, f"did:{name}", f"{name}.fr", start),
                 ("2025-01-31", name, f"did:{name}", f"{name}.fr", end)]
        count = 2 if big else (2 + n % 2 * 6)  # a few accounts under FEW_POSTS, others over
        for k in range(count):
            likes = 40000 if big else 5 + 3 * n + k
            posts.append((f"{name}-{k}", name, f"did:{name}", f"2025-01-{10 + k:02d}T09:00:00Z",
                          False, False, likes, 1))
    return account_metrics(Inputs(accounts_frame(rows), posts_frame(posts), registry)).set_index("entity")


def test_adding_a_benchmark_changes_no_establishment_value() -> None:
    without, with_ = _peer_world(False), _peer_world(True)
    assert with_.loc["marque", "engagement"] > 10 * without["engagement"].max()
    assert without["few_posts"].any() and not without["few_posts"].all()
    for column in ("engagement", "engagement_vs_peers", "engagement_score", "growth_score", "index"):
        before = without[column].astype(float)
        after = with_.loc[without.index, column].astype(float)
        assert before.notna().sum() >= 5, column
        pd.testing.assert_series_equal(before, after, check_names=False, obj=column)
