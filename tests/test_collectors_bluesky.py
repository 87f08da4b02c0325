"""Bluesky end to end against a fake AppView: batches of 25, DID-keyed history, faults."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakes.registry import bluesky_handle, build_registry, make_data_dir, write_entity
from fakes.run import collect, snapshot_files
from fakes.servers import (
    Clock,
    FakeBluesky,
    asks_for,
    count,
    did_for,
    fake_server,
    server_error,
    truncated,
)
from pytest_httpserver import HTTPServer

from observatory.store import snapshots

PROFILES = "/xrpc/app.bsky.actor.getProfiles"
FEED = "/xrpc/app.bsky.feed.getAuthorFeed"


@dataclass
class World:
    data_dir: Path
    fake: FakeBluesky
    server: HTTPServer
    clock: Clock

    @property
    def env(self) -> dict[str, str]:
        return {"OBSERVATORY_BLUESKY_API": self.server.url_for("/").rstrip("/")}

    def run(self, **options: object):  # type: ignore[no-untyped-def]
        return collect(self.data_dir, self.env, self.clock, **options)


def world(tmp_path: Path, accounts: int, per_entity: int = 5, posts: int = 2) -> Iterator[World]:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=max(1, accounts // per_entity), bluesky=accounts,
                   per_entity=per_entity)
    clock = Clock()
    fake = FakeBluesky([bluesky_handle(i) for i in range(accounts)], clock, posts=posts)
    with fake_server() as server:
        fake.install(server)
        yield World(data_dir, fake, server, clock)


@pytest.fixture
def small(tmp_path: Path) -> Iterator[World]:
    yield from world(tmp_path, 30)


def test_rows_are_stored_with_the_did_as_stable_id(small: World) -> None:
    report = small.run()
    assert report.exit_code == 0 and report.collected == 30
    accounts = snapshots.load_accounts(small.data_dir)
    first = accounts[accounts["handle"] == bluesky_handle(3)].iloc[0]
    assert first["account_id"] == did_for(bluesky_handle(3))
    assert (first["followers"], first["following"], first["posts"]) == (1021, 53, 203)
    assert first["provenance"] == "api" and first["entity"] == "hopital-fictif-001"
    posts = snapshots.load_posts(small.data_dir)
    mine = posts[posts["account_id"] == did_for(bluesky_handle(3))]
    assert len(mine) == 4  # two posts, a reply, a repost; the 45-day-old post is left out
    assert mine["is_reply"].sum() == 1 and mine["is_repost"].sum() == 1
    repost = mine[mine["is_repost"]].iloc[0]
    assert repost["likes"] is pd_na() and repost["post_id"].startswith("at://did:plc:")
    assert "texte" not in (small.data_dir / "snapshots/posts/bluesky/2025-03.csv").read_text()
    assert count(small.server, PROFILES) == 2 and count(small.server, FEED) == 30


def pd_na() -> object:
    import pandas as pd

    return pd.NA


def test_one_thousand_accounts_take_forty_profile_requests(tmp_path: Path) -> None:
    for w in world(tmp_path, 1000, per_entity=25, posts=0):
        report = w.run()
        assert report.collected == 1000
        assert count(w.server, PROFILES) == 40
        assert count(w.server, FEED) == 1000
        assert report.platforms["bluesky"].requests == 1040
        sizes = [len(r.args.getlist("actors")) for r, _ in w.server.log if r.path == PROFILES]
        assert sizes == [25] * 40


def test_posts_are_paged_until_older_than_30_days(tmp_path: Path) -> None:
    for w in world(tmp_path, 2, per_entity=2, posts=150):
        w.run()
        # 153 items, 100 a page: two pages each, the second one reaching the old post
        assert count(w.server, FEED) == 4
        assert len(snapshots.load_posts(w.data_dir)) == 2 * 152


def test_a_handle_change_keeps_one_history_and_is_reported(small: World) -> None:
    small.run()
    small.fake.rename(bluesky_handle(4), "nouveau-nom.bsky.social")
    small.clock.next_day()
    report = small.run()
    assert report.collected == 30
    accounts = snapshots.load_accounts(small.data_dir)
    did = did_for(bluesky_handle(4))
    history = accounts[accounts["account_id"] == did].sort_values("date")
    assert list(history["handle"]) == [bluesky_handle(4), "nouveau-nom.bsky.social"]
    assert report.platforms["bluesky"].handle_changes == [{
        "entity": "hopital-fictif-001", "account_id": did, "before": bluesky_handle(4),
        "after": "nouveau-nom.bsky.social"}]
    # the second day asks by DID: a renamed handle would not resolve any more
    last = [r for r, _ in small.server.log if r.path == PROFILES][-1]
    assert all(a.startswith("did:plc:") for a in last.args.getlist("actors"))


def test_deleted_account_is_reported_and_others_stored(small: World) -> None:
    small.fake.gone.add(did_for(bluesky_handle(7)))
    report = small.run()
    assert report.collected == 29 and report.exit_code == 0
    (failure,) = report.platforms["bluesky"].failures
    assert failure["handle"] == bluesky_handle(7)
    assert "absent de la réponse" in failure["reason"]
    small.fake.gone.clear()
    assert small.run().collected == 30


def test_takedown_label_is_a_suspension(small: World) -> None:
    original = small.fake.profile

    def labelled(did: str) -> dict:
        data = original(did)
        if did == did_for(bluesky_handle(2)):
            data["labels"] = [{"src": "did:plc:ar7c4by46qjdydhdevvrndac", "uri": f"at://{did}",
                               "val": "!takedown", "cts": "2025-03-01T00:00:00.000Z"}]
        return data

    small.fake.profile = labelled  # type: ignore[method-assign]
    report = small.run()
    reasons = [f["reason"] for f in report.platforms["bluesky"].failures]
    assert reasons == ["compte suspendu par la modération de Bluesky"]


def test_batch_answered_in_part(small: World) -> None:
    small.fake.drop_last = 2
    report = small.run()
    assert report.collected == 26  # 2 missing from each of the two batches
    assert len(report.platforms["bluesky"].failures) == 4
    small.fake.drop_last = 0
    assert small.run().collected == 30
    assert len(snapshots.load_accounts(small.data_dir)) == 30  # same day: replaced, not added


def test_truncated_batch_loses_nothing_and_rerun_fills_the_gap(small: World) -> None:
    small.clock.next_day(-20)  # an earlier month, then today's run
    small.run()
    small.clock.next_day(20)
    before = snapshot_files(small.data_dir)
    fault = small.fake.fail(truncated, asks_for(did_for(bluesky_handle(0))))  # asked by DID now
    report = small.run()
    assert report.collected == 5  # the second batch of five
    reasons = {f["reason"] for f in report.platforms["bluesky"].failures}
    assert len(report.platforms["bluesky"].failures) == 25
    assert any("JSON tronqué" in r for r in reasons)
    after = snapshot_files(small.data_dir)
    assert all(after[name] == data for name, data in before.items() if "2025-02" in name)
    small.fake.faults.remove(fault)
    assert small.run().collected == 30


def test_feed_failure_keeps_the_profile(small: World) -> None:
    did = did_for(bluesky_handle(1))
    small.fake.fail(server_error, asks_for(did, "actor"))
    report = small.run()
    assert report.collected == 30
    (failure,) = report.platforms["bluesky"].failures
    assert failure["stage"] == "publications" and "erreur du serveur (500" in failure["reason"]


def test_the_registry_did_is_used_when_given(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    handle = bluesky_handle(0)
    write_entity(data_dir, 1, [{"platform": "bluesky", "handle": "ancien-nom.bsky.social",
                                "id": did_for(handle)}])
    clock = Clock()
    fake = FakeBluesky([handle], clock)
    with fake_server() as server:
        fake.install(server)
        report = collect(data_dir, {"OBSERVATORY_BLUESKY_API": server.url_for("/").rstrip("/")}, clock)
    assert report.collected == 1
    (note,) = report.platforms["bluesky"].notes
    assert "le registre indique ancien-nom.bsky.social" in note
