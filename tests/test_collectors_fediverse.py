"""Mastodon and PeerTube end to end: many instances behind one fake server, faults, renames."""

from __future__ import annotations

from pathlib import Path

from fakes.registry import build_registry, make_data_dir, mastodon_handle, peertube_handle, write_entity
from fakes.run import collect, quick_http
from fakes.servers import (
    Clock,
    FakeMastodon,
    FakePeerTube,
    asks_for,
    fake_server,
    server_error,
    slow,
    too_many,
)

from observatory.store import snapshots


def mastodon_env(url: str) -> dict[str, str]:
    return {"OBSERVATORY_MASTODON_API": url.rstrip("/")}


def test_mastodon_accounts_on_several_instances(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=6, mastodon=12, per_entity=2)
    clock = Clock()
    fake = FakeMastodon([mastodon_handle(i) for i in range(12)], clock)
    with fake_server() as server:
        fake.install(server)
        report = collect(data_dir, mastodon_env(server.url_for("/")), clock)
        lookups = [r.args["acct"] for r, _ in server.log if r.path.endswith("/lookup")]
    assert report.collected == 12 and report.platforms["mastodon"].requests == 24
    assert sorted(lookups) == sorted(mastodon_handle(i) for i in range(12))  # user@instance kept
    accounts = snapshots.load_accounts(data_dir)
    row = accounts[accounts["handle"] == mastodon_handle(4)].iloc[0]
    assert row["account_id"] == "instance-1.example:110000000000000004"
    assert (row["followers"], row["following"], row["posts"]) == (1028, 54, 204)
    posts = snapshots.load_posts(data_dir)
    mine = posts[posts["account_id"] == row["account_id"]]
    assert len(mine) == 4
    assert mine["is_reply"].sum() == 1 and mine["is_repost"].sum() == 1
    assert mine[mine["is_repost"]]["likes"].isna().all()
    assert mine["post_id"].str.startswith("instance-1.example:").all()


def test_mastodon_suspended_deleted_then_renamed(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=3, mastodon=6, per_entity=2)
    clock = Clock()
    fake = FakeMastodon([mastodon_handle(i) for i in range(6)], clock)
    fake.suspended.add(fake.id_of(mastodon_handle(1)))
    fake.deleted.add(fake.id_of(mastodon_handle(2)))
    with fake_server() as server:
        fake.install(server)
        env = mastodon_env(server.url_for("/"))
        report = collect(data_dir, env, clock)
        reasons = {f["handle"]: f["reason"] for f in report.platforms["mastodon"].failures}
        assert reasons == {mastodon_handle(1): "compte suspendu sur instance-1.example",
                           mastodon_handle(2): "compte introuvable sur instance-2.example "
                                               "(supprimé ou renommé)"}
        assert report.collected == 4
        # next day: a known account is asked for by its id, so a new name does not break it
        fake.accounts[fake.id_of(mastodon_handle(3))]["user"] = "nouveaunom"
        fake.suspended.clear()
        clock.next_day()
        server.clear_log()
        report = collect(data_dir, env, clock)
        assert report.collected == 5
        assert not any(r.path.endswith("/lookup") and "hopital0003" in r.args["acct"] for r, _ in server.log)
    (change,) = report.platforms["mastodon"].handle_changes
    assert (change["before"], change["after"]) == (mastodon_handle(3), "nouveaunom@instance-0.example")


def test_mastodon_429_is_waited_and_500_reported(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=2, mastodon=4, per_entity=2)
    clock = Clock()
    fake = FakeMastodon([mastodon_handle(i) for i in range(4)], clock)
    fake.fail(too_many("3"), asks_for(mastodon_handle(0), "acct"), times=1)
    fake.fail(server_error, asks_for(mastodon_handle(1), "acct"))
    waits: list[float] = []
    with fake_server() as server:
        fake.install(server)
        http = quick_http(sleep=waits.append, max_workers=1)
        report = collect(data_dir, mastodon_env(server.url_for("/")), clock, http=http)
    assert 3.0 in waits
    (failure,) = report.platforms["mastodon"].failures
    assert failure["handle"] == mastodon_handle(1)
    assert "erreur du serveur (500" in failure["reason"] and "abandon après 3 essais" in failure["reason"]
    assert report.collected == 3


def test_mastodon_timeout_is_reported(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=1, mastodon=2, per_entity=2)
    clock = Clock()
    fake = FakeMastodon([mastodon_handle(i) for i in range(2)], clock)
    fake.fail(slow(0.3), asks_for(mastodon_handle(0), "acct"))
    with fake_server(threaded=True) as server:  # the slow answer must not hold up the others
        fake.install(server)
        http = quick_http(timeout=(1.0, 0.1), retries=1, max_workers=1)
        report = collect(data_dir, mastodon_env(server.url_for("/")), clock, http=http)
    (failure,) = report.platforms["mastodon"].failures
    assert "délai de réponse dépassé" in failure["reason"]
    assert report.collected == 1


def test_peertube_channels_and_accounts(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=3, peertube=6, per_entity=2)
    clock = Clock()
    handles = [peertube_handle(i) for i in range(6)]
    fake = FakePeerTube(handles, clock, accounts_only={handles[5]})
    fake.deleted.add(handles[4])
    with fake_server() as server:
        fake.install(server)
        report = collect(data_dir, {"OBSERVATORY_PEERTUBE_API": server.url_for("/").rstrip("/")}, clock)
    assert report.collected == 5
    (failure,) = report.platforms["peertube"].failures
    assert failure["handle"] == handles[4] and "ni chaîne ni compte" in failure["reason"]
    text = (data_dir / "snapshots/accounts/peertube/2025-03.csv").read_text()
    # a channel follows nobody: its "following" cell is empty, never 0
    assert f"video-0.example:channel:100,{handles[0]},1000,,40,api" in text
    assert f"video-1.example:account:105,{handles[5]},1035,55,45,api" in text
    posts = snapshots.load_posts(data_dir)
    assert len(posts) == 5 * 2 and posts["views"].notna().all() and posts["replies"].notna().all()
    # 5 profiles + 5 video listings + 1 failed channel + 1 failed account + 1 account found after
    # its channel lookup failed
    assert report.platforms["peertube"].requests == 13


def test_peertube_registered_account_address_is_tried_first(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    handle = peertube_handle(0)
    name, host = handle.split("@")
    write_entity(data_dir, 1, [{"platform": "peertube", "handle": handle,
                                "url": f"https://{host}/a/{name}"}])
    clock = Clock()
    fake = FakePeerTube([handle], clock, accounts_only={handle})
    with fake_server() as server:
        fake.install(server)
        report = collect(data_dir, {"OBSERVATORY_PEERTUBE_API": server.url_for("/").rstrip("/")}, clock)
    assert report.collected == 1 and report.platforms["peertube"].requests == 2
