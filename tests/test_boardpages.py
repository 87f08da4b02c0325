"""Leaderboard pages: ROWS_PER_PAGE rows a page, rank range, pagination links, chart and
benchmarks on page 1 only, the rows of every page as JSON for the filters, stale files removed."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from observatory.site import leaderboard_pages
from observatory.site.leaderboard_pages import ROWS_PER_PAGE, board_pages, board_rows_json, write_board_pages

CHART = '<figure class="obs-chart" data-kind="board"></figure>'


def make_board(ranked: int, unranked: int = 0, board_id: str = "bluesky-followers") -> dict[str, Any]:
    rows = [{"entity": f"e-{i:04d}", "name": f"Fictif {i:04d}", "category": "ch", "region": "Bretagne",
             "size_class": "plus-de-4000", "value": 10_000 - i, "na_reason": None, "rank": i,
             "rank_change": 1, "few_posts": i % 2 == 0, "dormant": False} for i in range(1, ranked + 1)]
    rows += [{"entity": f"n-{i:04d}", "name": f"Sans valeur {i}", "category": "clcc", "region": "Corse",
              "size_class": None, "value": None, "na_reason": "fenêtre de 30 jours non couverte",
              "rank": None, "rank_change": None, "few_posts": False, "dormant": True}
             for i in range(unranked)]
    return {"id": board_id, "label": "Abonnés", "platform_label": "Bluesky", "unit": "", "decimals": 0,
            "as_of": "2025-01-31", "rows": rows,
            "benchmarks": [{"entity": "ref", "name": "Référence", "value": 5, "na_reason": None}]}


def body_rows(text: str) -> list[str]:
    return re.findall(r"<tr data-category[^>]*>.*?</tr>", text)


def test_rows_are_split_into_pages_of_rows_per_page() -> None:
    board = make_board(2 * ROWS_PER_PAGE + 40, unranked=10)
    pages = board_pages(board, CHART)
    assert list(pages) == ["bluesky-followers.md", "bluesky-followers-2.md", "bluesky-followers-3.md"]
    assert [len(body_rows(t)) for t in pages.values()] == [ROWS_PER_PAGE, ROWS_PER_PAGE, 50]
    first, second, third = pages.values()
    assert "Fictif 0001" in first and "Fictif 0101" not in first and "Fictif 0101" in second
    assert 'title: "Abonnés — Bluesky (page 2 sur 3)"' in second
    assert f"Rangs {ROWS_PER_PAGE + 1} à {2 * ROWS_PER_PAGE}" in second
    assert f"Rangs {2 * ROWS_PER_PAGE + 1} à {2 * ROWS_PER_PAGE + 40}, puis 10 comptes sans valeur" in third
    assert "fenêtre de 30 jours non couverte" in third


def test_chart_and_benchmarks_only_on_the_first_page_and_later_pages_not_searched() -> None:
    first, second = board_pages(make_board(ROWS_PER_PAGE + 1), CHART).values()
    assert CHART in first and "Comptes de référence" in first and "Référence" in first
    assert CHART not in second and "Comptes de référence" not in second
    assert "exclude: true" in second.split("\n---\n")[0] and "exclude" not in first.split("\n---\n")[0]
    # Page 1 stays searchable, but not its rows, filters and pagination.
    assert '<table id="classement-bluesky-followers" class="obs-board" data-sortable' in first
    for tag in ("table", "form", "nav"):
        opening = re.search(rf"<{tag} [^>]*>", first)
        assert opening and "data-search-exclude" in opening.group(0), tag


def test_pagination_links_every_page_and_marks_the_current_one() -> None:
    pages = board_pages(make_board(3 * ROWS_PER_PAGE), CHART)
    second = pages["bluesky-followers-2.md"]
    nav = re.search(r'<nav class="obs-pages" aria-label="Pagination du classement"[^>]*>(.*?)</nav>', second)
    assert nav is not None
    links = re.findall(r'<a href="([^"]+)"([^>]*)>([^<]+)</a>', nav.group(1))
    assert links[0] == ("../bluesky-followers/", ' rel="prev"', "‹ Page précédente")
    assert links[-1] == ("../bluesky-followers-3/", ' rel="next"', "Page suivante ›")
    numbered = [(href, text) for href, _attrs, text in links[1:-1]]
    assert numbered == [("../bluesky-followers/", "1"), ("../bluesky-followers-2/", "2"),
                        ("../bluesky-followers-3/", "3")]
    assert [text for _href, attrs, text in links if 'aria-current="page"' in attrs] == ["2"]
    first, last = pages["bluesky-followers.md"], pages["bluesky-followers-3.md"]
    assert 'rel="prev"' not in first and 'rel="next"' not in last


def test_a_board_that_fits_one_page_has_no_pagination() -> None:
    (text,) = board_pages(make_board(ROWS_PER_PAGE), CHART).values()
    assert len(body_rows(text)) == ROWS_PER_PAGE
    assert "(page" not in text and "obs-pages" not in text and "obs-range" not in text


def test_rows_json_holds_every_row_with_its_texts() -> None:
    board = make_board(ROWS_PER_PAGE + 5, unranked=2)
    data = json.loads(board_rows_json(board))
    assert len(data["rows"]) == ROWS_PER_PAGE + 7 and data["categories"]["ch"] == "Centre hospitalier"
    first, last = data["rows"][0], data["rows"][-1]
    assert first[:8] == [1, 1, "e-0001", "Fictif 0001", "ch", "Bretagne", "plus-de-4000",
                         leaderboard_pages.SIZE_LABELS["plus-de-4000"]]
    assert first[8:] == [9999, "9\u202f999", 0]
    assert last[8:] == [None, "fenêtre de 30 jours non couverte", 2]  # flag 2: dormant
    assert data["mentions"][1].startswith("en sommeil")


def test_filters_know_every_row_and_where_to_fetch_them() -> None:
    board = make_board(ROWS_PER_PAGE + 5, unranked=2)
    second = board_pages(board)["bluesky-followers-2.md"]
    form = re.search(r"<form [^>]*>", second)
    assert form is not None
    assert 'data-rows="../../donnees/classements/bluesky-followers.json"' in form.group(0)
    assert f'data-total="{ROWS_PER_PAGE + 7}"' in form.group(0)
    assert '<option value="clcc">' in board_pages(board)["bluesky-followers.md"]  # only on page 2


def test_write_board_pages_removes_stale_pages_and_rows(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    audience = make_board(3, board_id="audience")
    write_board_pages(docs, [make_board(2 * ROWS_PER_PAGE + 1), make_board(2, board_id="x-index")], audience)
    folder, rows = docs / "classements", docs / "donnees" / "classements"
    (rows / "bluesky-followers.yml").write_text("page data, written by another stage\n")
    assert {p.name for p in folder.glob("*.md")} == {
        "index.md", "audience.md", "x-index.md", "bluesky-followers.md", "bluesky-followers-2.md",
        "bluesky-followers-3.md"}
    write_board_pages(docs, [make_board(ROWS_PER_PAGE + 1)], audience)
    assert {p.name for p in folder.glob("*.md")} == {
        "index.md", "audience.md", "bluesky-followers.md", "bluesky-followers-2.md"}
    assert {p.name for p in rows.iterdir()} == {"audience.json", "bluesky-followers.json",
                                                "bluesky-followers.yml"}

