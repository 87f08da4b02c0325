"""The snapshot store: same-day replacement, post refresh window, atomic writes, typed loading."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from observatory.store import snapshots
from observatory.store.snapshots import AccountRow, PostRow

ROOT = Path(__file__).resolve().parent.parent


def account(date: str, account_id: str = "did:plc:a", followers: int | None = 10, **extra: object
            ) -> AccountRow:
    fields = dict(date=date, entity="hopital-fictif-001", platform="bluesky", account_id=account_id,
                  handle="hf.bsky.social", followers=followers, following=None, posts=3,
                  provenance="api", collected_at=f"{date}T06:00:00Z")
    fields.update(extra)
    return AccountRow(**fields)  # type: ignore[arg-type]


def post(post_id: str, published: str, measured: str, likes: int) -> PostRow:
    return PostRow(platform="bluesky", post_id=post_id, entity="hopital-fictif-001",
                   account_id="did:plc:a", published_at=published, is_reply=False, is_repost=False,
                   likes=likes, reposts=None, replies=0, quotes=None, views=None, measured_at=measured)


def test_layout_header_and_empty_cells(tmp_path: Path) -> None:
    changed = snapshots.write_accounts(tmp_path, [account("2025-03-15")])
    path = tmp_path / "snapshots" / "accounts" / "bluesky" / "2025-03.csv"
    assert changed == [path]
    assert path.read_text(encoding="utf-8") == (
        "date,entity,platform,account_id,handle,followers,following,posts,provenance,collected_at,"
        "source_title,source_url\n"
        "2025-03-15,hopital-fictif-001,bluesky,did:plc:a,hf.bsky.social,10,,3,api,2025-03-15T06:00:00Z,,\n")


def test_same_day_replaces_other_days_append_sorted(tmp_path: Path) -> None:
    snapshots.write_accounts(tmp_path, [account("2025-03-15", followers=10)])
    snapshots.write_accounts(tmp_path, [account("2025-03-14", followers=9)])
    snapshots.write_accounts(tmp_path, [account("2025-03-15", followers=11),
                                    account("2025-03-15", "did:plc:b", followers=5)])
    frame = snapshots.load_accounts(tmp_path)
    rows = frame.sort_values(["date", "account_id"])[["account_id", "followers"]].values.tolist()
    assert rows == [["did:plc:a", 9], ["did:plc:a", 11], ["did:plc:b", 5]]
    text = (tmp_path / "snapshots/accounts/bluesky/2025-03.csv").read_text()
    assert text.index("2025-03-14") < text.index("2025-03-15")


def test_rewriting_identical_rows_touches_nothing(tmp_path: Path) -> None:
    snapshots.write_accounts(tmp_path, [account("2025-03-15")])
    assert snapshots.write_accounts(tmp_path, [account("2025-03-15")]) == []


def test_months_go_to_their_own_files(tmp_path: Path) -> None:
    snapshots.write_accounts(tmp_path, [account("2025-02-28"), account("2025-03-01")])
    files = sorted(p.name for p in (tmp_path / "snapshots/accounts/bluesky").iterdir())
    assert files == ["2025-02.csv", "2025-03.csv"]


def test_posts_refreshed_only_while_younger_than_30_days(tmp_path: Path) -> None:
    published = "2025-03-01T10:00:00Z"
    snapshots.write_posts(tmp_path, [post("p1", published, "2025-03-02T06:00:00Z", 5)])
    snapshots.write_posts(tmp_path, [post("p1", published, "2025-03-20T06:00:00Z", 8)])  # day 19
    assert list(snapshots.load_posts(tmp_path)["likes"]) == [8]
    snapshots.write_posts(tmp_path, [post("p1", published, "2025-04-05T06:00:00Z", 99)])  # day 35
    assert list(snapshots.load_posts(tmp_path)["likes"]) == [8]
    snapshots.write_posts(tmp_path, [post("p1", published, "2025-03-10T06:00:00Z", 1)])  # older measurement
    assert list(snapshots.load_posts(tmp_path)["likes"]) == [8]
    # a post first seen when already old is stored once, as measured
    snapshots.write_posts(tmp_path, [post("p0", "2025-01-01T00:00:00Z", "2025-03-20T06:00:00Z", 3)])
    assert (tmp_path / "snapshots/posts/bluesky/2025-01.csv").exists()


def test_loading_is_typed(tmp_path: Path) -> None:
    snapshots.write_accounts(tmp_path, [account("2025-03-15", followers=None)])
    snapshots.write_posts(tmp_path, [post("p1", "2025-03-14T10:00:00Z", "2025-03-15T06:00:00Z", 4)])
    accounts = snapshots.load_accounts(tmp_path)
    assert str(accounts["followers"].dtype) == "Int64" and accounts["followers"].isna().all()
    assert str(accounts["following"].dtype) == "Int64"
    assert pd.api.types.is_datetime64_any_dtype(accounts["date"])
    assert str(accounts["collected_at"].dt.tz) == "UTC"
    assert isinstance(accounts["platform"].dtype, pd.CategoricalDtype)
    posts = snapshots.load_posts(tmp_path)
    assert str(posts["is_reply"].dtype) == "boolean"
    assert str(posts["views"].dtype) == "Int64" and posts["views"].isna().all()
    assert posts["published_at"].iloc[0] == pd.Timestamp("2025-03-14T10:00:00Z")
    empty = snapshots.load_accounts(tmp_path / "nothing")
    assert list(empty.columns) == list(snapshots.ACCOUNT_COLUMNS) and empty.empty


def test_loading_a_year_of_snapshots_is_fast(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots" / "accounts" / "bluesky"
    folder.mkdir(parents=True)
    header = ",".join(snapshots.ACCOUNT_COLUMNS)
    for m in range(1, 13):
        lines = [f"2025-{m:02d}-{d:02d},hopital-fictif-{i % 40:03d},bluesky,did:plc:{i:03d},h{i}.bsky.social,"
                 f"{i},,{i},api,2025-{m:02d}-{d:02d}T06:00:00Z,," for d in range(1, 29) for i in range(100)]
        (folder / f"2025-{m:02d}.csv").write_text("\n".join([header, *lines]) + "\n")
    start = time.perf_counter()
    frame = snapshots.load_accounts(tmp_path)
    assert len(frame) == 12 * 28 * 100
    assert time.perf_counter() - start < 2.0


def test_failure_between_write_and_rename_leaves_file_intact(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    snapshots.write_accounts(tmp_path, [account("2025-03-14")])
    path = tmp_path / "snapshots/accounts/bluesky/2025-03.csv"
    before = path.read_bytes()

    def broken_replace(src: str, dst: str) -> None:
        raise OSError("disque plein (simulé)")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError):
        snapshots.write_accounts(tmp_path, [account("2025-03-15")])
    assert path.read_bytes() == before
    assert list(path.parent.glob(".*.tmp")) == []


def test_corrupt_file_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "snapshots/accounts/bluesky/2025-03.csv"
    path.parent.mkdir(parents=True)
    path.write_text("pas,un,instantané\n1,2,3\n")
    with pytest.raises(snapshots.StoreError):
        snapshots.write_accounts(tmp_path, [account("2025-03-15")])
    assert path.read_text() == "pas,un,instantané\n1,2,3\n"


def test_stale_temp_files_are_removed(tmp_path: Path) -> None:
    folder = tmp_path / "snapshots/accounts/bluesky"
    folder.mkdir(parents=True)
    (folder / ".2025-03.csv.abc.tmp").write_text("moitié")
    assert [p.name for p in snapshots.remove_stale_temp_files(tmp_path)] == [".2025-03.csv.abc.tmp"]


WRITER = """
import sys
from pathlib import Path
from observatory.store import snapshots
data = Path(sys.argv[1])
day = 0
while True:
    day += 1
    rows = [snapshots.AccountRow(date=f"2025-03-{day % 28 + 1:02d}", entity="hopital-fictif-001",
                             platform=p, account_id=f"id-{i}", handle=f"h{i}", followers=day,
                             following=None, posts=i, provenance="api",
                             collected_at="2025-03-15T06:00:00Z")
            for p in ("bluesky", "mastodon") for i in range(300)]
    snapshots.write_accounts(data, rows)
    print(day, flush=True)
