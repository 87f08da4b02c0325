"""`observatory discover websites` and `wikidata` against local fake sites and a fake query
service, on a temporary registry: what is proposed, what is refused and why, what is never
touched (a maintainer's account, a site that fails)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import ROOT
from fakes.registry import make_data_dir
from fakes.servers import fake_server
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from observatory.cli import main
from observatory.collect.discover import wikidata as wikidata_module
from observatory.collect.discover.websites import discover_websites, polite_http
from observatory.collect.discover.wikidata import discover_wikidata
from observatory.registry.spec import ESTABLISHMENT
from observatory.registry.validate import canonical_data, validate_paths
from observatory.registry.yamlio import dump_canonical

PAGES = ROOT / "tests" / "fixtures" / "discover"
DAY = date(2025, 3, 15)
DID = "did:plc:abcdefghijklmnopqrstuvwx"
WIKIDATA_SOURCE = {"title": "Wikidata, élément Q990000009", "publisher": "Wikidata",
                   "url": "https://www.wikidata.org/wiki/Q990000009", "accessed_on": "2025-02-01"}
CURATED = {"title": "Source fictive pour les tests", "url": "https://exemple.org/source-fictive"}


def entity(n: int, *, website: bool = True, finess: str | None = None,
           accounts: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"name": f"Hôpital Fictif {n:03d}", "short_name": f"HF {n:03d}", "category": "ch",
                            "region": "Bretagne", "city": "Villefictive"}
    if finess:
        data["finess"] = {"ej": finess}
    if website:
        data["website"] = f"https://www.hf{n:03d}.example/"
    if accounts:
        data["accounts"] = accounts
    data["sources"] = [dict(CURATED)]
    return data


def account(platform: str, handle: str, **extra: Any) -> dict[str, Any]:
    return {"platform": platform, "handle": handle, "status": "active", **extra,
            "sources": extra.pop("sources", [dict(CURATED)])}


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Seven fictional establishments in a temporary copy of a registry."""
    data = make_data_dir(tmp_path)
    files = {
        1: entity(1, accounts=[account("instagram", "hopital_fictif_001", unverified=True,
                                       sources=[dict(WIKIDATA_SOURCE)])]),
        2: entity(2, accounts=[account("twitter", "HF002_officiel")]),
        3: entity(3, accounts=[account("twitter", "HFictif003")]),
        4: entity(4, finess="350000014"),
        5: entity(5, finess="350000022", accounts=[account("twitter", "HFictif005")]),
        6: entity(6, finess="350000030"),
        7: entity(7, website=False, finess="350000048"),
    }
    for n, content in files.items():
        text = dump_canonical(canonical_data(content, ESTABLISHMENT))
        (data / "establishments" / f"hopital-fictif-{n:03d}.yml").write_text(text, encoding="utf-8")
    return data


def read(data: Path, n: int) -> dict[str, Any]:
    path = data / "establishments" / f"hopital-fictif-{n:03d}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def page(name: str, charset: str = "utf-8") -> Response:
    return Response((PAGES / name).read_bytes(), content_type=f"text/html; charset={charset}")


def text(name: str) -> Response:
    return Response((PAGES / name).read_bytes(), content_type="text/plain")


def missing(request: Request) -> Response:
    return Response("Not Found", status=404)


def slow(request: Request) -> Response:
    time.sleep(1.5)
    return page("hf001-accueil.html")


