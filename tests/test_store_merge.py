"""Concurrent pushes: two sides that both changed a snapshot file merge by the store's rules,
through git itself (the merge driver declared in .gitattributes), so the day is not lost."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from observatory.store.merge import MergeError, main, merge_texts
from observatory.store.snapshots import ACCOUNT_COLUMNS, POST_COLUMNS

HEADER = ",".join(ACCOUNT_COLUMNS)


def account(date: str, account_id: str, followers: int, collected_at: str) -> str:
    values = {c: "" for c in ACCOUNT_COLUMNS}
    values.update(date=date, entity="chu-a", platform="bluesky", account_id=account_id,
                  handle="a.bsky.social", followers=str(followers), provenance="api",
                  collected_at=collected_at)
    return ",".join(values[c] for c in ACCOUNT_COLUMNS)


def csv_text(*rows: str) -> str:
    return "\n".join([HEADER, *rows]) + "\n"


def test_union_of_rows_and_the_later_measurement_wins() -> None:
    base = account("2025-03-01", "did:plc:a", 10, "2025-03-01T06:00:00Z")
    ours = csv_text(base, account("2025-03-02", "did:plc:a", 11, "2025-03-02T06:00:00Z"))
    theirs = csv_text(account("2025-03-01", "did:plc:a", 12, "2025-03-01T18:00:00Z"),
                      account("2025-03-03", "did:plc:a", 13, "2025-03-03T06:00:00Z"))
    merged = merge_texts(ours, theirs).splitlines()
    assert merged[0] == HEADER
    assert [line.split(",")[5] for line in merged[1:]] == ["12", "11", "13"]  # later re-run of the 1st wins


def test_a_tie_keeps_the_published_side_and_the_merge_is_symmetric_in_rows() -> None:
    ours = csv_text(account("2025-03-01", "did:plc:a", 10, "2025-03-01T06:00:00Z"))
    theirs = csv_text(account("2025-03-01", "did:plc:a", 99, "2025-03-01T06:00:00Z"))
    assert ",10," in merge_texts(ours, theirs) and ",99," not in merge_texts(ours, theirs)


def test_posts_follow_the_refresh_rule() -> None:
    header = ",".join(POST_COLUMNS)
    def post(likes: int, measured: str) -> str:
        values = {c: "" for c in POST_COLUMNS}
        values.update(platform="bluesky", post_id="at://did:plc:a/app.bsky.feed.post/1", entity="chu-a",
                      account_id="did:plc:a", published_at="2025-01-01T00:00:00Z", is_reply="false",
                      is_repost="false", likes=str(likes), measured_at=measured)
        return ",".join(values[c] for c in POST_COLUMNS)
    ours = "\n".join([header, post(5, "2025-01-10T00:00:00Z")]) + "\n"
    late = "\n".join([header, post(9, "2025-03-10T00:00:00Z")]) + "\n"  # 68 days later: frozen
    assert ",5," in merge_texts(ours, late)


def test_an_unknown_file_is_left_to_git(tmp_path: Path) -> None:
    with pytest.raises(MergeError):
        merge_texts("a,b\n1,2\n", "a,b\n3,4\n")
    for name, text in (("o", "a,b\n1,2\n"), ("t", "a,b\n3,4\n"), ("b", "")):
        (tmp_path / name).write_text(text)
    assert main([str(tmp_path / "b"), str(tmp_path / "o"), str(tmp_path / "t"), "x.csv"]) == 1
    assert (tmp_path / "o").read_text() == "a,b\n1,2\n"


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True)


def test_a_rebase_over_a_concurrent_change_merges_through_the_driver(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / ".gitattributes").write_text((ROOT / ".gitattributes").read_text())
    git(repo, "config", "merge.snapshots.driver", f"{sys.executable} -m observatory.store.merge %O %A %B %P")
    path = repo / "data" / "snapshots" / "accounts" / "bluesky" / "2025-03.csv"
    path.parent.mkdir(parents=True)
    first = account("2025-03-01", "did:plc:a", 10, "2025-03-01T06:00:00Z")
    path.write_text(csv_text(first))
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-q", "-b", "bot")
    bot_row = account("2025-03-02", "did:plc:a", 11, "2025-03-02T06:00:00Z")
    path.write_text(csv_text(first, bot_row))
    git(repo, "commit", "-qam", "collecte")
    git(repo, "checkout", "-q", "main")
    fix = account("2025-03-02", "did:plc:b", 7, "2025-03-02T05:00:00Z")  # a maintainer's import
    path.write_text(csv_text(first, fix))
    git(repo, "commit", "-qam", "correction")
    git(repo, "checkout", "-q", "bot")
    rebase = git(repo, "rebase", "main")
    assert rebase.returncode == 0, rebase.stderr + rebase.stdout
    assert path.read_text() == csv_text(first, bot_row, fix)


def test_ids_and_held_figures_merge_too() -> None:
    from observatory.store.held import HELD_COLUMNS
    from observatory.store.ids import IDS_COLUMNS
    ids = ",".join(IDS_COLUMNS)
    ours = f"{ids}\nbluesky,chu-a,a.bsky.social,did:plc:old\nbluesky,chu-b,b.bsky.social,did:plc:b\n"
    theirs = f"{ids}\nbluesky,chu-a,a.bsky.social,did:plc:new\nbluesky,chu-c,c.bsky.social,did:plc:c\n"
    merged = merge_texts(ours, theirs)
    assert "did:plc:new" in merged and "did:plc:old" not in merged
    assert "did:plc:b" in merged and "did:plc:c" in merged
    held = ",".join(HELD_COLUMNS)
    def row(collected_at: str, confirmed: str) -> str:
        values = {c: "" for c in HELD_COLUMNS}
        values.update(date="2025-03-02", entity="chu-a", platform="bluesky", account_id="did:plc:a",
                      handle="a.bsky.social", followers="0", provenance="api", collected_at=collected_at,
                      reference_date="2025-03-01", reference_followers="900", confirmed=confirmed)
        return ",".join(values[c] for c in HELD_COLUMNS)
    confirmed = f"{held}\n{row('2025-03-02T06:00:00Z', 'oui')}\n"
    later = f"{held}\n{row('2025-03-02T18:00:00Z', '')}\n"
    assert merge_texts(confirmed, later).rstrip().endswith(",oui")  # a maintainer's confirmation stays
    assert merge_texts(later, confirmed).rstrip().endswith(",oui")
