"""observatory finess: reading both official formats, the category mapping, the merge rules, the
report and the command, on fixtures built from the ANS samples (tests/fixtures/finess/README.md)."""

from __future__ import annotations

import http.server
import json
import re
import threading
from pathlib import Path

import pytest

from observatory import cli
from observatory.registry.finess_import import COVERAGE_FILE, import_file
from observatory.registry.finess_map import (
    BY_OWNERSHIP,
    EXCLUDED,
    INCLUDED,
    readable,
    registry_category,
    select,
    short_name,
)
from observatory.registry.finess_read import (
    ETALAB,
    PLUS,
    FinessError,
    lambert93_to_wgs84,
    read_finess,
)
from observatory.registry.validate import validate_paths
from observatory.registry.yamlio import parse_located

FIXTURES = Path(__file__).parent / "fixtures" / "finess"
PLUS_FILE = FIXTURES / "structures-extrait-20260309.json"
ETALAB_FILE = FIXTURES / "etalab-cs1100507-extrait-test.csv"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    folder = tmp_path / "data" / "establishments"
    folder.mkdir(parents=True)
    return folder


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder.parent)): p.read_bytes()
            for p in sorted(folder.parent.rglob("*")) if p.is_file()}


def load(path: Path) -> dict:
    return parse_located(path.read_text(encoding="utf-8")).data


# -- reading --------------------------------------------------------------------------------------


def test_finess_plus_sample_is_read_with_its_date_sites_and_closures() -> None:
    data = read_finess(PLUS_FILE)
    assert (data.format, data.date) == (PLUS, "2026-03-09")
    sites = {s.et: s for s in data.sites}
    assert set(sites) == {"010780195", "010780211", "010780310", "010011641", "980600027", "980600035"}
    convert = sites["010780195"]
    assert (convert.ej, convert.name, convert.short, convert.category) == (
        "010000156", "CLINIQUE DOCTEUR CONVERT", "CLINIQUE CONVERT", "365")
    assert (convert.latitude, convert.longitude, convert.department) == (46.211257, 5.254203, "01")
    assert sites["010780211"].active is False and sites["010780211"].closed == "1996-08-29"
    assert sites["980600027"].department == "986"  # Wallis-et-Futuna: three-character code
    assert data.entities["010000222"].legal_status == "95"
    assert data.records == 13  # 5 legal entities, 6 sites, 1 gcc, 1 gco


def test_etalab_extraction_in_windows_1252_is_read_in_column_order() -> None:
    data = read_finess(ETALAB_FILE)
    assert (data.format, data.date) == (ETALAB, "2026-05-04")
    sites = {s.et: s for s in data.sites}
    fleyriat = sites["010000024"]
    assert (fleyriat.ej, fleyriat.short, fleyriat.category, fleyriat.sph, fleyriat.opened) == (
        "010780054", "CH DE FLEYRIAT", "355", "1", "1979-02-13")
    assert (fleyriat.commune, fleyriat.city) == ("01451", "VIRIAT")
    assert (fleyriat.latitude, fleyriat.longitude) == (45.962402, 5.355651)
    test_clinic = sites["970400016"]
    assert test_clinic.name.startswith("CLINIQUE FICTIVE DES ÉPREUVES")  # decoded from Windows-1252
    assert test_clinic.department == "974" and test_clinic.city == "SAINT DENIS"  # 9D, CEDEX dropped
    assert test_clinic.latitude is None  # a UTM point is not converted approximately


def test_lambert93_inverse_matches_published_points() -> None:
    # A public parser's test (pyproj) and the FINESS+ sample's own pair of coordinates.
    assert lambert93_to_wgs84(882408.3, 6543019.6) == (45.962402, 5.355651)
    assert lambert93_to_wgs84(941342.52, 6589480.53) == (46.362063, 6.139885)


def test_keep_filters_sites_by_category() -> None:
    assert {s.category for s in read_finess(ETALAB_FILE, {"620"}).sites} == {"620"}


