"""`observatory add` writes a file that validates, and refuses an id already taken."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import write

from observatory.registry.scaffold import ScaffoldError, add_establishment
from observatory.registry.validate import validate_paths


def test_add_writes_a_valid_canonical_file(data_dir: Path) -> None:
    path = add_establishment(data_dir, name="Clinique Fictive de l'Étang", category="clinique-privee",
                             region="Occitanie", city="Sète", accounts=["twitter:@CliniqueFictive",
                                                                        "bluesky:https://bsky.app/profile/clinique-fictive.fr"],
                             source_title="Page d'accueil", source_url="https://clinique-fictive.fr")
    assert path == data_dir / "establishments" / "clinique-fictive-de-l-etang.yml"
    assert path.read_text() == (
        "name: Clinique Fictive de l'Étang\nshort_name: Clinique Fictive de l'Étang\n"
        "category: clinique-privee\nregion: Occitanie\ncity: Sète\naccounts:\n"
        "- platform: twitter\n  handle: CliniqueFictive\n  status: active\n"
        "- platform: bluesky\n  handle: clinique-fictive.fr\n  status: active\n"
        "sources:\n- title: Page d'accueil\n  url: https://clinique-fictive.fr\n")
    _, problems = validate_paths([data_dir / "establishments"], data_dir.parent)
    assert problems == []


def test_add_with_name_and_category_only(data_dir: Path) -> None:
    path = add_establishment(data_dir, name="CH Fictif", category="ch", source_title="Annuaire")
    _, problems = validate_paths([path], data_dir.parent)
    assert problems == []


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
                     "--account", "mastodon:@ch@piaille.fr"]) == 0
    assert "Créé" in capsys.readouterr().out
    assert cli.main(["add", "CH Fictif", "--category", "ch", "--source-title", "S"]) == 1
    assert "Erreur : l'identifiant « ch-fictif » existe déjà" in capsys.readouterr().err
    assert "mastodon" in (data_dir / "establishments" / "ch-fictif.yml").read_text()
