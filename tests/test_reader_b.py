"""Reader experience, part B: French plurals, the collection status page, the footer's update
date, page metadata (OpenGraph), titles escaped once, and Material's conventions in mkdocs.yml."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import ROOT
from test_site import make_project

from observatory.collect import run
from observatory.collect.run import PlatformReport, RunReport
from observatory.registry.load import Registry, load_registry
from observatory.site import status
from observatory.site.build import build_site
from observatory.site.status import REPORT_NAME
from observatory.store import report as report_file
from observatory.store import snapshots
from observatory.textfmt import front_matter_text, md, plural, words


def test_plural_agrees_in_french() -> None:
    assert plural(0, "établissement") == "0 établissement"
    assert plural(1, "établissement") == "1 établissement"
    assert plural(2, "établissement") == "2 établissements"
    assert plural(3, "compte relevé") == "3 comptes relevés"
    assert plural(2, "réseau ignoré") == "2 réseaux ignorés"
    assert plural(5, "relevé de comptes", "relevés de comptes") == "5 relevés de comptes"
    assert plural(1500, "échec") == "1\u202f500 échecs"
    assert words(1, "réseau inconnu") == "réseau inconnu"
    assert words(4, "réseau inconnu") == "réseaux inconnus"


# « compte(s) », « réseau(x) », « relevé(s) » in a string of the code or a page written by hand
# (« (s) » after a space is a unit, seconds, as in the performance tables).
# A call such as f(s) or source_text(s)} is code inside an f-string, not a plural.
PARENTHESISED_PLURAL = re.compile(r"\w\((?:s|x|es|e)\)(?![)}.]| ==)")


def _texts(path: Path) -> list[tuple[int, str]]:
    """A Python file's string literals (f-strings included), or every line of another file."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".py":
        return list(enumerate(text.splitlines(), 1))
    return [(token.start[0], token.string) for token in tokenize.generate_tokens(io.StringIO(text).readline)
            if token.type == tokenize.STRING]


def test_no_parenthesised_plural_in_code_or_pages() -> None:
    found = []
    for path in [*ROOT.joinpath("observatory").rglob("*.py"), *ROOT.joinpath("docs").glob("*.md"),
                 *ROOT.joinpath("docs", "assets").glob("*.js")]:
        for number, text in _texts(path):
            if PARENTHESISED_PLURAL.search(text.replace("http(s)", "")):
                found.append(f"{path.relative_to(ROOT)}:{number}: {text.strip()[:100]}")
    assert found == []


# --- The collection status page and the footer ---------------------------------------------------

def _fresh_registry() -> Registry:
    return load_registry(ROOT / "data")


def test_status_page_without_a_run_says_so_and_invents_nothing() -> None:
    fresh = status.freshness(pd.DataFrame(columns=["date", "platform"]), _fresh_registry())
    text = status.status_markdown(None, fresh, today=dt.date(2026, 4, 3))
    assert "Aucune collecte automatique n'a encore eu lieu" in text
    assert "aucune mesure" in text and "Dernière mesure" in text
    assert not re.search(r"\| \d+ sur \d+ \|", text)  # no run, so no "collected / targets" cell
    assert status.footer_sentence(fresh).startswith("Données : aucune collecte automatique")


def test_status_page_reads_the_committed_run_report(tmp_path: Path) -> None:
    report = RunReport(date="2026-04-02", started_at="2026-04-02T05:00:00Z",
                       finished_at="2026-04-02T05:12:00Z")
    failure = {"entity": "chu-x", "handle": "x.bsky.social", "stage": "profil",
               "reason": "compte introuvable"}
    report.platforms["bluesky"] = PlatformReport("bluesky", "Bluesky", targets=3, collected=2,
                                                 status="partiel", failures=[failure])
    report.platforms["youtube"] = PlatformReport("youtube", "YouTube", targets=4, status="ignoré",
                                                 reason="variable d'environnement absente : YOUTUBE_API_KEY")
    folder = snapshots.snapshots_dir(tmp_path)
    folder.mkdir(parents=True)
    (folder / REPORT_NAME).write_text(json.dumps(report.to_json(), ensure_ascii=False), encoding="utf-8")
    accounts = pd.DataFrame({"date": ["2026-03-20", "2026-04-02", "2026-04-02", "2026-03-01"],
                             "platform": ["bluesky", "bluesky", "bluesky", "youtube"]})
    fresh = status.freshness(accounts, _fresh_registry())
    assert fresh["bluesky"]["latest"] == "2026-04-02" and fresh["bluesky"]["measured"] == 2
    text = status.status_markdown(report_file.read_report(tmp_path), fresh, today=dt.date(2026, 4, 3))
    assert "La dernière collecte a eu lieu le **2 avril 2026**, de 05:00 à 05:12" in text
    bluesky = next(line for line in text.splitlines() if line.startswith("| Bluesky | relevé en partie"))
    assert "| 2 sur 3 | 1 |" in bluesky and md("1 compte en échec (profil : compte introuvable)") in bluesky
    youtube = next(line for line in text.splitlines() if line.startswith("| YouTube | non relevé"))
    assert md("clé d'accès à l'API de ce réseau n'était pas configurée") in youtube
    assert "| 2 avril 2026 | hier | 2 |" in text  # Bluesky's freshness
    assert "| 1er mars 2026 | il y a 33 jours — ces chiffres ne sont plus à jour | 1 |" in text
    assert status.footer_sentence(fresh) == "Données mises à jour le 2 avril 2026"


