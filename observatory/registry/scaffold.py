"""`observatory add`: write a new establishment file with what is known so far, the fields still to
fill marked « # À compléter » (validate refuses the file while a mark remains)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observatory.registry.handles import HandleError, parse_handle
from observatory.registry.validate import TODO_MARK, check_document, format_problem
from observatory.registry.vocab import CATEGORIES, PLATFORMS, REGIONS
from observatory.registry.yamlio import dump_canonical
from observatory.textfmt import slugify

__all__ = ["CATEGORIES", "AddedFile", "ScaffoldError", "add_establishment", "slugify"]

# Fields a full record has, what to write in each; a group may have no region (national group).
TO_COMPLETE = {
    "region": "l'une des 18 régions, écrite comme dans la liste (Bretagne, Île-de-France…)",
    "city": "commune du siège",
    "accounts": "comptes sur les réseaux sociaux (platform, handle, status, sources)",
    "url": "adresse de la source, si elle en a une",
}
_PLACEHOLDER = "a-completer-{}"  # stands for an empty field in the dump, then becomes the marked line


class ScaffoldError(ValueError):
    pass


@dataclass
class AddedFile:
    path: Path
    to_complete: list[tuple[str, int]] = field(default_factory=list)  # (field, line) of each mark


def _account(spec: str, source: dict[str, str]) -> dict[str, Any]:
    platform, sep, handle = spec.partition(":")
    if not sep or platform not in PLATFORMS:
        raise ScaffoldError(f"compte « {spec} » : forme attendue RÉSEAU:IDENTIFIANT, réseau parmi "
                            f"{', '.join(PLATFORMS)}")
    try:
        parsed = parse_handle(platform, handle)
    except HandleError as error:
        raise ScaffoldError(str(error)) from None
    # A copy for each account: one shared dict would be written as a YAML anchor and alias.
    return {"platform": platform, "handle": parsed.handle, "status": "active", "sources": [dict(source)]}


def _source(title: str | None, url: str | None) -> dict[str, str]:
    return {"title": title or "", **({"url": url} if url else {})}


def _check_input(data_dir: Path, entity_id: str, category: str, region: str | None,
                 source_title: str) -> None:
    if category not in CATEGORIES:
        raise ScaffoldError(f"catégorie inconnue « {category} » ; valeurs permises : "
                            f"{', '.join(CATEGORIES)}")
    if region is not None and region not in REGIONS:
        raise ScaffoldError(f"région inconnue « {region} » ; valeurs permises : {', '.join(REGIONS)}")
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


def _marked(text: str) -> tuple[str, list[tuple[str, int]]]:
    """Each placeholder line turned into an empty field with its « # À compléter » comment."""
    lines, marks = text.splitlines(), []
    for number, line in enumerate(lines, start=1):
        for name, hint in TO_COMPLETE.items():
            placeholder = _PLACEHOLDER.format(name)
            if line.endswith(f": {placeholder}"):
                lines[number - 1] = line.replace(f" {placeholder}", f"  {TODO_MARK} : {hint}")
                marks.append(("sources[1].url" if name == "url" else name, number))
    return "\n".join(lines) + "\n", marks


def add_establishment(data_dir: Path, *, name: str, category: str, short_name: str | None = None,
                      region: str | None = None, city: str | None = None,
                      accounts: list[str] | None = None, account_source_title: str | None = None,
                      account_source_url: str | None = None, source_title: str = "",
                      source_url: str | None = None, entity_id: str | None = None) -> AddedFile:
    """Create data/establishments/<id>.yml; refuse an id already taken (in either folder) and an
    account without the source that establishes it."""
    entity_id = entity_id or slugify(name)
    _check_input(data_dir, entity_id, category, region, source_title)
    account_source = _source(account_source_title, account_source_url)
    written = [_account(a, account_source) for a in accounts or []]
    if written and not (account_source_title or "").strip():
        raise ScaffoldError("indiquez la source qui établit ces comptes avec --account-source (et "
                            "--account-source-url) : un compte sans source n'est pas enregistré ; si la "
                            "source de la fiche les cite, répétez-la")
    data = {
        "name": name,
        "short_name": short_name or name,
        "category": category,
        "region": region,
        "city": city,
        "accounts": written,
        "sources": [_source(source_title, source_url)],
    }
    path = data_dir / "establishments" / f"{entity_id}.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_canonical({k: v for k, v in data.items() if v not in ([], None)}), encoding="utf-8")
    doc = check_document(path, data_dir.parent)
    problems = doc.problems or ([p] if (p := format_problem(doc)) else [])
    if problems:
        path.unlink()
        raise ScaffoldError("la fiche produite ne serait pas valide :\n" +
                            "\n".join(str(p) for p in problems))
    # The file as known is valid; now show, in place, what a full record still needs.
    todo = {"city", "accounts"} | ({"region"} if category != "groupe" else set())
    for key in todo:
        data[key] = data[key] or _PLACEHOLDER.format(key)
    if not source_url:
        data["sources"][0]["url"] = _PLACEHOLDER.format("url")
    text, marks = _marked(dump_canonical({k: v for k, v in data.items() if v not in ([], None)}))
    path.write_text(text, encoding="utf-8")
    return AddedFile(path, marks)
