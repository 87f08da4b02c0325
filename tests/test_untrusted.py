"""Untrusted input (a pull request's registry files, case studies, imports) stays inert: refused
with a located French message, never run, never expanded, never a traceback."""

from __future__ import annotations

import csv
import difflib
import json
import re
import signal
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, write

from observatory.registry.figures import validate_figures
from observatory.registry.load import load_registry
from observatory.registry.validate import Problem, check_document, format_problem, validate_paths
from observatory.site import open_data
from observatory.site.case_studies import read as study_read
from observatory.site.charts import series

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

# Each level names the previous one nine times: 9^9 strings once expanded, from ~300 bytes.
LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8))


def problems_of(data_dir: Path) -> list[Problem]:
    _, problems = validate_paths([data_dir / "establishments", data_dir / "benchmarks"],
                                 data_dir.parent)
    return problems


def lines_and_messages(data_dir: Path) -> list[tuple[int, str]]:
    return [(p.line, p.message) for p in problems_of(data_dir)]


# --- YAML anchors and aliases -------------------------------------------------------------------


def test_billion_laughs_is_refused_at_once(data_dir: Path) -> None:
    write(data_dir, "chu-lol.yml", LAUGHS)
    assert len(LAUGHS) < 400
    start = time.perf_counter()
    found = lines_and_messages(data_dir)
    assert time.perf_counter() - start < 2
    assert found and found[0][0] == 1 and "ancre" in found[0][1]


def test_self_referencing_alias_is_a_located_problem(data_dir: Path) -> None:
    write(data_dir, "chu-self.yml", VALID + "note: x\nsize: &s\n  beds: *s\n")
    found = lines_and_messages(data_dir)
    assert found == [(14, found[0][1])]
    assert "ancre" in found[0][1] and "alias" in found[0][1]


def test_an_alias_alone_is_refused_at_its_line(data_dir: Path) -> None:
    write(data_dir, "chu-alias.yml", VALID.replace("city: Rennes", "city: *ville"))
    found = lines_and_messages(data_dir)
    assert [line for line, _ in found] == [5]
    assert "alias" in found[0][1] and "guillemets" in found[0][1]


def test_an_anchor_alone_is_refused(data_dir: Path) -> None:
    write(data_dir, "chu-anchor.yml", VALID.replace("city: Rennes", "city: &v Rennes"))
    assert [line for line, _ in lines_and_messages(data_dir)] == [5]


def test_ampersand_and_star_inside_text_are_fine(data_dir: Path) -> None:
    text = VALID.replace("city: Rennes", "city: Rennes & Saint-Malo *centre*").replace(
        "source\n", "source?a=1&b=2\n")
    write(data_dir, "chu-text.yml", text)
    assert lines_and_messages(data_dir) == []


# --- Text fields: control and bidi characters, trailing newlines, lengths -----------------------


@pytest.mark.parametrize(("old", "new", "line"), [
    ("city: Rennes", 'city: "Ren\\anes"', 5),  # BEL
    ("city: Rennes", 'city: "Ren\\u009bnes"', 5),  # C1: CSI
    ("city: Rennes", 'city: "Ren\\u007fnes"', 5),  # DEL
    ("city: Rennes", 'city: "Rennes\\u202e"', 5),  # right-to-left override
    ("city: Rennes", 'city: "\\u2066Rennes"', 5),  # left-to-right isolate
    ("city: Rennes", 'city: "Ren\\tnes"', 5),  # a tab in a one-line field
    ("city: Rennes", 'city: "Ren\\rnes"', 5),
    ("  status: active", '  status: active\n  note: "Compte\\u0000"', 10),
    ("  status: active", '  status: active\n  note: "Compte \\u202d"', 10),
])
def test_control_and_bidi_characters_are_refused(data_dir: Path, old: str, new: str, line: int) -> None:
    write(data_dir, "chu-exemple.yml", VALID.replace(old, new))
    found = lines_and_messages(data_dir)
    assert [n for n, _ in found] == [line], found
    assert "caractère" in found[0][1] and "U+" in found[0][1]
    for char in "\a\x9b\x7f\u202e\u2066\t\r\x00\u202d":  # messages never echo the character itself
        assert char not in found[0][1]


