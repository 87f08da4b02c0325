"""API answers are untrusted: what an API says can never start a workflow command, break a line
of a snapshot CSV or of a commit message. End to end against the fake Bluesky server."""

from __future__ import annotations

from pathlib import Path

import pytest
from fakes.registry import bluesky_handle, build_registry, make_data_dir
from fakes.run import collect, snapshot_files
from fakes.servers import Clock, FakeBluesky, did_for, fake_server

from observatory.collect.platforms.base import Post, Profile, inert_profile, one_line

HOSTILE = ["nom\n::error::compte pirate", "::add-mask::x", "evil\u202egnp.bsky.social", "a,b\r\nc"]


@pytest.mark.parametrize("handle", HOSTILE)
def test_a_hostile_handle_from_the_api_is_refused_and_nothing_of_it_is_written(
        tmp_path: Path, handle: str) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=1, bluesky=3, per_entity=3)
    clock = Clock()
    fake = FakeBluesky([bluesky_handle(i) for i in range(3)], clock)
    with fake_server() as server:
        fake.install(server)
        env = {"OBSERVATORY_BLUESKY_API": server.url_for("/").rstrip("/")}
        collect(data_dir, env, clock)
        fake.rename(bluesky_handle(1), handle)
        clock.next_day()
        report = collect(data_dir, env, clock)
    assert report.collected == 2
    failures = report.platforms["bluesky"].failures
    assert [f["handle"] for f in failures] == [bluesky_handle(1)]
    assert "caractères inattendus" in failures[0]["reason"]
    written = b"".join(snapshot_files(data_dir).values()).decode()
    assert handle not in written and "pirate" not in written and "\u202e" not in written
    message = report.commit_message()
    assert all(not line.startswith("::") for line in message.splitlines())
    assert did_for(bluesky_handle(1)) in written  # the first day's rows are still there


def test_one_line_removes_controls_bidi_and_workflow_commands() -> None:
    assert one_line("a\nb\r\x00c\x85d") == "a b c d"
    assert one_line("::error::x") == "error::x"
    assert one_line("x\u202ey\u2066z") == "x y z"
    assert len(one_line("é" * 10_000)) == 500


def test_posts_with_unexpected_ids_are_left_out() -> None:
    from datetime import UTC, datetime
    now = datetime(2026, 1, 1, tzinfo=UTC)
    profile = Profile("did:plc:abc", "a.bsky.social", 1, 1, 1,
                      recent=(Post("3kabc", now), Post("../../x", now), Post("a\nb", now)))
    kept = inert_profile(profile)
    assert isinstance(kept, Profile) and [p.post_id for p in kept.recent or ()] == ["3kabc"]


def test_the_run_budget_stops_new_requests_and_keeps_what_was_collected(tmp_path: Path) -> None:
    import json

    from fakes.run import quick_http

    from observatory.collect.http import Http
    from observatory.store import snapshots

    ticks = [0.0]

    class SlowHttp(Http):  # every request takes ten seconds of the run's clock
        def get_json(self, *args: object, **kwargs: object) -> object:
            try:
                return super().get_json(*args, **kwargs)  # type: ignore[arg-type]
            finally:
                ticks[0] += 10.0

    base = quick_http(max_workers=1)
    http = SlowHttp(sleep=base.sleep, min_interval=0.0, retries=0, max_workers=1, monotonic=lambda: ticks[0])
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=6, bluesky=30, per_entity=5)
    clock = Clock()
    fake = FakeBluesky([bluesky_handle(i) for i in range(30)], clock)
    with fake_server() as server:
        fake.install(server)
        env = {"OBSERVATORY_BLUESKY_API": server.url_for("/").rstrip("/")}
        report = collect(data_dir, env, clock, http=http, budget=45.0)
    # two profile batches (t=0, 10), then posts at t=20, 30, 40; from t=50 no request starts
    assert report.collected == 30
    late = [f for f in report.platforms["bluesky"].failures if "budget de temps" in f["reason"]]
    assert len(late) == 27 and {f["stage"] for f in late} == {"publications"}
    assert len(snapshots.load_accounts(data_dir)) == 30
    saved = json.loads((data_dir / "snapshots" / "last-run.json").read_text(encoding="utf-8"))
    assert saved["platforms"]["bluesky"]["targets"] == 30
    assert http.stop_at is None  # the budget ends with the run