"""


def test_a_run_killed_at_any_moment_leaves_valid_files(tmp_path: Path) -> None:
    earlier = [account("2025-02-01", f"did:plc:{i}", followers=i) for i in range(50)]
    snapshots.write_accounts(tmp_path, earlier)
    february = (tmp_path / "snapshots/accounts/bluesky/2025-02.csv").read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for delay in (0.35, 0.6, 0.9):
        child = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path)], stdout=subprocess.PIPE,
                                 env=env, text=True)
        assert child.stdout is not None
        child.stdout.readline()  # at least one full write happened
        time.sleep(delay / 3)
        child.send_signal(signal.SIGKILL)
        child.wait()
        snapshots.remove_stale_temp_files(tmp_path)
        frame = snapshots.load_accounts(tmp_path)  # every file still parses
        assert (tmp_path / "snapshots/accounts/bluesky/2025-02.csv").read_bytes() == february
        march = frame[frame["date"] >= "2025-03-01"]
        assert len(march) % 300 == 0 and len(march) > 0


@pytest.mark.parametrize("value", [-1, 2 ** 63, 2 ** 64])
def test_impossible_counts_are_refused_at_the_door(tmp_path: Path, value: int) -> None:
    assert snapshots.impossible(account("2025-03-15", followers=value))
    with pytest.raises(ValueError, match="followers"):
        snapshots.write_accounts(tmp_path, [account("2025-03-15", followers=value)])
    with pytest.raises(ValueError, match="likes"):
        snapshots.write_posts(tmp_path, [post("p1", "2025-03-14T10:00:00Z", "2025-03-15T06:00:00Z", value)])
    assert not (tmp_path / "snapshots").exists()
    assert snapshots.impossible(account("2025-03-15", followers=2 ** 63 - 1)) == []


def test_a_hand_edited_bad_row_is_reported_with_its_line_and_left_out(tmp_path: Path) -> None:
    days = (10, 11, 12, 13, 14)
    snapshots.write_accounts(tmp_path, [account(f"2025-03-{d:02d}", followers=d) for d in days])
    path = tmp_path / "snapshots" / "accounts" / "bluesky" / "2025-03.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",11,", ",18446744073709551616,")  # beyond 64 bits
    lines[3] = lines[3].replace(",12,", ",-12,")  # negative
    lines[4] = lines[4].replace("2025-03-13", "2025-03-32")  # no such day
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problems: list[str] = []
    frame = snapshots.load_accounts(tmp_path, problems=problems)
    assert sorted(frame["followers"].tolist()) == [10, 14]
    where = "snapshots/accounts/bluesky/2025-03.csv"
    located = [p.split(" : ")[0][-len(where) - 2:] for p in problems]
    assert located == [f"{where}:{n}" for n in (3, 4, 5)], problems
    assert "followers" in problems[0] and "écarté" in problems[0] and "date" in problems[2]


def test_a_bad_post_row_is_left_out_and_a_bad_file_too(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    snapshots.write_posts(tmp_path, [post(f"p{i}", f"2025-03-1{i}T10:00:00Z", "2025-03-15T06:00:00Z", i)
                                     for i in range(3)])
    path = tmp_path / "snapshots" / "posts" / "bluesky" / "2025-03.csv"
    text = path.read_text(encoding="utf-8").replace(",false,false,1,", ",peut-être,false,1,")
    path.write_text(text, encoding="utf-8")
    broken = tmp_path / "snapshots" / "posts" / "bluesky" / "2025-02.csv"
    broken.write_text("n'importe,quoi\n1,2\n", encoding="utf-8")
    frame = snapshots.load_posts(tmp_path)  # reported on stderr when no list is given
    assert sorted(frame["post_id"].astype(str)) == ["p0", "p2"]
    err = capsys.readouterr().err
    assert "2025-03.csv:3" in err and "is_reply" in err
    assert "2025-02.csv" in err and "en-tête" in err


def test_ids_that_look_like_numbers_are_read_as_the_text_they_are(tmp_path: Path) -> None:
    """Ids are categories made by read_csv from the text: 010 stays "010", never the number 10."""
    folder = snapshots.snapshots_dir(tmp_path) / "accounts" / "youtube"
    folder.mkdir(parents=True)
    header = ",".join(snapshots.ACCOUNT_COLUMNS)
    row = {c: "" for c in snapshots.ACCOUNT_COLUMNS} | {
        "date": "2026-01-02", "entity": "chu-x", "platform": "youtube", "account_id": "010",
        "handle": "007", "followers": "5", "provenance": "api", "collected_at": "2026-01-02T05:00:00Z"}
    (folder / "2026-01.csv").write_text(header + "\n" + ",".join(row[c] for c in snapshots.ACCOUNT_COLUMNS)
                                         + "\n", encoding="utf-8")
    frame = snapshots.load_accounts(tmp_path)
    assert frame["account_id"].tolist() == ["010"] and frame["handle"].tolist() == ["007"]


def test_reading_on_every_core_gives_the_same_rows_and_problems_in_file_order(tmp_path: Path,
                                                                            monkeypatch) -> None:
    """Past PARALLEL_BYTES the files are read by forked processes: same frame, same reports."""
    for day, followers in (("2026-01-02", "5"), ("2026-02-02", "-1"), ("2026-03-02", "7")):
        row = AccountRow(date=day, entity="chu-x", platform="bluesky", account_id="did:plc:x",
                         handle="x.bsky.social", followers=1, following=None, posts=None, provenance="api",
                         collected_at=f"{day}T05:00:00Z")
        snapshots.write_accounts(tmp_path, [row])
        path = snapshots.accounts_path(tmp_path, "bluesky", day[:7])
        text = path.read_text(encoding="utf-8").replace(",1,", f",{followers},", 1)
        path.write_text(text, encoding="utf-8")

    def load() -> tuple[pd.DataFrame, list[str]]:
        problems: list[str] = []
        return snapshots.load_accounts(tmp_path, problems=problems), problems

    serial, serial_problems = load()
    monkeypatch.setattr(snapshots, "PARALLEL_BYTES", 0)
    parallel, parallel_problems = load()
    pd.testing.assert_frame_equal(parallel, serial)
    assert serial["followers"].tolist() == [5, 7]
    assert parallel_problems == serial_problems and len(serial_problems) == 1
    assert "2026-02.csv:2" in serial_problems[0]
