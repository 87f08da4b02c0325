"""Frictions a new maintainer meets (issue #12): each one fixed and kept fixed by a test."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from observatory.textfmt import slugify


@pytest.mark.parametrize(("name", "slug"), [
    ("Clinique du Sacré-Cœur", "clinique-du-sacre-coeur"),
    ("ŒUVRE DES ÆGIDES", "oeuvre-des-aegides"),
    ("Straße Ærø", "strasse-aero"),
    ("Maison Ĳssel — Øster Łódź", "maison-ijssel-oster-lodz"),
])
def test_slugify_spells_out_ligatures(name: str, slug: str) -> None:
    assert slugify(name) == slug


# --- French command line: argparse's own words translated -----------------------------------------

ENGLISH = ("usage", "error", "options:", "show this", "positional", "the following", "invalid choice",
           "invalid int", "choose from", "expected", "unrecognized", "required", "ignored")


def _run(main: object, argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stop:
        main(argv)  # type: ignore[operator]
    captured = capsys.readouterr()
    return int(stop.value.code or 0), captured.out + captured.err


def _french(text: str) -> None:
    assert [word for word in ENGLISH if word in text.lower()] == [], text


@pytest.mark.parametrize("argv", [["--help"], ["add", "--help"], ["demo", "-h"]])
def test_help_is_in_french(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from observatory.cli import main

    code, text = _run(main, argv, capsys)
    assert code == 0 and text.startswith("utilisation : observatory")
    assert "\noptions :\n" in text and "-h, --help" in text and "afficher cette aide et quitter" in text
    _french(text)


@pytest.mark.parametrize(("argv", "message"), [
    ([], "observatory : erreur : arguments obligatoires manquants : COMMANDE"),
    (["publier"], "observatory : erreur : argument COMMANDE : choix invalide : « publier » (valeurs "
                  "permises : validate, format, add, build, serve, schema, demo, finess, collect, import, "
                      "discover)"),
    (["add", "CH X"], "observatory add : erreur : arguments obligatoires manquants : --category, "
                      "--source-title"),
    (["demo", "--days", "dix"], "observatory demo : erreur : argument --days : valeur invalide (nombre "
                                "entier attendu) : « dix »"),
    (["validate", "--no-format=oui"], "observatory validate : erreur : argument --no-format : argument "
                                      "explicite ignoré : « oui »"),
    (["build", "--vite"], "observatory : erreur : arguments non reconnus : --vite"),
    (["collect", "--platform", "myspace"], "observatory collect : erreur : argument --platform : choix "
                                           "invalide : « myspace »"),
    (["import", "a.csv", "--data-dir"], "observatory import : erreur : argument --data-dir : une valeur "
                                        "est attendue"),
])
def test_errors_are_in_french(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    from observatory.cli import main

    code, text = _run(main, argv, capsys)
    assert code == 2 and text.startswith("utilisation : observatory")
    assert message in text
    _french(text)


def test_the_collect_module_and_the_generator_speak_french(capsys: pytest.CaptureFixture[str]) -> None:
    from observatory.collect.cli import main as collect_main
    from observatory.demo.synthetic import main as synthetic_main

    for main, argv in ((collect_main, ["--help"]), (synthetic_main, ["--help"])):
        code, text = _run(main, argv, capsys)
        assert code == 0 and text.startswith("utilisation : ") and "\noptions :\n" in text
        _french(text)
    code, text = _run(synthetic_main, ["--end", "hier"], capsys)
    assert code == 2
    assert "erreur : argument --end : valeur invalide (date AAAA-MM-JJ attendue) : « hier »" in text
    _french(text)


# --- YAML syntax errors in French, whichever PyYAML loader reads them ------------------------------

@pytest.fixture(params=["libyaml", "python"])
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The C loader when installed (its messages differ), and PyYAML's pure-Python one."""
    import yaml

    from observatory.registry import yamlio

    if request.param == "python":
        monkeypatch.setattr(yamlio, "Loader", yaml.SafeLoader)
    elif not hasattr(yaml, "CSafeLoader"):
        pytest.skip("libyaml absent : seul le chargeur Python de PyYAML est disponible")
    return request.param


@pytest.mark.parametrize(("text", "line", "words"), [
    ("name: Hôpital: Nord\n", 1, "« : » inattendu"),
    ("name: X\n  city: Y\n", 2, "« : » inattendu"),
    ("name: X\n\tcity: Y\n", 2, "tabulation"),
    ("accounts:\n- platform: x\n  handle: y\n status: z\n", 4, "indentation incohérente"),
    ("name: X\ncity\nregion: Y\n", 3, "« : » manquant"),
    ("name: 'X\ncity: Y\n", 3, "guillemet non refermé"),
    ("city: [Rennes\nregion: B\n", 2, "crochet « [ » non refermé"),
    ("name: @chu\n", 1, "le caractère « @ » ne peut pas commencer une valeur"),
    ("name: `chu`\n", 1, "le caractère « ` » ne peut pas commencer une valeur"),
    ("name: *x\n", 1, "« * »"),
    ('name: "a\\qb"\n', 1, "barre oblique inverse"),
    ("name: X\n---\nname: Y\n", 2, "un seul document"),
    ("name: X\ncity: a\x07b\n", 2, "caractère de contrôle"),
])
def test_yaml_errors_are_in_french(yaml_loader: str, text: str, line: int, words: str) -> None:
    from observatory.registry.yamlio import YamlSyntaxError, parse_located

    with pytest.raises(YamlSyntaxError) as caught:
        parse_located(text)
    assert caught.value.line == line
    assert caught.value.message.startswith("YAML illisible : ") and words in caught.value.message
    english = ("mapping values", "found", "expected", "while", "could not", "character '", "not allowed")
    assert [w for w in english if w in caught.value.message] == [], caught.value.message


def test_an_unknown_yaml_error_keeps_the_original_words() -> None:
    import yaml

    from observatory.registry.yamlio import french_yaml_problem

    error = yaml.MarkedYAMLError(context="while doing something new", problem="found a new kind of thing")
    assert french_yaml_problem(error, "") == ("erreur de syntaxe YAML (message d'origine : « while doing "
                                              "something new: found a new kind of thing »)")


# --- Skipped tests say why, in the default output ---------------------------------------------------

def test_tests_needing_the_shared_reference_say_why_they_skip(tmp_path: Path) -> None:
    """tests/test_data.py run where ../shared/reference is absent, with the project's pytest options."""
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    for name in ("test_data.py", "conftest.py"):
        shutil.copy(ROOT / "tests" / name, repo / "tests" / name)
    (repo / "data").symlink_to(ROOT / "data")
    result = subprocess.run([sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"),
                             "--rootdir", str(repo), "-p", "no:cacheprovider", str(repo / "tests")],
                            capture_output=True, text=True, cwd=repo)
    assert result.returncode == 0, result.stdout[-2000:]
    skipped = [line for line in result.stdout.splitlines() if line.startswith("SKIPPED")]
    assert len(skipped) >= 2, result.stdout[-2000:]  # every test that needs the reference
    assert all("../shared/reference" in line and "absent" in line for line in skipped)
