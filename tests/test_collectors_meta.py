"""Facebook pages and Instagram professional accounts through a fake Graph API."""

from __future__ import annotations

from pathlib import Path

from fakes.registry import build_registry, make_data_dir
from fakes.run import collect, quick_http
from fakes.servers import Clock, FakeGraph, fake_server

from observatory.store import snapshots

TOKEN = "jeton-fictif-meta"
IG_USER = "17841499999999999"


def names(count: int) -> list[str]:
    return [f"hopitalfictif{n:04d}" for n in range(count)]


def env(url: str, **extra: str) -> dict[str, str]:
    base = url.rstrip("/")
    return {"OBSERVATORY_FACEBOOK_API": base, "OBSERVATORY_INSTAGRAM_API": base,
            "OBSERVATORY_FACEBOOK_TOKEN": TOKEN, "OBSERVATORY_INSTAGRAM_USER_ID": IG_USER, **extra}


def test_facebook_pages_fifty_a_call_and_one_unknown_page(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=6, facebook=60, per_entity=10)
    clock = Clock()
    fake = FakeGraph(names(60), [], clock, page_posts=False)
    fake.gone.add("hopitalfictif0055")
    with fake_server() as server:
        fake.install(server)
        report = collect(data_dir, env(server.url_for("/")), clock, http=quick_http(max_workers=1))
        batches = [len(r.args["ids"].split(",")) for r, _ in server.log if "ids" in r.args]
    # 50, then 10 refused because one page is unknown, then those 10 one by one
    assert batches == [50, 10] + [1] * 10
    assert report.collected == 59
    (failure,) = report.platforms["facebook"].failures
    assert failure["handle"] == "hopitalfictif0055" and "page introuvable" in failure["reason"]
    assert report.platforms["facebook"].notes[0].startswith("publications Facebook non relevées")
    accounts = snapshots.load_accounts(data_dir)
    row = accounts[accounts["handle"] == "hopitalfictif0007"].iloc[0]
    assert (row["account_id"], row["followers"]) == ("100000000000007", 1049)
    assert accounts["following"].isna().all() and accounts["posts"].isna().all()


def test_facebook_posts_when_the_token_allows(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=1, facebook=2, per_entity=2)
    clock = Clock()
    fake = FakeGraph(names(2), [], clock)
    with fake_server() as server:
        fake.install(server)
        collect(data_dir, env(server.url_for("/")), clock)
    posts = snapshots.load_posts(data_dir)
    assert len(posts) == 2
    assert list(posts.iloc[0][["likes", "reposts", "replies"]]) == [48, 6, 5]


def test_instagram_business_discovery(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=2, instagram=4, per_entity=2)
    clock = Clock()
    fake = FakeGraph([], names(4), clock)
    fake.gone.add("hopitalfictif0002")
    with fake_server() as server:
        fake.install(server)
        report = collect(data_dir, env(server.url_for("/")), clock)
        assert report.platforms["instagram"].requests == 4  # media come with the profile
    assert report.collected == 3
    (failure,) = report.platforms["instagram"].failures
    assert "non professionnel" in failure["reason"]
    accounts = snapshots.load_accounts(data_dir)
    row = accounts[accounts["handle"] == "hopitalfictif0001"].iloc[0]
    assert (row["followers"], row["following"], row["posts"]) == (1007, 51, 201)
    assert len(snapshots.load_posts(data_dir)) == 3 * 2  # the 45-day-old media left out


def test_instagram_needs_its_user_id(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=1, instagram=1, facebook=1)
    clock = Clock()
    fake = FakeGraph(names(1), names(1), clock)
    with fake_server() as server:
        fake.install(server)
        settings = env(server.url_for("/"))
        del settings["OBSERVATORY_INSTAGRAM_USER_ID"]
        report = collect(data_dir, settings, clock)
    assert report.platforms["instagram"].status == "ignoré"
    assert "OBSERVATORY_INSTAGRAM_USER_ID" in (report.platforms["instagram"].reason or "")
    assert report.platforms["facebook"].collected == 1 and report.exit_code == 0


def test_expired_token_is_an_access_problem(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=1, facebook=2, per_entity=2)
    clock = Clock()
    fake = FakeGraph(names(2), [], clock)
    with fake_server() as server:
        fake.install(server)
        report = collect(data_dir, env(server.url_for("/"), OBSERVATORY_FACEBOOK_TOKEN="jeton-perime"),
                         clock)
    reasons = [f["reason"] for f in report.platforms["facebook"].failures]
    assert len(reasons) == 2
    assert all(r.startswith("accès refusé : jeton absent, expiré") and "Session has expired" in r
               for r in reasons)
