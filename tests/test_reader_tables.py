"""Leaderboard and sector tables for a reader (issue #16, item 5): each table scrolls inside a
focusable, labelled region; captions give dates in French; networks are named, never coded, and
ordered by how many establishments use them; a sector's table has no category column or filter
and no column holding only « — »."""

from __future__ import annotations

import re
from typing import Any

from conftest import ROOT

from observatory.registry.load import load_registry
from observatory.site.case_studies import pages as study_pages
from observatory.site.leaderboard_pages import (
    board_rows_json,
    board_table,
    boards_index_markdown,
    platform_order,
)

CSS = ROOT / "docs" / "assets" / "observatoire.css"


def audience_row(entity: str, category: str, value: int, platforms: list[str], rank: int) -> dict[str, Any]:
    return {"entity": entity, "name": entity.upper(), "category": category, "region": "Bretagne",
            "value": value, "platforms": platforms, "rank": rank, "rank_change": None,
            "few_posts": False, "dormant": False}


def audience() -> dict[str, Any]:
    rows = [audience_row("a", "chu-chr", 900, ["twitter", "facebook"], 1),
            audience_row("b", "chu-chr", 500, ["facebook"], 2),
            audience_row("c", "ch", 100, ["facebook", "linkedin"], 3)]
    return {"id": "audience", "label": "Audience tous réseaux", "unit": "", "decimals": 0,
            "as_of": "2025-03-01", "rows": rows, "benchmarks": []}


def headers(html: str) -> list[str]:
    return re.findall(r"<th scope=\"col\"[^>]*>([^<]*)</th>", html)


def test_a_table_scrolls_in_a_focusable_labelled_region_with_a_french_date() -> None:
    html = "\n".join(board_table(audience(), "../../etablissements/", data_url="x.json"))
    wrapper = re.search(r'<div class="obs-scroll" tabindex="0" role="region" aria-label="([^"]+)">'
                        r"<table [^>]*>", html)
    assert wrapper, html[:300]
    assert wrapper.group(1) == "Audience tous réseaux, au 1er mars 2025"
    assert "<caption>Audience tous réseaux, au 1er mars 2025</caption>" in html
    assert "2025-03-01" not in html
    assert html.index("</table></div>") > html.index("<table")


def test_networks_are_named_and_ordered_by_how_many_establishments_use_them() -> None:
    board = audience()
    assert list(platform_order(board["rows"])) == ["facebook", "twitter", "linkedin"]
    html = "\n".join(board_table(board, "../../etablissements/", data_url="x.json"))
    assert "<td>Facebook, X (Twitter)</td>" in html and "<td>Facebook, LinkedIn</td>" in html
    assert not re.search(r">[^<]*\b(twitter|facebook|linkedin)\b", html)
    rows = board_rows_json(board)
    assert '"Facebook, X (Twitter)"' in rows and "twitter," not in rows


def test_a_board_with_its_rows_as_json_keeps_every_column_for_the_script() -> None:
    """observatoire.js redraws rows with every column: such a table never leaves one out."""
    html = "\n".join(board_table(audience(), "../../etablissements/", data_url="x.json"))
    assert headers(html) == ["Rang", "Évolution", "Établissement", "Catégorie", "Région", "Réseaux",
                             "Audience tous réseaux", "Mentions"]
    assert '<th scope="col" data-value>Audience tous réseaux</th>' in html
    assert 'data-filter="category"' in html


def test_a_sector_table_has_no_category_and_no_empty_column(tmp_path: Any) -> None:
    from observatory.demo import synthetic

    synthetic.generate(tmp_path, establishments=12, days=1)
    registry = load_registry(tmp_path / "data")
    members = [e for e in registry.establishments if e.category == "ch"]
    assert members
    board = audience()
    board["rows"] = [audience_row(e.id, "ch", 1000 - i, ["youtube", "facebook"], i + 1)
                     for i, e in enumerate(members)]
    board["rows"][0]["dormant"] = True  # one mention: the column stays
    text = study_pages.sector_markdown("ch", [], registry, board)
    table = text[text.index('<div class="obs-scroll"'):text.index("</table></div>")]
    assert headers(table) == ["Rang", "Établissement", "Région", "Réseaux", "Audience tous réseaux",
                              "Mentions"]
    assert "<td>Facebook, YouTube</td>" in table
    assert 'data-filter="category"' not in text and 'data-filter="region"' in text
    cells_per_row = {row.count("<td") for row in re.findall(r"<tr data-[^>]*>.*?</tr>", table)}
    assert cells_per_row == {6}


def test_the_boards_index_lists_the_most_used_network_first() -> None:
    boards = [{"id": f"{p}-followers", "label": "Abonnés", "platform_label": label, "rows": [{}] * n}
              for p, label, n in (("bluesky", "Bluesky", 2), ("facebook", "Facebook", 9),
                                  ("twitter", "X (Twitter)", 5))]
    text = boards_index_markdown(boards, audience())
    assert re.findall(r"^## (.+)$", text, re.M) == ["Facebook", r"X \(Twitter\)", "Bluesky"]


def test_material_table_scrolling_is_no_longer_disabled() -> None:
    css = CSS.read_text(encoding="utf-8")
    assert not re.search(r"table\.obs-board\s*\{[^}]*display:\s*table", css)
    assert re.search(r"\.obs-scroll\s*\{[^}]*overflow-x:\s*auto", css)