@pytest.fixture
def sites() -> Iterator[HTTPServer]:
    """Every fictional site under its own path of one local server."""
    with fake_server(threaded=True) as server:
        routes = {
            "/hf001/robots.txt": lambda r: text("robots-ordinaire.txt"),
            "/hf001/": lambda r: Response("", status=301,
                                          headers={"Location": server.url_for("/hf001/accueil")}),
            "/hf001/accueil": lambda r: page("hf001-accueil.html"),
            "/hf001/contact": lambda r: page("hf001-contact.html"),
            "/hf002/robots.txt": missing,
            "/hf002/": lambda r: page("hf002-accueil.html", "windows-1252"),
            "/hf003/robots.txt": lambda r: text("robots-observatoire-interdit.txt"),
            "/hf003/": lambda r: page("hf001-accueil.html"),
            "/hf004/robots.txt": missing,
            "/hf004/": lambda r: Response("", status=302, headers={"Location": "https://www.autre-groupe.example/"}),
            "/hf005/robots.txt": missing,
            "/hf005/": slow,
            "/hf006/robots.txt": missing,
            "/hf006/": lambda r: page("reponse-illisible.html"),
            "/atproto/hf001.example": lambda r: Response(DID + "\n", content_type="text/plain"),
        }
        for path, handler in routes.items():
            server.expect_request(path).respond_with_handler(handler)
        yield server


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def run_websites(data: Path, server: HTTPServer, sleeps: Sleeps | None = None, **options: Any):  # type: ignore[no-untyped-def]
    http = polite_http(sleep=sleeps if sleeps is not None else Sleeps(), monotonic=lambda: 1000.0,
                       timeout=(1.0, 0.5), retries=0)
    hosts = {f"www.hf{n:03d}.example": server.url_for(f"/hf{n:03d}") for n in range(1, 8)}
    return discover_websites(data, http, today=DAY, hosts=hosts,
                             atproto_url=lambda handle: server.url_for(f"/atproto/{handle}"), **options)


def outcomes(report: Any, entity_id: str) -> dict[tuple[str, str], tuple[str, str]]:
    entry = next(e for e in report.entities if e.entity == entity_id)
    return {(f.platform, f.value): (f.outcome, f.reason) for f in entry.findings}


def test_websites_proposes_the_self_declared_accounts(data_dir: Path, sites: HTTPServer) -> None:
    report = run_websites(data_dir, sites)
    found = outcomes(report, "hopital-fictif-001")
    for key in [("mastodon", "hf001@social.sante.example"), ("facebook", "hopitalfictif001"),
                ("twitter", "HFictif001"), ("linkedin", "company/hopital-fictif-001"),
                ("youtube", "@HopitalFictif001"), ("tiktok", "hopitalfictif001"),
                ("bluesky", "hf001.example"),
                ("threads", "hopital_fictif_001"), ("peertube", "hopital_fictif_001@video.sante.example")]:
        assert found[key][0] == "new", key
    assert found[("instagram", "hopital_fictif_001")][0] == "confirmed"
    assert found[("twitter", "CHVoisinFictif")] == ("rejected", "lien dans le corps d'un article, pas dans "
                                                                "un bloc de profils")
    for other in ("Sante_Gouv", "ARS_Fictive"):
        assert found[("twitter", other)][1].startswith("compte d'une autre organisation")
    assert found[("facebook", "FHF.officiel")][1].startswith("compte d'une autre organisation")
    assert "ne reprend ni le nom" in found[("twitter", "CliniqueVoisine")][1]
    entry = report.entities[0]
    assert entry.pages == ["https://www.hf001.example/accueil", "https://www.hf001.example/contact"]
    assert any("3 bouton de partage" in note for note in entry.notes)
    assert any("vérifié par le domaine de l'établissement" in note for note in entry.notes)

    written = {a["platform"]: a for a in read(data_dir, 1)["accounts"]}
    assert written["bluesky"]["id"] == DID
    assert written["twitter"]["handle"] == "HFictif001" and "unverified" not in written["twitter"]
    assert written["twitter"]["sources"][0]["url"] == "https://www.hf001.example/accueil"
    assert written["twitter"]["sources"][0]["accessed_on"] == "2025-03-15"
    assert written["peertube"]["sources"][0]["url"] == "https://www.hf001.example/contact"
    assert "unverified" not in written["instagram"] and len(written["instagram"]["sources"]) == 2
    _, problems = validate_paths([data_dir / "establishments"], data_dir.parent)
    assert problems == []


