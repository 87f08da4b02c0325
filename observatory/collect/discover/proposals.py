"""What discovery found, and its proposals written into the registry files of a working copy.

Every change goes through the registry's own validation and canonical form; a file that would
not validate is left as it was. An account a maintainer entered is never overwritten: a
different account on the same platform is reported as a conflict, and only an account that
Wikidata alone had proposed can be confirmed by the establishment's site."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from observatory.registry.handles import Handle, HandleError, parse_handle
from observatory.registry.spec import ESTABLISHMENT
from observatory.registry.validate import canonical_data, validate_paths
from observatory.registry.yamlio import dump_canonical
from observatory.textfmt import plural

WIKIDATA_ITEM = "https://www.wikidata.org/wiki/"
OUTCOMES = {
    "new": "nouveau",
    "confirmed": "confirmé par le site",
    "known": "déjà connu",
    "conflict": "conflit",
    "rejected": "écarté",
}


@dataclass
class Finding:
    platform: str  # a platform code, or "website"
    value: str  # canonical handle (or as found, when it could not be read)
    outcome: str  # a key of OUTCOMES
    where: str = ""  # the page or Wikidata item it was read on
    reason: str = ""
    did: str | None = None


@dataclass
class EntityReport:
    entity: str
    pages: list[str] = field(default_factory=list)
    error: str | None = None  # nothing was read or written for this establishment
    findings: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class Report:
    kind: str  # "websites" or "wikidata"
    date: str
    entities: list[EntityReport] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    error: str | None = None  # the whole run failed (registry invalid, query refused)

    def counts(self) -> dict[str, int]:
        found = [f for e in self.entities for f in e.findings]
        counts = {key: sum(1 for f in found if f.outcome == key) for key in OUTCOMES}
        return {"found": len(found), **counts, "errors": sum(1 for e in self.entities if e.error)}

    def lines(self) -> list[str]:
        out: list[str] = []
        for entity in self.entities:
            if entity.error:
                out.append(f"{entity.entity} : {entity.error} ; rien n'est écrit pour cet établissement")
                continue
            read = f" ({', '.join(entity.pages)})" if entity.pages else ""
            out.append(f"{entity.entity} :{read}" if entity.findings or entity.notes else
                       f"{entity.entity} : aucun compte trouvé{read}")
            for finding in entity.findings:
                label = "site internet" if finding.platform == "website" else finding.platform
                reason = f" : {finding.reason}" if finding.reason else ""
                out.append(f"  {OUTCOMES[finding.outcome]} : {label} {finding.value}{reason}")
            out += [f"  {note}" for note in entity.notes]
        out += self.notes
        c = self.counts()
        out.append(f"Bilan : {plural(c['found'], 'trouvé')}, {plural(c['new'], 'nouveau')}, "
                   f"{plural(c['confirmed'], 'confirmé')}, "
                   f"{plural(c['known'], 'déjà connu', 'déjà connus')}, "
                   f"{plural(c['conflict'], 'conflit')}, {plural(c['rejected'], 'écarté')}, "
                   f"{plural(c['errors'], 'établissement en erreur', 'établissements en erreur')}.")
        return out

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "counts": self.counts()}, ensure_ascii=False, indent=2)


class RegistryFiles:
    """The establishment files of a data folder, read once, changed in memory, written back."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        folders = [p for p in (data_dir / "establishments", data_dir / "benchmarks") if p.is_dir()]
        docs, self.problems = validate_paths(folders, data_dir.parent, check_format=False)
        self.docs = {d.id: d for d in docs if d.folder == "establishments"}
        self.benchmark_keys: set[tuple[str, str]] = set()
        self.holders: dict[tuple[str, str], str] = {}
        for doc in docs:
            for account in doc.data.get("accounts") or []:
                try:
                    handle = parse_handle(account["platform"], str(account["handle"]))
                except (HandleError, KeyError):
                    continue
                self.holders[(handle.platform, handle.key)] = doc.id
                if doc.folder == "benchmarks":
                    self.benchmark_keys.add((handle.platform, handle.key))
        self.changed: set[str] = set()

    def propose_account(self, entity: str, handle: Handle, source: dict[str, Any], *,
                        unverified: bool, did: str | None = None) -> Finding:
        """Add the account to the establishment's file unless it is known or conflicts."""
        where = str(source.get("url", ""))
        finding = Finding(handle.platform, handle.handle, "new", where, did=did)
        holder = self.holders.get((handle.platform, handle.key))
        accounts: list[dict[str, Any]] = self.docs[entity].data.setdefault("accounts", [])
        if holder and holder != entity:
            return _set(finding, "conflict", f"ce compte figure déjà dans la fiche « {holder} »")
        if holder == entity:
            return self._known(entity, handle, accounts, source, unverified, finding)
        same_platform = [a for a in accounts if a.get("platform") == handle.platform]
        if same_platform:
            others = ", ".join(str(a.get("handle")) for a in same_platform)
            return _set(finding, "conflict", f"la fiche a déjà un compte {handle.platform} ({others}) ; "
                                             "rien n'est modifié, à trancher par un mainteneur")
        account: dict[str, Any] = {"platform": handle.platform, "handle": handle.handle, "status": "active",
                                   "sources": [source]}
        if did:
            account["id"] = did
        if unverified:
            account["unverified"] = True
        accounts.append(account)
        self.holders[(handle.platform, handle.key)] = entity
        self.changed.add(entity)
        return finding

    def _known(self, entity: str, handle: Handle, accounts: list[dict[str, Any]], source: dict[str, Any],
               unverified: bool, finding: Finding) -> Finding:
        for account in accounts:
            try:
                same = parse_handle(account["platform"], str(account["handle"])).key == handle.key
            except (HandleError, KeyError):
                same = False
            if not same or account.get("platform") != handle.platform:
                continue
            # Only an account Wikidata alone proposed is confirmed; a maintainer's entry is left as is.
            sources = account.get("sources") or []
            from_wikidata = bool(sources) and all(str(s.get("url", "")).startswith(WIKIDATA_ITEM)
                                                  for s in sources)
            if account.get("unverified") and not unverified and from_wikidata:
                account.pop("unverified")
                account["sources"] = [*sources, source]
                if finding.did and not account.get("id"):
                    account["id"] = finding.did
                self.changed.add(entity)
                return _set(finding, "confirmed", "proposé par Wikidata, confirmé par le site de "
                                                  "l'établissement")
        return _set(finding, "known")

    def propose_website(self, entity: str, url: str, source: dict[str, Any]) -> Finding:
        """A website from Wikidata, written (as unverified) only where the file has none."""
        data = self.docs[entity].data
        finding = Finding("website", url, "new", str(source.get("url", "")))
        current = data.get("website")
        if current:
            if _same_site(current, url):
                return _set(finding, "known")
            return _set(finding, "conflict", f"la fiche indique {current} ; rien n'est modifié")
        if not url.startswith("https://"):
            return _set(finding, "rejected", "adresse sans https:// : le registre n'accepte que des "
                                             "adresses https://, à vérifier à la main")
        data["website"] = url
        data["unverified"] = sorted({*(data.get("unverified") or []), "website"})
        data["sources"] = [*(data.get("sources") or []), source]
        self.changed.add(entity)
        return finding

    def write(self, entity: str, report: EntityReport, dry_run: bool = False) -> None:
        """Write one changed file in canonical form; undo it and mark its new findings rejected
        when the registry's validation refuses the result."""
        if entity not in self.changed:
            return
        self.changed.discard(entity)
        doc = self.docs[entity]
        text = dump_canonical(canonical_data(doc.data, ESTABLISHMENT))
        if dry_run:
            return
        doc.path.write_text(text, encoding="utf-8")
        _, problems = validate_paths([doc.path], self.data_dir.parent, check_format=True)
        if problems:
            doc.path.write_text(doc.text, encoding="utf-8")
            why = "; ".join(p.message.split("\n")[0] for p in problems[:3])
            for finding in report.findings:
                if finding.outcome in {"new", "confirmed"}:
                    _set(finding, "rejected", f"la fiche ainsi modifiée ne serait pas valide ({why})")


def start(kind: str, data_dir: Path, today: date | None) -> tuple[Report, RegistryFiles | None]:
    """A discovery's report and the registry files it proposes into; no files (and the report
    says why) when the registry does not validate: nothing is proposed into invalid files."""
    report = Report(kind, (today or date.today()).isoformat())
    files = RegistryFiles(data_dir)
    if files.problems:
        report.error = "le registre n'est pas valide ; lancer « observatory validate » d'abord"
        return report, None
    return report, files


def _set(finding: Finding, outcome: str, reason: str = "") -> Finding:
    finding.outcome = outcome
    finding.reason = reason
    return finding


def _same_site(a: str, b: str) -> bool:
    def norm(url: str) -> str:
        return url.lower().split("://", 1)[-1].removeprefix("www.").rstrip("/")
    return norm(a) == norm(b)


def write_report(report: Report, path: Path | None) -> None:
    if path is not None:
        path.write_text(report.to_json() + "\n", encoding="utf-8")

