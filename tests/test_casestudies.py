"""Case studies: the committed studies expand and build (MkDocs and Zensical), the indexes and the
sector and establishment pages list them, live directives read the snapshots, and every broken
directive or front-matter value stops the build with a `page:line: message` in French."""

from __future__ import annotations

import html
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from test_site import make_project
from test_site_metrics import fixture_registry, write_fixture_store

from observatory.registry.load import load_registry
from observatory.registry.vocab import FIGURE_METRICS, PLATFORMS, SECTORS, THEMES
from observatory.site.build import build_site, generate
from observatory.site.case_studies import pages as study_pages
from observatory.site.case_studies import read as study_read
from observatory.site.leaderboard_pages import ROWS_PER_PAGE

STUDIES = sorted((ROOT / "data" / "etudes").glob("*.md"))
LIVE = ("abonnes", "mesure", "classement")


def front(path: Path) -> study_read.Study:
    study, problems = study_read.read_study(path, ROOT, load_registry(ROOT / "data"))
    assert not problems, "\n".join(map(str, problems))
    return study


def text_of(page: Path) -> str:
    """The article's text, tags removed and entities decoded, spaces collapsed."""
    page_html = page.read_text()
    body = page_html[page_html.index("<article"):page_html.index("</article>")]
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).replace("\u202f", " ")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("studies"), ROOT / "data")
    assert build_site(project) == 0
    return project / "site"


# --- The committed studies ---------------------------------------------------------------------


def test_at_least_eight_studies_each_with_sources_archived_and_live_figures() -> None:
    assert len(STUDIES) >= 8
    for path in STUDIES:
        study = front(path)
        body = "\n".join(line for _, line in study.body)
        assert study.sources, path.name
        assert "{{ chiffres " in body, f"{path.name}: no archived figures"
        assert any(f"{{{{ {name} " in body for name in LIVE), f"{path.name}: no live figures"


def test_every_study_expands_and_builds_strictly(site: Path) -> None:
    for path in STUDIES:
        page = site / "etudes" / path.stem / "index.html"
        assert page.exists(), path.stem
        text = text_of(page)
        assert "{{" not in text and "}}" not in text, path.stem
        assert front(path).title in text, path.stem
        assert "Sources" in text and "Proposer une correction" in text


def test_no_snapshot_is_said_in_words_never_zero(site: Path) -> None:
    text = text_of(site / "etudes" / "chu-angers-twitter-equipe" / "index.html")
    assert "Pas encore de mesure collectée pour le compte X (Twitter) (chu_angers)" in text
    assert "pas encore de mesure collectée (engagement sur X (Twitter))" in text
    assert "environ 700" in text and "3 982" in text
    aphp = text_of(site / "etudes" / "aphp-quitte-x-pour-bluesky" / "index.html")
    assert "Aucun compte Bluesky de AP-HP n'est enregistré dans l'annuaire" in aphp
    assert "plus de 82 000" in aphp


def test_indexes_list_every_study_by_theme_network_and_sector(site: Path) -> None:
    index = (site / "etudes" / "index.html").read_text()
    themes = (site / "etudes" / "themes" / "index.html").read_text()
    networks = (site / "etudes" / "reseaux" / "index.html").read_text()

    def section(page: str, anchor: str) -> str:
        start = page.index(f'id="{anchor}"')
        end = page.find("<h2", start)
        return page[start:end if end > 0 else None]

    for path in STUDIES:
        study = front(path)
        link = f'href="../{study.slug}/"'
        assert f'href="{study.slug}/"' in index, study.slug
        for theme in study.themes:
            assert link in section(themes, theme), (study.slug, theme)
        for network in study.networks:
            assert link in section(networks, network), (study.slug, network)
        for sector in study.sectors:
            sector_page = (site / "secteurs" / sector / "index.html").read_text()
            assert f'href="../../etudes/{study.slug}/"' in sector_page, (study.slug, sector)
    assert all(f'id="{code}"' in themes for code in THEMES)