def test_a_curated_account_is_never_overwritten(data_dir: Path, sites: HTTPServer) -> None:
    before = read(data_dir, 2)
    report = run_websites(data_dir, sites, only=["hopital-fictif-002"])
    found = outcomes(report, "hopital-fictif-002")
    assert found[("twitter", "HFictif002")][0] == "conflict"
    assert "déjà un compte twitter (HF002_officiel)" in found[("twitter", "HFictif002")][1]
    assert found[("twitter", "HFictif003")] == ("conflict", "ce compte figure déjà dans la fiche "
                                                            "« hopital-fictif-003 »")
    # a legacy user name is an account (user/NAME); beside it the opaque id is no longer alone
    assert found[("youtube", "user/hopitalfictif002")] == ("new", "")
    assert found[("youtube", "UC0000000000000000000002")] == (
        "rejected", "plusieurs comptes de ce réseau sur le site : identifiant sans nom, ambigu")
    assert found[("facebook", "123456789012")][0] == "new"
    after = read(data_dir, 2)
    assert [a for a in after["accounts"] if a["platform"] == "twitter"] == before["accounts"]
    assert [e.entity for e in report.entities] == ["hopital-fictif-002"]
    assert not any("/hf001" in request.path for request, _ in sites.log)


@pytest.mark.parametrize(("n", "words"), [
    (3, "robots.txt interdit la lecture de https://www.hf003.example/"),
    (4, "redirection vers un autre site (www.autre-groupe.example)"),
    (5, "délai de réponse dépassé"),
    (6, "la réponse n'est pas une page HTML lisible"),
])
def test_a_failing_site_gives_one_line_and_nothing_written(data_dir: Path, sites: HTTPServer, n: int,
                                                            words: str) -> None:
    path = data_dir / "establishments" / f"hopital-fictif-{n:03d}.yml"
    before = path.read_bytes()
    report = run_websites(data_dir, sites)
    entry = next(e for e in report.entities if e.entity == f"hopital-fictif-{n:03d}")
    assert words in (entry.error or "")
    assert entry.findings == []
    assert path.read_bytes() == before
    line = next(x for x in report.lines() if x.startswith(f"hopital-fictif-{n:03d}"))
    assert words in line and "rien n'est écrit" in line
    # the rest goes on: the first site's accounts were still proposed
    assert outcomes(report, "hopital-fictif-001")[("twitter", "HFictif001")][0] == "new"


def test_politeness_user_agent_robots_and_one_request_per_second(data_dir: Path, sites: HTTPServer) -> None:
    sleeps = Sleeps()
    run_websites(data_dir, sites, sleeps=sleeps, only=["hopital-fictif-001", "hopital-fictif-003"])
    paths = [request.path for request, _ in sites.log]
    assert all(r.headers["User-Agent"].startswith("Observatoire/") for r, _ in sites.log)
    assert paths.index("/hf001/robots.txt") < paths.index("/hf001/")
    assert "/hf003/" not in paths  # robots.txt forbids the observatory there
    # one host (the local server) for every request: each waits one more second than the last
    assert sleeps == [float(n) for n in range(1, len(sleeps) + 1)] and len(sleeps) >= 4


def test_dry_run_writes_nothing(data_dir: Path, sites: HTTPServer) -> None:
    before = {p.name: p.read_bytes() for p in (data_dir / "establishments").iterdir()}
    report = run_websites(data_dir, sites, dry_run=True)
    assert report.counts()["new"] >= 9
    assert {p.name: p.read_bytes() for p in (data_dir / "establishments").iterdir()} == before


# -- Wikidata ---------------------------------------------------------------------------------

@pytest.fixture
def sparql() -> Iterator[HTTPServer]:
    with fake_server() as server:
        server.expect_request("/sparql").respond_with_data(
            (PAGES / "wikidata-resultats.json").read_bytes(), content_type="application/sparql-results+json")
        yield server


def run_wikidata(data: Path, server: HTTPServer):  # type: ignore[no-untyped-def]
    http = polite_http(sleep=Sleeps(), monotonic=lambda: 1000.0, retries=0)
    return discover_wikidata(data, http, endpoint=server.url_for("/sparql"), today=DAY)


