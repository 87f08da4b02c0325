"""Strict builds of the generated site, with MkDocs Material and with Zensical."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

from observatory.site.build import build_site

HOSTILE_NAME = ("CHU Fictif <script>alert('nom')</script> [piège](javascript:alert(1)) "
                "{{ config.site_name }} {% include 'x' %} <img src=x onerror=alert(2)>")


def make_project(tmp: Path, data: Path | None = None) -> Path:
    """A copy of the site sources (mkdocs.yml, docs/) with a registry: `data`, or a fake one."""
    shutil.copy(ROOT / "mkdocs.yml", tmp / "mkdocs.yml")
    shutil.copytree(ROOT / "overrides", tmp / "overrides")
    shutil.copytree(ROOT / "schema", tmp / "schema")
    shutil.copytree(ROOT / "docs", tmp / "docs", ignore=shutil.ignore_patterns(
        "etablissements", "references", "donnees", "generated"))
    if data is not None:
        shutil.copytree(data, tmp / "data", ignore=shutil.ignore_patterns("snapshots"))
        return tmp
    establishments = tmp / "data" / "establishments"
    establishments.mkdir(parents=True)
    (tmp / "data" / "benchmarks").mkdir()
    (establishments / "chu-fictif.yml").write_text(
        f"name: {HOSTILE_NAME!r}\nshort_name: CHU Fictif\ncategory: chu-chr\nregion: Bretagne\n"
        "city: Ville-Fictive\naccounts:\n- platform: bluesky\n  handle: chu-fictif.bsky.social\n"
        "  status: active\n  unverified: true\nnote: '<b>gras</b> *x* [[lien]]'\n"
        "sources:\n- title: '[Source](javascript:alert(3))'\n  url: https://exemple.org/a\n",
        encoding="utf-8")
    for i in range(3):
        (establishments / f"ch-fictif-{i}.yml").write_text(
            f"name: CH Fictif {i}\nshort_name: CH Fictif {i}\ncategory: ch\nparent: chu-fictif\n"
            "sources:\n- title: Source fictive\n", encoding="utf-8")
    (tmp / "data" / "published-figures.csv").write_text(
        "entity,platform,metric,value,value_qualifier,figure_date,source_title,source_publisher,"
        "source_url,published_on,quote,note\nchu-fictif,twitter,followers,82000,more_than,2024-12-03,"
        "Titre fictif,Éditeur fictif,https://exemple.org/b,2024-12-03,\"<i>plus de</i> 82 000\",\n",
        encoding="utf-8")
    return tmp


def test_strict_build_has_one_page_per_establishment(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                                     ) -> None:
    project = make_project(tmp_path)
    assert build_site(project) == 0
    site = project / "site"
    for slug in ("chu-fictif", "ch-fictif-0", "ch-fictif-1", "ch-fictif-2"):
        assert (site / "etablissements" / slug / "index.html").exists()
    # The directory links one page per region (3,000 rows would not fit a page), each listing its
    # establishments; every establishment is listed once.
    directory = (site / "etablissements" / "index.html").read_text()
    assert "4 établissements" in directory
    regions = re.findall(r'href="\.\./annuaire/([^"/]+)/"', directory)
    assert regions == ["bretagne", "region-non-renseignee"]
    listed = "".join((site / "annuaire" / r / "index.html").read_text() for r in regions)
    for slug in ("chu-fictif", "ch-fictif-0", "ch-fictif-1", "ch-fictif-2"):
        assert listed.count(f'href="../../etablissements/{slug}/"') == 1, slug
    page = (site / "etablissements" / "chu-fictif" / "index.html").read_text()
    assert "plus de 82\u202f000" in page and "Titre fictif" in page and "non vérifié" in page
    assert "https://exemple.org/b" in page
    # Generated pages stay out of the navigation, which every page embeds.
    assert "ch-fictif-1" not in (site / "index.html").read_text()
    # The identity table is raw HTML, whose links MkDocs does not rewrite: the link to the parent
    # is written as the address the parent is served at.
    child = site / "etablissements" / "ch-fictif-0"
    parent = re.search(r'<th scope="row">Rattachement</th><td><a href="([^"]+)">CHU Fictif &lt;script',
                       (child / "index.html").read_text())
    assert parent and parent.group(1) == "../chu-fictif/"
    target = (child / parent.group(1) / "index.html").resolve()
    assert target == site / "etablissements" / "chu-fictif" / "index.html"


@pytest.mark.parametrize(("from_path", "to_path", "link"), [
    ("etablissements/a.md", "etablissements/b.md", "../b/"),
    ("etablissements/a.md", "etablissements/index.md", "../"),
    ("etablissements/index.md", "etablissements/b.md", "b/"),
    ("index.md", "etablissements/b.md", "etablissements/b/"),
    ("secteurs/chu.md", "etablissements/b.md", "../../etablissements/b/"),
    ("etablissements/index.md", "index.md", "../"),
    ("index.md", "index.md", "./"),
])
def test_raw_html_links_are_written_as_served(from_path: str, to_path: str, link: str) -> None:
    from observatory.site.pages import served_link

    assert served_link(from_path, to_path) == link


def test_text_in_raw_html_stays_on_one_line_and_inert() -> None:
    from observatory.site.pages import html_table
    from observatory.textfmt import html_link, html_text

    # A line break would end the one-line HTML block, and what follows would be read as Markdown.
    hostile = "Nom\n\n# Titre [x](javascript:alert(1)) {{ config }}\r\n<b>"
    assert html_text(hostile) == ("Nom # Titre [x](javascript:alert(1)) &#123;&#123; config &#125;&#125; "
                                  "&lt;b&gt;")
    assert html_link("a\nb", "javascript:alert(1)") == "a b"
    assert html_link("x", "https://exemple.org/a b") == '<a href="https://exemple.org/a%20b">x</a>'
    table = html_table(hostile, ("A", "B"), [[html_text(hostile), "—"]], row_headers=True)
    assert "\n" not in table and table.count("<table>") == 1 and "<b>" not in table
    assert '<tbody><tr><th scope="row">Nom # Titre' in table


def test_text_from_yaml_is_shown_never_run(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    assert build_site(project) == 0
    page = (project / "site" / "etablissements" / "chu-fictif" / "index.html").read_text()
    body = page[page.index("<article"):page.index("</article>")]
    for dangerous in ("<script>alert", "<img src=x", "href=\"javascript:", "<b>gras", "<i>plus",
                      "Observatoire des réseaux sociaux des établissements de santé</h1>"):
        assert dangerous not in body, dangerous
    assert "&lt;script&gt;alert(&#x27;nom&#x27;)&lt;/script&gt;" in body
    assert "&#123;&#123; config.site_name &#125;&#125;" in body
    assert "[Source](javascript:alert(3))" in body
    assert "<title>CHU Fictif &lt;script&gt;" in page


def test_invalid_registry_stops_the_build(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    project = make_project(tmp_path)
    (project / "data" / "establishments" / "ch-fictif-0.yml").write_text("name: [\n")
    assert build_site(project) == 1
    assert "data/establishments/ch-fictif-0.yml:2: (fichier): YAML illisible" in capsys.readouterr().out
    assert not (project / "site").exists()


def test_build_prints_no_warning(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    code = ("import sys; from pathlib import Path; from observatory.site.build import build_site; "
            f"sys.exit(build_site(Path({str(project)!r})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0, result.stdout + result.stderr
    output = result.stdout + result.stderr
    assert "WARNING" not in output and "end of life" not in output


@pytest.mark.parametrize("registry", ["fake", "committed"])
def test_zensical_builds_every_establishment_page(tmp_path: Path, registry: str) -> None:
    project = make_project(tmp_path, ROOT / "data" if registry == "committed" else None)
    from observatory.site.build import generate

    generate(project)
    zensical = Path(sys.executable).parent / "zensical"
    result = subprocess.run([str(zensical), "build", "-f", "mkdocs.yml"], cwd=project,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    ids = {p.stem for p in (project / "data" / "establishments").glob("*.yml")}
    pages = {p.parent.name for p in (project / "site" / "etablissements").glob("*/index.html")}
    assert ids and pages == ids
    assert (project / "site" / "etablissements" / "index.html").exists()


def test_the_committed_registry_builds_strictly(tmp_path: Path) -> None:
    project = make_project(tmp_path, ROOT / "data")
    assert build_site(project) == 0
    pages = {p.parent.name for p in (project / "site" / "etablissements").glob("*/index.html")}
    ids = {p.stem for p in (ROOT / "data" / "establishments").glob("*.yml")}
    assert pages == ids


def test_every_dataset_is_downloadable(tmp_path: Path) -> None:
    import json

    project = make_project(tmp_path, ROOT / "data")
    assert build_site(project) == 0
    out = project / "site" / "donnees"
    package = json.loads((out / "datapackage.json").read_text())
    assert package["licenses"][0]["name"] == "etalab-2.0"
    paths = {r["path"] for r in package["resources"]}
    assert paths == {f"{n}.{f}" for n in ("etablissements", "comptes", "chiffres-publies", "mesures",
                                          "classements") for f in ("csv", "json")}
    for path in paths | {"establishment.schema.json", "benchmark.schema.json"}:
        assert (out / path).stat().st_size > 0
    ids = {p.stem for p in (ROOT / "data" / "establishments").glob("*.yml")}
    rows = json.loads((out / "etablissements.json").read_text())
    assert {r["id"] for r in rows if r["type"] == "etablissement"} == ids
    figures = (ROOT / "data" / "published-figures.csv").read_text().count("\n") - 1
    assert len(json.loads((out / "chiffres-publies.json").read_text())) == figures
    assert "Licence Ouverte 2.0" in (out / "index.html").read_text()


def test_home_states_coverage_and_freshness(tmp_path: Path) -> None:
    project = make_project(tmp_path, ROOT / "data")
    assert build_site(project) == 0
    home = (project / "site" / "index.html").read_text()
    assert "CHU/CHR : 33 sur 33" in home
    assert "aucun relevé pour l&#39;instant" in home or "aucun relevé pour l'instant" in home
    for target in ("etablissements/", "classements/", "methodologie/", "donnees/", "contribuer/"):
        assert f'href="{target}' in home, target
    board_index = (project / "site" / "classements" / "index.html").read_text()
    assert "Pas encore de mesures" in board_index


def test_a_large_region_is_split_into_pages_with_links_between_them() -> None:
    from observatory.site.pages import DIRECTORY_ROWS, region_pages

    rows = [{"name": f"CH {i:04d}", "path": f"etablissements/ch-{i:04d}.md", "category": "Centre hospitalier",
             "region": "Île-de-France", "city": None, "platforms": [], "figures": 0}
            for i in range(DIRECTORY_ROWS * 2 + 1)]
    pages = region_pages({"region": "Île-de-France", "path": "annuaire/ile-de-france.md", "rows": rows})
    assert list(pages) == ["annuaire/ile-de-france.md", "annuaire/ile-de-france-2.md",
                           "annuaire/ile-de-france-3.md"]
    # Raw HTML links, written as served: annuaire/ile-de-france/ -> etablissements/ch-…/
    assert [text.count('<a href="../../etablissements/ch-') for text in pages.values()] == [DIRECTORY_ROWS,
                                                                                            DIRECTORY_ROWS, 1]
    second = pages["annuaire/ile-de-france-2.md"]
    assert "(page 2 sur 3)" in second and "[page 1](../annuaire/ile-de-france.md)" in second
