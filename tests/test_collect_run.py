"""A whole collection against the fake servers: a few hundred accounts across the keyless
platforms and YouTube, every injected fault, outages, exit codes, the report and the CLI."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest
from fakes.registry import (
    bluesky_handle,
    build_registry,
    make_data_dir,
    mastodon_handle,
    peertube_handle,
    youtube_channel,
)
from fakes.run import collect, quick_http, snapshot_files
from fakes.servers import (
    NOW,
    Clock,
    FakeBluesky,
    FakeMastodon,
    FakePeerTube,
    FakeYouTube,
    asks_for,
    count,
    did_for,
    fake_server,
    malformed,
    reset_server,
    server_error,
    slow,
    too_many,
    truncated,
)
from pytest_httpserver import HTTPServer

from observatory.collect import cli as collect_cli
from observatory.collect.run import Progress, RunReport, run_collection
from observatory.store import history as store_history
from observatory.store import snapshots

KEY = "cle-fictive-youtube"


@dataclass
class World:
    data_dir: Path
    clock: Clock
    bluesky: FakeBluesky
    mastodon: FakeMastodon
    peertube: FakePeerTube
    youtube: FakeYouTube
    servers: dict[str, HTTPServer]
    overrides: dict[str, str]
    sizes: dict[str, int]

    def env(self) -> dict[str, str]:
        env = {f"OBSERVATORY_{p.upper()}_API": s.url_for("/").rstrip("/") for p, s in self.servers.items()}
        env.update(self.overrides)
        env["OBSERVATORY_YOUTUBE_KEY"] = KEY
        return env

    def run(self, **options: object) -> RunReport:
        http = quick_http(timeout=(1.0, 0.2))
        return collect(self.data_dir, self.env(), self.clock, http=http, **options)

    def heal(self) -> None:
        self.overrides.clear()
        for fake in (self.bluesky, self.mastodon, self.peertube, self.youtube):
            fake.heal()
        self.bluesky.gone.clear()
        self.bluesky.drop_last = 0
        self.mastodon.suspended.clear()
        self.youtube.drop_last = 0

    @property
    def total(self) -> int:
        return sum(self.sizes.values())


def make_world(tmp_path: Path, bluesky: int, mastodon: int, peertube: int, youtube: int,
               linkedin: int = 0) -> Iterator[World]:
    data_dir = make_data_dir(tmp_path)
    build_registry(data_dir, entities=max(bluesky, mastodon, peertube, youtube) // 2 or 1,
                   bluesky=bluesky, mastodon=mastodon, peertube=peertube, youtube=youtube,
                   linkedin=linkedin, per_entity=2)
    clock = Clock()
    fakes = (FakeBluesky([bluesky_handle(i) for i in range(bluesky)], clock),
             FakeMastodon([mastodon_handle(i) for i in range(mastodon)], clock),
             FakePeerTube([peertube_handle(i) for i in range(peertube)], clock),
             FakeYouTube(youtube, clock, key=KEY))
    with ExitStack() as stack:
        servers = {}
        for platform, fake in zip(("bluesky", "mastodon", "peertube", "youtube"), fakes, strict=True):
            server = stack.enter_context(fake_server(threaded=platform == "mastodon"))
            fake.install(server)
            servers[platform] = server
        yield World(data_dir, clock, *fakes, servers=servers, overrides={},
                    sizes={"bluesky": bluesky, "mastodon": mastodon, "peertube": peertube,
                           "youtube": youtube})


def test_a_full_collection_of_a_few_hundred_accounts(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=200, mastodon=60, peertube=30, youtube=60, linkedin=10):
        report = world.run()
        assert report.exit_code == 0 and report.error is None
        assert report.collected == 350 and report.failed == 0
        requests = {p: r.requests for p, r in report.platforms.items()}
        # the minimum each API allows: Bluesky 200/25 profile calls + one feed per account;
        # Mastodon and PeerTube one profile and one listing per account; YouTube one call for
        # the 30 channel ids, one per @handle, one upload list per channel, 120 videos in 3 calls
        assert requests == {"bluesky": 8 + 200, "mastodon": 60 + 60, "peertube": 30 + 30,
                            "youtube": 1 + 30 + 60 + 3, "linkedin": 0}
        assert report.platforms["linkedin"].status == "manuel" and report.platforms["linkedin"].targets == 10
        accounts = snapshots.load_accounts(world.data_dir)
        assert len(accounts) == 350 and accounts["provenance"].eq("api").all()
        assert accounts.groupby("platform", observed=True).size().to_dict() == world.sizes
        posts = snapshots.load_posts(world.data_dir)
        assert posts.groupby("platform", observed=True).size().to_dict() == {
            "bluesky": 200 * 4, "mastodon": 60 * 4, "peertube": 30 * 2, "youtube": 60 * 2}
        saved = json.loads((world.data_dir / "snapshots/last-run.json").read_text())
        assert saved["totals"] == {"collected": 350, "failed": 0, "attempted": 350, "outages": []}
        # the next day: counts move, one row more per account, YouTube channels all by id
        world.clock.next_day()
        for server in world.servers.values():
            server.clear_log()
        report = world.run()
        assert report.platforms["youtube"].requests == 2 + 60 + 3
        accounts = snapshots.load_accounts(world.data_dir)
        assert len(accounts) == 700
        day2 = accounts[accounts["handle"] == bluesky_handle(0)].sort_values("date")
        assert list(day2["followers"]) == [1000, 1003]


def _fault_cases() -> dict[str, tuple[Callable[[World], None], str, str]]:
    """name -> (inject the fault, platform hit, words of the French reason)."""

    def bluesky_batch(respond: Callable) -> Callable[[World], None]:
        return lambda w: w.bluesky.fail(respond, asks_for(did_for(bluesky_handle(0))))

    return {
        "429 avec Retry-After": (bluesky_batch(too_many("2")), "bluesky", "limite de requêtes atteinte (429"),
        "500": (bluesky_batch(server_error), "bluesky", "erreur du serveur (500"),
        "JSON tronqué": (bluesky_batch(truncated), "bluesky", "JSON tronqué"),
        "JSON malformé": (lambda w: w.youtube.fail(malformed, lambda r: "id" in r.args), "youtube",
                          "réponse qui n'est pas du JSON"),
        "délai dépassé": (lambda w: w.mastodon.fail(slow(0.4), lambda r: "/statuses" not in r.path),
                          "mastodon", "délai de réponse dépassé"),
        "connexion coupée": (lambda w: None, "peertube", "connexion impossible ou coupée"),
        "compte supprimé": (lambda w: w.bluesky.gone.add(did_for(bluesky_handle(3))), "bluesky",
                            "absent de la réponse"),
        "compte suspendu": (lambda w: w.mastodon.suspended.add(w.mastodon.id_of(mastodon_handle(1))),
                            "mastodon", "compte suspendu sur instance-1.example"),
        "lot incomplet": (lambda w: setattr(w.youtube, "drop_last", 1), "youtube", "absent de la réponse"),
    }


FAULTS = _fault_cases()


def measured_by_key(data: bytes) -> dict[tuple[str, ...], str]:
    return {tuple(line.split(",")[:2]): line.split(",")[-1] for line in data.decode().splitlines()}


def assert_nothing_lost(before: dict[str, bytes], after: dict[str, bytes]) -> None:
    """Earlier months byte-identical; this month, every earlier account row still there as it
    was, and every earlier post still there, measured no earlier than before (posts younger
    than 30 days are refreshed in place by design)."""
    for file, content in before.items():
        if "2025-02" in file:
            assert after[file] == content, file
        elif file.startswith("accounts/"):
            assert set(content.decode().splitlines()) <= set(after[file].decode().splitlines()), file
        else:
            old, new = (measured_by_key(data) for data in (content, after[file]))
            assert all(key in new and new[key] >= measured for key, measured in old.items()), file


@pytest.mark.parametrize("name", list(FAULTS))
def test_every_fault_loses_nothing_is_reported_and_a_rerun_fills_the_gap(tmp_path: Path, name: str) -> None:
    inject, platform, words = FAULTS[name]
    for world in make_world(tmp_path, bluesky=30, mastodon=4, peertube=2, youtube=4):
        world.clock.now = NOW.replace(month=2)  # an earlier month
        assert world.run().collected == world.total
        world.clock.now = NOW.replace(day=14)  # yesterday, same month as today
        assert world.run().collected == world.total
        before = snapshot_files(world.data_dir)
        world.clock.now = NOW
        inject(world)
        with ExitStack() as stack:
            if name == "connexion coupée":
                world.overrides["OBSERVATORY_PEERTUBE_API"] = stack.enter_context(reset_server())
            report = world.run()
        assert report.exit_code == 0  # the rest was stored
        # nothing earlier lost or changed
        after = snapshot_files(world.data_dir)
        assert_nothing_lost(before, after)
        # the failure is in the report, printed and saved, in French
        saved = json.loads((world.data_dir / "snapshots/last-run.json").read_text())
        reasons = [f["reason"] for f in saved["platforms"][platform]["failures"]]
        assert reasons and any(words in r for r in reasons), reasons
        assert any(words in line for line in report.lines())
        missing = world.total - report.collected
        assert missing > 0 or name == "429 avec Retry-After" and report.collected < world.total
        # a re-run fills the gap
        world.heal()
        again = world.run()
        assert again.collected == world.total and again.failed == 0
        today = snapshots.load_accounts(world.data_dir)
        assert (today["date"] == "2025-03-15").sum() == world.total


def test_a_transient_429_is_waited_for(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=30, mastodon=0, peertube=0, youtube=0):
        world.bluesky.fail(too_many("2"), times=1)
        waits: list[float] = []
        report = collect(world.data_dir, world.env(), world.clock, http=quick_http(sleep=waits.append))
        assert report.collected == 30 and report.failed == 0 and 2.0 in waits


def test_a_platform_reaching_far_fewer_accounts_is_a_probable_outage(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=100, mastodon=0, peertube=0, youtube=0):
        world.clock.now = NOW.replace(day=14)
        world.run()
        world.clock.now = NOW
        world.bluesky.fail(server_error, lambda r: bluesky_handle(0) not in r.args.getlist("actors")
                           and did_for(bluesky_handle(0)) not in r.args.getlist("actors"))
        report = world.run()
        bluesky = report.platforms["bluesky"]
        assert report.collected == 25 and bluesky.previous == 100 and bluesky.outage
        assert report.exit_code == 0
        assert "panne probable : Bluesky" in report.summary_line()
        assert any("PANNE PROBABLE" in line for line in report.lines())
        saved = json.loads((world.data_dir / "snapshots/last-run.json").read_text())
        assert saved["totals"]["outages"] == ["bluesky"]
        # the accounts not reached are not gone: yesterday's rows are all there
        accounts = snapshots.load_accounts(world.data_dir)
        assert (accounts["date"] == "2025-03-14").sum() == 100
        # nothing at all stored: exit 1
        world.bluesky.heal()
        world.bluesky.fail(server_error)
        assert world.run().exit_code == 1


def test_a_small_dip_is_not_an_outage(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=30, mastodon=0, peertube=0, youtube=0):
        world.clock.now = NOW.replace(day=14)
        world.run()
        world.clock.now = NOW
        world.bluesky.gone.update(did_for(bluesky_handle(i)) for i in range(3))
        assert not world.run().platforms["bluesky"].outage


def test_a_failed_write_is_reported_and_keeps_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for world in make_world(tmp_path, bluesky=5, mastodon=2, peertube=0, youtube=0):
        world.clock.now = NOW.replace(day=14)
        world.run()
        before = snapshot_files(world.data_dir)
        world.clock.now = NOW
        def failing(path: Path, text: str,
                    real: Callable[[Path, str], Path] = snapshots.write_aside) -> Path:
            if "accounts/mastodon" in str(path):
                raise OSError("disque plein (simulé)")
            return real(path, text)

        real = snapshots.write_aside

        monkeypatch.setattr(snapshots, "write_aside", failing)
        report = world.run()
        assert report.platforms["bluesky"].collected == 5
        (failure,) = report.platforms["mastodon"].failures
        assert failure["stage"] == "écriture" and "disque plein" in failure["reason"]
        after = snapshot_files(world.data_dir)
        # all or nothing: neither the accounts nor the posts of Mastodon were written
        assert {k: v for k, v in after.items() if "mastodon" in k} == {
            k: v for k, v in before.items() if "mastodon" in k}
        assert not list(world.data_dir.rglob(".*.tmp"))
        monkeypatch.setattr(snapshots, "write_aside", real)
        assert world.run().collected == 7


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=5, mastodon=1, peertube=1, youtube=2):
        report = world.run(dry_run=True)
        assert report.collected == 9 and report.dry_run
        assert not (world.data_dir / "snapshots").exists()
        assert "essai à blanc" in report.lines()[0]


def test_filters_and_bad_configuration(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=6, mastodon=2, peertube=0, youtube=0):
        report = world.run(platforms=["mastodon"])
        assert list(report.platforms) == ["mastodon"] and report.collected == 2
        report = world.run(only=["hopital-fictif-002"])
        assert report.collected == 2 + 0  # its two Bluesky accounts
        assert world.run(only=["hopital-inexistant"]).exit_code == 2
        bad = world.run(platforms=["myspace"])
        assert bad.exit_code == 2 and "réseau inconnu : myspace" in (bad.error or "")
        (world.data_dir / "establishments" / "casse.yml").write_text("name: [\n", encoding="utf-8")
        broken = world.run()
        assert broken.exit_code == 2 and "le registre n'est pas valide" in (broken.error or "")


def test_secrets_are_never_written_or_printed(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=2, mastodon=0, peertube=0, youtube=4):
        world.youtube.fail(lambda r: server_error(r))
        report = world.run()
        assert report.platforms["youtube"].failures
        written = "".join(p.read_text() for p in world.data_dir.rglob("*") if p.is_file())
        assert KEY not in written and KEY not in "\n".join(report.lines())
        assert KEY not in report.commit_message()


def test_progress_bar_on_a_terminal_and_lines_elsewhere() -> None:
    terminal, log = io.StringIO(), io.StringIO()
    for stream, interactive in ((terminal, True), (log, False)):
        progress = Progress(stream, interactive=interactive)
        progress.start("Bluesky", 40)
        for _ in range(4):
            progress.advance(10)
        progress.finish()
    assert "\rBluesky        [" in terminal.getvalue() and "40/40" in terminal.getvalue()
    assert log.getvalue().splitlines() == ["Bluesky : 40 comptes à relever…", "Bluesky : 10/40",
                                           "Bluesky : 20/40", "Bluesky : 30/40", "Bluesky : 40/40"]


def test_cli_collect_prints_the_report_and_writes_the_commit_message(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    for world in make_world(tmp_path, bluesky=3, mastodon=0, peertube=0, youtube=1):
        for name, value in world.env().items():
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("OBSERVATORY_YOUTUBE_KEY")
        message = tmp_path / "message.txt"
        args = collect_cli.build_parser().parse_args(
            ["collect", "--data-dir", str(world.data_dir), "--commit-message", str(message)])
        assert args.handler(args) == 0
        out = capsys.readouterr().out
        assert out.startswith("Collecte du ") and "YouTube : ignoré — variable d'environnement" in out
        first, blank, *rest = message.read_text().splitlines()
        assert first.startswith("Collecte du ") and "3 comptes relevés" in first and blank == ""
        assert any(line.startswith("Bluesky : 3/3") for line in rest)
        args = collect_cli.build_parser().parse_args(["collect", "--data-dir", str(world.data_dir),
                                                      "--only", "inconnu"])
        assert args.handler(args) == 2
        assert "Erreur de configuration" in capsys.readouterr().err


def test_register_adds_both_commands_with_french_help() -> None:
    parser = collect_cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == {"collect", "import"}  # type: ignore[union-attr]
    for name in ("collect", "import"):
        for action in sub.choices[name]._actions:  # type: ignore[index]
            if action.dest != "help":
                assert action.help and action.help[0].islower(), (name, action.dest)


def test_report_without_any_platform(tmp_path: Path) -> None:
    data_dir = make_data_dir(tmp_path)
    report = run_collection(data_dir, env={}, http=quick_http(), clock=Clock(),
                            progress=Progress(io.StringIO(), interactive=False), log=lambda t: None)
    assert report.exit_code == 0 and report.collected == 0
    assert report.summary_line() == "Collecte du 2025-03-15 : 0 compte relevé, 0 échec"


def test_youtube_channel_ids_come_from_the_store(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=0, mastodon=0, peertube=0, youtube=2):
        world.run()
        history = store_history.history(world.data_dir, "youtube")
        assert history.ids_by_handle["@hopitalfictif0001"] == youtube_channel(1)
        world.clock.next_day()
        world.servers["youtube"].clear_log()
        world.run()
        assert count(world.servers["youtube"], "/youtube/v3/channels") == 1


def test_a_bug_in_one_collector_does_not_cost_the_others(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from observatory.collect.platforms.mastodon import MastodonCollector

    def broken(self: object, targets: list, progress: object = None) -> None:
        raise RuntimeError("boum")

    monkeypatch.setattr(MastodonCollector, "collect", broken)
    for world in make_world(tmp_path, bluesky=3, mastodon=2, peertube=1, youtube=0):
        report = world.run()
        assert report.platforms["mastodon"].status == "échec"
        assert "erreur interne du collecteur : RuntimeError : boum" in report.platforms["mastodon"].reason
        assert report.collected == 4 and report.exit_code == 0


def test_a_renamed_account_is_followed_and_nothing_is_lost(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=30, mastodon=4, peertube=0, youtube=0):
        world.clock.now = NOW.replace(day=14)
        world.run()
        before = snapshot_files(world.data_dir)
        world.clock.now = NOW
        world.bluesky.rename(bluesky_handle(5), "nouveau-nom.bsky.social")
        world.mastodon.accounts[world.mastodon.id_of(mastodon_handle(2))]["user"] = "nouveaunom"
        report = world.run()
        assert report.collected == world.total and report.failed == 0
        assert_nothing_lost(before, snapshot_files(world.data_dir))
        saved = json.loads((world.data_dir / "snapshots/last-run.json").read_text())
        changes = [(c["before"], c["after"]) for p in ("bluesky", "mastodon")
                   for c in saved["platforms"][p]["handle_changes"]]
        assert changes == [(bluesky_handle(5), "nouveau-nom.bsky.social"),
                           (mastodon_handle(2), "nouveaunom@instance-2.example")]


def test_impossible_counts_are_refused_at_the_door_and_reported(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=6, mastodon=0, peertube=0, youtube=0):
        profile, items = world.bluesky.profile, world.bluesky.items
        wrong = {did_for(bluesky_handle(1)): -5, did_for(bluesky_handle(2)): 2 ** 64}

        def bad_profile(did: str, profile: Callable = profile, wrong: dict = wrong) -> dict:
            data = profile(did)
            data["followersCount"] = wrong.get(did, data["followersCount"])
            return data

        def bad_items(did: str, items: Callable = items) -> list[dict]:
            out = items(did)
            if did == did_for(bluesky_handle(3)):
                out[0]["post"]["likeCount"] = -3
            return out

        world.bluesky.profile, world.bluesky.items = bad_profile, bad_items  # type: ignore[method-assign]
        report = world.run()
        bluesky = report.platforms["bluesky"]
        assert bluesky.collected == 4 and report.exit_code == 0
        reasons = {f["handle"]: f["reason"] for f in bluesky.failures}
        assert "nombre négatif" in reasons[bluesky_handle(1)]
        assert "64 bits" in reasons[bluesky_handle(2)]
        assert "likes" in reasons[bluesky_handle(3)] and "publication" in reasons[bluesky_handle(3)]
        problems: list[str] = []
        accounts = snapshots.load_accounts(world.data_dir, problems=problems)
        assert problems == [] and set(accounts["handle"]) == {bluesky_handle(i) for i in (0, 3, 4, 5)}
        posts = snapshots.load_posts(world.data_dir, problems=problems)
        assert problems == [] and (posts["likes"].dropna() >= 0).all()
        per_account = posts.groupby("account_id", observed=True).size()
        # the impossible post left out, the account's others kept
        assert per_account[did_for(bluesky_handle(3))] == per_account[did_for(bluesky_handle(0))] - 1


@pytest.mark.parametrize("fault", [server_error, malformed, slow(0.4)])
def test_a_same_day_rerun_failing_on_part_of_an_account_keeps_the_days_figures(
        tmp_path: Path, fault: Callable) -> None:
    for world in make_world(tmp_path, bluesky=0, mastodon=0, peertube=2, youtube=0):
        assert world.run().collected == 2
        first = snapshots.load_accounts(world.data_dir).set_index("handle")
        assert first["posts"].notna().all()  # PeerTube gives the number of videos with the listing
        world.clock.now = NOW.replace(hour=9)  # the same day, later
        world.peertube.fail(fault, lambda r: r.path.endswith("/videos"))
        report = world.run()
        assert report.platforms["peertube"].failures and report.collected == 2
        again = snapshots.load_accounts(world.data_dir).set_index("handle")
        assert len(again) == 2
        assert again["posts"].tolist() == first["posts"].tolist()  # not blanked
        assert again["followers"].tolist() == first["followers"].tolist()
        assert (again["collected_at"] > first["collected_at"]).all()  # the later run's figures


def test_a_rename_seen_by_a_same_day_rerun_does_not_lose_the_account(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=3, mastodon=0, peertube=0, youtube=0):
        assert world.run().collected == 3
        world.clock.now = NOW.replace(hour=9)
        world.bluesky.rename(bluesky_handle(1), "nouveau-nom.bsky.social")
        assert world.run().collected == 3  # the same day: the only row with the old name replaced
        handles = set(snapshots.load_accounts(world.data_dir)["handle"].astype(str))
        assert bluesky_handle(1) not in handles
        assert (world.data_dir / "snapshots/ids.csv").read_text(encoding="utf-8").count("\n") == 4
        world.clock.next_day()
        report = world.run()
        assert report.collected == 3 and report.failed == 0, report.lines()
        accounts = snapshots.load_accounts(world.data_dir)
        day = accounts[accounts["date"] == "2025-03-16"]
        assert "nouveau-nom.bsky.social" in set(day["handle"].astype(str))


def test_a_collapse_is_held_as_suspect_until_confirmed(tmp_path: Path) -> None:
    for world in make_world(tmp_path, bluesky=4, mastodon=0, peertube=0, youtube=0):
        profile, forced = world.bluesky.profile, {}

        def forced_profile(did: str, profile: Callable = profile, forced: dict = forced) -> dict:
            data = profile(did)
            data["followersCount"] = forced.get(did, data["followersCount"])
            return data

        world.bluesky.profile = forced_profile  # type: ignore[method-assign]
        dids = [did_for(bluesky_handle(i)) for i in range(4)]
        world.clock.now = NOW.replace(day=14)
        world.run()
        held_file = world.data_dir / "snapshots/held/bluesky.csv"
        world.clock.now = NOW
        forced.update({dids[1]: 0, dids[2]: 100, dids[3]: 400})  # three collapses (from ~1000)
        for hour in (6, 9):  # a same-day re-run sees them again: still only suspect
            world.clock.now = NOW.replace(hour=hour)
            report = world.run()
            bluesky = report.platforms["bluesky"]
            assert bluesky.collected == 4 and len(bluesky.held) == 3, bluesky.held
            assert any("relevé suspect mis de côté" in line and "0 abonné le 2025-03-15" in line
                       for line in report.lines())
        accounts = snapshots.load_accounts(world.data_dir)
        today = accounts[accounts["date"] == "2025-03-15"]
        assert list(today["account_id"].astype(str)) == [dids[0]]  # nothing written over, nothing used
        assert held_file.read_text(encoding="utf-8").count("\n") == 4
        # a maintainer confirms the third one (file edit), the first collapses again the next day,
        # the second is back to normal
        lines = held_file.read_text(encoding="utf-8").splitlines()
        lines = [line + "oui" if dids[3] in line else line for line in lines]  # column confirmed
        held_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        del forced[dids[2]]
        world.clock.next_day()
        report = world.run()
        text = "\n".join(report.lines())
        assert "effondrement confirmé (par un mainteneur)" in text and bluesky_handle(3) in text
        assert "effondrement confirmé (par cette collecte)" in text
        assert "relevé suspect écarté" in text
        assert held_file.read_text(encoding="utf-8").count("\n") == 1  # header only: nothing held
        accounts = snapshots.load_accounts(world.data_dir).set_index(["account_id", "date"])
        followers = accounts["followers"]
        assert followers[(dids[1], pd.Timestamp("2025-03-15"))] == 0
        assert followers[(dids[1], pd.Timestamp("2025-03-16"))] == 0
        assert (dids[2], pd.Timestamp("2025-03-15")) not in followers.index  # the glitch never stored
        assert followers[(dids[2], pd.Timestamp("2025-03-16"))] > 1000
        assert followers[(dids[3], pd.Timestamp("2025-03-15"))] == 400
