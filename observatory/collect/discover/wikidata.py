"""`observatory discover wikidata`: one SPARQL query to the Wikidata query service for the
items that carry a FINESS number, with their website, social-account properties and number of
beds; the items whose FINESS number is in the registry feed proposals (accounts marked
unverified, websites where the file has none).

Property numbers, checked against Wikidata's property data (an extract with its provenance in
tests/fixtures/wikidata/properties.json; table in docs/contribuer.md):
P4058 FINESS number, P856 official website, P2002 X username, P2013 Facebook ID,
P2003 Instagram username, P2397 YouTube channel ID, P4264 LinkedIn company or organisation ID,
P4033 Mastodon address, P12361 Bluesky handle, P7085 TikTok username, P6801 number of
hospital beds."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from observatory.collect.discover.proposals import (
    WIKIDATA_ITEM,
    EntityReport,
    Finding,
    RegistryFiles,
    Report,
    start,
)
from observatory.collect.http import Http, HttpError
from observatory.registry.handles import HandleError, parse_handle
from observatory.textfmt import plural

ENDPOINT = "https://query.wikidata.org/sparql"
FINESS = "P4058"
WEBSITE = "P856"
BEDS = "P6801"
# SPARQL variable -> (property, platform, how a value becomes what parse_handle reads)
ACCOUNTS: dict[str, tuple[str, str, str]] = {
    "twitter": ("P2002", "twitter", "{}"),
    "facebook": ("P2013", "facebook", "{}"),
    "instagram": ("P2003", "instagram", "{}"),
    "youtube": ("P2397", "youtube", "{}"),
    "linkedin": ("P4264", "linkedin", "company/{}"),
    "mastodon": ("P4033", "mastodon", "{}"),
    "bluesky": ("P12361", "bluesky", "{}"),
    "tiktok": ("P7085", "tiktok", "{}"),
}


def query() -> str:
    """Items with a FINESS number and at least one of the wanted properties."""
    optionals = "\n".join(f"  OPTIONAL {{ ?item wdt:{prop} ?{var} . }}"
                          for var, (prop, _, _) in [("website", (WEBSITE, "", "")), *ACCOUNTS.items(),
                                                    ("beds", (BEDS, "", ""))])
    bound = " || ".join(f"BOUND(?{var})" for var in ["website", *ACCOUNTS, "beds"])
    variables = " ".join(f"?{v}" for v in ["item", "finess", "website", *ACCOUNTS, "beds"])
    return (f"SELECT {variables} WHERE {{\n  ?item wdt:{FINESS} ?finess .\n{optionals}\n"
            f"  FILTER({bound})\n}}")


@dataclass
class Item:
    """One Wikidata item, its values gathered from the rows of the answer (one row per
    combination of values, as SPARQL joins them)."""

    id: str
    finess: set[str] = field(default_factory=set)
    values: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @property
    def url(self) -> str:
        return WIKIDATA_ITEM + self.id


class AnswerError(ValueError):
    """The query service answered, but not in the W3C SPARQL 1.1 JSON results format."""


def read_results(data: Any) -> list[Item]:
    """Items from a W3C SPARQL JSON answer: {"head": {"vars"}, "results": {"bindings": [...]}}."""
    try:
        bindings = data["results"]["bindings"]
        assert isinstance(bindings, list) and isinstance(data["head"]["vars"], list)
    except (KeyError, TypeError, AssertionError):
        raise AnswerError("réponse du service de requête Wikidata illisible (format des résultats "
                          "SPARQL en JSON attendu)") from None
    items: dict[str, Item] = {}
    for row in bindings:
        if not isinstance(row, dict):
            continue
        value = {k: str(v.get("value", "")) for k, v in row.items() if isinstance(v, dict)}
        qid = value.get("item", "").rsplit("/", 1)[-1]
        if not qid.startswith("Q") or not value.get("finess"):
            continue
        item = items.setdefault(qid, Item(qid))
        item.finess.add(value["finess"].strip())
        for var in ["website", *ACCOUNTS, "beds"]:
            if value.get(var):
                item.values[var].add(value[var].strip())
    return list(items.values())


def _source(item: Item, day: str, prop: str) -> dict[str, Any]:
    return {"title": f"Wikidata, élément {item.id}", "publisher": "Wikidata", "url": item.url,
            "accessed_on": day,
            "note": f"Propriété {prop} de l'élément, relevée par « observatory discover wikidata » ; "
                    "non vérifié tant que le site de l'établissement ne le confirme pas."}


def discover_wikidata(data_dir: Path, http: Http, *, endpoint: str | None = None, today: date | None = None,
                      dry_run: bool = False) -> Report:
    report, files = start("wikidata", data_dir, today)
    if files is None:
        return report
    day = report.date
    try:
        answer = http.get_json(endpoint or ENDPOINT, params={"query": query(), "format": "json"},
                               headers={"Accept": "application/sparql-results+json"}, tag="wikidata")
        items = read_results(answer)
    except (HttpError, AnswerError) as error:
        report.error = f"requête Wikidata impossible : {error}"
        return report
    by_finess: dict[str, set[str]] = defaultdict(set)
    for entity, doc in files.docs.items():
        finess = doc.data.get("finess") or {}
        for number in [finess.get("ej"), *(finess.get("et") or [])]:
            if number:
                by_finess[str(number)].add(entity)
    unmatched = 0
    for item in sorted(items, key=lambda i: int(i.id[1:]) if i.id[1:].isdigit() else 0):
        entities = set().union(*(by_finess.get(n, set()) for n in item.finess))
        if not entities:
            unmatched += 1
            continue
        if len(entities) > 1:
            report.notes.append(f"{item.url} : ses numéros FINESS désignent plusieurs fiches "
                                f"({', '.join(sorted(entities))}) ; rien n'est proposé")
            continue
        entity = entities.pop()
        report.entities.append(_propose(files, entity, item, day))
        files.write(entity, report.entities[-1], dry_run=dry_run)
    found = plural(len(items), "élément Wikidata", "éléments Wikidata")
    report.notes.append(f"{found} avec numéro FINESS et au moins une propriété recherchée ; "
                        f"{unmatched} sans fiche dans le registre (non traités).")
    return report


def _propose(files: RegistryFiles, entity: str, item: Item, day: str) -> EntityReport:
    entry = EntityReport(entity, pages=[item.url])
    for website in sorted(item.values.get("website", ())):
        entry.findings.append(files.propose_website(entity, website, _source(item, day, WEBSITE)))
    for var, (prop, platform, template) in ACCOUNTS.items():
        for value in sorted(item.values.get(var, ())):
            try:
                handle = parse_handle(platform, template.format(value))
            except HandleError as error:
                entry.findings.append(Finding(platform, value, "rejected", item.url, str(error)))
                continue
            entry.findings.append(files.propose_account(entity, handle, _source(item, day, prop),
                                                        unverified=True))
    for beds in sorted(item.values.get("beds", ())):
        entry.notes.append(f"lits et places selon Wikidata : {beds} (non écrit : la taille exige l'année "
                           "et une source relue)")
    return entry
