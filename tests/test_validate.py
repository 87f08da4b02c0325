"""Every class of registry error, reported at its file and line, in French, all at once."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import write

from observatory.cli import main
from observatory.registry.schema import schema_texts
from observatory.registry.validate import Problem, validate_paths

VALID = """\
name: Centre hospitalier universitaire Exemple
short_name: CHU Exemple
category: chu-chr
region: Bretagne
city: Rennes
accounts:
- platform: twitter
  handle: CHU_Exemple
  status: active
sources:
- title: Une source
  url: https://exemple.org/source
"""


def problems_of(data_dir: Path) -> list[Problem]:
    _, problems = validate_paths([data_dir / "establishments", data_dir / "benchmarks"],
                                 data_dir.parent)
    return problems


def one(data_dir: Path, text: str, name: str = "chu-exemple.yml") -> list[tuple[int, str, str]]:
    write(data_dir, name, text)
    return [(p.line, p.field, p.message) for p in problems_of(data_dir)]


def test_a_valid_file_has_no_problem(data_dir: Path) -> None:
    assert one(data_dir, VALID) == []


def test_unknown_key_is_located(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("city: Rennes\n", "city: Rennes\ncolour: bleu\n"))
    assert found == [(6, "colour", "champ inconnu « colour » ; champs permis : name, short_name, "
                                   "aliases, category, parent, finess, region, city, department, "
                                   "ownership, opened_on, closed_on, location, website, size, "
                                   "accounts, unverified, note, sources")]


def test_missing_required_field(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("short_name: CHU Exemple\n", ""))
    assert found == [(1, "(fichier)", "champ obligatoire manquant : « short_name » "
                                      "(Nom court, tel qu'affiché dans les classements)")]


def test_missing_required_field_in_an_account(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("  status: active\n", ""))
    assert found == [(7, "accounts[1]", "champ obligatoire manquant : « status » (État du compte)")]


@pytest.mark.parametrize(("before", "after", "line", "field", "words"), [
    ("city: Rennes", "city: 35", 5, "city", "un texte est attendu, reçu « 35 »"),
    ("city: Rennes", "city: [Rennes]", 5, "city", "un texte est attendu"),
    ("accounts:\n- platform", "accounts:\n  platform", 6, "accounts", "une liste est attendue"),
    ("  status: active", "  status: active\n  unverified: oui", 10, "accounts[1].unverified",
     "true ou false attendu, reçu « oui »"),
])
def test_wrong_types(data_dir: Path, before: str, after: str, line: int, field: str, words: str) -> None:
    found = one(data_dir, VALID.replace(before, after))
    assert [(f[0], f[1]) for f in found] == [(line, field)]
    assert words in found[0][2]


@pytest.mark.parametrize(("before", "after", "line", "field", "words"), [
    ("category: chu-chr", "category: hopital", 3, "category", "valeur inconnue « hopital » ; valeurs "
     "permises : chu-chr, ch, clinique-privee, clcc, espic, groupe, autre"),
    ("region: Bretagne", "region: Aquitaine", 4, "region", "valeur inconnue « Aquitaine »"),
    ("platform: twitter", "platform: myspace", 7, "accounts[1].platform", "valeur inconnue « myspace »"),
    ("status: active", "status: vivant", 9, "accounts[1].status", "valeur inconnue « vivant »"),
])
def test_unknown_vocabulary(data_dir: Path, before: str, after: str, line: int, field: str,
                            words: str) -> None:
    found = one(data_dir, VALID.replace(before, after))
    assert [(f[0], f[1]) for f in found] == [(line, field)]
    assert words in found[0][2]


@pytest.mark.parametrize("key", ["beds", "lits"])
def test_beds_at_the_top_level_points_to_size(data_dir: Path, key: str) -> None:
    found = one(data_dir, VALID.replace("city: Rennes\n", f"city: Rennes\n{key}: 1200\n"))
    assert [(f[0], f[1]) for f in found] == [(6, key)]
    assert found[0][2].startswith(f"champ inconnu « {key} » ; utilisez `size:` (size.beds : nombre de lits")


def test_bad_status_explains_each_allowed_status(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("status: active", "status: actif"))
    assert found == [(9, "accounts[1].status", "valeur inconnue « actif » ; valeurs permises : "
                      "active (actif : le compte publie), "
                      "dormant (en sommeil : le compte existe mais ne publie plus depuis longtemps), "
                      "closed (fermé : le compte a été supprimé ou n'est plus accessible ; indiquer until), "
                      "left (quitté : l'établissement a annoncé quitter ce réseau, le compte peut rester "
                      "en ligne ; indiquer until)")]


def test_links_must_be_https(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("city: Rennes\n", "city: Rennes\nwebsite: http://chu.fr\n"))
    assert found == [(6, "website", "le lien doit commencer par https:// : « http://chu.fr »")]


def test_account_url_must_be_https(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("  status: active\n", "  status: active\n  url: http://x.com/a\n"))
    assert found == [(10, "accounts[1].url", "le lien doit commencer par https:// : « http://x.com/a »")]


def test_malformed_handle_for_its_platform(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("handle: CHU_Exemple", "handle: CHU Exemple!"))
    assert found == [(8, "accounts[1].handle", "identifiant X/Twitter invalide « CHU Exemple! » : "
                                               "1 à 15 caractères parmi lettres, chiffres et _")]


@pytest.mark.parametrize(("finess", "line", "field", "words"), [
    ("finess:\n  ej: '310000000'\n", 5, "finess.ej", "la clé de contrôle (Luhn) est fausse"),
    ("finess:\n  ej: '31000000'\n", 5, "finess.ej", "mal formé"),
    ("finess:\n  ej: '010000024'\n  et:\n  - '12345678X'\n", 7, "finess.et[1]", "mal formé"),
    ("finess:\n  ej: 310000000\n", 5, "finess.ej", "un numéro FINESS est attendu"),
    ("finess:\n  ej:\n  - '010000024'\n  - '010780054'\n", 5, "finess.ej", "un numéro FINESS est attendu"),
    ("finess:\n  et:\n  - '010000024'\n  - '010000024'\n", 7, "finess.et[2]", "en double"),
])
def test_finess_numbers(data_dir: Path, finess: str, line: int, field: str, words: str) -> None:
    found = one(data_dir, VALID.replace("category: chu-chr\n", "category: chu-chr\n" + finess))
    assert [(f[0], f[1]) for f in found] == [(line, field)]
    assert words in found[0][2]


def test_valid_finess_and_corsican_numbers_pass(data_dir: Path) -> None:
    finess = "finess:\n  ej: '010000024'\n  et:\n  - '010780054'\n  - 2A0000001\n"
    assert one(data_dir, VALID.replace("category: chu-chr\n", "category: chu-chr\n" + finess)) == []


def test_closed_account_needs_its_end_date(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("status: active", "status: left\n  since: 2012-03"))
    assert found == [(9, "accounts[1].status", "un compte « left » doit indiquer sa date de fin (until)")]


def test_invalid_date(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("status: active", "status: active\n  since: 2012-13-01"))
    assert found == [(10, "accounts[1].since", "date invalide « 2012-13-01 » : AAAA, AAAA-MM ou "
                                               "AAAA-MM-JJ attendu")]


def test_yaml_syntax_error_has_its_line(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("city: Rennes", "city: [Rennes"))
    assert len(found) == 1 and found[0][0] >= 5 and found[0][1] == "(fichier)"
    assert found[0][2].startswith("YAML illisible")


def test_repeated_key(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("city: Rennes\n", "city: Rennes\ncity: Brest\n"))
    assert found == [(6, "city", "champ répété")]


def test_file_name_must_be_a_slug(data_dir: Path) -> None:
    found = one(data_dir, VALID, name="CHU_Exemple.yml")
    assert found == [(1, "(fichier)", "nom de fichier invalide « CHU_Exemple.yml » : l'identifiant "
                                      "(nom du fichier sans .yml) ne contient que des minuscules, "
                                      "chiffres et tirets")]


def test_duplicate_ids_across_folders(data_dir: Path) -> None:
    write(data_dir, "chu-exemple.yml", VALID)
    write(data_dir, "chu-exemple.yml", "name: R\nshort_name: R\nkind: marque\nsources:\n- title: S\n",
          folder="benchmarks")
    found = [str(p) for p in problems_of(data_dir)]
    assert found == ["data/benchmarks/chu-exemple.yml:1: (identifiant): identifiant « chu-exemple » "
                     "déjà utilisé par data/establishments/chu-exemple.yml",
                     "data/establishments/chu-exemple.yml:1: (identifiant): identifiant « chu-exemple » "
                     "déjà utilisé par data/benchmarks/chu-exemple.yml"]


def test_same_account_in_two_files_however_written(data_dir: Path) -> None:
    write(data_dir, "chu-exemple.yml", VALID)
    write(data_dir, "chu-autre.yml", VALID.replace("handle: CHU_Exemple",
                                                   "handle: https://x.com/chu_exemple"))
    found = [str(p) for p in problems_of(data_dir) if p.field != "(forme)"]
    assert found == [
        "data/establishments/chu-autre.yml:7: accounts[1]: ce compte twitter (chu_exemple) figure aussi "
        "dans data/establishments/chu-exemple.yml (accounts[1]) ; un compte n'appartient qu'à une fiche",
        "data/establishments/chu-exemple.yml:7: accounts[1]: ce compte twitter (chu_exemple) figure aussi "
        "dans data/establishments/chu-autre.yml (accounts[1]) ; un compte n'appartient qu'à une fiche"]


def test_same_platform_id_in_two_files(data_dir: Path) -> None:
    write(data_dir, "chu-exemple.yml", VALID.replace("  status: active", "  id: '42'\n  status: active"))
    write(data_dir, "chu-autre.yml", VALID.replace("CHU_Exemple", "CHU_Autre")
          .replace("  status: active", "  id: '42'\n  status: active"))
    found = [(p.file, p.message) for p in problems_of(data_dir)]
    end = " (accounts[1]) ; un compte n'appartient qu'à une fiche"
    assert found == [("data/establishments/chu-autre.yml", "ce compte twitter (id:42) figure aussi dans "
                      "data/establishments/chu-exemple.yml" + end),
                     ("data/establishments/chu-exemple.yml", "ce compte twitter (id:42) figure aussi dans "
                      "data/establishments/chu-autre.yml" + end)]


def test_same_account_twice_in_one_file(data_dir: Path) -> None:
    twice = VALID.replace("sources:", "- platform: twitter\n  handle: chu_exemple\n  status: active\n"
                                      "sources:")
    found = one(data_dir, twice)
    assert found == [(10, "accounts[2]", "ce compte twitter (chu_exemple) figure déjà dans ce fichier "
                                         "(accounts[1])")]


def test_validating_one_file_checks_it_against_the_rest_of_the_registry(
        data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The new file is named and annotated, not only the untouched one it collides with."""
    write(data_dir, "chu-exemple.yml", VALID)
    write(data_dir, "chu-mere.yml", VALID.replace("CHU_Exemple", "CHU_Mere"))
    new = write(data_dir, "chu-nouveau.yml", VALID.replace("category: chu-chr\n",
                                                           "category: chu-chr\nparent: chu-mere\n"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["validate", str(new)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert [line for line in out if "/chu-exemple.yml:" in line.split(" ")[0]] == []
    assert re.match(r"^/.*/establishments/chu-nouveau\.yml:8: accounts\[1\]: ce compte twitter "
                    r"\(chu_exemple\) figure aussi dans /.*/establishments/chu-exemple\.yml "
                    r"\(accounts\[1\]\) ; un compte n'appartient qu'à une fiche$", out[0])
    assert re.match(r"^::error file=.*/establishments/chu-nouveau\.yml,line=8,title=accounts\[1\]::",
                    out[1])
    assert len(out) == 2  # the parent, in a file not given, is found


def test_unknown_parent(data_dir: Path) -> None:
    found = one(data_dir, VALID.replace("category: chu-chr\n", "category: chu-chr\nparent: chu-inexistant\n"))
    assert found == [(4, "parent", "aucun établissement n'a l'identifiant « chu-inexistant »")]


def test_non_canonical_file_shows_the_diff(data_dir: Path) -> None:
    text = VALID.replace("handle: CHU_Exemple", "handle: '@CHU_Exemple'").replace(
        "name: Centre hospitalier universitaire Exemple\nshort_name: CHU Exemple\n",
        "short_name: CHU Exemple\nname: Centre hospitalier universitaire Exemple\n")
    found = one(data_dir, text)
    assert len(found) == 1
    line, field, message = found[0]
    assert (line, field) == (1, "(forme)")
    assert "observatory format" in message
    assert "-  handle: '@CHU_Exemple'" in message and "+  handle: CHU_Exemple" in message


def test_all_problems_reported_at_once(data_dir: Path) -> None:
    write(data_dir, "chu-a.yml", VALID.replace("city: Rennes", "city: 1\nwebsite: ftp://x"))
    write(data_dir, "chu-b.yml", VALID.replace("CHU_Exemple", "a b").replace("category: chu-chr\n", ""))
    files = sorted({(p.file, p.field) for p in problems_of(data_dir)})
    assert files == [("data/establishments/chu-a.yml", "city"), ("data/establishments/chu-a.yml", "website"),
                     ("data/establishments/chu-b.yml", "(fichier)"),
                     ("data/establishments/chu-b.yml", "accounts[1].handle")]


def test_cli_prints_every_problem_and_github_annotations(
        data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    write(data_dir, "chu-a.yml", VALID.replace("city: Rennes", "city: 1"))
    write(data_dir, "chu-b.yml", VALID.replace("CHU_Exemple", "Autre").replace("Bretagne", "Bretange"))
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["validate", str(data_dir)]) == 1
    out = capsys.readouterr()
    lines = out.out.splitlines()
    assert re.match(r"^.*/establishments/chu-a\.yml:5: city: un texte est attendu", lines[0])
    assert re.match(r"^::error file=.*/establishments/chu-a\.yml,line=5,title=city::un texte", lines[1])
    assert re.match(r"^.*/establishments/chu-b\.yml:4: region: valeur inconnue « Bretange »", lines[2])
    assert "2 problèmes dans 2 fichiers sur 2 vérifiés." in out.err


def test_cli_success(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(data_dir, "chu-a.yml", VALID)
    assert main(["validate", str(data_dir)]) == 0
    assert "1 fichier valide." in capsys.readouterr().out


def test_format_rewrites_into_canonical_form(data_dir: Path) -> None:
    path = write(data_dir, "chu-a.yml", "short_name: CHU A\nname: CHU A\ncategory: chu-chr\n"
                                        "accounts:\n- {platform: twitter, status: active, handle: '@ChuA'}\n"
                                        "sources: [{title: S}]\n")
    assert main(["format", str(data_dir)]) == 0
    assert path.read_text() == ("name: CHU A\nshort_name: CHU A\ncategory: chu-chr\naccounts:\n"
                                "- platform: twitter\n  handle: ChuA\n  status: active\n"
                                "sources:\n- title: S\n")
    assert problems_of(data_dir) == []


# --- Former handles of a renamed account (previous_handles) ---

RENAMED = VALID.replace("  handle: CHU_Exemple\n", "  handle: CHU_Exemple\n  previous_handles:\n"
                                                   "  - handle: {old}\n    until: '2018-02-01'\n")


def test_previous_handle_of_a_renamed_account_passes_in_canonical_form(data_dir: Path) -> None:
    path = write(data_dir, "chu-exemple.yml", RENAMED.format(old="'@CHRU_Exemple'"))
    assert [p.message for p in problems_of(data_dir)][0].startswith("le fichier n'est pas sous sa forme")
    assert main(["format", str(data_dir)]) == 0
    assert "  - handle: CHRU_Exemple\n    until: '2018-02-01'\n" in path.read_text()
    assert problems_of(data_dir) == []


def test_previous_handle_follows_the_platform_rules(data_dir: Path) -> None:
    found = one(data_dir, RENAMED.format(old="CHRU-Exemple"))
    assert found == [(10, "accounts[1].previous_handles[1].handle",
                      "identifiant X/Twitter invalide « CHRU-Exemple » : 1 à 15 caractères parmi lettres, "
                      "chiffres et _")]


def test_previous_handle_cannot_be_the_current_one(data_dir: Path) -> None:
    found = one(data_dir, RENAMED.format(old="chu_exemple"))
    assert found == [(10, "accounts[1].previous_handles[1].handle",
                      "ancien identifiant « chu_exemple » identique à l'identifiant actuel (handle) : ne "
                      "garder ici que les noms abandonnés")]


def test_previous_handle_listed_twice(data_dir: Path) -> None:
    twice = RENAMED.format(old="CHRU_Exemple").replace(
        "    until: '2018-02-01'\n", "    until: '2018-02-01'\n  - handle: https://x.com/chru_exemple\n"
                                    "    until: '2015'\n")
    assert one(data_dir, twice) == [(12, "accounts[1].previous_handles[2].handle",
                                     "ancien identifiant « https://x.com/chru_exemple » déjà indiqué "
                                     "(accounts[1].previous_handles[1])")]


def test_previous_handle_needs_its_date(data_dir: Path) -> None:
    found = one(data_dir, RENAMED.format(old="CHRU_Exemple").replace("    until: '2018-02-01'\n", ""))
    assert found == [(10, "accounts[1].previous_handles[1]",
                      "champ obligatoire manquant : « until » (Dernière date à laquelle une source montre "
                      "cet ancien identifiant en usage)")]


def test_schema_describes_previous_handles() -> None:
    schema = json.loads(schema_texts()["establishment.schema.json"])
    account = schema["properties"]["accounts"]["items"]["properties"]
    assert account["previous_handles"]["items"]["required"] == ["handle", "until"]
    assert "quote" in account["sources"]["items"]["properties"]


def test_a_national_registry_checked_in_worker_processes_gives_the_same_report(data_dir: Path) -> None:
    """Past PARALLEL_FROM files, `validate` spreads the files over processes: same problems (file,
    line, field, message), same documents, in the same order as in one process."""
    from observatory.registry.validate import PARALLEL_FROM

    for i in range(PARALLEL_FROM + 20):
        write(data_dir, f"fictif-{i:04d}.yml", VALID.replace("CHU_Exemple", f"fictif_{i:04d}"))
    write(data_dir, "fictif-0003.yml", VALID.replace("CHU_Exemple", "fictif_0004"))  # a duplicate
    write(data_dir, "fictif-0007.yml", VALID.replace("region: Bretagne", "region: Atlantide"))
    write(data_dir, "fictif-0011.yml", VALID.replace("short_name: CHU Exemple\n", "") + "short_name: X\n")
    folders = [data_dir / "establishments", data_dir / "benchmarks"]
    alone_docs, alone = validate_paths(folders, data_dir.parent, workers=1)
    spread_docs, spread = validate_paths(folders, data_dir.parent, workers=2)
    assert spread == alone
    assert [(d.id, d.data) for d in spread_docs] == [(d.id, d.data) for d in alone_docs]
    assert {p.file.rsplit("/", 1)[-1] for p in alone} == {
        "fictif-0003.yml", "fictif-0004.yml", "fictif-0007.yml", "fictif-0011.yml"}
    assert any(p.field == "(forme)" for p in alone)
