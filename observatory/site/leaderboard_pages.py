"""Markdown (with escaped raw-HTML tables) for leaderboards and the metrics of an establishment.

Leaderboard tables are HTML so that each row carries its category, region and size class for
the filters of docs/assets/observatoire.js; every value still goes through textfmt."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from observatory.analysis.leaderboards import BOARD_METRICS, SIZE_CLASSES
from observatory.registry.vocab import CATEGORIES, PLATFORMS, REGIONS
from observatory.site.search_terms import hidden_terms
from observatory.textfmt import date_fr, front_matter_text, html_text, md, number, plural

METRIC_LABELS = {
    "followers": ("Abonnés", "", 0), "following": ("Abonnements", "", 0),
    "growth_7_pct": ("Croissance 7 j", " %", 1), "growth_30_pct": ("Croissance 30 j", " %", 1),
    "growth_90_pct": ("Croissance 90 j", " %", 1), "growth_365_pct": ("Croissance 365 j", " %", 1),
    "growth_30_weekly": ("Croissance hebdomadaire (30 j)", " %", 2),
    "posts_per_week": ("Publications par semaine", "", 1), "engagement": ("Engagement", " %", 3),
    "post_interaction": ("Interaction par publication", " %", 3),
    "conversation": ("Taux de conversation", " %", 0),
    "followers_per_100_beds": ("Abonnés pour 100 lits", "", 0),
    "engagement_vs_peers": ("Engagement / comptes de même taille", " ×", 2),
    "index": ("Indice composite ouvert", "", 0),
}
SIZE_LABELS = {code: label for code, label, _low, _high in SIZE_CLASSES}
MENTIONS = (("few_posts", "peu de publications"),
            ("dormant", "en sommeil (aucune publication en 90 jours)"))
ROWS_PER_PAGE = 100  # a leaderboard page stays far below 100 KB of HTML at any scale
# On a heading (attr_list), keeps its whole section out of Material's search index: figures
# and tables are not what a reader searches for, and at 3,000 establishments they made the index
# too large for a phone.
NOT_SEARCHED = "{ data-search-exclude }"
BOARD_LINKS = "../../etablissements/"  # raw HTML links are not rewritten: pages are at classements/<id>/


def value_text(value: float | int | None, unit: str, decimals: int, reason: str | None,
               inline: bool = False) -> str:
    """A formatted value, or n/a with its reason: shown inline, or on hover and to screen readers."""
    if value is None:
        why = html_text(reason or "non calculable")
        if inline:
            return f'n/a <small class="obs-why">({why})</small>'
        return (f'<span class="obs-na" title="{why}">n/a</span>'
                f'<span class="obs-sr"> : {why}</span>')
    return html_text(number(value, decimals) + unit)


def change_text(change: int | None) -> str:
    if change is None:
        return '<span title="pas de rang à la période précédente">—</span>'
    if change > 0:
        return f'<span class="obs-up" title="{plural(change, "place gagnée")}">▲ {change}</span>'
    if change < 0:
        return f'<span class="obs-down" title="{plural(-change, "place perdue")}">▼ {-change}</span>'
    return '<span title="rang inchangé">=</span>'


def _filters(rows: list[dict[str, Any]], table_id: str, data_url: str | None,
             dropped: frozenset[str] = frozenset()) -> list[str]:
    """The filter form; `data_url`: the board's rows as JSON, so that filters span every page;
    a column left out of the table (`dropped`) has no filter either."""
    categories = sorted({r["category"] for r in rows if r.get("category")}, key=list(CATEGORIES).index)
    regions = sorted({r["region"] for r in rows if r.get("region")}, key=REGIONS.index)
    selects = [("category", "Catégorie", [(c, CATEGORIES[c]) for c in categories]),
               ("region", "Région", [(r, r) for r in regions])]
    if any("size_class" in r for r in rows):
        selects.append(("size", "Taille du compte", [(c, SIZE_LABELS[c]) for c, *_ in SIZE_CLASSES]))
    selects = [select for select in selects if select[0] not in dropped]
    source = f' data-rows="{html_text(data_url)}" data-total="{len(rows)}"' if data_url else ""
    out = [f'<form class="obs-filters" data-table="{table_id}"{source} role="search" '
           f'aria-label="Filtrer le classement" data-search-exclude>']
    for key, label, options in selects:
        out.append(f'<label>{label} <select data-filter="{key}"><option value="">Toutes</option>'
                   + "".join(f'<option value="{html_text(v)}">{html_text(t)}</option>' for v, t in options)
                   + "</select></label>")
    out.append(f'<output class="obs-count" for="{table_id}" aria-live="polite"></output></form>')
    return ["".join(out)]


def _mentions(row: dict[str, Any]) -> list[str]:
    return [text for flag, text in MENTIONS if row.get(flag)]


def platform_order(rows: list[dict[str, Any]]) -> dict[str, int]:
    """Networks by how many of the board's establishments use them, most used first (ties in
    the vocabulary's order): the order of the names in the « Réseaux » column."""
    counts = Counter(p for row in rows for p in row.get("platforms", []))
    known = list(PLATFORMS)
    ranked = sorted(counts, key=lambda p: (-counts[p], known.index(p) if p in known else len(known), p))
    return {platform: position for position, platform in enumerate(ranked)}


