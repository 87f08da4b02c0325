"""YouTube Data API v3 end to end: 50 channels a call, handles and legacy user names resolved
once, videos batched across channels, the key only in a header, the quota budget, faults."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fakes.registry import build_registry, make_data_dir, write_entity, youtube_channel, youtube_handle
from fakes.run import collect
from fakes.servers import Clock, FakeYouTube, count, fake_server, load, reply
from pytest_httpserver import HTTPServer

from observatory.store import snapshots

KEY = "cle-fictive-youtube"
CHANNELS, PLAYLIST, VIDEOS = "/youtube/v3/channels", "/youtube/v3/playlistItems", "/youtube/v3/videos"


@dataclass
class World:
    data_dir: Path
    fake: FakeYouTube
    server: HTTPServer
    clock: Clock

    def env(self, **extra: str) -> dict[str, str]:
        return {"OBSERVATORY_YOUTUBE_API": self.server.url_for("/").rstrip("/"),
                "OBSERVATORY_YOUTUBE_KEY": KEY, **extra}

    def run(self, **extra: str):  # type: ignore[no-untyped-def]
        return collect(self.data_dir, self.env(**extra), self.clock)


def make_world(tmp_path: Path, channels: int) -> Iterator[World]:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=max(1, channels // 4), youtube=channels, per_entity=4)
    clock = Clock()
    fake = FakeYouTube(channels, clock, key=KEY)
    with fake_server() as server:
        fake.install(server)
        yield World(data_dir, fake, server, clock)


@pytest.fixture
def small(tmp_path: Path) -> Iterator[World]:
    yield from make_world(tmp_path, 12)


def test_channels_videos_and_the_minimum_of_calls(small: World) -> None:
    report = small.run()
    assert report.collected == 12 and report.exit_code == 0
    # 6 channel ids in one call, 6 @handles one call each; 12 upload lists; 24 videos in one call
    assert (count(small.server, CHANNELS), count(small.server, PLAYLIST), count(small.server, VIDEOS)) == (
        7, 12, 1)
    assert "quota YouTube utilisé : 20 unités sur un budget de 9000" in report.platforms["youtube"].notes
    accounts = snapshots.load_accounts(small.data_dir)
    row = accounts[accounts["account_id"] == youtube_channel(3)].iloc[0]
    assert row["handle"] == "@hopitalfictif0003"  # registered by @handle, stored by channel id
    assert (row["followers"], row["posts"]) == (1021, 203) and pd_isna(row["following"])
    posts = snapshots.load_posts(small.data_dir)
    assert len(posts) == 24 and posts["views"].notna().all() and posts["reposts"].isna().all()
    for request, _ in small.server.log:
        assert "key" not in request.args and request.headers["X-Goog-Api-Key"] == KEY
    # next day, every channel is known by its id: one call for all twelve
    small.clock.next_day()
    small.server.clear_log()
    assert small.run().collected == 12
    assert count(small.server, CHANNELS) == 1


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_one_hundred_and_twenty_channels(tmp_path: Path) -> None:
    for world in make_world(tmp_path, 120):
        world.fake.count = 120
        report = world.run()
        assert report.collected == 120
        # 60 ids in 2 calls (50 + 10) and 60 handles; 240 recent videos in 5 calls of at most 50
        assert count(world.server, CHANNELS) == 62 and count(world.server, VIDEOS) == 5
        world.clock.next_day()
        world.server.clear_log()
        world.run()
        assert count(world.server, CHANNELS) == 3  # 120 known ids: 50 + 50 + 20


def usernames(server: HTTPServer) -> list[str]:
    return sorted(request.args["forUsername"] for request, _ in server.log if "forUsername" in request.args)


def test_legacy_user_names_are_resolved_once_then_asked_by_id(small: World) -> None:
    small.fake.count = 13  # channel 12 exists but is not in the generated registry
    write_entity(small.data_dir, 50, [("youtube", "user/HopitalFictif0012"), ("youtube", "user/Inconnu")])
    report = small.run()
    assert report.collected == 13
    # one forUsername call per user name, as the API takes only one
    assert usernames(small.server) == ["HopitalFictif0012", "Inconnu"]
    assert not any(request.args.get("forHandle", "").startswith("user/") for request, _ in small.server.log)
    reasons = {f["handle"]: f["reason"] for f in report.platforms["youtube"].failures}
    assert reasons == {"user/Inconnu": "aucune chaîne pour l'ancien nom d'utilisateur YouTube « Inconnu » "
                                       "(adresse /user/Inconnu) : indiquer le @nom ou l'identifiant UC… "
                                       "de la chaîne"}
    accounts = snapshots.load_accounts(small.data_dir)
    row = accounts[accounts["account_id"] == youtube_channel(12)].iloc[0]
    assert row["handle"] == "@hopitalfictif0012" and row["followers"] == 1000 + 7 * 12
    # next day the user name's channel is asked by its id with the twelve others; only the
    # unknown name is looked up again
    small.clock.next_day()
    small.server.clear_log()
    assert small.run().collected == 13
    assert count(small.server, CHANNELS) == 2 and usernames(small.server) == ["Inconnu"]
    ids = [request.args["id"] for request, _ in small.server.log if "id" in request.args
           and request.path == CHANNELS]
    assert youtube_channel(12) in ids[0].split(",")


def test_hidden_subscribers_are_empty_never_zero(small: World) -> None:
    small.fake.hidden.add(2)
    small.run()
    text = (small.data_dir / "snapshots/accounts/youtube/2025-03.csv").read_text()
    assert f"{youtube_channel(2)},@hopitalfictif0002,,,202,api" in text


def test_gone_channel_and_partial_answer(small: World) -> None:
    small.fake.gone.add(1)  # asked by @handle: an empty answer
    small.fake.drop_last = 1  # the id batch comes back one channel short
    report = small.run()
    reasons = {f["handle"]: f["reason"] for f in report.platforms["youtube"].failures}
    assert reasons[youtube_handle(1)] == f"aucune chaîne pour {youtube_handle(1)}"
    assert "absent de la réponse" in reasons[youtube_channel(10)]
    small.fake.gone.clear()
    small.fake.drop_last = 0
    assert small.run().collected == 12


def test_quota_budget_is_never_exceeded(small: World) -> None:
    report = small.run(OBSERVATORY_YOUTUBE_QUOTA="5")
    total = len(small.server.log)
    assert total == 5
    failures = report.platforms["youtube"].failures
    assert any("budget de quota YouTube atteint (5 unités" in f["reason"] for f in failures)
    assert report.collected == 10  # the six channels known by id in one call, then four handles
    assert all(f["stage"] == "publications" for f in failures if f["handle"] in {
        youtube_channel(0), youtube_channel(2)})


def test_quota_exceeded_answer_is_reported(small: World) -> None:
    small.fake.fail(lambda request: reply(load("youtube/error-quota.json"), 403))
    report = small.run()
    assert report.collected == 0 and report.exit_code == 1
    reason = report.platforms["youtube"].failures[0]["reason"]
    assert "accès refusé (403" in reason and "quotaExceeded" in reason


def test_missing_key_skips_youtube_without_failing(small: World) -> None:
    report = collect(small.data_dir, {"OBSERVATORY_YOUTUBE_API": small.server.url_for("/")}, small.clock)
    platform = report.platforms["youtube"]
    assert platform.status == "ignoré" and "OBSERVATORY_YOUTUBE_KEY" in (platform.reason or "")
    assert report.exit_code == 0 and small.server.log == []


def test_wrong_key_is_reported_and_never_shown(small: World) -> None:
    env = small.env()
    env["OBSERVATORY_YOUTUBE_KEY"] = "mauvaise-cle-secrete"
    report = collect(small.data_dir, env, small.clock)
    text = "\n".join(report.lines()) + (small.data_dir / "snapshots/last-run.json").read_text()
    assert "API key not valid" in text and "mauvaise-cle-secrete" not in text
