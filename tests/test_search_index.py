"""The search index holds what a reader looks for (names, places, categories, texts), not the
rows of leaderboards, measures or chart data: at national scale it must stay small enough for
a phone."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from conftest import ROOT

from observatory.demo.run import make_demo
from observatory.site import leaderboard_pages

ROWS_PER_PAGE = 10


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    with pytest.MonkeyPatch.context() as patch:  # boards of several pages
        patch.setattr(leaderboard_pages, "ROWS_PER_PAGE", ROWS_PER_PAGE)
        project = make_demo(ROOT, tmp_path_factory.mktemp("search"), establishments=30, days=60)
    subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", "site"], cwd=project,
                   check=True, capture_output=True, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"})
    assert (project / "site" / "classements" / "twitter-followers-2" / "index.html").exists()
    return json.loads((project / "site" / "search" / "search_index.json").read_text())["docs"]


def entries(index: list[dict[str, str]], prefix: str) -> list[dict[str, str]]:
    return [e for e in index if e["location"].startswith(prefix)]


def test_leaderboard_rows_and_later_pages_are_not_indexed(index: list[dict[str, str]]) -> None:
    assert not [e for e in index if re.match(r"classements/[a-z0-9-]+-\d+/", e["location"])]
    board = entries(index, "classements/twitter-followers/")
    assert board and board[0]["title"].startswith("Abonnés — X (Twitter)")
    text = " ".join(e["text"] for e in entries(index, "classements/"))
    assert "Fictif 0" not in text  # establishment names appear only in rows and charts
    assert "national" not in text and "Toutes" not in text  # no filters


def test_establishment_pages_index_names_and_places_not_tables(index: list[dict[str, str]]) -> None:
    page = entries(index, "etablissements/fictif-0001/")
    assert page[0]["title"] == "Établissement fictif 0001"
    text = " ".join(e["text"] for e in page)
    assert "Ville fictive" in text and "Catégorie" in text and "fictif.0001" in text  # a handle
    everything = json.dumps(index, ensure_ascii=False)
    for table_text in ("Rang (réseau)", "Données du graphique", "Croissance 30 j", "Premier quartile",
                       "premiers établissements du classement"):  # the last: a chart's summary
        assert table_text not in everything, table_text
    assert not re.search(r"\d+ relevés du", everything)  # summary of a follower chart
    assert not [e for e in index if "#dernieres-mesures" in e["location"]]
    assert entries(index, "methodologie/") and entries(index, "contribuer/")


def test_open_data_page_is_found_but_not_its_file_listing(index: list[dict[str, str]]) -> None:
    page = entries(index, "donnees/")
    assert page[0]["title"] == "Données ouvertes" and "Licence Ouverte" in " ".join(e["text"] for e in page)
    assert not [e for e in page if "etablissements.csv" in e["text"] or "Jeu de données" in e["text"]]


def test_repeated_boilerplate_and_the_directory_listing_are_not_indexed(index: list[dict[str, str]]) -> None:
    everything = json.dumps(index, ensure_ascii=False)
    assert "Aucun chiffre publié" not in everything
    assert "Données fictives générées pour les tests" not in everything  # every page's source
    directory = [e for e in index if re.fullmatch(r"etablissements/(#.*)?", e["location"])]
    assert directory and directory[0]["title"] == "Annuaire des établissements"
    assert "Fictif 0001" not in " ".join(e["text"] for e in directory)