def test_each_establishment_page_lists_its_studies(site: Path) -> None:
    registry = load_registry(ROOT / "data")
    for path in STUDIES:
        study = front(path)
        for entity_id in study.establishments:
            folder = "references" if registry.entities[entity_id].is_benchmark else "etablissements"
            page = (site / folder / entity_id / "index.html").read_text()
            assert "Études de cas" in page and f'href="../../etudes/{study.slug}/"' in page, \
                (entity_id, study.slug)


def test_every_sector_has_a_page_with_its_leaderboard_section(site: Path) -> None:
    sectors_index = (site / "secteurs" / "index.html").read_text()
    for code in SECTORS:
        text = text_of(site / "secteurs" / code / "index.html")
        assert "Classement : audience tous réseaux" in text and "Études de cas" in text
        assert f'href="{code}/"' in sectors_index
    assert "Pas encore de mesures" in text_of(site / "secteurs" / "chu-chr" / "index.html")


def test_navigation_has_studies_and_sectors(site: Path) -> None:
    home = (site / "index.html").read_text()
    assert 'href="etudes/"' in home and 'href="secteurs/"' in home
    # Study pages stay out of the navigation that every page embeds.
    assert "chu-angers-twitter-equipe" not in home


def test_the_guide_documents_every_theme_sector_and_directive() -> None:
    guide = (ROOT / "docs" / "contribuer.md").read_text()
    assert "## Écrire une étude de cas" in guide
    for code in [*THEMES, *SECTORS]:
        assert f"`{code}`" in guide, code
    for name in study_read.USAGE:
        assert f"{{{{ {name} " in guide, name