def test_a_multi_line_note_keeps_its_tabs_and_line_breaks(data_dir: Path) -> None:
    write(data_dir, "chu-exemple.yml", VALID.replace("sources:", 'note: "Ligne 1\\n\\tLigne 2"\nsources:'))
    assert [m for _, m in lines_and_messages(data_dir) if "caractère" in m] == []


@pytest.mark.parametrize(("old", "new", "line", "field"), [
    ("  status: active", '  status: active\n  since: "2020-01-01\\n"', 10, "accounts[1].since"),
    ("region: Bretagne", 'region: Bretagne\nparent: "chu-exemple\\n"', 5, "parent"),
    ("region: Bretagne", 'region: Bretagne\nfiness:\n  et: ["350005179\\n"]', 6, "finess.et[1]"),
    ("url: https://exemple.org/source", 'url: "https://exemple.org/source\\n"', 12, "sources[1].url"),
    ("url: https://exemple.org/source", 'url: "https://exemple.org/ source"', 12, "sources[1].url"),
    ("city: Rennes", 'city: Rennes\nwebsite: "https://exemple.org\\n"', 6, "website"),
])
def test_a_trailing_newline_or_space_does_not_pass_a_pattern(data_dir: Path, old: str, new: str,
                                                            line: int, field: str) -> None:
    write(data_dir, "chu-exemple.yml", VALID.replace(old, new))
    assert [(p.line, p.field) for p in problems_of(data_dir)] == [(line, field)]


def test_a_file_name_with_a_newline_is_refused(data_dir: Path) -> None:
    write(data_dir, "chu-nl\n.yml", VALID)
    found = problems_of(data_dir)
    assert [p.field for p in found] == ["(fichier)"]
    assert "nom de fichier invalide" in found[0].message and "\n" not in found[0].message


@pytest.mark.parametrize(("old", "new", "line", "limit"), [
    ("name: Centre hospitalier universitaire Exemple", "name: " + "N" * 201, 1, "200"),
    ("sources:", "note: " + "n" * 2001 + "\nsources:", 10, "2000"),
    ("  url: https://exemple.org/source", "  url: https://exemple.org/" + "s" * 2000, 12, "2000"),
])
def test_text_fields_have_a_length_limit(data_dir: Path, old: str, new: str, line: int, limit: str) -> None:
    write(data_dir, "chu-exemple.yml", VALID.replace(old, new))
    found = lines_and_messages(data_dir)
    assert [n for n, _ in found] == [line]
    assert limit in found[0][1].replace("\u202f", "").replace(" ", "")


def test_limits_at_their_maximum_pass(data_dir: Path) -> None:
    text = VALID.replace("name: Centre hospitalier universitaire Exemple", "name: " + "N" * 200)
    write(data_dir, "chu-exemple.yml", text.replace("sources:", "note: " + "n" * 2000 + "\nsources:"))
    assert lines_and_messages(data_dir) == []


def test_the_schema_states_the_limits() -> None:
    schema = json.loads((ROOT / "schema" / "establishment.schema.json").read_text())
    assert schema["properties"]["name"]["maxLength"] == 200
    assert schema["properties"]["note"]["maxLength"] == 2000
    assert "\\u202e" in schema["properties"]["name"]["pattern"].lower()


# --- Published figures ---------------------------------------------------------------------------

FIGURE_ROW = {"entity": "chu-exemple", "platform": "twitter", "metric": "followers", "value": "1200",
              "value_qualifier": "exact", "figure_date": "2020-03", "source_title": "Un article",
              "source_publisher": "Un journal", "source_url": "https://exemple.org/article",
              "published_on": "2020-04-01", "quote": "1 200 abonnés", "note": ""}


