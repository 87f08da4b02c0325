"""X API v2 end to end: 100 users a call, by id once known, suspended and deleted accounts,
timelines only where the token's tier allows them."""

from __future__ import annotations

from pathlib import Path

from fakes.registry import build_registry, make_data_dir, twitter_handle
from fakes.run import collect, quick_http
from fakes.servers import Clock, FakeX, count, fake_server

from observatory.store import snapshots

TOKEN = "jeton-fictif-x"


def env(url: str, token: str = TOKEN) -> dict[str, str]:
    return {"OBSERVATORY_TWITTER_API": url.rstrip("/"), "OBSERVATORY_X_BEARER_TOKEN": token}


def test_users_in_batches_of_100_then_by_id(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=10, twitter=150, per_entity=15)
    clock = Clock()
    fake = FakeX([twitter_handle(i) for i in range(150)], clock)
    fake.suspended.add(next(i for i, u in fake.users.items() if u["username"] == twitter_handle(3)))
    fake.deleted.add(next(i for i, u in fake.users.items() if u["username"] == twitter_handle(4)))
    with fake_server() as server:
        fake.install(server)
        report = collect(data_dir, env(server.url_for("/")), clock)
        assert count(server, "/2/users/by") == 2
        reasons = {f["handle"]: f["reason"] for f in report.platforms["twitter"].failures}
        assert reasons[twitter_handle(3)].startswith("compte suspendu par X")
        assert reasons[twitter_handle(4)].startswith("compte introuvable sur X")
        assert report.collected == 148
        accounts = snapshots.load_accounts(data_dir)
        row = accounts[accounts["handle"] == twitter_handle(5)].iloc[0]
        assert row["account_id"] == "1000000000000000005"
        assert (row["followers"], row["following"], row["posts"]) == (1035, 55, 205)
        posts = snapshots.load_posts(data_dir)
        mine = posts[posts["account_id"] == "1000000000000000005"]
        assert list(mine.sort_values("published_at")["is_repost"]) == [True, False, False]
        assert mine["is_reply"].sum() == 1 and mine["views"].notna().sum() == 2
        for request, _ in server.log:
            assert request.headers["Authorization"] == f"Bearer {TOKEN}"
        clock.next_day()
        server.clear_log()
        fake.suspended.clear()
        report = collect(data_dir, env(server.url_for("/")), clock)
        # 148 known ids in 2 calls, the 2 never seen by name in one
        assert (count(server, "/2/users"), count(server, "/2/users/by")) == (2, 1)
        assert report.collected == 149
    assert TOKEN not in (data_dir / "snapshots/last-run.json").read_text()


def test_tier_without_timelines_still_stores_profiles(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=2, twitter=6, per_entity=3)
    clock = Clock()
    fake = FakeX([twitter_handle(i) for i in range(6)], clock, timelines=False)
    with fake_server() as server:
        fake.install(server)
        report = collect(data_dir, env(server.url_for("/")), clock, http=quick_http(max_workers=1))
        timelines = sum(1 for r, _ in server.log if r.path.endswith("/tweets"))
    assert report.collected == 6 and report.platforms["twitter"].failures == []
    assert timelines == 1  # asked once, then not again in this run
    (note,) = report.platforms["twitter"].notes
    assert note.startswith("publications X non relevées")


def test_bad_token_fails_the_platform_not_the_run(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=1, twitter=2, per_entity=2)
    clock = Clock()
    fake = FakeX([twitter_handle(i) for i in range(2)], clock)
    with fake_server() as server:
        fake.install(server)
        report = collect(data_dir, env(server.url_for("/"), token="jeton-perime"), clock)
    assert report.collected == 0 and report.exit_code == 1
    assert all("accès refusé (401" in f["reason"] for f in report.platforms["twitter"].failures)
    assert "jeton-perime" not in "\n".join(report.lines())