@pytest.mark.parametrize(("make", "expected"), [
    (lambda b: b[: len(b) // 2], r"ligne \d+ : fichier JSON tronqué"),
    (lambda b: b.replace(b"CLINIQUE CONVERT", "CLINIQUE ÉCOLE".encode("cp1252"), 1),
     r"n'est pas en UTF-8"),
    (lambda b: b.replace(b'"numFinessPm" : "010000156",', b"", 1),
     r"ligne \d+, entité juridique n° 2 : enregistrement sans numéro FINESS \(numFinessPm\)"),
    (lambda b: b.replace(b'"numFinessEge" : "010780195",', b"", 1),
     r"site n° 2.1 \(entité juridique 010000156\) : enregistrement sans numéro FINESS"),
    (lambda b: b"nom;prenom\nDupont;Jean\n", r"format inconnu .*nom;prenom"),
    (lambda b: b.decode().encode("utf-16"), r"encodage non reconnu"),
    (lambda b: b"", r"fichier vide"),
])
def test_bad_plus_input_is_refused_in_french_and_nothing_is_written(
        registry: Path, make, expected: str) -> None:
    bad = registry.parent / "bad.json"
    bad.write_bytes(make(PLUS_FILE.read_bytes()))
    before = snapshot(registry)
    with pytest.raises(FinessError, match=expected):
        import_file(bad, registry)
    assert snapshot(registry) == before


@pytest.mark.parametrize(("line", "expected"), [
    ("structureet;;010780054;CH;;;;;;;;;451;01;AIN;01440 VIRIAT;;;355;;;;;;;;1;;;;",
     r"ligne 2 : .*sans numéro FINESS"),
    ("structureet;010000024;010780054;CH DE FLEYRIAT;", r"ligne 2 : enregistrement structureet incomplet"),
])
def test_bad_etalab_record_names_its_line(registry: Path, line: str, expected: str) -> None:
    bad = registry.parent / "bad.csv"
    bad.write_bytes(b"finess;etalab;1;2026-05-04\r\n" + line.encode() + b"\r\n")
    with pytest.raises(FinessError, match=expected):
        import_file(bad, registry)
    assert list(registry.iterdir()) == []


# -- mapping --------------------------------------------------------------------------------------


def test_docs_table_is_the_mapping_in_code() -> None:
    text = (ROOT / "docs" / "finess.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\d{3}) \| [^|]+ \| `?([a-z-]+|selon le statut)`? \|$", text, re.M))
    assert {c: r for c, r in rows.items() if r != "exclu"} == {c: r for c, (_, r) in INCLUDED.items()}
    excluded = set(re.findall(r"^\| (\d{3}) \| [^|]+ \| exclu \|$", text, re.M))
    assert excluded == set(EXCLUDED)


@pytest.mark.parametrize(("code", "owner", "category"), [
    ("101", "public", "chu-chr"), ("355", None, "ch"), ("292", "public", "ch"),
    ("131", "espic", "clcc"), ("365", "public", "ch"), ("365", "espic", "espic"),
    ("128", "prive-commercial", "clinique-privee"), ("109", "prive-non-lucratif", "clinique-privee"),
    ("129", None, "autre"), ("127", "public", "autre"), ("500", "public", None), ("141", None, None),
])
def test_registry_category(code: str, owner: str | None, category: str | None) -> None:
    assert registry_category(code, owner) == category
    assert BY_OWNERSHIP == "selon le statut"


def test_readable_names() -> None:
    assert readable("CH DE LA ROCHELLE") == "CH de la Rochelle"
    assert readable("CENTRE HOSPITALIER D'ARLES") == "Centre Hospitalier d'Arles"
    assert readable("HOPITAL SAINT-JOSEPH") == "Hopital Saint-Joseph"
    # FINESS cut the short name mid-word: the long one is used instead.
    assert short_name("CLINIQUE BEL AIR BOURG EN BRESSE", "CLINIQUE BEL AIR BOURG EN BRESS") == \
        "Clinique Bel Air Bourg en Bresse"


def test_selection_ownership_and_structure() -> None:
    planned = {p.key: p for p in select(read_finess(PLUS_FILE)).planned}
    convert = planned["ET 010780195"].official
    assert (convert["category"], convert["ownership"]) == ("clinique-privee", "prive-commercial")
    assert convert["finess"] == {"ej": "010000156", "et": ["010780195"]}  # one open site, one file
    wallis = planned["EJ 980600019"]  # two open sites: one file for the entity, one per site
    assert planned["ET 980600027"].parent_key == wallis.key
    assert wallis.official["ownership"] == "public"
    assert wallis.official.get("region") is None  # Wallis-et-Futuna is in none of the 18 regions
    closed = planned["ET 010780211"]
    assert closed.active is False and closed.official["closed_on"] == "1996-08-29"


# -- import and merge rules -----------------------------------------------------------------------


def test_import_creates_valid_files_with_source_and_coverage(registry: Path) -> None:
    report = import_file(PLUS_FILE, registry, url="https://example.org/finess.json")
    assert sorted(report.added) == ["agence-de-sante-de-wallis-et-futuna", "clinique-convert",
                                    "clinique-du-souffle-le-pontet", "hopital-de-kaleveleve",
                                    "hopital-de-sia"]
    _, problems = validate_paths([registry], registry.parent.parent)
    assert problems == []
    convert = load(registry / "clinique-convert.yml")
    assert convert["name"] == "CLINIQUE DOCTEUR CONVERT" and convert["short_name"] == "Clinique Convert"
    assert (convert["department"], convert["region"], convert["city"]) == ("01", "Auvergne-Rhône-Alpes",
                                                                             "Bourg en Bresse")
    assert convert["location"] == {"latitude": 46.211257, "longitude": 5.254203}
    assert convert["opened_on"] == "1956-11-16"
    assert convert["sources"][0]["published_on"] == "2026-03-09"
    assert convert["sources"][0]["url"] == "https://example.org/finess.json"
    assert "size" not in convert  # no open size source read: never estimated
    assert load(registry / "hopital-de-sia.yml")["parent"] == "agence-de-sante-de-wallis-et-futuna"
    assert load(registry.parent / COVERAGE_FILE)["counts"] == {"ch": 2, "clinique-privee": 2}


def test_second_run_changes_nothing(registry: Path) -> None:
    import_file(PLUS_FILE, registry)
    before = snapshot(registry)
    report = import_file(PLUS_FILE, registry)
    assert report.added == [] and report.updated == {} and len(report.unchanged) == 5
    assert snapshot(registry) == before


CURATED = """name: Clinique Convert
short_name: Convert (Bourg)
aliases:
- Clinique du Docteur Convert
category: autre
finess:
  et:
  - '010780195'
region: Auvergne-Rhône-Alpes
city: Bourg-en-Bresse
accounts:
- platform: bluesky
  handle: clinique-convert.bsky.social
  status: active
  sources:
  - title: Page du compte
unverified:
- category
note: Fiche tenue à la main.
sources:
- title: Article de presse
  publisher: Le Progrès
"""


def test_maintainer_fields_survive_and_official_ones_follow_finess(registry: Path) -> None:
    path = registry / "convert.yml"
    path.write_text(CURATED, encoding="utf-8")
    report = import_file(PLUS_FILE, registry)
    data = load(path)
    assert report.updated["convert"] == ["name", "category", "ownership", "department", "opened_on",
                                         "location", "finess"]
    assert not (registry / "clinique-convert.yml").exists()  # matched by number: no second file
    # Kept: short name, accounts, note, unverified marks, the other source, the curated city spelling.
    assert data["short_name"] == "Convert (Bourg)" and data["note"] == "Fiche tenue à la main."
    assert data["accounts"][0]["handle"] == "clinique-convert.bsky.social"
    assert data["unverified"] == ["category"] and data["city"] == "Bourg-en-Bresse"
    assert data["sources"][0] == {"title": "Article de presse", "publisher": "Le Progrès"}
    # Updated: the official name (the former one kept as an alias), category, numbers.
    assert data["name"] == "CLINIQUE DOCTEUR CONVERT"
    assert data["aliases"] == ["Clinique du Docteur Convert", "Clinique Convert"]
    assert data["category"] == "clinique-privee"
    assert data["finess"] == {"ej": "010000156", "et": ["010780195"]}


def test_rename_keeps_the_id_and_closure_keeps_the_file(registry: Path) -> None:
    import_file(PLUS_FILE, registry)
    renamed = PLUS_FILE.read_bytes().replace(b'"nomEgeLong" : "CLINIQUE DOCTEUR CONVERT"',
                                             b'"nomEgeLong" : "CLINIQUE CONVERT BOURG"')
    renamed = renamed.replace(b'"numFinessEge" : "010780195",',
                              b'"numFinessEge" : "010780195", "dateFermeture" : "2026-03-01",')
    newer = registry.parent / "newer.json"
    newer.write_bytes(renamed)
    report = import_file(newer, registry)
    data = load(registry / "clinique-convert.yml")
    assert data["name"] == "CLINIQUE CONVERT BOURG" and "CLINIQUE DOCTEUR CONVERT" in data["aliases"]
    assert data["closed_on"] == "2026-03-01"
    assert report.closed == ["clinique-convert (fermé le 2026-03-01)"]
    assert not (registry / "clinique-convert-bourg.yml").exists()


def test_match_by_name_and_commune_then_ambiguity(registry: Path) -> None:
    (registry / "fleyriat.yml").write_text(
        "name: CH de Fleyriat\nshort_name: Fleyriat\ncategory: ch\ncity: Viriat\n"
        "sources:\n- title: Annuaire\n", encoding="utf-8")
    report = import_file(ETALAB_FILE, registry)
    assert "fleyriat" in report.updated and "ch-de-fleyriat" not in report.added
    assert load(registry / "fleyriat.yml")["finess"] == {"ej": "010780054", "et": ["010000024"]}


def test_ambiguous_match_is_listed_never_guessed(registry: Path) -> None:
    for name in ("belley-a", "belley-b"):
        (registry / f"{name}.yml").write_text(
            "name: CH Docteur Recamier Belley\nshort_name: Belley\ncategory: ch\ncity: Belley\n"
            "sources:\n- title: Annuaire\n", encoding="utf-8")
    before = snapshot(registry)
    report = import_file(ETALAB_FILE, registry)
    assert report.ambiguous == ["CENTRE HOSPITALIER DOCTEUR RECAMIER BELLEY (ET 010000032) : "
                                "correspond à belley-a, belley-b"]
    assert {k: v for k, v in snapshot(registry).items() if "belley" in k} == before
    assert not (registry / "ch-docteur-recamier-belley.yml").exists()


def test_dry_run_writes_nothing(registry: Path) -> None:
    report = import_file(PLUS_FILE, registry, dry_run=True)
    assert len(report.added) == 5 and snapshot(registry) == {}


# -- command --------------------------------------------------------------------------------------


def test_command_prints_french_report_and_json(registry: Path, capsys: pytest.CaptureFixture) -> None:
    out_json = registry.parent / "rapport.json"
    assert cli.main(["finess", str(PLUS_FILE), "--registry", str(registry),
                     "--report", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert "Fichier FINESS du 2026-03-09" in out and "ajoutés : 5" in out
    assert json.loads(out_json.read_text(encoding="utf-8"))["nombres"]["ajoutés"] == 5
    bad = registry.parent / "bad.json"
    bad.write_bytes(PLUS_FILE.read_bytes()[:500])
    assert cli.main(["finess", str(bad), "--registry", str(registry)]) == 1
    assert "fichier JSON tronqué ; aucun fichier écrit" in capsys.readouterr().err


def test_command_downloads_the_newest_file_through_the_http_layer(
        registry: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    body = PLUS_FILE.read_bytes()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            base = f"http://127.0.0.1:{self.server.server_port}"
            if self.path.startswith("/api"):
                payload = json.dumps({"resources": [
                    {"format": "json", "title": "Structures 2026-01", "url": f"{base}/old.json",
                     "last_modified": "2026-01-01T00:00:00"},
                    {"format": "json", "title": "Structures", "url": f"{base}/structures.json",
                     "last_modified": "2026-03-09T16:00:00"},
                    {"format": "json", "title": "Activités", "url": f"{base}/activites.json",
                     "last_modified": "2026-04-01T00:00:00"}]}).encode()
            elif self.path == "/structures.json":
                payload = body
            else:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("OBSERVATORY_FINESS_API", f"http://127.0.0.1:{server.server_port}/api/")
        assert cli.main(["finess", "--registry", str(registry)]) == 0
    finally:
        server.shutdown()
    source = load(registry / "clinique-convert.yml")["sources"][0]
    assert source["url"] == f"http://127.0.0.1:{server.server_port}/structures.json"
    assert source["published_on"] == "2026-03-09" and "accessed_on" in source
    assert "ajoutés : 5" in capsys.readouterr().out


def test_registry_workflow_opens_a_pull_request_and_never_pushes() -> None:
    import yaml

    text = (ROOT / ".github" / "workflows" / "registre.yml").read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    assert flow["permissions"] == {}
    job = flow["jobs"]["registre"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    uses = [step.get("uses", "") for step in job["steps"]]
    assert any(re.fullmatch(r"peter-evans/create-pull-request@[0-9a-f]{40}", u) for u in uses)
    assert "git push" not in text and "observatory finess" in text
    assert set(flow[True]) == {"schedule", "workflow_dispatch"}  # YAML 1.1 reads « on » as true


# -- site -----------------------------------------------------------------------------------------


def test_home_states_coverage_against_finess_and_pages_link_the_record(registry: Path) -> None:
    import pandas as pd

    from observatory.registry.load import load_registry
    from observatory.site import home, pages

    import_file(PLUS_FILE, registry)
    loaded = load_registry(registry.parent)
    data = home.home_data(loaded, pd.DataFrame(), pd.DataFrame(),
                          finess_file=registry.parent / COVERAGE_FILE)
    text = home.home_markdown(data)
    # Counted: files holding a site's FINESS number (the legal entity's own file is not a site).
    assert "- Centre hospitalier : **2 établissements de santé sur 2** recensés par FINESS" in text
    assert "- Clinique privée : **2 établissements de santé sur 2** recensés par FINESS" in text
    assert "FINESS](https://www.data.gouv.fr/datasets/finess-structures-1) du 9 mars 2026" in text
    assert "recensés par FINESS" not in home.home_markdown(home.home_data(
        loaded, pd.DataFrame(), pd.DataFrame(), finess_file=registry.parent / "absent.yml"))
    assert pages.finess_link("010780195") == (
        '<a href="https://finess.esante.gouv.fr/fininter/jsp/actionDetailEtablissement.do?'
        'noFiness=010780195">010780195</a>')