def _fourth(row: dict[str, Any], order: dict[str, int]) -> str:
    """Size class on per-network boards, networks by name on the audience board (not escaped)."""
    if "size_class" in row:
        return SIZE_LABELS.get(row.get("size_class") or "", "—")
    platforms = sorted(row.get("platforms", []), key=lambda p: order.get(p, len(order)))
    return ", ".join(PLATFORMS.get(p, p) for p in platforms) or "—"


# A board's columns, in order: key -> header (the fourth column's header depends on the board).
COLUMNS = ("rank", "change", "name", "category", "region", "fourth", "value", "mentions")


def _cells(row: dict[str, Any], unit: str, decimals: int, link_prefix: str,
           order: dict[str, int]) -> dict[str, str]:
    """Each column's cell of one row (HTML)."""
    value = value_text(row["value"], unit, decimals, row.get("na_reason"))
    sort_value = "" if row["value"] is None else row["value"]
    rank = row["rank"]
    change = row.get("rank_change")
    rank_sort, rank_text = ("", "—") if rank is None else (rank, rank)
    return {
        "rank": f'<td data-sort="{rank_sort}">{rank_text}</td>',
        "change": f'<td data-sort="{change if change is not None else ""}">{change_text(change)}</td>',
        "name": f'<td><a href="{link_prefix}{html_text(row["entity"])}/">{html_text(row["name"])}</a></td>',
        "category": f'<td>{html_text(CATEGORIES.get(row.get("category") or "", "—"))}</td>',
        "region": f'<td>{html_text(row.get("region") or "—")}</td>',
        "fourth": f"<td>{html_text(_fourth(row, order))}</td>",
        "value": f'<td class="obs-value" data-sort="{sort_value}">{value}</td>',
        "mentions": f'<td>{html_text("; ".join(_mentions(row))) or "—"}</td>'}


def _row_html(cells: dict[str, str], row: dict[str, Any], columns: tuple[str, ...]) -> str:
    # docs/assets/observatoire.js (rowElement) draws the same row, every column, from board_rows_json.
    return (f'<tr data-category="{html_text(row.get("category") or "")}" '
            f'data-region="{html_text(row.get("region") or "")}" '
            f'data-size="{html_text(row.get("size_class") or "")}">'
            + "".join(cells[c] for c in columns) + "</tr>")


def _empty_columns(rows: list[dict[str, Any]], order: dict[str, int]) -> frozenset[str]:
    """Columns in which every row says « — » (nothing to read there)."""
    empty = {"change": lambda r: r.get("rank_change") is None, "region": lambda r: not r.get("region"),
             "fourth": lambda r: _fourth(r, order) == "—", "mentions": lambda r: not _mentions(r)}
    return frozenset(c for c, test in empty.items() if rows and all(test(r) for r in rows))