def test_zensical_builds_every_study_and_index(tmp_path: Path) -> None:
    project = make_project(tmp_path, ROOT / "data")
    generate(project)
    zensical = Path(sys.executable).parent / "zensical"
    result = subprocess.run([str(zensical), "build", "-f", "mkdocs.yml"], cwd=project,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    built = {p.parent.name for p in (project / "site" / "etudes").glob("*/index.html")}
    assert {p.stem for p in STUDIES} | {"themes", "reseaux"} == built
    assert (project / "site" / "etudes" / "index.html").exists()
    assert {p.parent.name for p in (project / "site" / "secteurs").glob("*/index.html")} == set(SECTORS)
    page = (project / "site" / "etudes" / "aphp-quitte-x-pour-bluesky" / "index.html").read_text()
    assert "{{" not in page and "Libération" in page


# --- Live directives on collected snapshots ----------------------------------------------------

LIVE_STUDY = """---
title: Étude sur des comptes fictifs
date: 2026-11-23
summary: Une étude de test sur les relevés fictifs de test_metrics.
establishments: [chu-a, chu-c]
networks: [bluesky]
themes: [mesure-audience]
sector: chu-chr
sources:
  - title: Données fictives de test
---

## Les chiffres

Dernière mesure : {{ mesure chu-a bluesky followers }} ;
croissance : {{ mesure chu-a bluesky growth_30_pct }}.

{{ abonnes chu-a bluesky }}

{{ classement bluesky followers chu-c chu-b chu-a }}

{{ chiffres chu-a }}
"""


def test_live_directives_read_the_snapshots(tmp_path: Path) -> None:
    project = make_project(tmp_path, data=None)
    shutil.rmtree(project / "data")
    fixture_registry(project / "data")
    write_fixture_store(project / "data")
    (project / "data" / "etudes").mkdir()
    (project / "data" / "etudes" / "etude-fictive.md").write_text(LIVE_STUDY, encoding="utf-8")
    assert build_site(project) == 0
    page = project / "site" / "etudes" / "etude-fictive" / "index.html"
    text = text_of(page)
    assert "Dernière mesure : 1 200 (abonnés sur Bluesky, chu-a.fr, mesure du 31 janvier 2025)" in text
    assert "croissance : 20,0 % (croissance 30 j sur Bluesky, chu-a.fr, mesure du 31 janvier 2025)" in text
    assert "31 janvier 2025 1 200 relevé de l'observatoire (chu-a.fr)" in text
    assert page.read_text().count('data-kind="followers"') == 1  # charts.py's follower chart
    rows = re.findall(r"<tr>\s*<td>(\d|—)</td>\s*<td><a [^>]*>([^<]+)</a></td>\s*<td>[^<]*</td>\s*"
                      r"<td>([^<]*)</td>\s*<td>([^<]*)</td>", page.read_text())
    assert [(r[0], r[1], r[2].replace("\u202f", " "), r[3]) for r in rows] == [
        ("1", "CHU fictif chu-a", "1 200", "1 / 5"), ("2", "CHU fictif chu-c", "500", "4 / 5"),
        ("3", "CHU fictif chu-b", "0", "5 / 5")]
    assert "Aucun chiffre publié n'est archivé" in text
    sector = (project / "site" / "secteurs" / "chu-chr" / "index.html").read_text()
    assert sector.count("<tr data-category") == 5 and "Pas encore de mesures" not in sector


# --- Broken studies ------------------------------------------------------------------------------

BROKEN = """---
title: Étude cassée
date: 2026-11-23
summary: Une étude qui ne doit pas passer.
establishments: [chu-fictif]
networks: [bluesky]
themes: [mesure-audience]
sector: chu-chr
sources:
  - title: Source fictive
---

Intro.

{line}
"""
DIRECTIVE_LINE = 15  # line of {line} in BROKEN


@pytest.mark.parametrize(("line", "message"), [
    ("{{ abonnes chu-fictf bluesky }}",
     "directive « abonnes » : établissement inconnu « chu-fictf » (vouliez-vous dire « chu-fictif » ?) : "
     "aucun identifiant du registre ne correspond"),
    ("{{ abonnes chu-fictif blusky }}",
     "directive « abonnes » : réseau inconnu « blusky » (vouliez-vous dire « bluesky » ?) ; réseaux permis : "
     + ", ".join(PLATFORMS)),
    ("Texte {{ mesure chu-fictif bluesky abonnés }}.",
     "directive « mesure » : mesure inconnue « abonnés » ; mesures permises : "
     + ", ".join(study_read.METRICS)),
    ("{{ classement bluesky followers ch-fictif-0 chu-fictiv }}",
     "directive « classement » : établissement inconnu « chu-fictiv » (vouliez-vous dire « chu-fictif » ?) "
     ": aucun identifiant du registre ne correspond"),
    ("{{ chiffres chu-fictif twitter abonnes }}",
     "directive « chiffres » : mesure inconnue « abonnes » ; mesures permises : "
     + ", ".join(FIGURE_METRICS)),
    ("{{ graphique chu-fictif }}",
     "directive inconnue « graphique » ; directives permises : abonnes, mesure, classement, chiffres"),
    ("{{ mesure chu-fictif bluesky }}",
     "directive « mesure » : arguments attendus : mesure ID RÉSEAU MESURE"),
    ("Voir {{ abonnes chu-fictif bluesky }} ici.",
     "directive « abonnes » : elle produit un tableau et doit être seule sur sa ligne"),
    ("{{ abonnes chu-fictif bluesky",
     "directive mal formée : écrire « {{ nom arguments }} », ouverte et fermée sur la même ligne"),
    ("# Un titre", "titre de niveau 1 : le titre de la page vient du champ title de l'en-tête ; "
                   "commencer les sections par « ## »"),
])
def test_a_broken_directive_is_located(tmp_path: Path, line: str, message: str) -> None:
    project = make_project(tmp_path)
    (project / "data" / "etudes").mkdir()
    (project / "data" / "etudes" / "etude-cassee.md").write_text(BROKEN.format(line=line), encoding="utf-8")
    with pytest.raises(study_read.CaseStudyError) as raised:
        generate(project)
    located = f"data/etudes/etude-cassee.md:{DIRECTIVE_LINE}: {message}"
    assert [str(p) for p in raised.value.problems] == [located]


@pytest.mark.parametrize(("old", "new", "line", "message"), [
    ("establishments: [chu-fictif]", "establishments: [chu-fictif, chu-absent]", 5,
     "establishments : établissement inconnu « chu-absent » ; aucun "
     "identifiant du registre (data/establishments, data/benchmarks) ne correspond"),
    ("themes: [mesure-audience]", "themes:\n  - mesure-audience\n  - rumeurs", 9,
     "themes : thème inconnu « rumeurs » (vouliez-vous dire « crise-rumeurs » ?) ; thèmes permis : "
     + ", ".join(THEMES)),
    ("sector: chu-chr", "sector: clinique", 8,
     "sector : secteur inconnu « clinique » (vouliez-vous dire « clinique-privee » ?) ; secteurs permis : "
     + ", ".join(SECTORS)),
    ("networks: [bluesky]", "networks: [x]", 6,
     "networks : réseau inconnu « x » ; réseaux permis : " + ", ".join(PLATFORMS)),
    ("date: 2026-11-23", "date: 2026-11", 3, "date « 2026-11 » : date complète attendue, AAAA-MM-JJ"),
    ("title: Étude cassée\n", "", 1, "champ obligatoire manquant ou vide : title"),
    ("sector: chu-chr", "sector: chu-chr\nsecteur: ch", 9,
     "champ inconnu « secteur » (vouliez-vous dire « sector » ?) ; champs permis : " + ", ".join(
         study_read.FIELDS)),
])
def test_a_broken_front_matter_is_located(tmp_path: Path, old: str, new: str, line: int,
                                          message: str) -> None:
    project = make_project(tmp_path)
    (project / "data" / "etudes").mkdir()
    text = BROKEN.format(line="Texte.").replace(old, new, 1)
    (project / "data" / "etudes" / "etude-cassee.md").write_text(text, encoding="utf-8")
    with pytest.raises(study_read.CaseStudyError) as raised:
        generate(project)
    assert [str(p) for p in raised.value.problems] == [f"data/etudes/etude-cassee.md:{line}: {message}"]


def test_the_build_stops_on_a_broken_study_and_names_page_and_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path)
    (project / "data" / "etudes").mkdir()
    (project / "data" / "etudes" / "etude-cassee.md").write_text(
        BROKEN.format(line="{{ mesure chu-fictif bluesky engagment }}"), encoding="utf-8")
    assert build_site(project) == 1
    out = capsys.readouterr()
    assert (f"data/etudes/etude-cassee.md:{DIRECTIVE_LINE}: directive « mesure » : mesure inconnue "
            "« engagment » (vouliez-vous dire « engagement » ?)") in out.out
    assert "1 problème : le site n'a pas été construit." in out.err
    assert not (project / "site").exists()


