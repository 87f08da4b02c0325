"""`observatory import FILE.csv`: figures read by hand, validated with located French messages."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from fakes.registry import make_data_dir, write_entity

from observatory.collect import cli as collect_cli
from observatory.collect.manual_import import import_file
from observatory.registry.load import Registry, load_registry
from observatory.store import snapshots

NOW = datetime(2025, 3, 15, 9, 30, tzinfo=UTC)
HEADER = "date,entity,platform,handle,followers,following,posts,source_title,source_url\n"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    data_dir = make_data_dir(tmp_path)
    write_entity(data_dir, 1, [("linkedin", "company/hopital-fictif-001"), ("tiktok", "hopitalfictif001"),
                               {"platform": "bluesky", "handle": "hf0001.bsky.social",
                                "id": "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"}])
    write_entity(data_dir, 2, [("linkedin", "company/hopital-fictif-002")])
    return data_dir


def run(data_dir: Path, text: str, dry_run: bool = False) -> tuple[list[str], list[snapshots.AccountRow]]:
    path = data_dir.parent / "releves.csv"
    path.write_text(text, encoding="utf-8")
    registry: Registry = load_registry(data_dir)
    result = import_file(path, registry, data_dir, dry_run=dry_run, display="releves.csv", clock=lambda: NOW)
    return [str(p) for p in result.problems], result.rows


def test_valid_file_is_stored_as_manual(data_dir: Path) -> None:
    problems, rows = run(data_dir, HEADER +
                         "2025-03-10,hopital-fictif-001,linkedin,https://www.linkedin.com/company/hopital-fictif-001/,"
                         "12500,,,Page LinkedIn consultée,https://www.linkedin.com/company/hopital-fictif-001/\n"
                         "2025-03-10,hopital-fictif-001,bluesky,hf0001.bsky.social,420,12,88,"
                         "Profil Bluesky,\n")
    assert problems == [] and len(rows) == 2
    accounts = snapshots.load_accounts(data_dir)
    linkedin = accounts[accounts["platform"] == "linkedin"].iloc[0]
    assert linkedin["account_id"] == "company/hopital-fictif-001"
    assert linkedin["provenance"] == "manual" and linkedin["source_title"] == "Page LinkedIn consultée"
    assert linkedin["followers"] == 12500 and pd_isna(linkedin["following"])
    assert str(linkedin["collected_at"]) == "2025-03-15 09:30:00+00:00"
    bluesky = accounts[accounts["platform"] == "bluesky"].iloc[0]
    assert bluesky["account_id"] == "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"  # joins the API history


def pd_isna(value: object) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


def test_every_problem_is_located_in_french_and_nothing_stored(data_dir: Path) -> None:
    text = HEADER + "\n".join([
        "2025-03-10,hopital-fictif-001,linkedin,company/hopital-fictif-001,12 500,,,Page,",
        "2025-02-30,hopital-fictif-009,linkedin,company/x,10,,,Page,",
        "2025-03-10,hopital-fictif-002,myspace,x,10,,,Page,",
        "2025-03-10,hopital-fictif-002,linkedin,company/autre-page,10,,,Page,",
        ",hopital-fictif-002,linkedin,company/hopital-fictif-002,10,,,,ftp://exemple",
        "2025-03-10,hopital-fictif-002,linkedin,company/hopital-fictif-002,,,,Page,",
        "2025-04-01,hopital-fictif-002,linkedin,company/hopital-fictif-002,5,,,Page,",
        "2025-03-11,hopital-fictif-002,tiktok,@autrecompte,5,,,Page,",
        "2025-03-11,hopital-fictif-002,linkedin,company/hopital-fictif-002,5,,,Page,",
        "2025-03-11,hopital-fictif-002,linkedin,https://www.linkedin.com/company/hopital-fictif-002,6,,,Page,",
        "2025-03-12,hopital-fictif-002,linkedin,company/hopital-fictif-002,5,,",
    ]) + "\n"
    problems, rows = run(data_dir, text)
    assert rows == [] and not (data_dir / "snapshots").exists()
    assert problems == [
        "releves.csv:2: followers: « 12 500 » : nombre entier attendu, sans espace ni séparateur de milliers",
        "releves.csv:3: date: « 2025-02-30 » : date invalide, AAAA-MM-JJ attendu (jour compris)",
        "releves.csv:3: entity: « hopital-fictif-009 » : aucun établissement ni compte de référence n'a cet "
        "identifiant dans le registre",
        "releves.csv:4: platform: « myspace » : réseau inconnu ; valeurs permises : twitter, facebook, "
        "instagram, linkedin, youtube, bluesky, mastodon, peertube, tiktok, threads, viadeo",
        "releves.csv:5: handle: « company/autre-page » : ce compte linkedin n'est pas dans la fiche de "
        "hopital-fictif-002 ; l'y ajouter d'abord (comptes linkedin connus : company/hopital-fictif-002)",
        "releves.csv:6: date: valeur obligatoire manquante : date du relevé (AAAA-MM-JJ)",
        "releves.csv:6: source_title: valeur obligatoire manquante : source : titre de la page ou du "
        "document où le chiffre a été lu",
        "releves.csv:6: source_url: « ftp://exemple » : adresse invalide (http:// ou https:// attendu)",
        "releves.csv:7: followers: aucun chiffre : remplir au moins followers, following ou posts",
        "releves.csv:8: date: « 2025-04-01 » : date dans le futur",
        "releves.csv:9: handle: « @autrecompte » : ce compte tiktok n'est pas dans la fiche de "
        "hopital-fictif-002 ; l'y ajouter d'abord",
        "releves.csv:11: date: relevé en double : même compte et même date qu'à la ligne 10",
        "releves.csv:12: (ligne): nombre de colonnes incorrect (9 attendues)",
    ]


def test_header_problems(data_dir: Path) -> None:
    problems, _ = run(data_dir, "date,entity,platform,handle,abonnes\n")
    assert problems == [
        "releves.csv:1: (en-tête): au moins une colonne de chiffres est attendue : followers, following "
        "ou posts",
        "releves.csv:1: (en-tête): colonne inconnue « abonnes » ; colonnes permises : date, entity, "
        "platform, handle, followers, following, posts, source_title, source_url, provenance",
        "releves.csv:1: (en-tête): colonne obligatoire manquante : « source_title »",
    ]
    assert run(data_dir, HEADER)[0] == ["releves.csv:1: (fichier): aucun relevé dans le fichier"]


def test_published_figures_and_same_day_replacement(data_dir: Path) -> None:
    header = HEADER.strip() + ",provenance\n"
    line = "2025-03-01,hopital-fictif-002,linkedin,company/hopital-fictif-002,{n},,,Classement fictif,,{p}\n"
    assert run(data_dir, header + line.format(n=100, p="published"))[0] == []
    assert run(data_dir, header + line.format(n=110, p=""))[0] == []
    accounts = snapshots.load_accounts(data_dir)
    assert list(accounts["followers"]) == [110] and list(accounts["provenance"]) == ["manual"]
    problems, _ = run(data_dir, header + line.format(n=1, p="api"))
    assert problems == ["releves.csv:2: provenance: « api » : valeurs permises : manual (relevé à la main) "
                        "ou published (chiffre publié par un tiers)"]


def test_dry_run_checks_without_writing(data_dir: Path) -> None:
    line = "2025-03-10,hopital-fictif-002,linkedin,company/hopital-fictif-002,7,,,Page,\n"
    problems, rows = run(data_dir, HEADER + line, dry_run=True)
    assert problems == [] and len(rows) == 1 and not (data_dir / "snapshots").exists()


def test_cli_import(data_dir: Path, capsys: pytest.CaptureFixture[str],
                    monkeypatch: pytest.MonkeyPatch) -> None:
    path = data_dir.parent / "releves.csv"
    path.write_text(HEADER + "2020-01-01,hopital-fictif-002,linkedin,company/hopital-fictif-002,7,,,Page,\n",
                    encoding="utf-8")
    args = collect_cli.build_parser().parse_args(["import", str(path), "--data-dir", str(data_dir)])
    assert args.handler(args) == 0
    assert "1 relevé importé." in capsys.readouterr().out
    path.write_text(HEADER + "2020-01-01,hopital-fictif-002,linkedin,company/hopital-fictif-002,x,,,Page,\n",
                    encoding="utf-8")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert args.handler(args) == 1
    captured = capsys.readouterr()
    assert ":2: followers: « x » : nombre entier attendu" in captured.out
    assert "::error file=" in captured.out and "rien n'a été importé" in captured.err


LINE = "2025-03-10,hopital-fictif-002,linkedin,company/hopital-fictif-002,7,,,Page consultée,\n"


@pytest.mark.parametrize("separator", [";", "\t"])
def test_excel_separators_are_read(data_dir: Path, separator: str) -> None:
    """A French Excel export separates its columns with « ; » (or a tab): same rows as with commas."""
    problems, rows = run(data_dir, (HEADER + LINE).replace(",", separator))
    assert problems == [] and len(rows) == 1
    assert rows[0].followers == 7 and rows[0].source_title == "Page consultée"


def test_unknown_separator_is_named(data_dir: Path) -> None:
    problems, rows = run(data_dir, (HEADER + LINE).replace(",", "|"))
    assert rows == []
    assert problems[0] == ("releves.csv:1: (en-tête): colonnes non séparées : séparateurs reconnus : virgule "
                           "« , », point-virgule « ; » ou tabulation ; la première ligne n'en contient aucun")


def test_latin1_file_says_how_to_save_as_utf8(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = data_dir.parent / "releves.csv"
    path.write_bytes((HEADER + LINE).replace(",", ";").encode("cp1252"))
    args = collect_cli.build_parser().parse_args(["import", str(path), "--data-dir", str(data_dir)])
    assert args.handler(args) == 1
    out = capsys.readouterr().out
    assert ":2: (fichier): le fichier n'est pas encodé en UTF-8" in out
    assert "« CSV UTF-8 (délimité par des virgules) »" in out and "Unicode (UTF-8)" in out
    assert "UnicodeDecodeError" not in out


def test_two_writers_at_once_lose_no_row(data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each import reads the month's file, merges and writes it; without the store's lock the
    second to write would drop the first one's rows (read before the first rename)."""
    import threading
    import time

    real = snapshots.write_files

    def slow(texts):  # type: ignore[no-untyped-def]
        time.sleep(0.3)  # the other writer reads the file meanwhile
        return real(texts)

    monkeypatch.setattr(snapshots, "write_files", slow)
    registry = load_registry(data_dir)
    lines = {1: "2025-03-10,hopital-fictif-001,linkedin,company/hopital-fictif-001,100,,,Page,\n",
             2: "2025-03-10,hopital-fictif-002,linkedin,company/hopital-fictif-002,200,,,Page,\n"}
    results = {}

    def one(n: int) -> None:
        path = data_dir.parent / f"releves-{n}.csv"
        path.write_text(HEADER + lines[n], encoding="utf-8")
        results[n] = import_file(path, registry, data_dir, clock=lambda: NOW)

    threads = [threading.Thread(target=one, args=(n,)) for n in (1, 2)]
    for thread in threads:
        thread.start()
        time.sleep(0.05)
    for thread in threads:
        thread.join(10)
    assert all(not r.problems for r in results.values())
    stored = snapshots.load_accounts(data_dir)
    assert sorted(stored["followers"].tolist()) == [100, 200]