def test_wikidata_proposes_unverified_accounts_and_missing_websites(data_dir: Path,
                                                                     sparql: HTTPServer) -> None:
    report = run_wikidata(data_dir, sparql)
    request = sparql.log[0][0]
    assert "wdt:P4058" in request.args["query"] and request.args["format"] == "json"
    assert request.headers["User-Agent"].startswith("Observatoire/")
    found = outcomes(report, "hopital-fictif-004")
    assert found[("website", "https://www.hf004.example/")][0] == "known"
    for key in [("twitter", "HFictif004"), ("instagram", "hopital_fictif_004"),
                ("linkedin", "company/hopital-fictif-004"), ("mastodon", "hf004@social.sante.example"),
                ("bluesky", "hf004.bsky.social"), ("tiktok", "hopitalfictif004"),
                ("youtube", "UC0000000000000000000004")]:
        assert found[key][0] == "new", key
    written = {a["platform"]: a for a in read(data_dir, 4)["accounts"]}
    assert written["twitter"]["unverified"] is True
    assert written["twitter"]["sources"][0]["url"] == "https://www.wikidata.org/wiki/Q990000001"
    assert "P2002" in written["twitter"]["sources"][0]["note"]
    entry = next(e for e in report.entities if e.entity == "hopital-fictif-004")
    assert any("lits et places selon Wikidata : 850" in note for note in entry.notes)

    found5 = outcomes(report, "hopital-fictif-005")
    assert found5[("website", "http://www.hf005.example/")][0] == "known"
    assert found5[("twitter", "HFictif005bis")][0] == "conflict"
    assert found5[("facebook", "hopital fictif 005")][0] == "rejected"
    assert [a["handle"] for a in read(data_dir, 5)["accounts"]] == ["HFictif005"]

    other_site = ("website", "https://www.autre-site.example/")
    assert outcomes(report, "hopital-fictif-006")[other_site][0] == "conflict"
    assert read(data_dir, 6)["website"] == "https://www.hf006.example/"
    seven = read(data_dir, 7)
    assert seven["website"] == "https://www.hf007.example/" and seven["unverified"] == ["website"]
    assert seven["sources"][-1]["url"] == "https://www.wikidata.org/wiki/Q990000005"
    assert any("1 sans fiche" in note for note in report.notes)
    _, problems = validate_paths([data_dir / "establishments"], data_dir.parent)
    assert problems == []


def test_a_website_found_by_wikidata_confirms_its_account(data_dir: Path, sparql: HTTPServer,
                                                         sites: HTTPServer) -> None:
    run_wikidata(data_dir, sparql)  # HFictif001 proposed for establishment 6 by Wikidata
    report = run_websites(data_dir, sites, only=["hopital-fictif-001"])
    assert outcomes(report, "hopital-fictif-001")[("twitter", "HFictif001")] == (
        "conflict", "ce compte figure déjà dans la fiche « hopital-fictif-006 »")


def test_an_unreadable_answer_stops_the_run_and_writes_nothing(data_dir: Path) -> None:
    before = {p.name: p.read_bytes() for p in (data_dir / "establishments").iterdir()}
    with fake_server() as server:
        server.expect_request("/sparql").respond_with_json({"boolean": True})
        report = run_wikidata(data_dir, server)
    assert report.error and "format des résultats SPARQL" in report.error
    assert {p.name: p.read_bytes() for p in (data_dir / "establishments").iterdir()} == before


def test_cli_prints_the_report_and_writes_it_as_json(data_dir: Path, sparql: HTTPServer, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(wikidata_module, "ENDPOINT", sparql.url_for("/sparql"))
    out = tmp_path / "rapport.json"
    code = main(["discover", "wikidata", "--data-dir", str(data_dir), "--report", str(out)])
    printed = capsys.readouterr().out
    assert code == 0
    assert "  nouveau : twitter HFictif004" in printed and "Bilan :" in printed
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert saved["kind"] == "wikidata" and saved["counts"]["conflict"] >= 2
