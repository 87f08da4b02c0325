"""Follower and engagement series of every account, computed at once (sorted int64 keys,
searchsorted, cumulative sums) and written one CSV per account, their text built column-wise in numpy."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from observatory.analysis.metrics import ENGAGEMENT_DAYS, day_numbers
from observatory.registry.vocab import PLATFORMS
from observatory.site.charts.blocks import write_bytes_if_changed
from observatory.site.charts.specs import SERIES_DIR, WEEK
from observatory.textfmt import date_fr, html_text

# --- Series ----------------------------------------------------------------------------------
# Rows are identified by an int64 key, account code << 32 | day number (days since 1970): one
# sort, then every "latest value on or before a day" lookup is a searchsorted on the keys, and
# every window sum a difference of two cumulative sums. No merge, no groupby per account.

_SHIFT = 32
EPOCH = np.datetime64("1970-01-01", "D")


@dataclass
class Series:
    """Every account's series, each table sorted by account code (gid) then day."""

    keys: pd.DataFrame  # gid -> platform, account_id, entity, handle
    daily: pd.DataFrame  # gid, day, date, followers (float, NaN when not given): every snapshot
    engagement: pd.DataFrame  # gid, day, date, engagement (%, NaN when n/a): one a week
    weekly_followers: pd.DataFrame  # gid, day, date, followers: the week's latest snapshot
    as_of: int | None  # day number of the latest collection day


def safe_name(account_id: str) -> str:
    """A file name for an account id: DIDs hold ':', other ids may hold anything. Ids that are
    not plain get a short hash, so that two ids never share a file (even on a file system that
    ignores case)."""
    plain = re.sub(r"[^A-Za-z0-9_-]", "_", account_id)[:80] or "_"
    if plain == account_id and plain.lower() == plain:
        return plain
    return f"{plain}-{hashlib.sha1(account_id.encode('utf-8')).hexdigest()[:8]}"


def _table(gid: np.ndarray, day: np.ndarray, **columns: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"gid": gid, "day": day, "date": (EPOCH + day).astype("datetime64[ns]"), **columns})