def figure_problems(tmp_path: Path, **changes: str) -> list[tuple[int, str, str]]:
    path = tmp_path / "published-figures.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(FIGURE_ROW))
        writer.writeheader()
        writer.writerow({**FIGURE_ROW, **changes})
    return [(p.line, p.field, p.message) for p in validate_figures(path, tmp_path, {"chu-exemple"})]


def test_a_valid_figure_has_no_problem(tmp_path: Path) -> None:
    assert figure_problems(tmp_path) == []


@pytest.mark.parametrize(("column", "value"), [
    ("value", "1200\n"), ("figure_date", "2020-03\n"), ("published_on", "2020-04-01\n"),
    ("source_url", "https://exemple.org/a b"), ("quote", "1 200\u202e abonnés"), ("note", "x\x1b[31m"),
    ("source_title", "Un\u0085article"), ("entity", "chu-exemple\n"),
])
def test_a_figure_cell_with_a_newline_control_or_bidi_character_is_refused(
        tmp_path: Path, column: str, value: str) -> None:
    found = figure_problems(tmp_path, **{column: value})
    assert [f for _, f, _ in found] == [column], found
    assert all(c not in found[0][2] for c in "\n\u202e\x1b\x85")


@pytest.mark.parametrize(("column", "limit"), [("quote", 500), ("note", 2000), ("source_title", 200),
                                               ("source_publisher", 200), ("source_url", 2000)])
def test_figure_texts_have_a_length_limit(tmp_path: Path, column: str, limit: int) -> None:
    prefix = "https://exemple.org/" if column == "source_url" else ""
    assert figure_problems(tmp_path, **{column: prefix + "a" * (limit - len(prefix))}) == []
    found = figure_problems(tmp_path, **{column: prefix + "a" * (limit + 1 - len(prefix))})
    assert [(f, str(limit) in m) for _, f, m in found] == [(column, True)]


# --- Case studies: front matter and prose --------------------------------------------------------

STUDY = """---
title: Une étude
date: 2026-11-23
summary: Une phrase.
establishments: [chu-exemple]
networks: [twitter]
themes: [mesure-audience]
sector: chu-chr
sources:
  - title: Une source
    url: https://exemple.org/source
---

Intro.

{line}
"""
STUDY_LINE = 16


def study_problems(data_dir: Path, text: str, name: str = "une-etude.md") -> list[tuple[int, str]]:
    write(data_dir, "chu-exemple.yml", VALID)
    (data_dir / "etudes").mkdir(exist_ok=True)
    path = data_dir / "etudes" / name
    path.write_text(text, encoding="utf-8")
    _, found = study_read.read_study(path, data_dir.parent, load_registry(data_dir))
    return [(p.line, p.message) for p in found]


def test_a_plain_study_has_no_problem(data_dir: Path) -> None:
    assert study_problems(data_dir, STUDY.format(line="Texte.")) == []


@pytest.mark.parametrize(("old", "new", "line"), [
    ("title: Une étude", 'title: "Une \\u202eétude"', 2),
    ("summary: Une phrase.", 'summary: "Une\\x1b[2J phrase."', 4),
    ("date: 2026-11-23", 'date: "2026-11-23\\n"', 3),
    ("    url: https://exemple.org/source", '    url: "https://exemple.org/source\\n"', 11),
    ("    url: https://exemple.org/source", '    url: "https://exemple.org/source x"', 11),
    ("  - title: Une source", '  - title: "Une\\u2066 source"', 10),
    ("title: Une étude", "title: " + "t" * 201, 2),
    ("summary: Une phrase.", "summary: " + "s" * 501, 4),
    ("Intro.", "Intro \u202e à l'envers.", 14),
    ("Intro.", "Intro\x00.", 14),
    ("Intro.", "Intro\x1b]8;;https://exemple.org\x07.", 14),
])
def test_a_study_with_control_or_bidi_characters_or_too_long_is_refused(
        data_dir: Path, old: str, new: str, line: int) -> None:
    found = study_problems(data_dir, STUDY.format(line="Texte.").replace(old, new))
    assert [n for n, _ in found] == [line], found
    assert all(c not in found[0][1] for c in "\u202e\x1b\x00\u2066\n")