def board_table(board: dict[str, Any], link_prefix: str, rows: list[dict[str, Any]] | None = None,
                data_url: str | None = None, caption_note: str = "",
                dropped: frozenset[str] = frozenset(), whole: BoardWhole | None = None) -> list[str]:
    """The filter form and table of `rows` (default: all the board's rows). The filters list
    the values of all rows; kept out of the search index (a reader looks for names, not rows).
    Columns in `dropped` are left out (a sector page has no category); without `data_url` (no
    rows drawn by the script, which draws every column), so are columns holding only « — ».
    The table scrolls inside a focusable, labelled region, so a phone's page stays its width.
    `whole`: what the board's every page shares, computed once (board_whole)."""
    table_id = f"classement-{board['id']}"
    shown = board["rows"] if rows is None else rows
    order = whole.order if whole else platform_order(board["rows"])
    cells = [_cells(row, board["unit"], board["decimals"], link_prefix, order) for row in shown]
    if data_url is None:
        dropped = dropped | _empty_columns(shown, order)
    columns = tuple(c for c in COLUMNS if c not in dropped)
    fourth = "Taille du compte" if "size_class" in (board["rows"] or [{}])[0] else "Réseaux"
    headers = {"rank": "Rang", "change": "Évolution", "name": "Établissement", "category": "Catégorie",
               "region": "Région", "fourth": fourth, "value": board["label"], "mentions": "Mentions"}
    head = "<tr>" + "".join(f'<th scope="col"{" data-value" if c == "value" else ""}>'
                            f"{html_text(headers[c])}</th>" for c in columns) + "</tr>"
    body = [_row_html(row_cells, row, columns) for row_cells, row in zip(cells, shown, strict=True)]
    caption = _caption(board) + caption_note
    # Each block one line between blank lines: rendered without being parsed (site/fast_render.py).
    shared = whole is not None and data_url == whole.data_url and not dropped
    filters = whole.filters if shared else _filters(board["rows"], table_id, data_url, dropped)
    return filters + [
        "",
        f'<div class="obs-scroll" tabindex="0" role="region" aria-label="{html_text(caption)}">'
        f'<table id="{table_id}" class="obs-board" data-sortable data-links="{html_text(link_prefix)}" '
        f'data-search-exclude><caption>{html_text(caption)}</caption><thead>{head}</thead><tbody>'
        + "".join(body) + "</tbody></table></div>", ""]


@dataclass(frozen=True)
class BoardWhole:
    """What every page of a board shares (its networks' order and its filter form, which lists the
    values of all its rows): a national board has some thirty pages."""
    order: dict[str, int]
    filters: list[str]  # for a table whose rows are drawn from data_url, no column left out
    data_url: str


def board_whole(board: dict[str, Any]) -> BoardWhole:
    data_url = rows_json_url(board["id"])
    return BoardWhole(platform_order(board["rows"]),
                      _filters(board["rows"], f"classement-{board['id']}", data_url), data_url)


def _caption(board: dict[str, Any]) -> str:
    caption = board["label"]
    if board.get("platform_label"):
        caption += f" — {board['platform_label']}"
    if board.get("as_of"):
        caption += f", au {date_fr(board['as_of'])}"
    return caption


def benchmark_list(board: dict[str, Any]) -> list[str]:
    if not board["benchmarks"]:
        return []
    out = ["### Comptes de référence, hors classement", ""]
    for row in board["benchmarks"]:
        value = value_text(row["value"], board["unit"], board["decimals"], row.get("na_reason"))
        out.append(f"- [{md(row['name'])}](../references/{row['entity']}.md) : {value}")
    return out + [""]


