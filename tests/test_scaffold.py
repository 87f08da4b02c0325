"""`observatory add` writes a file that validates once the fields it marks are completed, refuses an id
already taken, and refuses an account without its source."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from observatory.registry.scaffold import ScaffoldError, add_establishment
from observatory.registry.validate import validate_paths


def test_add_writes_a_valid_canonical_file(data_dir: Path) -> None:
    added = add_establishment(data_dir, name="Clinique Fictive de l'Étang", category="clinique-privee",
                              region="Occitanie", city="Sète",
                              accounts=["twitter:@CliniqueFictive",
                                        "bluesky:https://bsky.app/profile/clinique-fictive.fr"],
                              account_source_title="Page « Nous suivre »",
                              account_source_url="https://clinique-fictive.fr/nous-suivre",
                              source_title="Page d'accueil", source_url="https://clinique-fictive.fr")
    assert added.path == data_dir / "establishments" / "clinique-fictive-de-l-etang.yml"
    account_source = ("  sources:\n  - title: Page « Nous suivre »\n"
                      "    url: https://clinique-fictive.fr/nous-suivre\n")
    assert added.path.read_text() == (
        "name: Clinique Fictive de l'Étang\nshort_name: Clinique Fictive de l'Étang\n"
        "category: clinique-privee\nregion: Occitanie\ncity: Sète\naccounts:\n"
        "- platform: twitter\n  handle: CliniqueFictive\n  status: active\n" + account_source +
        "- platform: bluesky\n  handle: clinique-fictive.fr\n  status: active\n" + account_source +
        "sources:\n- title: Page d'accueil\n  url: https://clinique-fictive.fr\n")
    assert added.to_complete == []
    _, problems = validate_paths([data_dir / "establishments"], data_dir.parent)
    assert problems == []


def test_add_marks_the_fields_to_complete(data_dir: Path) -> None:
    added = add_establishment(data_dir, name="CH Fictif", category="ch", source_title="Annuaire")
    assert added.path.read_text() == (
        "name: CH Fictif\nshort_name: CH Fictif\ncategory: ch\n"
        "region:  # À compléter : l'une des 18 régions, écrite comme dans la liste "
        "(Bretagne, Île-de-France…)\n"
        "city:  # À compléter : commune du siège\n"
        "accounts:  # À compléter : comptes sur les réseaux sociaux (platform, handle, status, sources)\n"
        "sources:\n- title: Annuaire\n"
        "  url:  # À compléter : adresse de la source, si elle en a une\n")
    assert [field for field, _ in added.to_complete] == ["region", "city", "accounts", "sources[1].url"]
    # validate refuses the file while marks remain, and says where they are
    _, problems = validate_paths([added.path], data_dir.parent)
    assert [str(p) for p in problems] == [
        "data/establishments/ch-fictif.yml:4: (à compléter): 4 lignes marquées « # À compléter » "
        "(lignes 4, 5, 6, 9) : complétez ces champs ou supprimez ces lignes"]
    # ...the format itself is sound: without the marked lines the file is valid and canonical
    unmarked = "".join(line for line in added.path.read_text().splitlines(keepends=True)
                       if "# À compléter" not in line)
    added.path.write_text(unmarked, encoding="utf-8")
    assert validate_paths([added.path], data_dir.parent)[1] == []


def test_a_group_has_no_region_to_complete(data_dir: Path) -> None:
    added = add_establishment(data_dir, name="Groupe Fictif", category="groupe", source_title="S",
                              source_url="https://groupe-fictif.fr", city="Paris")
    assert [field for field, _ in added.to_complete] == ["accounts"]


def test_an_account_needs_its_source(data_dir: Path) -> None:
    with pytest.raises(ScaffoldError, match="la source qui établit ces comptes avec --account-source"):
        add_establishment(data_dir, name="CH Fictif", category="ch", source_title="S",
                          accounts=["mastodon:@ch@piaille.fr"])
    assert list((data_dir / "establishments").iterdir()) == []


def test_add_refuses_an_existing_id(data_dir: Path) -> None:
    write(data_dir, "ch-fictif.yml", "name: R\nshort_name: R\nkind: marque\nsources:\n- title: S\n",
          folder="benchmarks")
    with pytest.raises(ScaffoldError, match="l'identifiant « ch-fictif » existe déjà"):
        add_establishment(data_dir, name="CH Fictif", category="ch", source_title="S")
    assert not (data_dir / "establishments" / "ch-fictif.yml").exists()


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"category": "hopital"}, "catégorie inconnue « hopital »"),
    ({"region": "Aquitaine"}, "région inconnue « Aquitaine »"),
    ({"accounts": ["myspace:x"]}, "forme attendue RÉSEAU:IDENTIFIANT"),
    ({"accounts": ["twitter:a b"]}, "identifiant X/Twitter invalide"),
    ({"source_title": " "}, "indiquez la source"),
    ({"entity_id": "Bad_Id"}, "identifiant invalide"),
])
def test_add_refuses_bad_input(data_dir: Path, kwargs: dict, message: str) -> None:
    arguments = {"name": "CH Fictif", "category": "ch", "source_title": "S", **kwargs}
    with pytest.raises(ScaffoldError, match=message):
        add_establishment(data_dir, **arguments)
    assert list((data_dir / "establishments").iterdir()) == []


def test_cli_add_refuses_an_existing_id_with_the_fix(data_dir: Path, monkeypatch: pytest.MonkeyPatch,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    from observatory import cli

    monkeypatch.setattr(cli, "DATA_DIR", data_dir)
    assert cli.main(["add", "CH Fictif", "--category", "ch", "--source-title", "S",
                     "--account", "mastodon:@ch@piaille.fr", "--account-source", "Profil Mastodon"]) == 0
    out = capsys.readouterr().out
    assert "Créé : " in out and "ch-fictif.yml" in out
    assert "À compléter (lignes marquées « # À compléter » dans le fichier) :\n  - region (ligne 4) : " in out
    assert "  - sources[1].url (ligne " in out
    assert cli.main(["add", "CH Fictif", "--category", "ch", "--source-title", "S"]) == 1
    assert "Erreur : l'identifiant « ch-fictif » existe déjà" in capsys.readouterr().err
    assert "mastodon" in (data_dir / "establishments" / "ch-fictif.yml").read_text()
