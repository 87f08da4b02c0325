"""Metrics per account, from the snapshot store (see docs/methodologie.md for every formula).

Input: the accounts and posts tables of the store (store.load_accounts / load_posts) and the
registry. Output: one row per account with every metric and, beside each metric X, a column
X_na holding the reason when X cannot be computed ("n/a": never 0, never extrapolated)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from observatory.registry.load import Registry

# Definitions, named once (changes go into the methodology's "Journal des définitions").
GROWTH_WINDOWS = (7, 30, 90, 365)
ENGAGEMENT_DAYS = 30  # window of engagement, post interaction, posts per week and conversation
FEW_POSTS = 5  # fewer posts than this in the window: "peu de publications"
SHRINK_WEIGHT = 5  # pseudo-posts at the platform median when shrinking a small account
DORMANT_DAYS = 90
CAP_SCORE = 90  # a percentile score of 90 or more counts as 100 (top decile)
MIN_PEERS = 5  # accounts needed on a platform to fit the size effect
KEY = ["platform", "account_id"]


def growth_tolerance(days: int) -> int:
    """How far (days) the start snapshot may be from the window's theoretical start."""
    return max(1, round(days * 0.2))


@dataclass(frozen=True)
class Inputs:
    accounts: pd.DataFrame  # store.load_accounts
    posts: pd.DataFrame  # store.load_posts
    registry: Registry

    @cached_property
    def snapshots(self) -> Snapshots:
        """The accounts sorted and keyed once, for every as_of asked of these inputs."""
        return prepare(self.accounts)


_SHIFT = 20  # a row's key: account code << _SHIFT | day number (days since 1970 fit in 20 bits)


