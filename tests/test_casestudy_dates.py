"""Case-study lists give the date of the events a study tells (its events_date field, a date or a
period), not the date it was written; a study whose sources do not date the events says so with
« rédigée le … ». The field is checked like the rest of the front matter (French, file:line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT

from observatory.registry.load import Registry, load_registry
from observatory.site.case_studies import pages as study_pages
from observatory.site.case_studies import read as study_read
from observatory.site.study_links import studies_section

FRONT = """---
title: Une étude
date: 2026-11-23
{events}summary: Un résumé.
establishments: [chu-angers]
networks: [twitter]
themes: [recrutement]
sector: chu-chr
sources:
  - title: Un article
---

## Texte
"""


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(ROOT / "data")


def read(tmp_path: Path, registry: Registry, events: str | None, slug: str = "une-etude"
         ) -> tuple[study_read.Study, list[str]]:
    path = tmp_path / "data" / "etudes" / f"{slug}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(FRONT.format(events=f"events_date: {events}\n" if events else ""), encoding="utf-8")
    study, problems = study_read.read_study(path, tmp_path, registry)
    return study, [str(p) for p in problems]


@pytest.mark.parametrize(("events", "shown"), [
    ("2024-12-03", "3 décembre 2024"), ("2014-12", "décembre 2014"), ("2016", "2016"),
    ("2020-03/2020-05", "de mars à mai 2020"), ("2013-09/2014-12", "de septembre 2013 à décembre 2014"),
    ("2012/2013", "de 2012 à 2013"), ("2014-10/2014-11", "d'octobre à novembre 2014"),
    ("2013-04/2014-08", "d'avril 2013 à août 2014")])
def test_a_date_or_a_period_is_accepted_and_said_in_french(tmp_path: Path, registry: Registry, events: str,
                                                           shown: str) -> None:
    study, problems = read(tmp_path, registry, events)
    assert problems == [] and study.events_date == events
    assert study_pages.study_when(study) == shown


@pytest.mark.parametrize("events", ["2024-13-01", "décembre 2024", "2014-12/2013-09", "2013/2014-05",
                                    "2013-09/2013-09", "2013-09-01/2014-01-01"])
def test_a_wrong_date_of_events_is_refused_with_its_line(tmp_path: Path, registry: Registry,
                                                          events: str) -> None:
    study, problems = read(tmp_path, registry, events)
    assert study.events_date == ""
    assert len(problems) == 1 and problems[0].startswith("data/etudes/une-etude.md:4: events_date « ")
    assert "période" in problems[0]


def test_without_a_date_of_events_lists_say_when_the_study_was_written(tmp_path: Path,
                                                                      registry: Registry) -> None:
    undated, problems = read(tmp_path, registry, None, "sans-date")
    assert problems == []  # the field is optional: sources do not always date the events
    dated, _ = read(tmp_path, registry, "2016-11", "avec-date")
    index = study_pages.index_markdown([undated, dated])
    assert "*novembre 2016*" in index and "*rédigée le 23 novembre 2026*" in index
    assert index.index("avec-date.md") < index.index("sans-date.md")  # dated events first
    item = study_pages._study_item(dated)
    assert "(novembre 2016)" in item and "2026" not in item
    page = study_pages.study_markdown(dated, [], registry)
    assert "- **Date des faits :** novembre 2016" in page and "- **Publiée le** 23 novembre 2026" in page
    links = [{"slug": s.slug, "title": s.title, "when": study_pages.study_when(s)} for s in (dated, undated)]
    section = "\n".join(studies_section(links, "etablissements/chu-angers.md"))
    assert "(novembre 2016)" in section and "(rédigée le 23 novembre 2026)" in section


def test_lists_go_from_the_most_recent_events_to_the_oldest(tmp_path: Path, registry: Registry) -> None:
    old, _ = read(tmp_path, registry, "2013-09/2014-12", "ancienne")
    recent, _ = read(tmp_path, registry, "2024-12-03", "recente")
    middle, _ = read(tmp_path, registry, "2016", "milieu")
    assert [s.slug for s in study_pages._sorted([old, middle, recent])] == ["recente", "milieu", "ancienne"]


def test_committed_studies_are_read_without_problem_and_dated() -> None:
    """Every committed study is read without problem; the events dates are checked by hand against
    the sources (see each study), this only guards their format and the French rendering."""
    registry = load_registry(ROOT / "data")
    for path in sorted((ROOT / "data" / "etudes").glob("*.md")):
        study, problems = study_read.read_study(path, ROOT, registry)
        assert not problems, problems
        assert not study_pages.study_when(study).startswith("date inconnue")