def group_bounds(gid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) of each run of equal codes in a sorted array."""
    if len(gid) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    starts = np.flatnonzero(np.r_[True, gid[1:] != gid[:-1]])
    return starts, np.r_[starts[1:], len(gid)]


def _account_codes(platforms: pd.Series, account_ids: pd.Series) -> tuple[np.ndarray, pd.DataFrame]:
    """Dense integer codes of (platform, account_id) pairs, and the pairs by code; factorising
    each column then their combination avoids hashing millions of tuples."""
    p_codes, p_uniques = pd.factorize(platforms)
    a_codes, a_uniques = pd.factorize(account_ids)
    width = max(len(a_uniques), 1)
    codes, combined = pd.factorize(p_codes.astype(np.int64) * width + a_codes)
    keys = pd.DataFrame({"gid": np.arange(len(combined)),
                         "platform": np.asarray(p_uniques, dtype=object)[combined // width].astype(str),
                         "account_id": np.asarray(a_uniques, dtype=object)[combined % width].astype(str)})
    return codes.astype(np.int64), keys


def _lookup_codes(keys: pd.DataFrame, platforms: pd.Series, account_ids: pd.Series) -> np.ndarray:
    """The codes of other (platform, account_id) pairs; -1 for pairs without a code."""
    p_index, a_index = pd.Index(pd.unique(keys["platform"])), pd.Index(pd.unique(keys["account_id"]))
    p = p_index.get_indexer(platforms.astype(str))
    a = a_index.get_indexer(account_ids.astype(str))
    width = max(len(a_index), 1)
    known = pd.Index(p_index.get_indexer(keys["platform"]).astype(np.int64) * width
                     + a_index.get_indexer(keys["account_id"]))
    codes = known.get_indexer(p.astype(np.int64) * width + a)
    return np.where((p < 0) | (a < 0), -1, codes).astype(np.int64)


def _anchors(gids: np.ndarray, k_lo: np.ndarray, k_hi: np.ndarray,
             as_of: int) -> tuple[np.ndarray, np.ndarray]:
    """Per account, the days as_of - 7k for k from k_hi down to k_lo (ascending days)."""
    counts = np.maximum(k_hi - k_lo + 1, 0).astype(np.int64)
    gid = np.repeat(gids, counts)
    offset = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    return gid, as_of - WEEK * (np.repeat(k_hi, counts) - offset)


def _empty_series() -> Series:
    none = np.zeros(0, np.int64)
    keys = pd.DataFrame({c: pd.Series(dtype=object) for c in ("platform", "account_id", "entity", "handle")})
    return Series(keys.assign(gid=pd.Series(dtype=np.int64)), _table(none, none, followers=none * 1.0),
                  _table(none, none, engagement=none * 1.0), _table(none, none, followers=none * 1.0), None)


def compute_series(accounts: pd.DataFrame, posts: pd.DataFrame) -> Series:
    """Followers of every snapshot; engagement as of every week (as_of - 7k), with the metrics'
    formula: mean over ENGAGEMENT_DAYS of daily (likes + reposts of the day's own posts) /
    followers, n/a while the window is not covered or a value is missing, 0 without posts."""
    if accounts.empty:
        return _empty_series()
    codes, keys = _account_codes(accounts["platform"], accounts["account_id"])
    key = (codes << _SHIFT) | day_numbers(accounts["date"])
    order = np.argsort(key, kind="stable")
    key = key[order]
    keep = np.r_[key[1:] != key[:-1], True]  # a day's last row wins, as in the store
    order, key = order[keep], key[keep]
    gid, day = key >> _SHIFT, key & ((1 << _SHIFT) - 1)
    followers = accounts["followers"].to_numpy(dtype=float, na_value=np.nan)[order]
    starts, ends = group_bounds(gid)
    keys["entity"] = np.asarray(accounts["entity"].to_numpy(), dtype=object)[order[ends - 1]].astype(str)
    keys["handle"] = np.asarray(accounts["handle"].to_numpy(), dtype=object)[order[ends - 1]].astype(str)
    as_of = int(day.max())
    first, last = day[starts], day[ends - 1]

    # Engagement, as of each week once the window is covered (first snapshot ENGAGEMENT_DAYS - 1
    # days before) and up to the account's last snapshot.
    a_gid, a_day = _anchors(gid[starts], np.ceil((as_of - last) / WEEK).astype(np.int64),
                            np.floor((as_of - first - (ENGAGEMENT_DAYS - 1)) / WEEK).astype(np.int64), as_of)
    day_keys, rate, count = _daily_rates(posts, keys, key, followers)
    rate_sum = np.r_[0.0, np.cumsum(np.nan_to_num(rate))]
    missing = np.r_[0, np.cumsum(np.isnan(rate))]
    posted = np.r_[0, np.cumsum(count)]
    end = np.searchsorted(day_keys, (a_gid << _SHIFT) | a_day, side="right")
    begin = np.searchsorted(day_keys, (a_gid << _SHIFT) | (a_day - ENGAGEMENT_DAYS), side="right")
    value = (rate_sum[end] - rate_sum[begin]) / ENGAGEMENT_DAYS * 100
    value[missing[end] - missing[begin] > 0] = np.nan
    value[posted[end] - posted[begin] == 0] = 0.0

    # One row a week for the tables: the latest known followers in the 7 days up to each anchor.
    known = ~np.isnan(followers)
    k_key, k_followers = key[known], followers[known]
    k_gid, k_day = k_key >> _SHIFT, k_key & ((1 << _SHIFT) - 1)
    k_starts, k_ends = group_bounds(k_gid)
    since_last = np.maximum(np.ceil((as_of - k_day[k_ends - 1] - (WEEK - 1)) / WEEK), 0)
    w_gid, w_day = _anchors(k_gid[k_starts], since_last.astype(np.int64),
                            np.floor((as_of - k_day[k_starts]) / WEEK).astype(np.int64), as_of)
    at = np.searchsorted(k_key, (w_gid << _SHIFT) | w_day, side="right") - 1
    found = (at >= 0) & (k_gid[np.maximum(at, 0)] == w_gid) & (w_day - k_day[np.maximum(at, 0)] < WEEK)
    at = at[found]
    return Series(keys, _table(gid, day, followers=followers), _table(a_gid, a_day, engagement=value),
                  _table(k_gid[at], k_day[at], followers=k_followers[at]), as_of)


def _daily_rates(posts: pd.DataFrame, keys: pd.DataFrame, account_keys: np.ndarray,
                 followers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per account and day with own posts (sorted keys): the rate of the day, interactions /
    followers of the latest snapshot on or before it (NaN when a value is missing or there
    are 0 followers), and the number of posts."""
    own = posts[~posts["is_repost"].fillna(False).to_numpy(dtype=bool)]
    code = _lookup_codes(keys, own["platform"], own["account_id"])
    interactions = (own["likes"].to_numpy(dtype=float, na_value=np.nan)
                    + own["reposts"].to_numpy(dtype=float, na_value=np.nan))
    post_keys = (code << _SHIFT) | day_numbers(own["published_at"].dt.tz_convert(None))
    post_keys, interactions = post_keys[code >= 0], interactions[code >= 0]
    order = np.argsort(post_keys, kind="stable")
    post_keys, interactions = post_keys[order], interactions[order]
    starts, ends = group_bounds(post_keys)
    if len(starts) == 0:
        return np.zeros(0, np.int64), np.zeros(0), np.zeros(0, np.int64)
    day_keys = post_keys[starts]
    total = np.add.reduceat(np.nan_to_num(interactions), starts)
    unknown = np.add.reduceat(np.isnan(interactions).astype(np.int64), starts)
    at = np.searchsorted(account_keys, day_keys, side="right") - 1
    same = (at >= 0) & ((account_keys[np.maximum(at, 0)] >> _SHIFT) == (day_keys >> _SHIFT))
    base = np.where(same, followers[np.maximum(at, 0)], np.nan)
    usable = (unknown == 0) & (base > 0)
    rate = np.full(len(day_keys), np.nan)
    rate[usable] = total[usable] / base[usable]
    return day_keys, rate, ends - starts


# Text built column-wise: each column is a byte matrix (one row per line) with a mask of the
# bytes it holds; a line is its columns' masked bytes. Formatting millions of numbers one by
# one in Python takes seconds; this takes a few numpy operations per column.
_Column = tuple[np.ndarray, np.ndarray]
_THIN_SPACE = "\u202f".encode()


def _constant(n: int, text: str, present: np.ndarray | None = None) -> _Column:
    data = np.frombuffer(text.encode(), np.uint8)
    if present is None:
        return np.broadcast_to(data, (n, len(data))), np.ones((n, len(data)), bool)
    mask = np.repeat(present[:, None], len(data), axis=1)
    return np.broadcast_to(data, (n, len(data))), mask


def _strings(codes: np.ndarray, table: Sequence[str]) -> _Column:
    """table[code] for each line (UTF-8, any length)."""
    encoded = [t.encode() for t in table]
    width = max((len(e) for e in encoded), default=0)
    padded = np.frombuffer(b"".join(e.ljust(width, b"\0") for e in encoded) or b"\0", np.uint8)
    lengths = np.array([len(e) for e in encoded], dtype=np.int64)
    padded = padded[:len(encoded) * width].reshape(len(encoded), width)
    return padded[codes], np.arange(width) < lengths[codes][:, None]


def _integers(values: np.ndarray, present: np.ndarray, width: int | None = None, zeros: bool = False,
              grouped: bool = False) -> _Column:
    """Non-negative integers in decimal; `zeros`: left-padded to `width`; `grouped`: French
    thousands separator (narrow no-break space). Lines not `present` hold nothing."""
    values = np.where(present, values, 0).astype(np.int64)
    if width is None:
        width = len(str(int(values.max()))) if len(values) else 1
    digits = np.empty((len(values), width), np.uint8)
    rest = values.copy()
    for column in range(width - 1, -1, -1):
        digits[:, column] = rest % 10 + 48
        rest //= 10
    length = np.ones(len(values), np.int64)
    for power in range(1, width):
        length += values >= 10 ** power
    if zeros:
        length[:] = width
    held = (np.arange(width) >= width - length[:, None]) & present[:, None]
    if not grouped:
        return digits, held
    matrices, masks = [], []
    separator = np.frombuffer(_THIN_SPACE, np.uint8)
    for column in range(width):
        if column > 0 and (width - column) % 3 == 0:
            matrices.append(np.broadcast_to(separator, (len(values), len(separator))))
            masks.append(np.repeat(held[:, column - 1:column], len(separator), axis=1))
        matrices.append(digits[:, column:column + 1])
        masks.append(held[:, column:column + 1])
    return np.hstack(matrices), np.hstack(masks)


def _lines(columns: Sequence[_Column]) -> tuple[np.ndarray, np.ndarray]:
    """The lines' bytes end to end, and where each line ends."""
    matrix = np.hstack([c[0] for c in columns])
    mask = np.hstack([c[1] for c in columns])
    return matrix[mask], np.cumsum(mask.sum(axis=1))


def _chunked(n: int, build: Any, chunk: int = 400_000) -> tuple[np.ndarray, np.ndarray]:
    """_lines over slices of at most `chunk` lines (bounded memory), joined."""
    buffers, ends, offset = [], [], 0
    for start in range(0, n, chunk):
        data, stops = build(slice(start, min(start + chunk, n)))
        buffers.append(data)
        ends.append(stops + offset)
        offset += len(data)
    if not buffers:
        return np.zeros(0, np.uint8), np.zeros(0, np.int64)
    return np.concatenate(buffers), np.concatenate(ends)


def _day_table(day: np.ndarray, french: bool = False) -> tuple[np.ndarray, list[str]]:
    days, inverse = np.unique(day, return_inverse=True)
    iso = [str(EPOCH + int(d)) for d in days]
    return inverse, [html_text(date_fr(d)) for d in iso] if french else iso


def thousandths(values: np.ndarray) -> np.ndarray:
    """Values rounded to 3 decimals, as integers: the CSV and the tables show the same digits."""
    return np.floor(np.nan_to_num(values) * 1000 + 0.5).astype(np.int64)


def _csv_body(day: np.ndarray, followers: np.ndarray, engagement: np.ndarray,
              chunk: int = 400_000) -> tuple[np.ndarray, np.ndarray]:
    """CSV lines 'YYYY-MM-DD,followers,engagement' end to end, and each line's end."""

    def build(part: slice) -> tuple[np.ndarray, np.ndarray]:
        codes, table = _day_table(day[part])
        f, e = followers[part], engagement[part]
        has_f, has_e, n = ~np.isnan(f), ~np.isnan(e), len(codes)
        milli = thousandths(e)
        return _lines([_strings(codes, table), _constant(n, ","), _integers(np.nan_to_num(f), has_f),
                       _constant(n, ","), _integers(milli // 1000, has_e), _constant(n, ".", has_e),
                       _integers(milli % 1000, has_e, width=3, zeros=True), _constant(n, "\n")])

    return _chunked(len(day), build, chunk)


def html_rows(day: np.ndarray, values: np.ndarray, decimals: int,
               chunk: int = 400_000) -> tuple[np.ndarray, np.ndarray]:
    """Table rows '<tr><td>French date</td><td>French number</td></tr>' end to end."""

    def build(part: slice) -> tuple[np.ndarray, np.ndarray]:
        codes, table = _day_table(day[part], french=True)
        n, known = len(codes), np.ones(len(codes), bool)
        if decimals:
            milli = thousandths(values[part])
            number_columns = [_integers(milli // 1000, known, grouped=True), _constant(n, ","),
                              _integers(milli % 1000, known, width=3, zeros=True)]
        else:
            number_columns = [_integers(np.round(values[part]), known, grouped=True)]
        return _lines([_constant(n, "<tr><td>"), _strings(codes, table), _constant(n, "</td><td>"),
                       *number_columns, _constant(n, "</td></tr>")])

    return _chunked(len(day), build, chunk)


def split_by_group(gid: np.ndarray, data: np.ndarray, ends: np.ndarray) -> dict[int, bytes]:
    """The bytes of each account's lines (gid sorted)."""
    starts, stops = group_bounds(gid)
    offsets = np.r_[0, ends]
    return {int(gid[a]): data[offsets[a]:offsets[b]].tobytes() for a, b in zip(starts, stops, strict=True)}


def series_paths(series: Series) -> dict[int, str]:
    """gid -> path of its CSV, relative to docs/donnees/."""
    return {int(g): f"{SERIES_DIR}/{p}/{safe_name(a)}.csv"
            for g, p, a in zip(series.keys["gid"], series.keys["platform"], series.keys["account_id"],
                               strict=True)}


def write_series_files(data_dir_out: Path, series: Series) -> dict[tuple[str, str], str]:
    """One CSV per account (date, followers, engagement); stale files are removed."""
    paths = series_paths(series)
    daily, weekly = series.daily, series.engagement
    keys = (daily["gid"].to_numpy() << _SHIFT) | daily["day"].to_numpy()
    anchor_keys = (weekly["gid"].to_numpy() << _SHIFT) | weekly["day"].to_numpy()
    at = np.minimum(np.searchsorted(keys, anchor_keys), max(len(keys) - 1, 0))
    on_snapshot = (keys[at] == anchor_keys) if len(keys) else np.zeros(len(anchor_keys), bool)
    engagement = np.full(len(keys), np.nan)
    engagement[at[on_snapshot]] = weekly["engagement"].to_numpy()[on_snapshot]
    followers = daily["followers"].to_numpy()
    if not on_snapshot.all():  # an anchor day without snapshot gets a row of its own
        keys = np.r_[keys, anchor_keys[~on_snapshot]]
        followers = np.r_[followers, np.full(int((~on_snapshot).sum()), np.nan)]
        engagement = np.r_[engagement, weekly["engagement"].to_numpy()[~on_snapshot]]
        order = np.argsort(keys, kind="stable")
        keys, followers, engagement = keys[order], followers[order], engagement[order]
    body, line_ends = _csv_body(keys & ((1 << _SHIFT) - 1), followers, engagement)
    header = b"date,followers,engagement\n"
    wanted = {data_dir_out / paths[g]: header + lines
              for g, lines in split_by_group(keys >> _SHIFT, body, line_ends).items()}
    root = data_dir_out / SERIES_DIR
    if root.exists():
        for folder in root.iterdir():
            if folder.is_dir() and folder.name in PLATFORMS:
                for stale in set(folder.glob("*.csv")) - set(wanted):
                    stale.unlink()
    for platform in set(series.keys["platform"]):
        (root / platform).mkdir(parents=True, exist_ok=True)
    for path, data in wanted.items():
        write_bytes_if_changed(path, data)
    return {(p, a): paths[int(g)] for g, p, a in zip(series.keys["gid"], series.keys["platform"],
                                                      series.keys["account_id"], strict=True)}


def write_series(data_dir_out: Path, accounts: pd.DataFrame,
                 posts: pd.DataFrame) -> dict[tuple[str, str], str]:
    """Compute every account's series and write one CSV each under data_dir_out/series/<platform>/;
    return each account's path relative to data_dir_out."""
    return write_series_files(data_dir_out, compute_series(accounts, posts))
