"""Bringing FINESS into the registry: match each planned file with an existing one, merge official
fields without touching a maintainer's, and write every file at once or none (docs/finess.md).

Matching: by FINESS number, else by name and commune among the files without a number; two
candidates (or one file claimed twice) make an ambiguity, listed in the report and left alone.
Merging: official fields (name, category, status, place, dates, coordinates, FINESS numbers) follow
FINESS; short name, aliases, accounts, notes, unverified marks, website and the other sources stay.
An official rename keeps the file's id and keeps the former name among the aliases. A closed
establishment is marked with its closing date, never deleted."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from observatory.registry.finess_map import Planned, Selection, norm
from observatory.registry.finess_read import FinessError
from observatory.registry.spec import ESTABLISHMENT
from observatory.registry.validate import canonical_data
from observatory.registry.yamlio import YamlSyntaxError, dump_canonical, parse_located
from observatory.textfmt import slugify

FINESS_PUBLISHER = "Agence du Numérique en Santé (FINESS)"
# Official fields that FINESS sets whenever it gives a value; closed_on also goes when FINESS
# says the establishment is open again.
OFFICIAL = ("name", "category", "ownership", "city", "department", "region", "opened_on", "location")


@dataclass
class Existing:
    id: str
    path: Path
    text: str
    data: dict[str, Any]


@dataclass
class Report:
    date: str | None
    added: list[str] = field(default_factory=list)
    updated: dict[str, list[str]] = field(default_factory=dict)  # id -> fields changed
    closed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        lists = {"ajoutés": self.added, "mis_à_jour": self.updated, "fermés": self.closed,
                 "inchangés": self.unchanged, "ambigus": self.ambiguous, "refusés": self.rejected}
        return {"date_du_fichier": self.date,
                "nombres": {name: len(value) for name, value in lists.items()},
                **lists, "finess_par_catégorie": self.counts}

    def text(self) -> str:
        lines = [f"Fichier FINESS du {self.date or 'date inconnue'} :",
                 f"  ajoutés : {len(self.added)}", f"  mis à jour : {len(self.updated)}",
                 f"  fermés : {len(self.closed)}", f"  inchangés : {len(self.unchanged)}",
                 f"  ambigus (non traités) : {len(self.ambiguous)}",
                 f"  refusés : {len(self.rejected)}"]
        sections = (("Ajoutés", self.added),
                    ("Mis à jour", [f"{i} ({', '.join(f)})" for i, f in self.updated.items()]),
                    ("Fermés", self.closed), ("Ambigus, à trancher à la main", self.ambiguous),
                    ("Refusés", self.rejected))
        for title, items in sections:
            if items:
                lines += ["", f"{title} :"] + [f"  - {item}" for item in items]
        return "\n".join(lines) + "\n"


def read_registry(folder: Path) -> list[Existing]:
    out = []
    for path in sorted(folder.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        try:
            located = parse_located(text)
        except YamlSyntaxError as error:
            raise FinessError(f"{path.name} : fichier du registre illisible ({error}) ; corrigez-le "
                              "avant l'import") from None
        data = located.data if isinstance(located.data, dict) else {}
        out.append(Existing(path.stem, path, text, data))
    return out


class _Index:
    def __init__(self, existing: list[Existing]) -> None:
        self.by_number: dict[str, list[str]] = {}
        self.by_name: dict[tuple[str, str], list[str]] = {}
        for doc in existing:
            finess = doc.data.get("finess") or {}
            numbers = [finess.get("ej"), *(finess.get("et") or [])] if isinstance(finess, dict) else []
            numbers = [n for n in numbers if isinstance(n, str)]
            for number in numbers:
                self.by_number.setdefault(number, []).append(doc.id)
            if not numbers:  # a file with a number is only ever matched by it
                names = [doc.data.get("name"), *(doc.data.get("aliases") or [])]
                for name in {norm(n) for n in names if isinstance(n, str)} - {""}:
                    self.by_name.setdefault((name, norm(doc.data.get("city"))), []).append(doc.id)

    def candidates(self, plan: Planned) -> list[str]:
        finess = plan.official["finess"]
        numbers = [finess.get("ej"), *finess.get("et", [])]
        found = sorted({i for n in numbers if n for i in self.by_number.get(n, [])})
        if found:
            return found
        city = norm(plan.official.get("city"))
        return sorted({i for name in plan.names - {""} for i in self.by_name.get((name, city), [])})


def finess_source(title: str, url: str | None, date: str | None, accessed: str | None) -> dict[str, Any]:
    return {"title": title, "publisher": FINESS_PUBLISHER, "url": url, "published_on": date,
            "accessed_on": accessed,
            "note": "Numéros FINESS, nom officiel, catégorie, statut, commune, dates et coordonnées, "
                    "importés par « observatory finess »."}


def _with_source(sources: list[Any], source: dict[str, Any]) -> list[Any]:
    clean = {k: v for k, v in source.items() if v}
    kept = [s for s in sources if not (isinstance(s, dict) and s.get("publisher") == FINESS_PUBLISHER)]
    return [*kept, clean]


def merge(current: dict[str, Any], plan: Planned, parent_id: str | None,
          source: dict[str, Any], own_id: str) -> tuple[dict[str, Any], list[str]]:
    """The file's new content and the official fields that changed."""
    data = dict(current)
    changed: list[str] = []
    official = plan.official
    for name in OFFICIAL:
        new = official.get(name)
        if new is None or new == data.get(name):
            continue
        if name in {"name", "city"} and norm(new) == norm(data.get(name)):
            continue  # same words: the maintainer's spelling stays
        if name == "name" and isinstance(data.get("name"), str):
            aliases = list(data.get("aliases") or [])
            if data["name"] not in aliases:
                data["aliases"] = [*aliases, data["name"]]
        data[name] = new
        changed.append(name)
    closed = official.get("closed_on")
    if closed and closed != data.get("closed_on"):
        data["closed_on"] = closed
        changed.append("closed_on")
    elif not closed and plan.active and "closed_on" in data:
        del data["closed_on"]  # open again in FINESS
        changed.append("closed_on")
    finess = dict(data.get("finess") or {})
    numbers = official["finess"]
    if numbers.get("ej") and not finess.get("ej"):
        finess["ej"] = numbers["ej"]
    known = list(finess.get("et") or [])
    for et in numbers.get("et", []):
        if et not in known and et != finess.get("ej"):
            known.append(et)
    if known:
        finess["et"] = known
    if finess != (data.get("finess") or {}):
        data["finess"] = finess
        changed.append("finess")
    if parent_id and not data.get("parent") and parent_id != own_id:
        data["parent"] = parent_id
        changed.append("parent")
    data["sources"] = _with_source(list(data.get("sources") or []), source)
    return data, changed