def test_a_study_body_has_a_size_limit(data_dir: Path) -> None:
    long_body = "\n\n".join(["Un paragraphe de texte ordinaire." * 10] * 200)
    found = study_problems(data_dir, STUDY.format(line=long_body))
    assert [(n, "50 000" in m.replace("\u202f", " ")) for n, m in found] == [(1, True)]


def test_a_study_file_name_with_a_newline_is_refused(data_dir: Path) -> None:
    found = study_problems(data_dir, STUDY.format(line="Texte."), name="une-etude\n.md")
    assert [n for n, _ in found] == [1] and "\n" not in found[0][1]


# --- Account ids, per platform --------------------------------------------------------------------

ACCOUNT = "- platform: {platform}\n  handle: {handle}\n  id: {id}\n  status: active\n"
HANDLES = {"twitter": "CHU_Exemple", "youtube": "'@chuexemple'", "bluesky": "chu-exemple.bsky.social",
           "mastodon": "chu@exemple.social", "peertube": "chu@videos.exemple.fr", "facebook": "CHUExemple",
           "instagram": "chu_exemple", "threads": "chu_exemple", "tiktok": "chu_exemple",
           "linkedin": "company/chu-exemple", "viadeo": "company/chu-exemple"}


def account_problems(data_dir: Path, platform: str, platform_id: str) -> list[tuple[int, str, str]]:
    account = ACCOUNT.format(platform=platform, handle=HANDLES[platform], id=platform_id)
    write(data_dir, "chu-exemple.yml", VALID.replace(
        "- platform: twitter\n  handle: CHU_Exemple\n  status: active\n", account))
    return [(p.line, p.field, p.message) for p in problems_of(data_dir)]


@pytest.mark.parametrize(("platform", "platform_id"), [
    ("twitter", "'783214'"), ("youtube", "UCabcdefghijklmnopqrstuv"),
    ("bluesky", "did:plc:abcdefghijklmnopqrstuvwx"), ("bluesky", "did:web:chu-exemple.fr"),
    ("mastodon", "'109876543210'"), ("mastodon", "social.exemple.fr:109876543210"), ("peertube", "'42'"),
    ("peertube", "video.exemple.fr:channel:42"), ("facebook", "'100064123456789'"),
    ("instagram", "'17841400000000000'"),
])
def test_a_well_formed_platform_id_passes(data_dir: Path, platform: str, platform_id: str) -> None:
    assert account_problems(data_dir, platform, platform_id) == []


@pytest.mark.parametrize(("platform", "platform_id"), [
    ("twitter", "../../2/users/me"), ("twitter", "'12/../34'"), ("twitter", "abc"),
    ("youtube", "UC../../../../../../../../x"), ("youtube", "UCabc"), ("youtube", "'@chuexemple'"),
    ("bluesky", "did:plc:ABCDEFGHIJKLMNOPQRSTUVWX"), ("bluesky", "did:plc:abc/../../x"),
    ("bluesky", "did:web:localhost/../x"), ("bluesky", "did:key:z6Mk"),
    ("mastodon", "'1?x=2'"), ("mastodon", "../x:1"), ("mastodon", "exemple.fr/../x:1"),
    ("peertube", "../admin"), ("peertube", "video.exemple.fr:users:42"), ("facebook", "me"),
    ("facebook", "'me/accounts'"),
    ("facebook", "'123/feed'"), ("instagram", "me"), ("viadeo", "'123'"),
])
def test_a_platform_id_outside_its_platform_form_is_refused(data_dir: Path, platform: str,
                                                           platform_id: str) -> None:
    found = account_problems(data_dir, platform, platform_id)
    assert [(line, field) for line, field, _ in found] == [(9, "accounts[1].id")], found