def test_every_problem_of_every_study_is_reported_at_once(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    folder = project / "data" / "etudes"
    folder.mkdir()
    (folder / "a.md").write_text(BROKEN.format(line="{{ abonnes nulle-part bluesky }}"), encoding="utf-8")
    (folder / "b.md").write_text(BROKEN.format(line="{{ chiffres chu-fictif }}").replace(
        "sector: chu-chr", "sector: [chu-chr, hopital]"), encoding="utf-8")
    (folder / "Index.md").write_text("pas d'en-tête\n", encoding="utf-8")
    with pytest.raises(study_read.CaseStudyError) as raised:
        generate(project)
    located = [f"{p.file}:{p.line}" for p in raised.value.problems]
    assert located == ["data/etudes/Index.md:1", "data/etudes/Index.md:1", "data/etudes/a.md:15",
                       "data/etudes/b.md:8"]


def test_active_html_is_cleaned_not_copied(tmp_path: Path) -> None:
    # The prose is rendered and cleaned against an allow-list (prose.py); tests/test_xss_browser.py
    # loads the vectors of a whole corpus in a browser.
    project = make_project(tmp_path)
    (project / "data" / "etudes").mkdir()
    (project / "data" / "etudes" / "etude-html.md").write_text(
        BROKEN.format(line='<script>alert(1)</script> [x](javascript:alert(2)) '
                           '<b onclick="alert(3)">gras</b>'),
        encoding="utf-8")
    generate(project)
    page = (project / "docs" / "etudes" / "etude-html.md").read_text(encoding="utf-8")
    prose = "".join(re.findall(r'<div class="obs-etude-texte">(.*?)</div>', page, re.S))
    assert "<b>gras</b>" in prose
    assert "<script" not in prose and "javascript:" not in prose and "onclick" not in prose


def test_a_study_without_problem_writes_its_pages_and_stale_pages_go(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    folder = project / "data" / "etudes"
    folder.mkdir()
    (folder / "etude-ok.md").write_text(BROKEN.format(line="{{ chiffres chu-fictif }}"), encoding="utf-8")
    generate(project)
    page = (project / "docs" / "etudes" / "etude-ok.md").read_text()
    assert "plus de 82\u202f000" in page and "Titre fictif" in page
    (folder / "etude-ok.md").rename(folder / "etude-renommee.md")
    generate(project)
    assert not (project / "docs" / "etudes" / "etude-ok.md").exists()
    assert (project / "docs" / "etudes" / "etude-renommee.md").exists()


def test_follower_charts_drawn_for_the_accounts_are_embedded(tmp_path: Path) -> None:
    """charts.py's blocks per (platform, account id): the follower chart goes above the table."""
    from observatory.analysis import leaderboards
    from observatory.registry.figures import load_figures
    from observatory.site.build import compute_metrics

    data = tmp_path / "data"
    fixture_registry(data)
    write_fixture_store(data)
    (data / "etudes").mkdir()
    (data / "etudes" / "etude-fictive.md").write_text(LIVE_STUDY, encoding="utf-8")
    registry = load_registry(data)
    frame = compute_metrics(data, registry)
    blocks = {("bluesky", "did:a"): ['<figure class="obs-chart" data-kind="followers">courbe</figure>',
                                     '<figure class="obs-chart" data-kind="engagement">autre</figure>']}
    study_pages.write_studies(tmp_path, registry, load_figures(data / "published-figures.csv"),
                              leaderboards.entity_summaries(frame, registry),
                              leaderboards.audience_board(frame, registry), blocks)
    page = (tmp_path / "docs" / "etudes" / "etude-fictive.md").read_text()
    assert page.count('data-kind="followers">courbe') == 1 and "autre" not in page
    assert page.index("courbe") < page.index("| Date | Abonnés | Origine |")


def test_a_large_sector_page_shows_the_top_and_lists_establishments_by_region(tmp_path: Path) -> None:
    from observatory.demo import synthetic

    synthetic.generate(tmp_path, establishments=800, days=1)
    registry = load_registry(tmp_path / "data")
    sector = "ch"
    members = [e for e in registry.establishments if e.category == sector]
    assert len(members) > study_pages.MAX_LISTED
    audience = {"id": "audience", "label": "Audience tous réseaux", "unit": "", "decimals": 0,
                "benchmarks": [], "rows": [
                    {"entity": e.id, "name": e.short_name, "category": e.category, "region": e.region,
                     "value": 1000 + i, "platforms": ["bluesky"], "rank": None, "is_benchmark": False}
                    for i, e in enumerate(members)]}
    text = study_pages.sector_markdown(sector, [], registry, audience)
    table = text[text.index("<table"):text.index("</table>")]
    assert table.count("<tr") == 1 + ROWS_PER_PAGE  # header and the top 100
    assert f"les 100 premiers des {len(members)} établissements" in text
    assert "](../classements/audience.md)" in text
    by_region = re.findall(r"^- \[([^\]]+)\]\(\.\./annuaire/[a-z0-9-]+\.md\) : (\d+) établissements?$",
                           text, re.M)
    assert sum(int(n) for _, n in by_region) == len(members)
    assert "](../etablissements/" not in text.split("## Établissements du secteur")[1]