def new_file(plan: Planned, parent_id: str | None, source: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in plan.official.items() if v is not None}
    data["short_name"] = plan.short_name
    if parent_id:
        data["parent"] = parent_id
    data["sources"] = [{k: v for k, v in source.items() if v}]
    return data


def _unique_id(plan: Planned, taken: set[str]) -> str:
    city = plan.official.get("city") or ""
    number = (plan.official["finess"].get("et") or [plan.official["finess"].get("ej")])[0]
    for candidate in (slugify(plan.short_name), slugify(f"{plan.short_name} {city}"),
                      slugify(f"{plan.short_name} {number}")):
        if candidate and candidate not in taken:
            return candidate
    return f"finess-{number}"


@dataclass
class Outcome:
    report: Report
    writes: dict[Path, str]  # path -> new text, for files added or changed


def reconcile(selection: Selection, existing: list[Existing], folder: Path, source: dict[str, Any],
              date: str | None) -> Outcome:
    """What the registry becomes: every planned file matched, merged or created, in memory."""
    report = Report(date, rejected=list(selection.rejected), counts=dict(selection.counts))
    index = _Index(existing)
    by_id = {doc.id: doc for doc in existing}
    taken = set(by_id)
    ids: dict[str, str] = {}  # planned key -> registry id
    claims: dict[str, list[Planned]] = {}
    matches: dict[str, list[str]] = {}
    for plan in selection.planned:
        found = index.candidates(plan)
        matches[plan.key] = found
        if len(found) == 1:
            claims.setdefault(found[0], []).append(plan)
    writes: dict[Path, str] = {}
    for plan in selection.planned:
        found = matches[plan.key]
        label = f"{plan.official['name']} ({plan.key})"
        if len(found) > 1 or (found and len(claims[found[0]]) > 1):
            others = found if len(found) > 1 else [p.key for p in claims[found[0]]]
            report.ambiguous.append(f"{label} : correspond à {', '.join(others)}" if len(found) > 1
                                    else f"{label} : le fichier {found[0]} correspond aussi à "
                                         f"{', '.join(k for k in others if k != plan.key)}")
            continue
        parent_id = ids.get(plan.parent_key) if plan.parent_key else None
        if found:
            doc = by_id[found[0]]
            ids[plan.key] = doc.id
            data, changed = merge(doc.data, plan, parent_id, source, doc.id)
            text = dump_canonical(canonical_data(data, ESTABLISHMENT))
            if text == doc.text:
                report.unchanged.append(doc.id)
                continue
            writes[doc.path] = text
            if "closed_on" in changed and data.get("closed_on"):
                report.closed.append(f"{doc.id} (fermé le {data['closed_on']})")
            else:
                report.updated[doc.id] = changed or ["sources"]
            continue
        if not plan.active:
            continue  # a closed establishment the registry never held: nothing to keep
        entity_id = _unique_id(plan, taken)
        taken.add(entity_id)
        ids[plan.key] = entity_id
        data = new_file(plan, parent_id, source)
        writes[folder / f"{entity_id}.yml"] = dump_canonical(canonical_data(data, ESTABLISHMENT))
        report.added.append(entity_id)
    return Outcome(report, writes)


def write_all(writes: dict[Path, str]) -> None:
    """Every file written, or none: all go to temporary files first, then are renamed."""
    temporaries: list[tuple[Path, Path]] = []
    try:
        for path, text in writes.items():
            temporary = path.with_name(f".{path.name}.finess.tmp")
            temporary.write_text(text, encoding="utf-8")
            temporaries.append((temporary, path))
    except OSError:
        for temporary, _ in temporaries:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, path in temporaries:
        os.replace(temporary, path)
