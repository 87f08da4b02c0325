"""Accent-folded words for the site search (observatory/site/search_terms.py) and the sentence
each generated page starts with, so that a search result shows a sentence, not table headers."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from conftest import ROOT

from observatory.registry.load import Registry, load_registry
from observatory.site import leaderboard_pages
from observatory.site.page_data import entity_page
from observatory.site.pages import entity_markdown
from observatory.site.search_terms import folded_terms, hidden_terms


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(ROOT / "data")


def test_words_with_accents_or_ligatures_are_folded_once_and_others_left_out() -> None:
    assert folded_terms(["Hôpital Saint-Étienne", "hôpital", None, "Sacré-Cœur", "ŒIL", "d'Hyères"]) == [
        "hopital", "etienne", "sacre", "coeur", "oeil", "hyeres"]
    assert folded_terms(["Centre hospitalier de Pontoise", "à"]) == []  # nothing to add, not « a »
    assert hidden_terms(["CHU de Nantes"]) == ""
    assert hidden_terms(["Île-de-France"]) == " <sub hidden>ile</sub>"


def first_paragraph(markdown: str) -> str:
    body = markdown.split("\n---\n", 1)[1]
    return [b.strip() for b in body.split("\n\n") if b.strip() and not b.strip().startswith("#")][0]


def test_an_establishment_page_starts_with_a_sentence_and_its_folded_words(registry: Registry) -> None:
    page = entity_page(registry.entities["chu-saint-etienne"], registry, pd.DataFrame(columns=["entity"]))
    first = first_paragraph(entity_markdown(page))
    assert first.startswith(
        "CHU de Saint\\-Étienne : CHU/CHR à Saint\\-Étienne \\(Auvergne\\-Rhône\\-Alpes\\)")
    assert not first.startswith("|")
    hidden = re.fullmatch(r".*\. <sub hidden>([a-z0-9 ]+)</sub>", first)
    assert hidden and {"etienne", "rhone"} <= set(hidden.group(1).split()), first


def test_the_sentence_counts_accounts_and_names_networks_in_french(registry: Registry) -> None:
    pages = [entity_page(e, registry, pd.DataFrame(columns=["entity"])) for e in registry.establishments]
    page = next(p for p in pages if len({a["platform"] for a in p["accounts"]}) > 2)
    networks = list(dict.fromkeys(a["platform"] for a in page["accounts"]))
    first = first_paragraph(entity_markdown(page))
    assert f"{len(page['accounts'])} comptes recensés sur " in first
    assert f"{networks[-2]} et {networks[-1]}".replace("(", "\\(").replace(")", "\\)") in first
    one = {**page, "accounts": page["accounts"][:1]}
    assert "1 compte recensé sur " in first_paragraph(entity_markdown(one))
    none = {**page, "accounts": []}
    assert "aucun compte recensé" in first_paragraph(entity_markdown(none))


def test_a_leaderboard_page_starts_with_a_sentence_even_without_measures() -> None:
    board = {"id": "audience", "label": "Audience tous réseaux", "rows": [], "benchmarks": [], "unit": "",
             "decimals": 0}
    first = first_paragraph(leaderboard_pages.board_markdown(board))
    assert first == ("Audience tous réseaux — tous réseaux : 0 établissement classé\\. "
                     "<sub hidden>reseaux etablissement classe</sub>")


def test_hand_written_pages_carry_their_folded_words() -> None:
    """docs/*.md written by hand: their folded words are there and up to date (a page edited since
    needs « .venv/bin/python scripts/fold_docs.py »)."""
    from observatory.site.build import hand_written_pages
    from observatory.site.search_terms import with_folded_words

    pages = hand_written_pages(ROOT / "docs")
    assert {p.name for p in pages} >= {"methodologie.md", "contribuer.md", "a-propos.md"}
    stale = [p.name for p in pages if with_folded_words(p.read_text(encoding="utf-8"))
             != p.read_text(encoding="utf-8")]
    assert not stale, f"lancez « .venv/bin/python scripts/fold_docs.py » : {', '.join(stale)}"
    methodology = (ROOT / "docs" / "methodologie.md").read_text(encoding="utf-8")
    assert re.search(r"<sub hidden>[a-z0-9 ]*\bmethodologie\b", methodology)


def test_folded_words_go_after_the_front_matter_and_title_and_replace_older_ones() -> None:
    from observatory.site.search_terms import with_folded_words

    page = ("---\ntitle: Méthodologie\n---\n\n# Méthodologie\n\n!!! note\n    Déjà.\n\n"
            "Une phrase,\nsur deux lignes.\n\nÉtat.\n")
    once = with_folded_words(page)
    assert "sur deux lignes. <sub hidden>methodologie deja etat</sub>\n\nÉtat." in once
    assert with_folded_words(once) == once
    assert with_folded_words(once.replace("Une phrase", "Une idée")).count("<sub hidden>") == 1
