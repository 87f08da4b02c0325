"""The registry as plain data: establishments, benchmarks and their accounts, read from data/.

This is the first stage of the pipeline. It refuses to load a registry that does not validate,
so that no later stage ever sees a half-valid file."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from observatory.registry.handles import parse_handle
from observatory.registry.validate import Problem, validate_paths

if TYPE_CHECKING:  # pandas is imported where a frame is built: `validate` and `add` start without it
    import pandas as pd

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


class RegistryError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True)
class Source:
    title: str
    publisher: str | None = None
    url: str | None = None
    published_on: str | None = None
    accessed_on: str | None = None
    quote: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class PreviousHandle:
    """A handle the account used before a rename: shown for the record, never collected."""

    handle: str  # canonical handle
    until: str  # last date a source shows it in use
    note: str | None = None
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True)
class Account:
    entity_id: str
    platform: str
    handle: str  # canonical handle
    key: str  # case-insensitive identity on the platform
    url: str
    status: str
    platform_id: str | None = None
    since: str | None = None
    until: str | None = None
    unverified: bool = False
    note: str | None = None
    sources: tuple[Source, ...] = ()
    previous_handles: tuple[PreviousHandle, ...] = ()


@dataclass(frozen=True)
class Entity:
    """An establishment, or a benchmark account holder (is_benchmark) that is never ranked."""

    id: str
    name: str
    short_name: str
    is_benchmark: bool
    category: str | None  # establishments only
    kind: str | None  # benchmarks only
    region: str | None
    city: str | None
    website: str | None
    aliases: tuple[str, ...] = ()
    parent: str | None = None
    finess_ej: str | None = None
    finess_et: tuple[str, ...] = ()
    beds: int | None = None
    staff: int | None = None
    size_year: int | None = None
    size_source: Source | None = None
    accounts: tuple[Account, ...] = ()
    unverified: tuple[str, ...] = ()
    note: str | None = None
    sources: tuple[Source, ...] = ()
    source_file: str = ""


@dataclass
class Registry:
    entities: dict[str, Entity] = field(default_factory=dict)

    @property
    def establishments(self) -> list[Entity]:
        return [e for e in self.entities.values() if not e.is_benchmark]

    @property
    def benchmarks(self) -> list[Entity]:
        return [e for e in self.entities.values() if e.is_benchmark]

    def accounts(self) -> list[Account]:
        return [a for e in self.entities.values() for a in e.accounts]

    def entities_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [{
            "id": e.id, "name": e.name, "short_name": e.short_name, "is_benchmark": e.is_benchmark,
            "category": e.category, "kind": e.kind, "region": e.region, "city": e.city,
            "beds": e.beds, "parent": e.parent,
        } for e in self.entities.values()]
        return pd.DataFrame(rows).astype({"beds": "Int64"}) if rows else pd.DataFrame()

    def accounts_frame(self) -> pd.DataFrame:
        import pandas as pd

        rows = [{
            "entity_id": a.entity_id, "platform": a.platform, "handle": a.handle, "key": a.key,
            "platform_id": a.platform_id, "status": a.status, "since": a.since, "until": a.until,
            "unverified": a.unverified,
        } for a in self.accounts()]
        return pd.DataFrame(rows)


def _source(data: dict[str, Any]) -> Source:
    return Source(**{k: data.get(k) for k in Source.__dataclass_fields__})


def _account(entity_id: str, data: dict[str, Any]) -> Account:
    handle = parse_handle(data["platform"], data["handle"])
    return Account(
        entity_id=entity_id, platform=data["platform"], handle=handle.handle, key=handle.key,
        url=data.get("url") or handle.url, status=data["status"], platform_id=data.get("id"),
        since=data.get("since"), until=data.get("until"), unverified=bool(data.get("unverified")),
        note=data.get("note"), sources=tuple(_source(s) for s in data.get("sources") or []),
        previous_handles=tuple(PreviousHandle(
            handle=parse_handle(data["platform"], p["handle"]).handle, until=p["until"],
            note=p.get("note"), sources=tuple(_source(s) for s in p.get("sources") or []),
        ) for p in data.get("previous_handles") or []),
    )


def _entity(entity_id: str, data: dict[str, Any], is_benchmark: bool, source_file: str) -> Entity:
    size = data.get("size") or {}
    finess = data.get("finess") or {}
    return Entity(
        id=entity_id, name=data["name"], short_name=data["short_name"], is_benchmark=is_benchmark,
        category=data.get("category"), kind=data.get("kind"), region=data.get("region"),
        city=data.get("city"), website=data.get("website"), aliases=tuple(data.get("aliases") or ()),
        parent=data.get("parent"), finess_ej=finess.get("ej"), finess_et=tuple(finess.get("et") or ()),
        beds=size.get("beds"), staff=size.get("staff"), size_year=size.get("year"),
        size_source=_source(size["source"]) if size.get("source") else None,
        accounts=tuple(_account(entity_id, a) for a in data.get("accounts") or []),
        unverified=tuple(data.get("unverified") or ()), note=data.get("note"),
        sources=tuple(_source(s) for s in data.get("sources") or []), source_file=source_file,
    )


def load_registry(data_dir: Path = DATA_DIR) -> Registry:
    """Read data/establishments and data/benchmarks; raise RegistryError if anything is invalid."""
    root = data_dir.parent
    folders = [data_dir / "establishments", data_dir / "benchmarks"]
    docs, problems = validate_paths([f for f in folders if f.exists()], root, check_format=False,
                                    workers=os.cpu_count() or 1)  # in parallel past 400 files
    if problems:
        raise RegistryError(problems)
    registry = Registry()
    for doc in sorted(docs, key=lambda d: d.id):
        registry.entities[doc.id] = _entity(doc.id, doc.data, doc.folder == "benchmarks",
                                            doc.display)
    return registry