# --- Files that are not registry files, and a diff that stays linear ---------------------------


def test_a_directory_named_like_a_registry_file_is_reported_not_a_crash(data_dir: Path) -> None:
    write(data_dir, "chu-exemple.yml", VALID)
    (data_dir / "establishments" / "x.yml").mkdir()
    found = problems_of(data_dir)
    assert [(p.file, p.line) for p in found] == [("data/establishments/x.yml", 1)]
    assert "dossier" in found[0].message


def test_a_symlink_is_refused_and_never_read(data_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("name: SECRET-VALUE-42\n", encoding="utf-8")
    write(data_dir, "chu-exemple.yml", VALID)
    (data_dir / "establishments" / "chu-lien.yml").symlink_to(secret)
    (data_dir / "benchmarks" / "dossier").symlink_to(tmp_path, target_is_directory=True)
    found = problems_of(data_dir)
    assert sorted((p.file, p.line) for p in found) == [("data/benchmarks/dossier", 1),
                                                       ("data/establishments/chu-lien.yml", 1)]
    assert all("lien symbolique" in p.message and "SECRET" not in p.message for p in found)


def test_a_symlinked_study_or_figures_file_is_refused(data_dir: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text(STUDY.format(line="SECRET-VALUE-42"), encoding="utf-8")
    write(data_dir, "chu-exemple.yml", VALID)
    (data_dir / "etudes").mkdir()
    (data_dir / "etudes" / "une-etude.md").symlink_to(secret)
    _, found = study_read.load_studies(data_dir.parent, load_registry(data_dir))
    assert [(p.line, "lien symbolique" in p.message) for p in found] == [(1, True)]
    (data_dir / "published-figures.csv").symlink_to(secret)
    figures = validate_figures(data_dir / "published-figures.csv", data_dir.parent, {"chu-exemple"})
    assert [(p.line, "lien symbolique" in p.message) for p in figures] == [(1, True)]


def _big_registry_file(data_dir: Path, accounts: int) -> Path:
    # Handles written as @name@instance: `format` rewrites one line in four, the rest is unchanged.
    lines = ["name: CHU Gros", "short_name: CHU Gros", "category: chu-chr", "accounts:"]
    for i in range(accounts):
        lines += ["- platform: mastodon", f"  handle: '@chu{i}@exemple.social'",
                  f"  url: https://exemple.social/@chu{i}", "  status: active"]
    return write(data_dir, "chu-gros.yml", "\n".join(lines + ["sources:", "- title: Une source", ""]))


def test_the_format_diff_of_a_20000_account_file_is_linear(data_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    doc = check_document(_big_registry_file(data_dir, 20_000), data_dir.parent)
    compared: list[int] = []
    real = difflib.SequenceMatcher.set_seqs

    def counting(self: difflib.SequenceMatcher, a: list[str], b: list[str]) -> None:
        compared.append(len(a) + len(b))
        real(self, a, b)

    monkeypatch.setattr(difflib.SequenceMatcher, "set_seqs", counting)
    def too_slow(*_: object) -> None:
        raise TimeoutError("le diff de mise en forme n'est pas linéaire")

    # Before the fix: several minutes; fail instead of hanging the suite.
    previous = signal.signal(signal.SIGALRM, too_slow)
    signal.alarm(60)
    try:
        start = time.perf_counter()
        problem = format_problem(doc)
        elapsed = time.perf_counter() - start
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    assert problem is not None and problem.line == 6
    assert "-  handle: '@chu0@exemple.social'" in problem.message
    assert "+  handle: chu0@exemple.social" in problem.message
    assert max(compared) <= 1000  # difflib only ever sees a bounded window
    assert problem.message.count("\n") < 1000  # and the message stays readable
    assert elapsed < 20


# --- Manual imports --------------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["header", "row"])
def test_an_import_field_over_the_csv_limit_is_a_located_problem(tmp_path: Path, where: str) -> None:
    from fakes.registry import make_data_dir, write_entity

    from observatory.collect.manual_import import check_file

    data = make_data_dir(tmp_path)
    write_entity(data, 1, [("linkedin", "company/hopital-fictif-001")])
    header = "date,entity,platform,handle,followers,source_title\n"
    row = "2025-03-10,hopital-fictif-001,linkedin,company/hopital-fictif-001,10,Une page\n"
    huge = '"' + "x" * 140_000 + '"'
    text = (header.replace("source_title", huge) + row) if where == "header" else (
        header + row + row.replace("Une page", huge))
    path = tmp_path / "releves.csv"
    path.write_text(text, encoding="utf-8")
    result = check_file(path, load_registry(data), data, display="releves.csv")
    assert [(p.line, p.field) for p in result.problems] == [(1 if where == "header" else 3, "(ligne)")]
    assert "131" in result.problems[0].message.replace("\u202f", "").replace(" ", "")


# --- Published CSV files: no cell starts a spreadsheet formula -----------------------------------


def test_published_csv_cells_never_start_a_formula(data_dir: Path, tmp_path: Path) -> None:
    hostile = VALID.replace("name: Centre hospitalier universitaire Exemple",
                            "name: '=HYPERLINK(\"https://exemple.org\";\"clic\")'").replace(
        "city: Rennes", "city: '@SUM(1+1)'").replace("- title: Une source", "- title: '+cmd|calc'")
    write(data_dir, "chu-exemple.yml", hostile)
    registry = load_registry(data_dir)
    scores = pd.DataFrame({"texte": ["-2+3", "\tx", "@x", "ordinaire", "-3", "+4", "-2,5"],
                           "variation": [-3, 2, 0, 1, -1, 5, 7], "part": [-0.5, 1.0, 0, 0, 0, 0, 0]})
    open_data.write_datasets(tmp_path / "out", {
        "etablissements": ("Établissements", open_data.establishments_table(registry)),
        "essai": ("Essai", scores)}, tmp_path)
    with (tmp_path / "out" / "etablissements.csv").open(encoding="utf-8", newline="") as handle:
        row = next(csv.DictReader(handle))
    assert row["nom"] == "'=HYPERLINK(\"https://exemple.org\";\"clic\")"
    assert row["commune"] == "'@SUM(1+1)" and row["sources"] == "https://exemple.org/source"
    with (tmp_path / "out" / "essai.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["texte"] for r in rows] == ["'-2+3", "'\tx", "'@x", "ordinaire", "-3", "+4", "-2,5"]
    assert open_data.csv_cell("\rx") == "'\rx" and open_data.csv_cell(-3) == -3
    assert [r["variation"] for r in rows] == ["-3", "2", "0", "1", "-1", "5", "7"]  # numbers as they are
    assert rows[0]["part"] == "-0.5"
    # JSON keeps the values as they are: only spreadsheets read a cell as a formula.
    records = json.loads((tmp_path / "out" / "etablissements.json").read_text(encoding="utf-8"))
    assert records[0]["nom"].startswith("=HYPERLINK")


def test_series_csv_files_hold_only_dates_and_numbers() -> None:
    # The per-account series (charts/series.py) are written from numbers and dates alone: no
    # registry text reaches a cell, so no cell can start a formula.
    lines = series._csv_body(np.array([20000, 20001]), np.array([120.0, np.nan]), np.array([np.nan, 2.5]))
    text = lines[0].tobytes().decode()
    assert text == "2024-10-04,120,\n2024-10-05,,2.500\n"
    assert all(re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2},-?[0-9]*,(-?[0-9]+\.[0-9]{3})?", line)
               for line in text.splitlines())