def page_count(board: dict[str, Any]) -> int:
    return max(1, -(-len(board["rows"]) // ROWS_PER_PAGE))


def page_stem(board_id: str, page: int) -> str:
    """classements/<id>.md for page 1 (links to a board keep working), <id>-<n>.md after."""
    return board_id if page == 1 else f"{board_id}-{page}"


def rows_json_url(board_id: str) -> str:
    """The board's rows as JSON (board_rows_json), relative to a board page."""
    return f"../../donnees/classements/{board_id}.json"


def rank_range(rows: list[dict[str, Any]], start: int, total: int) -> str:
    """"Rangs 101 à 200" for a page of rows beginning at row `start` (1-based) of `total`."""
    ranks = [r["rank"] for r in rows if r.get("rank") is not None]
    text = f"lignes {start} à {start + len(rows) - 1} sur {total}"
    if not ranks:
        return f"Comptes sans valeur, non classés ({text})."
    unranked = len(rows) - len(ranks)
    without = plural(unranked, "compte sans valeur, non classé", "comptes sans valeur, non classés")
    tail = f", puis {without}" if unranked else ""
    return f"Rangs {ranks[0]} à {ranks[-1]}{tail} ({text})."


def pagination_nav(board_id: str, page: int, count: int) -> str:
    """Links to every page of a board, the current one marked for assistive technologies."""
    def href(n: int) -> str:
        return f"../{html_text(page_stem(board_id, n))}/"

    items = []
    if page > 1:
        items.append(f'<li><a href="{href(page - 1)}" rel="prev">‹ Page précédente</a></li>')
    for n in range(1, count + 1):
        current = ' aria-current="page"' if n == page else ""
        items.append(f'<li><a href="{href(n)}" aria-label="Page {n}"{current}>{n}</a></li>')
    if page < count:
        items.append(f'<li><a href="{href(page + 1)}" rel="next">Page suivante ›</a></li>')
    return ('<nav class="obs-pages" aria-label="Pagination du classement" data-search-exclude>'
            f"<ul>{''.join(items)}</ul></nav>")


def board_markdown(board: dict[str, Any], chart: str = "", page: int = 1,
                   whole: BoardWhole | None = None) -> str:
    """Page `page` of a board: ROWS_PER_PAGE rows; the chart and the benchmarks on page 1 only;
    pages after the first are left out of the search index (their rows are not searched)."""
    count = page_count(board)
    title = f"{board['label']} — {board.get('platform_label', 'tous réseaux')}"
    if count > 1:
        title += f" (page {page} sur {count})"
    out = ["---", f"title: {json.dumps(front_matter_text(title), ensure_ascii=False)}"] + (
        ["search:", "  exclude: true"] if page > 1 else [])
    out += ["---", "", f"# {md(title)}", ""]
    # A sentence first: a search result shows the page's first text (the table is not indexed).
    ranked = plural(len(board["rows"]), "établissement classé", "établissements classés")
    as_of = board.get("as_of")
    intro = f"{title} : {ranked}" + (f", mesures du {date_fr(as_of)}." if as_of else ".")
    ties = " Rangs parmi les établissements ; les ex æquo partagent le même rang." if as_of else ""
    definitions = " Définitions : [méthodologie](../methodologie.md)." if as_of else ""
    out += [md(intro) + ties + definitions + hidden_terms([intro, ties, definitions]), ""]
    if not board["rows"]:
        out += ["Aucune mesure n'a encore été collectée pour ce classement.", ""]
    else:
        first = (page - 1) * ROWS_PER_PAGE
        rows = board["rows"][first:first + ROWS_PER_PAGE]
        out += [chart] if chart and page == 1 else []  # charts.write_charts: bars of the first rows
        note = ""
        if count > 1:  # hidden by observatoire.js while a filter shows rows of every page
            out += [f'<p class="obs-range">Page {page} sur {count} : '
                    f"{html_text(rank_range(rows, first + 1, len(board['rows'])))}</p>", ""]
            note = f" (page {page} sur {count})"
        out += board_table(board, BOARD_LINKS, rows, rows_json_url(board["id"]), note, whole=whole)
        out += [pagination_nav(board["id"], page, count), ""] if count > 1 else []
    out += benchmark_list(board) if page == 1 else []
    return "\n".join(out)


def board_pages(board: dict[str, Any], chart: str = "") -> dict[str, str]:
    """Every page of a board: file name under classements/ -> Markdown."""
    whole = board_whole(board)
    return {f"{page_stem(board['id'], n)}.md": board_markdown(board, chart, n, whole)
            for n in range(1, page_count(board) + 1)}


def board_rows_json(board: dict[str, Any]) -> str:
    """All the rows of a board, compact, for the filters of observatoire.js: each row is
    [rank, change, entity, name, category, region, size, fourth column, value, value text or
    n/a reason, mention flags]; texts are plain (the script sets them as text, never as HTML)."""
    rows = []
    order = platform_order(board["rows"])
    for row in board["rows"]:
        value = row["value"]
        shown = number(value, board["decimals"]) + board["unit"] if value is not None else (
            row.get("na_reason") or "non calculable")
        flags = sum(1 << i for i, (flag, _text) in enumerate(MENTIONS) if row.get(flag))
        rows.append([row["rank"], row.get("rank_change"), row["entity"], row["name"],
                     row.get("category") or "", row.get("region") or "", row.get("size_class") or "",
                     _fourth(row, order), value, shown, flags])
    data = {"id": board["id"], "categories": CATEGORIES, "mentions": [text for _f, text in MENTIONS],
            "rows": rows}
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def write_board_pages(docs_dir: Path, boards: list[dict[str, Any]], audience: dict[str, Any],
                      blocks: dict[str, str] | None = None) -> None:
    """Every page of every board, the boards' index and each board's rows as JSON (for the
    filters); pages and JSON files of boards or pages gone since the last build are removed.
    `blocks`: chart block per board id, and "index" for the index (charts.write_charts)."""
    folder, rows_folder = docs_dir / "classements", docs_dir / "donnees" / "classements"
    folder.mkdir(parents=True, exist_ok=True)
    rows_folder.mkdir(parents=True, exist_ok=True)
    blocks = blocks or {}
    wanted: dict[Path, str] = {}
    for board in [*boards, audience]:
        pages = board_pages(board, blocks.get(board["id"], ""))
        wanted.update({folder / name: text for name, text in pages.items()})
        wanted[rows_folder / f"{board['id']}.json"] = board_rows_json(board)
    wanted[folder / "index.md"] = boards_index_markdown(boards, audience, blocks.get("index", ""))
    # Only .md and .json: the page data (.yml) is written beside, by another process.
    for stale in {*folder.glob("*.md"), *rows_folder.glob("*.json")} - set(wanted):
        stale.unlink()
    for path, text in wanted.items():
        write_if_changed(path, text)


def write_if_changed(path: Path, text: str) -> None:
    """Unchanged files keep their date, so that a live preview reloads only what changed."""
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def boards_index_markdown(boards: list[dict[str, Any]], audience: dict[str, Any], chart: str = "") -> str:
    out = ["---", "title: Classements", "---", "", "# Classements", "",
           "Chaque classement compare les comptes d'établissements d'un même réseau. Le nombre "
           "d'abonnés mesure surtout la taille de l'établissement ; l'engagement et l'indice "
           "composite ouvert la neutralisent en partie (voir la [méthodologie](../methodologie.md)).",
           ""]
    if not boards:
        out += ["!!! info \"Pas encore de mesures\"",
                "    La collecte automatique n'a encore enregistré aucun relevé : les classements "
                "apparaîtront après sa première exécution. En attendant, les chiffres publiés par la "
                "presse et les classements passés figurent sur la page de chaque établissement.", ""]
    out += ["- [Audience tous réseaux](audience.md)", ""]
    by_platform: dict[str, list[dict[str, Any]]] = {}
    for board in boards:
        by_platform.setdefault(board["platform_label"], []).append(board)
    # Networks by how many establishments have an account on them, most used first.
    for platform, items in sorted(by_platform.items(), key=lambda kv: -max(len(b["rows"]) for b in kv[1])):
        out += [f"## {md(platform)}", ""]
        out += [f"- [{md(b['label'])}]({b['id']}.md) ({len(b['rows'])} comptes)" for b in items]
        out.append("")
    if chart:  # charts.write_charts: establishments with an account on each network, per month
        out += ["## Comptes d'établissements par réseau", "", chart]
    return "\n".join(out)


def measures_section(summary: dict[str, Any] | None,
                     charts: dict[tuple[str, str], list[str]] | None = None, entity: str = "") -> list[str]:
    """The 'Dernières mesures' section of an establishment page; `charts`: the chart blocks of
    each (platform, account_id), from charts.write_charts, and under ("", entity) the history
    charts of networks whose published figures are tied to no single collected account."""
    out = [f"## Dernières mesures {NOT_SEARCHED}", ""]
    unmeasured = (charts or {}).get(("", entity), []) if entity else []
    if not summary or not summary["accounts"]:
        out += ["<p>Aucune mesure n'a encore été collectée pour les comptes de cette fiche.</p>", ""]
        return out + unmeasured
    # Paragraphs as one-line HTML too: MkDocs stashes them (site/fast_render.py), none is searched.
    out += [f"<p>Mesures du {html_text(date_fr(summary['as_of']))}. Rangs sur chaque réseau, parmi tous "
            "les établissements puis parmi ceux de la même catégorie.</p>", ""]
    for account in summary["accounts"]:
        out += [f"### {md(account['platform_label'])} : {md(account['handle'])} {NOT_SEARCHED}", ""]
        notes = []
        if account["few_posts"]:
            notes.append("peu de publications dans la fenêtre de 30 jours : taux fragiles")
        if account["dormant"]:
            notes.append("en sommeil : aucune publication depuis 90 jours")
        if notes:
            out += [f"<p><em>{html_text('; '.join(notes))}</em></p>", ""]
        who = f"{account['handle']} ({account['platform_label']})"
        out += [measures_table(account, f"Mesures de {who} au {date_fr(summary['as_of'])}"), ""]
        out += (charts or {}).get((account["platform"], account["account_id"]), [])
    if unmeasured:
        out += [f"### Chiffres publiés sans relevé rattaché {NOT_SEARCHED}", "", *unmeasured]
    return out


MEASURE_HEADERS = ("Mesure", "Valeur", "Rang (réseau)", "Rang (catégorie)", "Évolution")


def measures_table(account: dict[str, Any], caption: str) -> str:
    """One account's metrics as one line of raw HTML: MkDocs renders a Markdown table of 14 rows
    several times slower (each of its 70 cells goes through every inline pattern of Python-Markdown),
    and the caption, read by screen readers, is visually hidden (the heading above says it)."""
    rows = []
    for metric, (label, unit, decimals) in METRIC_LABELS.items():
        cell = account["metrics"][metric]
        text = value_text(cell["value"], unit, decimals, cell["na_reason"], inline=True)
        if cell.get("span_days"):
            text += f" (sur {cell['span_days']} jours)"
        rank = account["ranks"].get(metric) if metric in BOARD_METRICS else None
        overall = f"{rank['overall']} / {rank['overall_of']}" if rank and rank["overall"] else "—"
        peers = f"{rank['peers']} / {rank['peers_of']}" if rank and rank["peers"] else "—"
        change = change_text(rank["change"]) if rank else "—"
        rows.append([html_text(label), text, overall, peers, change])
    return html_table(caption, MEASURE_HEADERS, rows)


def html_table(caption: str, headers: tuple[str, ...], rows: list[list[str]],
               row_headers: bool = False) -> str:
    """A data table as one line of raw HTML (cells already escaped): MkDocs stashes it whole instead
    of sending each cell of a Markdown table through every inline pattern of Python-Markdown. The
    caption, for screen readers, is visually hidden (the text above the table says what it is)."""
    first = '<th scope="row">{}</th>' if row_headers else "<td>{}</td>"
    head = "".join(f'<th scope="col">{html_text(h)}</th>' for h in headers)
    body = "".join("<tr>" + first.format(cells[0]) + "".join(f"<td>{c}</td>" for c in cells[1:]) + "</tr>"
                   for cells in rows)
    return (f'<table><caption class="obs-sr">{html_text(caption)}</caption><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")

