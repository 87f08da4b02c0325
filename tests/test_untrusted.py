"""Untrusted input (a pull request's registry files, case studies, imports) stays inert: refused
with a located French message, never run, never expanded, never a traceback."""

from __future__ import annotations

import time
from pathlib import Path

from conftest import write

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