@dataclass(frozen=True)
class Snapshots:
    """The account rows sorted by account then day, each with an integer key, so that "the
    snapshot of this account on or near this day" is a binary search (merges of millions of
    rows by string keys cost seconds at national scale)."""

    source: pd.DataFrame  # the store's rows as given (not copied: millions of rows)
    order: np.ndarray  # sorted position -> row of `source`
    key: np.ndarray  # int64, ascending: account code << _SHIFT | day number
    followers: pd.api.extensions.ExtensionArray  # Int64, in sorted order
    starts: np.ndarray  # first row of each account (accounts coded 0..n-1 in (platform, id) order)

    @property
    def empty(self) -> bool:
        return len(self.key) == 0

    def rows(self, positions: np.ndarray, columns: list[str]) -> pd.DataFrame:
        return self.source[columns].iloc[self.order[positions]].reset_index(drop=True)

    def dates(self, positions: np.ndarray) -> np.ndarray:
        return self.day(positions).astype("datetime64[D]").astype("datetime64[ns]")

    def followers_at(self, positions: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """Followers of each sorted position; <NA> for -1."""
        return self.followers.take(positions, allow_fill=True)

    def day(self, rows: np.ndarray | slice = slice(None)) -> np.ndarray:
        return self.key[rows] & ((1 << _SHIFT) - 1)

    def nearest(self, codes: np.ndarray, days: np.ndarray, tolerance: int) -> np.ndarray:
        """Per (account code, day): the row of that account nearest the day (the earlier one on
        a tie), or -1 when none lies within `tolerance` days."""
        probe = (codes << _SHIFT) | days
        after = np.searchsorted(self.key, probe, side="left")
        before = after - 1
        has_before = (before >= 0) & ((self.key[np.maximum(before, 0)] >> _SHIFT) == codes)
        inside = np.minimum(after, len(self.key) - 1)
        has_after = (after < len(self.key)) & ((self.key[inside] >> _SHIFT) == codes)
        gap_before = np.where(has_before, days - self.day(np.maximum(before, 0)), np.iinfo(np.int64).max)
        gap_after = np.where(has_after, self.day(inside) - days, np.iinfo(np.int64).max)
        row = np.where(gap_after < gap_before, inside, before)
        return np.where(np.minimum(gap_before, gap_after) <= tolerance, row, -1)

    def on_or_before(self, codes: np.ndarray, days: np.ndarray) -> np.ndarray:
        """Per (account code, day): the account's latest row on or before the day, or -1."""
        row = np.searchsorted(self.key, (codes << _SHIFT) | days, side="right") - 1
        same = (row >= 0) & ((self.key[np.maximum(row, 0)] >> _SHIFT) == codes)
        return np.where(same, row, -1)


def day_numbers(dates: pd.Series | np.ndarray) -> np.ndarray:
    """Days since 1970-01-01 of naive dates (or ISO texts), as int64."""
    return pd.to_datetime(dates).to_numpy("datetime64[ns]").astype("datetime64[D]").astype(np.int64)


def _timestamp(day: int) -> pd.Timestamp:
    return pd.Timestamp(np.datetime64(int(day), "D"))


def prepare(accounts: pd.DataFrame) -> Snapshots:
    """The store's account rows (store.load_accounts), sorted and keyed for the metrics."""
    platform, _platforms = pd.factorize(accounts["platform"].astype(str), sort=True)
    account, account_ids = pd.factorize(accounts["account_id"].astype(str), sort=True)
    pair = platform.astype(np.int64) * max(len(account_ids), 1) + account
    code, _pairs = pd.factorize(pair, sort=True)  # codes follow the (platform, account_id) order
    key = (code.astype(np.int64) << _SHIFT) | day_numbers(accounts["date"])
    order = np.argsort(key, kind="stable")  # a day's rows keep their order: the last one wins
    key = key[order]
    starts = np.flatnonzero(np.r_[True, key[1:] >> _SHIFT != key[:-1] >> _SHIFT]) if len(key) else key
    followers = pd.array(accounts["followers"], dtype="Int64").take(order)
    return Snapshots(accounts, order, key, followers, starts)


def latest_values(snapshots: Snapshots, as_of: pd.Timestamp) -> pd.DataFrame:
    """The last snapshot of each account on or before as_of, and when observation began."""
    codes = np.arange(len(snapshots.starts), dtype=np.int64)
    as_of_day = int(day_numbers(pd.Series([as_of]))[0])
    row = snapshots.on_or_before(codes, np.full(len(codes), as_of_day))
    seen = row >= 0
    last = snapshots.rows(row[seen], ["entity", "platform", "account_id", "handle", "following", "posts"])
    for column in ("entity", "platform", "account_id", "handle"):  # categories in the store's frames
        last[column] = last[column].astype(str)
    last.insert(0, "measured_on", snapshots.dates(row[seen]))
    last.insert(5, "followers", snapshots.followers_at(row[seen]))
    last["code"] = codes[seen]
    last["first_seen"] = snapshots.dates(snapshots.starts[seen])
    return last.set_index(KEY)


def growth(snapshots: Snapshots, last: pd.DataFrame, days: int) -> pd.DataFrame:
    """Growth over `days` from the snapshot nearest the window's start (actual span kept)."""
    end_day = day_numbers(last["measured_on"])
    start_row = snapshots.nearest(last["code"].to_numpy(np.int64), end_day - days, growth_tolerance(days))
    found = start_row >= 0
    span = pd.Series(pd.array(np.where(found, end_day - snapshots.day(np.maximum(start_row, 0)), 0),
                              dtype="Int64"), index=last.index).where(found)
    start = pd.Series(snapshots.followers_at(start_row), index=last.index).astype("Float64")
    end = last["followers"].astype("Float64")
    out = pd.DataFrame(index=last.index)
    out[f"growth_{days}_span"] = span
    out[f"growth_{days}_abs"] = (end - start).where(span > 0)
    out[f"growth_{days}_pct"] = ((end - start) / start * 100).where((span > 0) & (start > 0))
    ratio = (end / start).where((span > 0) & (start > 0)).astype(float)
    out[f"growth_{days}_weekly"] = (np.power(ratio, 7 / span.astype(float)) - 1) * 100
    reason = pd.Series(pd.NA, index=last.index, dtype="string")
    reason = reason.mask(start == 0, "0 abonné au début de la période")
    reason = reason.mask(start.isna() | end.isna(), "nombre d'abonnés non communiqué")
    since = last["first_seen"].dt.strftime("%d/%m/%Y")
    reason = reason.mask(~found, "historique insuffisant : suivi depuis le " + since)
    out[f"growth_{days}_na"] = reason
    for column in (f"growth_{days}_pct", f"growth_{days}_weekly"):
        out[column] = out[column].astype("Float64")
    return out


def _own_posts(posts: pd.DataFrame) -> pd.DataFrame:
    """The account's own posts (reposts of others excluded), keyed like the account table."""
    own = posts[~posts["is_repost"].fillna(False).astype(bool)].copy()
    own["platform"] = own["platform"].astype(str)
    own["account_id"] = own["account_id"].astype(str)
    return own


def _daily_posts(own: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Own posts of the window, summed per account and day. Built-in aggregations only: a
    Python function per group costs seconds at national scale."""
    start = as_of - pd.Timedelta(days=ENGAGEMENT_DAYS - 1)
    day = own["published_at"].dt.tz_convert(None).dt.normalize()
    in_window = ((day >= start) & (day <= as_of)).to_numpy()
    interactions = own["likes"].astype("Float64") + own["reposts"].astype("Float64")
    is_reply = own["is_reply"].astype("boolean")
    window = pd.DataFrame({
        "platform": own["platform"].to_numpy()[in_window],
        "account_id": own["account_id"].to_numpy()[in_window],
        "day": day.to_numpy()[in_window],
        "interactions": interactions.to_numpy(dtype=float, na_value=np.nan)[in_window],
        "interactions_missing": interactions.isna().to_numpy()[in_window],
        "replies": is_reply.fillna(False).to_numpy(dtype=bool)[in_window],
        "reply_missing": is_reply.isna().to_numpy()[in_window],
    })
    daily = window.groupby(KEY + ["day"], sort=False).agg(
        posts=("day", "size"), interactions=("interactions", "sum"),
        interactions_missing=("interactions_missing", "any"), replies=("replies", "sum"),
        reply_missing=("reply_missing", "any")).reset_index()
    daily["interactions"] = daily["interactions"].where(~daily["interactions_missing"])
    daily["reply_known"] = ~daily["reply_missing"]
    return daily.drop(columns=["interactions_missing", "reply_missing"])


def engagement(snapshots: Snapshots, posts: pd.DataFrame, last: pd.DataFrame,
               as_of: pd.Timestamp) -> pd.DataFrame:
    """Engagement, post interaction, posts per week and conversation over ENGAGEMENT_DAYS."""
    out = pd.DataFrame(index=last.index)
    window_start = as_of - pd.Timedelta(days=ENGAGEMENT_DAYS - 1)
    daily = _daily_posts(_own_posts(posts), as_of)
    # Followers of the account's latest snapshot on or before the day of the posts.
    code = pd.Series(last["code"].to_numpy(), index=last.index).reindex(
        pd.MultiIndex.from_frame(daily[KEY])).to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(code)
    row = np.full(len(daily), -1)
    row[known] = snapshots.on_or_before(code[known].astype(np.int64), day_numbers(daily["day"])[known])
    daily["followers"] = snapshots.followers_at(row)
    daily["rate"] = (daily["interactions"] / daily["followers"]).where(daily["followers"] > 0)
    daily["per_post"] = daily["rate"] / daily["posts"]
    daily["rate_missing"] = daily["rate"].isna()
    daily["per_post_missing"] = daily["per_post"].isna()
    daily["zero_followers"] = (daily["followers"] == 0).fillna(False).astype(bool)
    per_account = daily.groupby(KEY).agg(
        n_posts=("posts", "sum"), rate_sum=("rate", "sum"), rate_missing=("rate_missing", "any"),
        per_post=("per_post", "mean"), per_post_missing=("per_post_missing", "any"),
        replies=("replies", "sum"), reply_known=("reply_known", "all"),
        last_post=("day", "max"), zero_followers=("zero_followers", "any"))
    per_account["rate_sum"] = per_account["rate_sum"].where(~per_account["rate_missing"])
    per_account["per_post"] = per_account["per_post"].where(~per_account["per_post_missing"])
    per_account = per_account.reindex(last.index)
    n_posts = per_account["n_posts"].fillna(0).astype("Int64")
    covered = last["first_seen"] <= window_start
    engagement_value = (per_account["rate_sum"] / ENGAGEMENT_DAYS * 100).astype("Float64")
    engagement_value = engagement_value.mask(n_posts == 0, 0.0)  # no post in the window: 0
    reason = pd.Series(pd.NA, index=last.index, dtype="string")
    reason = reason.mask(per_account["zero_followers"].fillna(False).astype(bool), "0 abonné")
    reason = reason.mask((n_posts > 0) & per_account["rate_sum"].isna() & reason.isna(),
                         "interactions ou abonnés non communiqués")
    since = last["first_seen"].dt.strftime("%d/%m/%Y")
    reason = reason.mask(~covered, f"fenêtre de {ENGAGEMENT_DAYS} jours non couverte : suivi depuis le "
                         + since)
    out["engagement"] = engagement_value.where(reason.isna())
    out["engagement_na"] = reason
    out["post_interaction"] = (per_account["per_post"] * 100).astype("Float64").where(
        reason.isna() & (n_posts > 0))
    out["post_interaction_na"] = reason.mask(reason.isna() & (n_posts == 0), "aucune publication")
    out["posts_in_window"] = n_posts.where(covered)
    out["posts_per_week"] = (n_posts.astype("Float64") * 7 / ENGAGEMENT_DAYS).where(covered)
    out["posts_per_week_na"] = pd.Series(pd.NA, index=last.index, dtype="string").mask(
        ~covered, f"fenêtre de {ENGAGEMENT_DAYS} jours non couverte")
    conversation = (per_account["replies"] / per_account["n_posts"] * 100).astype("Float64")
    conversation_reason = pd.Series(pd.NA, index=last.index, dtype="string")
    conversation_reason = conversation_reason.mask(n_posts == 0, "aucune publication")
    conversation_reason = conversation_reason.mask(
        (n_posts > 0) & ~per_account["reply_known"].fillna(True).astype(bool),
        "le réseau n'indique pas les réponses")
    conversation_reason = conversation_reason.mask(~covered,
                                                   f"fenêtre de {ENGAGEMENT_DAYS} jours non couverte")
    out["conversation"] = conversation.where(conversation_reason.isna())
    out["conversation_na"] = conversation_reason
    out["few_posts"] = (n_posts < FEW_POSTS) & covered
    out["last_post"] = per_account["last_post"]
    return out


def dormancy(posts: pd.DataFrame, last: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """True: no own post in DORMANT_DAYS; <NA>: not observed long enough to say."""
    latest_post = _own_posts(posts).groupby(KEY)["published_at"].max().dt.tz_convert(None)
    latest_post = latest_post.reindex(last.index)
    limit = as_of - pd.Timedelta(days=DORMANT_DAYS)
    observed_long_enough = last["first_seen"] <= limit
    dormant = pd.Series(pd.NA, index=last.index, dtype="boolean")
    dormant = dormant.mask(latest_post >= limit, False)
    dormant = dormant.mask((latest_post < limit) | (latest_post.isna() & observed_long_enough), True)
    return dormant


def percentile_score(values: pd.Series, population: pd.Series) -> pd.Series:
    """Share (%) of the population strictly below each value, capped for the top decile."""
    reference = np.sort(population.dropna().astype(float).to_numpy())
    if len(reference) == 0:
        return pd.Series(pd.NA, index=values.index, dtype="Float64")
    known = values.notna().to_numpy()
    below = np.searchsorted(reference, values.astype(float).to_numpy(na_value=np.nan), side="left")
    score = np.where(below / len(reference) * 100 >= CAP_SCORE, 100.0, below / len(reference) * 100)
    return pd.Series(np.where(known, score, np.nan), index=values.index, dtype="Float64")


def shrunk_engagement(frame: pd.DataFrame) -> pd.Series:
    """Engagement of small accounts pulled toward their platform's median, for comparisons.
    The median is the establishments' only: adding a benchmark (a brand, an agency) must not
    move any establishment's comparable engagement, score or index."""
    establishments = frame["engagement"].where(~frame["is_benchmark"].astype(bool))
    median = establishments.groupby(frame["platform"]).transform("median")
    n = frame["posts_in_window"].astype("Float64")
    shrunk = (n * frame["engagement"] + SHRINK_WEIGHT * median) / (n + SHRINK_WEIGHT)
    return frame["engagement"].where(~frame["few_posts"].fillna(False).astype(bool), shrunk)


def size_effect(frame: pd.DataFrame) -> pd.DataFrame:
    """Followers per 100 beds, and engagement relative to accounts of the same size."""
    out = pd.DataFrame(index=frame.index)
    beds = frame["beds"].astype("Float64")
    out["followers_per_100_beds"] = (frame["followers"].astype("Float64") / beds * 100).where(beds > 0)
    out["followers_per_100_beds_na"] = pd.Series(pd.NA, index=frame.index, dtype="string").mask(
        beds.isna(), "taille de l'établissement non renseignée")
    comparable = shrunk_engagement(frame)
    ratio = pd.Series(pd.NA, index=frame.index, dtype="Float64")
    reason = pd.Series(pd.NA, index=frame.index, dtype="string")
    for _platform, group in frame.groupby("platform", sort=False):
        usable = (~group["is_benchmark"]) & (comparable[group.index] > 0) & (group["followers"] > 0)
        if usable.sum() < MIN_PEERS:
            reason[group.index] = f"moins de {MIN_PEERS} comptes comparables sur ce réseau"
            continue
        x = np.log(group.loc[usable, "followers"].astype(float))
        y = np.log(comparable[group.index][usable].astype(float))
        slope, intercept = np.polyfit(x, y, 1)
        has_values = (comparable[group.index] > 0) & (group["followers"] > 0)
        idx = group.index[has_values.fillna(False).astype(bool)]
        fitted = intercept + slope * np.log(frame.loc[idx, "followers"].astype(float))
        ratio[idx] = np.exp(np.log(comparable[idx].astype(float)) - fitted)
        reason[group.index.difference(idx)] = "engagement nul ou n/a"
    out["engagement_vs_peers"] = ratio
    out["engagement_vs_peers_na"] = reason
    return out


def composite_index(frame: pd.DataFrame) -> pd.DataFrame:
    """Open composite index: geometric mean of engagement and growth percentile scores, per platform."""
    out = pd.DataFrame(index=frame.index)
    comparable = shrunk_engagement(frame)
    growth_col = "growth_30_weekly"
    eng_score = pd.Series(pd.NA, index=frame.index, dtype="Float64")
    growth_score = pd.Series(pd.NA, index=frame.index, dtype="Float64")
    for _platform, group in frame.groupby("platform", sort=False):
        population = group[~group["is_benchmark"]]
        eng_score[group.index] = percentile_score(comparable[group.index], comparable[population.index])
        growth_score[group.index] = percentile_score(group[growth_col], population[growth_col])
    out["engagement_score"] = eng_score
    out["growth_score"] = growth_score
    out["index"] = np.sqrt(eng_score.astype(float) * growth_score.astype(float))
    out["index"] = out["index"].astype("Float64")
    reason = pd.Series(pd.NA, index=frame.index, dtype="string")
    reason = reason.mask(frame["growth_30_weekly"].isna(), "croissance sur 30 jours n/a")
    reason = reason.mask(frame["engagement"].isna(), "engagement n/a")
    out["index_na"] = reason
    return out


def account_metrics(inputs: Inputs, as_of: pd.Timestamp | None = None) -> pd.DataFrame:
    """Every metric of every account, as of a day (default: the latest collection day)."""
    snapshots = inputs.snapshots
    if snapshots.empty:
        return pd.DataFrame()
    as_of = pd.Timestamp(as_of).normalize() if as_of is not None else _timestamp(snapshots.day().max())
    last = latest_values(snapshots, as_of)
    frames = [last]
    for days in GROWTH_WINDOWS:
        frames.append(growth(snapshots, last, days))
    frames.append(engagement(snapshots, inputs.posts, last, as_of))
    frame = pd.concat(frames, axis=1).drop(columns=["code"])
    frame["dormant"] = dormancy(inputs.posts, last, as_of)
    entities = inputs.registry.entities
    frame = frame.reset_index()
    known = frame["entity"].map(entities.get)
    frame["is_benchmark"] = known.map(lambda e: bool(e and e.is_benchmark))
    frame["category"] = known.map(lambda e: e.category if e else None)
    frame["region"] = known.map(lambda e: e.region if e else None)
    frame["beds"] = known.map(lambda e: e.beds if e else None).astype("Int64")
    frame = pd.concat([frame, size_effect(frame), composite_index(frame)], axis=1)
    frame["as_of"] = as_of
    return frame


RANKED = ("followers", "growth_30_pct", "engagement", "index")


def with_ranks(current: pd.DataFrame, previous: pd.DataFrame | None) -> pd.DataFrame:
    """Rank per platform among establishments (ties share a rank) and change since `previous`."""
    frame = current.copy()
    for metric in RANKED:
        ranks = _ranks(frame, metric)
        frame[f"rank_{metric}"] = ranks
        if previous is not None and not previous.empty:
            before = _ranks(previous, metric)
            before.index = pd.MultiIndex.from_frame(previous[KEY])
            key = pd.MultiIndex.from_frame(frame[KEY])
            old = pd.Series(before.reindex(key).to_numpy(), index=frame.index, dtype="Int64")
            frame[f"rank_{metric}_change"] = old - ranks  # positive: places gained
        else:
            frame[f"rank_{metric}_change"] = pd.Series(pd.NA, index=frame.index, dtype="Int64")
    return frame


def _ranks(frame: pd.DataFrame, metric: str) -> pd.Series:
    eligible = frame[metric].where(~frame["is_benchmark"].astype(bool))
    return eligible.groupby(frame["platform"]).rank(method="min", ascending=False).astype("Int64")
