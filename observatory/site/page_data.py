"""Page data: what each generated page shows, as plain dicts (no Markdown here).

Input: the registry and the archive of published figures. Output: one dict per entity and one
for the directory, which pages.py turns into Markdown."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pandas as pd

from observatory import PROJECT_URL
from observatory.registry.load import Entity, Registry, Source
from observatory.registry.vocab import (
    ACCOUNT_STATUSES,
    BENCHMARK_KINDS,
    CATEGORIES,
    FIGURE_METRICS,
    FIGURE_PLATFORMS,
    PLATFORMS,
    REGIONS,
    VALUE_QUALIFIERS,
)
from observatory.textfmt import date_fr, number, plural, slugify

FIELD_LABELS = {
    "name": "nom", "short_name": "nom court", "aliases": "autres noms", "category": "catégorie",
    "kind": "nature", "parent": "rattachement", "finess": "FINESS", "region": "région",
    "city": "commune", "website": "site internet", "size": "taille", "accounts": "comptes",
    "note": "remarque",
}
PERCENT_METRICS = {"engagement_percent", "performance_index_percent"}
# Networks whose handles readers know as @name.
AT_PLATFORMS = {"twitter", "instagram", "threads", "tiktok"}


def on_own_domain(handle: str, website: str | None) -> bool:
    """A Bluesky handle on the establishment's own domain: Bluesky shows a domain handle only when
    the domain itself names the account (AT Protocol handle resolution), so it is verified."""
    domain = (urlsplit(website).hostname or "").removeprefix("www.") if website else ""
    return bool(domain) and (handle == domain or handle.endswith("." + domain))


def page_path(entity: Entity) -> str:
    """Path of an entity's page, relative to docs/."""
    return f"{'references' if entity.is_benchmark else 'etablissements'}/{entity.id}.md"


NO_REGION = "Région non renseignée"


def region_page_path(region: str | None) -> str:
    """Path of a region's first directory page, relative to docs/ (ASCII: stable, portable URLs)."""
    return f"annuaire/{slugify(region or NO_REGION)}.md"


def edit_url(entity: Entity) -> str:
    return f"{PROJECT_URL}/edit/main/{entity.source_file}"


def source_data(source: Source) -> dict[str, Any]:
    return {"title": source.title, "publisher": source.publisher, "url": source.url,
            "date": date_fr(source.published_on) if source.published_on else None,
            "note": source.note}


def figure_value(row: pd.Series) -> str:
    qualifier = VALUE_QUALIFIERS.get(row["value_qualifier"], "")
    decimals = 0 if float(row["value"]).is_integer() else 1
    value = number(row["value"], decimals) + (" %" if row["metric"] in PERCENT_METRICS else "")
    if row["metric"].startswith("rank_") and row["metric"] != "rank_followers_change":
        value = f"{number(row['value'])}{'er' if row['value'] == 1 else 'e'}"
    return f"{qualifier} {value}".strip()


def figures_data(figures: pd.DataFrame) -> list[dict[str, Any]]:
    if figures.empty:  # most establishments: skip pandas' fixed cost, paid 3,000 times
        return []
    # Chronological, undated figures last.
    rows = figures.assign(_undated=figures["figure_date"] == "").sort_values(
        ["_undated", "figure_date", "platform", "metric"], kind="stable")
    return [{
        "platform": FIGURE_PLATFORMS[r["platform"]],
        "metric": FIGURE_METRICS[r["metric"]],
        "value": figure_value(r),
        "figure_date": date_fr(r["figure_date"]) if r["figure_date"] else "non datée",
        "source_title": r["source_title"], "source_publisher": r["source_publisher"],
        "source_url": r["source_url"] or None,
        "published_on": date_fr(r["published_on"]) if r["published_on"] else None,
        "quote": r["quote"], "note": r["note"] or None,
    } for _, r in rows.iterrows()]