def test_the_site_reads_the_report_the_collection_writes() -> None:
    assert REPORT_NAME == run.REPORT_NAME


def test_footer_date_goes_into_the_home_front_matter() -> None:
    home = "---\ntitle: Accueil\n---\n\n# Accueil\n"
    text = status.with_footer_date(home, "Données mises à jour le 2 avril 2026")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front == {"data_updated": "Données mises à jour le 2 avril 2026", "title": "Accueil"}


def test_front_matter_keeps_apostrophes_and_escapes_markup() -> None:
    assert front_matter_text("CHU d'Angers") == "CHU d'Angers"
    assert front_matter_text('A <b>"x"</b> & y') == "A &lt;b&gt;&quot;x&quot;&lt;/b&gt; &amp; y"


# --- The built site, with MkDocs Material and with Zensical ------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    project = make_project(tmp_path_factory.mktemp("reader-b"), ROOT / "data")
    assert build_site(project) == 0
    return project


def test_every_page_has_the_update_date_in_its_footer_and_its_own_meta(built: Path) -> None:
    pages = sorted((built / "site").rglob("index.html"))
    assert len(pages) > 50
    for page in pages:
        text = page.read_text(encoding="utf-8")
        footer = text[text.index('<footer class="md-footer">'):]
        assert '<div class="obs-updated">Données' in footer, page
        assert '<meta property="og:title"' in text and '<meta name="twitter:card"' in text, page
    angers = (built / "site" / "etablissements" / "chu-angers" / "index.html").read_text(encoding="utf-8")
    description = re.search(r'<meta property="og:description" content="([^"]*)"', angers).group(1)
    assert description.startswith("CHU d&#39;Angers — CHU/CHR, Pays de la Loire : comptes sur ")
    assert '<meta property="og:title" content="CHU d&#39;Angers">' in angers
    assert "&amp;#" not in angers  # nothing escaped twice


def test_status_page_is_built_linked_and_in_the_navigation(built: Path) -> None:
    page = (built / "site" / "donnees" / "collecte-etat" / "index.html").read_text(encoding="utf-8")
    assert "État de la collecte" in page and "Aucune collecte automatique n'a encore eu lieu" in page
    home = (built / "site" / "index.html").read_text(encoding="utf-8")
    assert 'href="donnees/collecte-etat/"' in home


def test_material_conventions(built: Path) -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8").replace("!ENV", ""))
    features = config["theme"]["features"]
    assert {"navigation.indexes", "navigation.footer"} <= set(features)
    assert config["theme"]["palette"][0]["media"] == "(prefers-color-scheme)"  # follows the system
    for section in config["nav"]:
        for label, children in section.items():
            if isinstance(children, list):  # no « Méthodologie ▸ Méthodologie »
                assert all(not isinstance(c, dict) or label not in c for c in children), label
    home = (built / "site" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<link rel="icon" href="assets/favicon.svg">', home)
    assert 'src="assets/logo.svg"' in home


def test_zensical_shows_the_footer_date_and_titles_escaped_once(built: Path) -> None:
    zensical = Path(sys.executable).parent / "zensical"
    result = subprocess.run([str(zensical), "build", "-f", "mkdocs.yml"], cwd=built,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    site = built / "site"
    index = json.loads((site / "search.json").read_text(encoding="utf-8"))
    angers = [item for item in index["items"] if item["location"] == "etablissements/chu-angers/"]
    assert angers and angers[0]["path"] == ["CHU d'Angers"]
    methodology = (site / "methodologie" / "index.html").read_text(encoding="utf-8")
    assert '<div class="obs-updated">Données' in methodology
    assert '<meta property="og:description"' in methodology
