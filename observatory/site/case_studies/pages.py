"""Case studies, written: each study's page, the indexes by theme and network, and the sector pages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from observatory import PROJECT_URL
from observatory.registry.load import Registry
from observatory.registry.vocab import PLATFORMS, REGIONS, SECTORS, THEMES
from observatory.site import leaderboard_pages, page_data
from observatory.site.case_studies.directives import Context, Segment, entity_link, expand
from observatory.site.case_studies.prose import Page, render_prose
from observatory.site.case_studies.read import (
    PAGES_DIR,
    SECTORS_DIR,
    SOURCES_DIR,
    CaseStudyError,
    Study,
    load_studies,
)
from observatory.site.pages import source_text, write_if_changed
from observatory.site.search_terms import hidden_terms
from observatory.textfmt import date_fr, front_matter_text, md


def _front(title: str, description: str) -> str:
    # As pages._front_matter: themes print these unescaped in <title> and <meta>.
    def scalar(text: str) -> str:
        return json.dumps(front_matter_text(text), ensure_ascii=False)

    return f"---\ntitle: {scalar(title)}\ndescription: {scalar(description)}\n---\n\n"


def _sorted(studies: list[Study]) -> list[Study]:
    """Most recent events first (a period by its end), then by title; studies whose events are
    not dated come last, most recently written first."""
    by_title = sorted(studies, key=lambda s: s.title.casefold())
    return sorted(by_title, key=lambda s: (bool(s.events_date), s.events_date.split("/")[-1], s.date),
                  reverse=True)


def events_date_fr(text: str) -> str:
    """« 3 décembre 2024 », « 2016 », « de mars à mai 2020 », « d'octobre 2013 à décembre 2014 »,
    « de 2012 à 2013 » (a study's events_date, read.events_date_problem)."""
    if "/" not in text:
        return date_fr(text)
    start, end = (date_fr(part) for part in text.split("/"))
    if len(text) == 15 and text[:4] == text[8:12]:  # months of one year: « de mars à mai 2020 »
        start = start.split()[0]
    return ("d'" if start[0] in "aeiou" else "de ") + f"{start} à {end}"  # « d'octobre », « d'avril »


def study_when(study: Study) -> str:
    """What a list of studies says of each one's date: that of its events; only when its sources
    do not date them, the date it was written, said as such."""
    return events_date_fr(study.events_date) if study.events_date else f"rédigée le {date_fr(study.date)}"


def _source_line(source: dict[str, Any]) -> str:
    published = source.get("published_on")
    return "- " + source_text({"title": source["title"], "url": source.get("url"),
                               "publisher": source.get("publisher"),
                               "date": date_fr(published) if published else None,
                               "note": source.get("note")})


def body_markdown(segments: list[Segment]) -> list[str]:
    """The study's body for its page: blocks from the data as they are, prose rendered and cleaned."""
    page = Page(PAGES_DIR)
    return [line for trusted, lines in segments
            for line in (lines if trusted else render_prose(lines, page))]


def study_markdown(study: Study, segments: list[Segment], registry: Registry) -> str:
    entities = [registry.entities[e] for e in study.establishments]
    body = body_markdown(segments)
    # The folded words of the whole study (search_terms), hidden at the end of its summary.
    words = hidden_terms([study.title, study.summary, *(line for _, line in study.body)])
    out = [_front(study.title, study.summary), f"# {md(study.title)}", "",
           f"*{md(study.summary)}*{words}", "",
           *([f"- **{'Période' if '/' in study.events_date else 'Date'} des faits :** "
              f"{md(events_date_fr(study.events_date))}"] if study.events_date else []),
           f"- **Publiée le** {md(date_fr(study.date))}",
           "- **Établissements :** " + ", ".join(entity_link(e) for e in entities),
           "- **Secteur :** " + ", ".join(f"[{md(SECTORS[s])}](../{SECTORS_DIR}/{s}.md)"
                                          for s in study.sectors),
           "- **Réseaux :** " + ", ".join(f"[{md(PLATFORMS[n])}](reseaux.md#{n})" for n in study.networks),
           "- **Thèmes :** " + ", ".join(f"[{md(THEMES[t])}](themes.md#{t})" for t in study.themes), "",
           '!!! info "Les chiffres de cette page"',
           "    Les chiffres publiés sont cités tels que leur source les a donnés, avec cette source. Les "
           "mesures de l'observatoire sont recalculées à chaque mise à jour du site à partir des relevés "
           "de la collecte ; tant qu'aucun relevé n'existe, la page l'indique.", "",
           *body, "", "## Sources", "", *[_source_line(s) for s in study.sources], "",
           f"[Proposer une correction]({PROJECT_URL}/edit/main/data/{SOURCES_DIR}/{study.slug}.md)"
           "{ .md-button }", ""]
    return "\n".join(out)


def _study_item(study: Study, prefix: str = "") -> str:
    return f"- [{md(study.title)}]({prefix}{study.slug}.md) ({md(study_when(study))}) : {md(study.summary)}"


def index_markdown(studies: list[Study]) -> str:
    out = [_front("Études de cas", "Comment les établissements de santé utilisent chaque réseau, "
                                   "et pourquoi"),
           "# Études de cas", "",
           "Chaque étude raconte comment un établissement de santé utilise un réseau social, et pourquoi, "
           "à partir d'articles publiés que la page cite. Elle montre à côté les chiffres archivés de "
           "l'époque et, dès qu'ils sont collectés, les chiffres d'aujourd'hui.", "",
           f"Parcourir : [par thème](themes.md) · [par réseau](reseaux.md) · "
           f"[par secteur](../{SECTORS_DIR}/index.md). Pour en écrire une : "
           "[Écrire une étude de cas](../contribuer.md#ecrire-une-etude-de-cas).", ""]
    if not studies:
        return "\n".join(out + ["Aucune étude de cas n'a encore été écrite.", ""])
    out += ["| Étude | Secteur | Réseaux | Thèmes |", "|---|---|---|---|"]
    for study in _sorted(studies):
        out.append(
            f"| [{md(study.title)}]({study.slug}.md) <br>*{md(study_when(study))}* | "
            + ", ".join(f"[{md(SECTORS[s])}](../{SECTORS_DIR}/{s}.md)" for s in study.sectors) + " | "
            + ", ".join(f"[{md(PLATFORMS[n])}](reseaux.md#{n})" for n in study.networks) + " | "
            + ", ".join(f"[{md(THEMES[t])}](themes.md#{t})" for t in study.themes) + " |")
    return "\n".join(out + [""])


def grouped_markdown(studies: list[Study], title: str, intro: str, groups: dict[str, str],
                     key: Callable[[Study], list[str]], keep_empty: bool) -> str:
    out = [_front(title, title), f"# {md(title)}", "", intro, ""]
    for code, label in groups.items():
        members = [s for s in _sorted(studies) if code in key(s)]
        if not members and not keep_empty:
            continue
        # Explicit ids: the same anchors under MkDocs and Zensical, whatever their slugify.
        out += [f"## {md(label)} {{ #{code} }}", ""]
        out += [_study_item(s) for s in members] or ["Aucune étude pour l'instant."]
        out.append("")
    return "\n".join(out)


MAX_LISTED = 200  # more establishments than this in a sector: listed by region, not one by one


def sector_board(audience: dict[str, Any], sector: str) -> dict[str, Any]:
    """The audience leaderboard restricted to one sector, ranked within it."""
    rows = [dict(r) for r in audience["rows"] if r.get("category") == sector]
    ranks = pd.Series([r["value"] for r in rows], dtype="Float64").rank(method="min", ascending=False)
    for row, rank in zip(rows, ranks, strict=True):
        row["rank"] = None if pd.isna(rank) else int(rank)
    rows.sort(key=lambda r: (r["rank"] is None, r["rank"] or 0, r["name"].casefold()))
    return {**audience, "id": f"audience-{sector}", "platform_label": SECTORS[sector], "rows": rows,
            "benchmarks": []}


def sector_markdown(sector: str, studies: list[Study], registry: Registry, audience: dict[str, Any]) -> str:
    label = SECTORS[sector]
    members = sorted((e for e in registry.establishments if e.category == sector),
                     key=lambda e: e.name.casefold())
    out = [_front(label, f"{label} : classement d'audience et études de cas"), f"# {md(label)}", "",
           f"L'annuaire suit **{len(members)} établissement{'s' if len(members) > 1 else ''}** de ce "
           "secteur. [Tous les secteurs](index.md) · [Annuaire](../etablissements/index.md)."
           + hidden_terms([label, "établissements secteur"]), "",
           "## Classement : audience tous réseaux", "",
           "Somme des derniers abonnés de chaque établissement du secteur sur ses comptes suivis ; rangs "
           "au sein du secteur. Les classements par réseau et par mesure sont sur la page "
           "[Classements](../classements/index.md).", ""]
    board = sector_board(audience, sector)
    if board["rows"]:
        # Raw HTML links are not rewritten by the renderer: the page lives at secteurs/<code>/.
        # The top only: a sector holds up to a thousand establishments at national scale.
        top = board["rows"][:leaderboard_pages.ROWS_PER_PAGE]
        note = (f" — les {len(top)} premiers sur {len(board['rows'])}" if len(top) < len(board["rows"])
                else "")
        out += leaderboard_pages.board_table(board, "../../etablissements/", rows=top, caption_note=note,
                                             dropped=frozenset({"category"}))  # one category here
        if len(top) < len(board["rows"]):
            out += [f"Ce tableau montre les {len(top)} premiers des {len(board['rows'])} établissements "
                    "du secteur. Le classement complet est la page "
                    "[Audience tous réseaux](../classements/audience.md), où le filtre « Catégorie » "
                    "retient ce secteur.", ""]
    else:
        out += ['!!! info "Pas encore de mesures"',
                "    La collecte n'a encore enregistré aucun relevé pour les établissements de ce secteur : "
                "le classement apparaîtra après sa première exécution.", ""]
    chosen = [s for s in _sorted(studies) if sector in s.sectors]
    out += ["## Études de cas", ""]
    out += [_study_item(s, f"../{PAGES_DIR}/") for s in chosen] or ["Aucune étude de cas pour ce secteur "
                                                                   "pour l'instant."]
    out += ["", "## Établissements du secteur", ""]
    if len(members) > MAX_LISTED:  # by region, each linked to the directory page of the region
        out += ["Par région (la page de chaque région de l'annuaire indique le secteur de chaque "
                "établissement) :", ""]
        counts = pd.Series([e.region or "" for e in members]).value_counts()
        out += [f"- [{md(region)}](../{page_data.region_page_path(region)}) : {counts[region]} établissement"
                + ("s" if counts[region] > 1 else "") for region in REGIONS if region in counts]
        if "" in counts:
            out.append(f"- [{md(page_data.NO_REGION)}](../{page_data.region_page_path(None)}) : {counts['']}")
        return "\n".join(out + [""])
    out += [f"- {entity_link(e)}" + (f" ({md(e.region)})" if e.region else "") for e in members] or [
        "Aucun établissement de ce secteur n'est encore dans l'annuaire."]
    return "\n".join(out + [""])


def sectors_index_markdown(studies: list[Study], registry: Registry) -> str:
    out = [_front("Secteurs", "Les établissements de santé par secteur : classements et études de cas"),
           "# Secteurs", "",
           "Chaque secteur a sa page : le classement d'audience de ses établissements, ses études de cas "
           "et la liste de ses établissements.", "",
           "| Secteur | Établissements suivis | Études de cas |", "|---|---|---|"]
    for code, label in SECTORS.items():
        count = sum(1 for e in registry.establishments if e.category == code)
        out.append(f"| [{md(label)}]({code}.md) | {count} | {sum(code in s.sectors for s in studies)} |")
    return "\n".join(out + [""])


def _write_folder(folder: Path, wanted: dict[Path, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stale in set(folder.rglob("*.md")) - set(wanted):
        stale.unlink()
    for path, text in wanted.items():
        write_if_changed(path, text)


def write_studies(root: Path, registry: Registry, figures: pd.DataFrame, summaries: dict[str, dict[str, Any]],
                  audience: dict[str, Any], charts: dict[tuple[str, str], list[str]] | None = None
                  ) -> list[Study]:
    """Check and expand every study, then write the study, index and sector pages under docs/.

    `charts`: the chart blocks of each account, as drawn for establishment pages (same depth).
    Raises CaseStudyError, with every problem of every study, before writing anything."""
    studies, problems = load_studies(root, registry)
    ctx = Context(root, registry, figures, summaries, charts or {})
    bodies = {s.slug: expand(s, ctx, problems) for s in studies}
    if problems:
        raise CaseStudyError(sorted(problems))
    docs = root / "docs"
    pages = {docs / s.path: study_markdown(s, bodies[s.slug], registry) for s in studies}
    pages[docs / PAGES_DIR / "index.md"] = index_markdown(studies)
    pages[docs / PAGES_DIR / "themes.md"] = grouped_markdown(
        studies, "Études de cas par thème", "Les études de cas classées par thème ; une étude peut en "
        "aborder plusieurs. [Toutes les études](index.md).", THEMES, lambda s: s.themes, True)
    pages[docs / PAGES_DIR / "reseaux.md"] = grouped_markdown(
        studies, "Études de cas par réseau", "Les études de cas classées par réseau social ; seuls les "
        "réseaux qu'une étude aborde sont listés. [Toutes les études](index.md).", PLATFORMS,
        lambda s: s.networks, False)
    _write_folder(docs / PAGES_DIR, pages)
    sectors = {docs / SECTORS_DIR / f"{code}.md": sector_markdown(code, studies, registry, audience)
               for code in SECTORS}
    sectors[docs / SECTORS_DIR / "index.md"] = sectors_index_markdown(studies, registry)
    _write_folder(docs / SECTORS_DIR, sectors)
    return studies


def attach(entity_pages: list[dict[str, Any]], studies: list[Study]) -> None:
    """Give each entity page the studies that name it (pages.py lists them)."""
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for study in _sorted(studies):
        for entity_id in study.establishments:
            by_entity.setdefault(entity_id, []).append(
                {"slug": study.slug, "title": study.title, "when": study_when(study)})
    for page in entity_pages:
        page["case_studies"] = by_entity.get(page["id"], [])
