"""`observatory add`: write a new establishment file that validates, with what is known so far."""

from __future__ import annotations

from pathlib import Path

from observatory.registry.handles import HandleError, parse_handle
from observatory.registry.validate import check_document, format_problem
from observatory.registry.vocab import CATEGORIES, PLATFORMS, REGIONS
from observatory.registry.yamlio import dump_canonical
from observatory.textfmt import slugify

__all__ = ["CATEGORIES", "ScaffoldError", "add_establishment", "slugify"]

class ScaffoldError(ValueError):
    pass


def _account(spec: str) -> dict[str, str]:
    platform, sep, handle = spec.partition(":")
    if not sep or platform not in PLATFORMS:
        raise ScaffoldError(f"compte « {spec} » : forme attendue RÉSEAU:IDENTIFIANT, réseau parmi "
                            f"{', '.join(PLATFORMS)}")
    try:
        parsed = parse_handle(platform, handle)
    except HandleError as error:
        raise ScaffoldError(str(error)) from None
    return {"platform": platform, "handle": parsed.handle, "status": "active"}


def add_establishment(data_dir: Path, *, name: str, category: str, short_name: str | None = None,
                      region: str | None = None, city: str | None = None,
                      accounts: list[str] | None = None, source_title: str = "",
                      source_url: str | None = None, entity_id: str | None = None) -> Path:
    """Create data/establishments/<id>.yml; refuse an id already taken, in either folder."""
    if category not in CATEGORIES:
        raise ScaffoldError(f"catégorie inconnue « {category} » ; valeurs permises : "
                            f"{', '.join(CATEGORIES)}")
    if region is not None and region not in REGIONS:
        raise ScaffoldError(f"région inconnue « {region} » ; valeurs permises : {', '.join(REGIONS)}")
    entity_id = entity_id or slugify(name)
    if not entity_id or slugify(entity_id) != entity_id:
        raise ScaffoldError(f"identifiant invalide « {entity_id} » : minuscules, chiffres et tirets")
    for folder in ("establishments", "benchmarks"):
        existing = data_dir / folder / f"{entity_id}.yml"
        if existing.exists():
            raise ScaffoldError(f"l'identifiant « {entity_id} » existe déjà ({existing.name} dans "
                                f"{folder}/) ; choisissez-en un autre avec --id")
    if not source_title.strip():
        raise ScaffoldError("indiquez la source de ces informations avec --source-title "
                            "(et --source-url) : chaque fiche cite au moins une source")
    source = {"title": source_title, **({"url": source_url} if source_url else {})}
    data = {
        "name": name,
        "short_name": short_name or name,
        "category": category,
        "region": region,
        "city": city,
        "accounts": [_account(a) for a in accounts or []],
        "sources": [source],
    }
    path = data_dir / "establishments" / f"{entity_id}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dump_canonical({k: v for k, v in data.items() if v not in ([], None)})
    path.write_text(text, encoding="utf-8")
    doc = check_document(path, data_dir.parent)
    problems = doc.problems or ([p] if (p := format_problem(doc)) else [])
    if problems:
        path.unlink()
        raise ScaffoldError("la fiche produite ne serait pas valide :\n" +
                            "\n".join(str(p) for p in problems))
    return path
