"""Markdown (with escaped raw-HTML tables) for leaderboards and the metrics of an establishment.

Leaderboard tables are HTML so that each row carries its category, region and size class for
the filters of docs/assets/observatoire.js; every value still goes through textfmt."""

from __future__ import annotations

import html
from typing import Any

from observatory.leaderboards import BOARD_METRICS, SIZE_CLASSES
from observatory.textfmt import date_fr, md, number
from observatory.vocab import CATEGORIES, REGIONS

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


def esc(text: object) -> str:
    """Escaped text for a raw HTML context (no Markdown is parsed inside HTML blocks)."""
    return html.escape(str(text), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def value_text(value: float | int | None, unit: str, decimals: int, reason: str | None,
               inline: bool = False) -> str:
    """A formatted value, or n/a with its reason: shown inline, or on hover and to screen readers."""
    if value is None:
        why = esc(reason or "non calculable")
        if inline:
            return f'n/a <small class="obs-why">({why})</small>'
        return (f'<span class="obs-na" title="{why}">n/a</span>'
                f'<span class="obs-sr"> : {why}</span>')
    return esc(number(value, decimals) + unit)


def change_text(change: int | None) -> str:
    if change is None:
        return '<span title="pas de rang à la période précédente">—</span>'
    if change > 0:
        return f'<span class="obs-up" title="{change} place(s) gagnée(s)">▲ {change}</span>'
    if change < 0:
        return f'<span class="obs-down" title="{-change} place(s) perdue(s)">▼ {-change}</span>'
    return '<span title="rang inchangé">=</span>'


def _filters(rows: list[dict[str, Any]], table_id: str) -> list[str]:
    categories = sorted({r["category"] for r in rows if r.get("category")}, key=list(CATEGORIES).index)
    regions = sorted({r["region"] for r in rows if r.get("region")}, key=REGIONS.index)
    selects = [("category", "Catégorie", [(c, CATEGORIES[c]) for c in categories]),
               ("region", "Région", [(r, r) for r in regions])]
    if any("size_class" in r for r in rows):
        selects.append(("size", "Taille du compte", [(c, SIZE_LABELS[c]) for c, *_ in SIZE_CLASSES]))
    out = [f'<form class="obs-filters" data-table="{table_id}" role="search" '
           f'aria-label="Filtrer le classement">']
    for key, label, options in selects:
        out.append(f'<label>{label} <select data-filter="{key}"><option value="">Toutes</option>'
                   + "".join(f'<option value="{esc(v)}">{esc(t)}</option>' for v, t in options)
                   + "</select></label>")
    out.append(f'<output class="obs-count" for="{table_id}" aria-live="polite"></output></form>')
    return ["".join(out)]


def board_table(board: dict[str, Any], link_prefix: str) -> list[str]:
    table_id = f"classement-{board['id']}"
    unit, decimals = board["unit"], board["decimals"]
    head = ("<tr><th scope=\"col\">Rang</th><th scope=\"col\">Évolution</th>"
            "<th scope=\"col\">Établissement</th><th scope=\"col\">Catégorie</th>"
            "<th scope=\"col\">Région</th>"
            + ("<th scope=\"col\">Taille du compte</th>" if "size_class" in (board["rows"] or [{}])[0]
               else "<th scope=\"col\">Réseaux</th>")
            + f"<th scope=\"col\">{esc(board['label'])}</th><th scope=\"col\">Mentions</th></tr>")
    body = []
    for row in board["rows"]:
        mentions = []
        if row.get("few_posts"):
            mentions.append("peu de publications")
        if row.get("dormant"):
            mentions.append("en sommeil (aucune publication en 90 jours)")
        fourth = (esc(SIZE_LABELS.get(row.get("size_class") or "", "—")) if "size_class" in row
                  else esc(", ".join(row.get("platforms", []))))
        value = value_text(row["value"], unit, decimals, row.get("na_reason"))
        sort_value = "" if row["value"] is None else row["value"]
        body.append(
            f'<tr data-category="{esc(row.get("category") or "")}" '
            f'data-region="{esc(row.get("region") or "")}" data-size="{esc(row.get("size_class") or "")}">'
            f'<td data-sort="{row["rank"] if row["rank"] is not None else ""}">'
            f'{row["rank"] if row["rank"] is not None else "—"}</td>'
            f'<td data-sort="{row.get("rank_change") if row.get("rank_change") is not None else ""}">'
            f'{change_text(row.get("rank_change"))}</td>'
            f'<td><a href="{link_prefix}{esc(row["entity"])}/">{esc(row["name"])}</a></td>'
            f'<td>{esc(CATEGORIES.get(row.get("category") or "", "—"))}</td>'
            f'<td>{esc(row.get("region") or "—")}</td><td>{fourth}</td>'
            f'<td data-sort="{sort_value}">{value}</td><td>{esc("; ".join(mentions)) or "—"}</td></tr>')
    return _filters(board["rows"], table_id) + [
        f'<table id="{table_id}" class="obs-board" data-sortable>',
        f"<caption>{esc(_caption(board))}</caption>",
        f"<thead>{head}</thead><tbody>", *body, "</tbody></table>", ""]


def _caption(board: dict[str, Any]) -> str:
    caption = board["label"]
    if board.get("platform_label"):
        caption += f" — {board['platform_label']}"
    if board.get("as_of"):
        caption += f", au {board['as_of']}"
    return caption


def benchmark_list(board: dict[str, Any]) -> list[str]:
    if not board["benchmarks"]:
        return []
    out = ["### Comptes de référence, hors classement", ""]
    for row in board["benchmarks"]:
        value = value_text(row["value"], board["unit"], board["decimals"], row.get("na_reason"))
        out.append(f"- [{md(row['name'])}](../references/{row['entity']}.md) : {value}")
    return out + [""]


def board_markdown(board: dict[str, Any], chart: str = "") -> str:
    title = f"{board['label']} — {board.get('platform_label', 'tous réseaux')}"
    out = ["---", f"title: {esc(title)!r}", "---", "", f"# {md(title)}", ""]
    if board.get("as_of"):
        out += [f"Mesures du {md(date_fr(board['as_of']))}. Rangs parmi les établissements ; les ex æquo "
                "partagent le même rang. Définitions : [méthodologie](../methodologie.md).", ""]
    if not board["rows"]:
        out += ["Aucune mesure n'a encore été collectée pour ce classement.", ""]
    else:
        # Raw HTML links are not rewritten by the renderer: the page lives at classements/<id>/.
        out += [chart] if chart else []  # charts.write_charts: bars of the first rows
        out += board_table(board, "../../etablissements/")
    out += benchmark_list(board)
    return "\n".join(out)


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
    for platform, items in by_platform.items():
        out += [f"## {md(platform)}", ""]
        out += [f"- [{md(b['label'])}]({b['id']}.md) ({len(b['rows'])} comptes)" for b in items]
        out.append("")
    if chart:  # charts.write_charts: establishments with an account on each network, per month
        out += ["## Comptes d'établissements par réseau", "", chart]
    return "\n".join(out)


def measures_section(summary: dict[str, Any] | None,
                     charts: dict[tuple[str, str], list[str]] | None = None) -> list[str]:
    """The 'Dernières mesures' section of an establishment page; `charts`: the chart blocks of
    each (platform, account_id), from charts.write_charts."""
    out = ["## Dernières mesures", ""]
    if not summary or not summary["accounts"]:
        return out + ["Aucune mesure n'a encore été collectée pour les comptes de cette fiche.", ""]
    out.append(f"Mesures du {md(date_fr(summary['as_of']))}. Rangs sur chaque réseau, parmi tous les "
               "établissements puis parmi ceux de la même catégorie.")
    out.append("")
    for account in summary["accounts"]:
        out += [f"### {md(account['platform_label'])} : {md(account['handle'])}", ""]
        notes = []
        if account["few_posts"]:
            notes.append("peu de publications dans la fenêtre de 30 jours : taux fragiles")
        if account["dormant"]:
            notes.append("en sommeil : aucune publication depuis 90 jours")
        if notes:
            out += [f"*{md('; '.join(notes))}*", ""]
        out += ["| Mesure | Valeur | Rang (réseau) | Rang (catégorie) | Évolution |", "|---|---|---|---|---|"]
        for metric, (label, unit, decimals) in METRIC_LABELS.items():
            cell = account["metrics"][metric]
            text = value_text(cell["value"], unit, decimals, cell["na_reason"], inline=True)
            if cell.get("span_days"):
                text += f" (sur {cell['span_days']} jours)"
            rank = account["ranks"].get(metric) if metric in BOARD_METRICS else None
            overall = f"{rank['overall']} / {rank['overall_of']}" if rank and rank["overall"] else "—"
            peers = f"{rank['peers']} / {rank['peers_of']}" if rank and rank["peers"] else "—"
            change = change_text(rank["change"]) if rank else "—"
            out.append(f"| {md(label)} | {text} | {overall} | {peers} | {change} |")
        out.append("")
        out += (charts or {}).get((account["platform"], account["account_id"]), [])
    return out