def entity_pages(registry: Registry, figures: pd.DataFrame,
                 summaries: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Every entity's page data; children and figures are grouped once, not scanned per page."""
    children: dict[str, list[Entity]] = {}
    for entity in registry.entities.values():
        if entity.parent:
            children.setdefault(entity.parent, []).append(entity)
    own_figures = dict(iter(figures.groupby("entity", sort=False)))
    none = figures.iloc[0:0]
    return [entity_page(e, registry, own_figures.get(e.id, none), summaries.get(e.id), children.get(e.id, []))
            for e in registry.entities.values()]


def entity_page(entity: Entity, registry: Registry, figures: pd.DataFrame,
                measures: dict[str, Any] | None = None,
                children: list[Entity] | None = None) -> dict[str, Any]:
    """`figures` may hold other entities' figures; `children`: when known (entity_pages)."""
    parent = registry.entities.get(entity.parent) if entity.parent else None
    if children is None:
        children = [e for e in registry.entities.values() if e.parent == entity.id]
    children = sorted(children, key=lambda e: e.name)
    size = None
    if entity.size_year:
        size = {"beds": entity.beds, "staff": entity.staff, "year": entity.size_year,
                "source": source_data(entity.size_source) if entity.size_source else None}
    return {
        "id": entity.id,
        "path": page_path(entity),
        "name": entity.name,
        "short_name": entity.short_name,
        "is_benchmark": entity.is_benchmark,
        "category": CATEGORIES[entity.category] if entity.category else None,
        "kind": BENCHMARK_KINDS[entity.kind] if entity.kind else None,
        "region": entity.region,
        "city": entity.city,
        "website": entity.website,
        "aliases": list(entity.aliases),
        "parent": {"name": parent.name, "path": page_path(parent)} if parent else None,
        "children": [{"name": c.name, "path": page_path(c)} for c in children],
        "finess_ej": entity.finess_ej,
        "finess_et": list(entity.finess_et),
        "size": size,
        "accounts": [{
            "platform": PLATFORMS[a.platform], "handle": a.handle, "url": a.url,
            "status": ACCOUNT_STATUSES[a.status],
            "since": date_fr(a.since) if a.since else None,
            "until": date_fr(a.until) if a.until else None,
            "unverified": a.unverified, "note": a.note,
            "domain_verified": a.platform == "bluesky" and on_own_domain(a.handle, entity.website),
            "sources": [source_data(s) for s in a.sources],
            "previous_handles": [{
                "handle": ("@" if a.platform in AT_PLATFORMS else "") + p.handle,
                "until_year": p.until[:4],
            } for p in a.previous_handles],
        } for a in sorted(entity.accounts, key=lambda a: (a.platform, a.key))],
        "unverified": [FIELD_LABELS.get(f, f) for f in entity.unverified],
        "note": entity.note,
        "figures": figures_data(figures[figures["entity"] == entity.id]) if len(figures) else [],
        "sources": [source_data(s) for s in entity.sources],
        "edit_url": edit_url(entity),
        "measures": measures,
    }


def _attached(count: int) -> str:
    """« (dont 4 sites rattachés à un autre établissement de l'annuaire) »: files that are part of
    another establishment's."""
    if not count:
        return ""
    sites = plural(count, "site rattaché", "sites rattachés")
    return f" (dont {sites} à un autre établissement de l'annuaire)"


def directory_page(registry: Registry, figures: pd.DataFrame) -> dict[str, Any]:
    figure_counts = figures["entity"].value_counts()

    def row(e: Entity) -> dict[str, Any]:
        return {
            "name": e.name, "path": page_path(e),
            "category": CATEGORIES[e.category] if e.category else BENCHMARK_KINDS[e.kind or "autre"],
            "region": e.region, "city": e.city,
            "platforms": sorted({PLATFORMS[a.platform] for a in e.accounts}),
            "figures": int(figure_counts.get(e.id, 0)),
        }

    establishments = sorted(registry.establishments, key=lambda e: e.name.casefold())
    counts = pd.Series([e.category for e in establishments]).value_counts()
    # Sites with a file of their own, attached to another establishment (AP-HP's hospitals): the
    # count says so, as the home page counts each CHU once (issue #16, item 8).
    attached = pd.Series([e.category for e in establishments if e.parent], dtype=object).value_counts()
    by_region: dict[str, list[dict[str, Any]]] = {}
    for e in establishments:
        by_region.setdefault(e.region or "", []).append(row(e))
    order = [r for r in REGIONS if r in by_region] + ([""] if "" in by_region else [])
    return {
        "total": len(establishments),
        "regions": [{"region": r or NO_REGION, "path": region_page_path(r), "rows": by_region[r]}
                    for r in order],
        "benchmarks": [row(e) for e in sorted(registry.benchmarks, key=lambda e: e.name)],
        "by_category": [{"category": CATEGORIES[c] + _attached(int(attached.get(c, 0))),
                         "count": int(counts.get(c, 0))} for c in CATEGORIES if counts.get(c, 0)],
        "figures_total": len(figures),
    }
