"""From FINESS records to registry records: which categories are hospitals, the registry category
and public/private status of each, readable names, and the registry file each legal entity and
site becomes. The tables here are the ones docs/finess.md shows (a test keeps them equal)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from observatory.registry.finess import finess_problem
from observatory.registry.finess_read import FinessData, LegalEntity, Site
from observatory.registry.vocab import DEPARTMENT_REGION, DEPARTMENTS

BY_OWNERSHIP = "selon le statut"

# FINESS establishment categories (TRE_R66, labels as the ANS publishes them) kept as hospitals,
# with the registry category each becomes.
INCLUDED: dict[str, tuple[str, str]] = {
    "101": ("Centre hospitalier régional (CHR)", "chu-chr"),
    "355": ("Centre hospitalier non dénommé ailleurs (CH)", "ch"),
    "106": ("Centre hospitalier, ex Hôpital local", "ch"),
    "292": ("Centre hospitalier spécialisé dans la lutte contre les maladies mentales (CHS)", "ch"),
    "131": ("Centre de lutte contre le cancer (CLCC)", "clcc"),
    "114": ("Hôpital des Armées", "autre"),
    "365": ("Etablissement de soins pluridisciplinaire", BY_OWNERSHIP),
    "128": ("Établissement de soins chirurgicaux", BY_OWNERSHIP),
    "129": ("Établissement de soins médicaux", BY_OWNERSHIP),
    "122": ("Établissement de soins obstétriques et chirurgico-gynécologiques", BY_OWNERSHIP),
    "109": ("Etablissement de santé privé autorisé en SSR", BY_OWNERSHIP),
    "161": ("Maison de santé pour maladies mentales", BY_OWNERSHIP),
    "127": ("Hospitalisation à domicile", "autre"),
}
# Sanitary categories left out: places of care a reader does not call a hospital or a clinic.
EXCLUDED: dict[str, str] = {
    "115": "Etablissement de soins du service de santé des Armées",
    "141": "Centre de dialyse",
    "146": "Structure d'alternative à la dialyse en centre",
    "156": "Centre médico-psychologique (CMP)",
    "362": "Etablissement de soins longue durée (SLD)",
    "366": "Atelier thérapeutique",
    "412": "Appartement thérapeutique",
    "415": "Service médico-psychologique régional (SMPR)",
    "422": "Traitements spécialisés à domicile",
    "425": "Centre d'accueil thérapeutique à temps partiel (CATTP)",
    "426": "Syndicat Inter Hospitalier (SIH)",
    "430": "Centre de postcure pour malades mentaux",
    "433": "Etablissement sanitaire des prisons",
    "444": "Centre Crise ou d'accueil Permanent",
    "695": "Groupement de coopération sanitaire de moyens - Exploitant",
    "696": "Groupement de coopération sanitaire de moyens",
    "697": "Groupement de coopération sanitaire - Etablissement de santé",
    "698": "Autre établissement soumis aux dispositions de la loi hospitalière",
    "699": "Entité Ayant Autorisation",
}
CATEGORY_BY_OWNERSHIP = {"public": "ch", "espic": "espic", "prive-non-lucratif": "clinique-privee",
                         "prive-commercial": "clinique-privee", None: "autre"}
# TRE_R73 (participation in the public hospital service) codes that settle the status alone.
SPH_OWNERSHIP = {"1": "public", "6": "espic", "7": "prive-non-lucratif"}
# The registry category an establishment of several sites takes: the first its sites have.
PRIORITY = ("chu-chr", "clcc", "ch", "espic", "clinique-privee", "autre")


def ownership(site: Site, entity: LegalEntity | None) -> str | None:
    """public / espic / prive-non-lucratif / prive-commercial, or None when FINESS does not say."""
    if site.sph in SPH_OWNERSHIP:
        return SPH_OWNERSHIP[site.sph]
    status = entity.legal_status if entity else None
    if not status or not status.isdigit():
        return None
    # TRE_R72 statut juridique: 01-29 public bodies, 40-66 private non-profit bodies (social
    # security, mutuals, associations, foundations, congregations), 70 and above companies.
    code = int(status)
    return "public" if code < 40 else "prive-non-lucratif" if code < 70 else "prive-commercial"


def registry_category(code: str, owner: str | None) -> str | None:
    """The registry category of a FINESS category, None when it is not a hospital category."""
    if code not in INCLUDED:
        return None
    rule = INCLUDED[code][1]
    return CATEGORY_BY_OWNERSHIP[owner] if rule == BY_OWNERSHIP else rule


# -- readable names -----------------------------------------------------------------------------

SMALL_WORDS = {"a", "à", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les",
               "sur", "sous", "lès", "lez"}
ACRONYMS = {"ch", "chu", "chr", "chru", "chs", "chi", "clcc", "had", "ssr", "smur", "ehpad", "ght",
            "gcs", "usld", "ap", "hp", "hm", "aphp", "aphm", "hcl", "mgen", "ugecam", "crf", "cmc",
            "ii", "iii", "iv", "ssa", "ea"}


def readable(name: str) -> str:
    """An upper-case FINESS name as a reader writes it: « CH DE LA ROCHELLE » -> « CH de la Rochelle »."""
    words = re.split(r"(\s+|-|')", name.strip())
    out: list[str] = []
    for i, word in enumerate(words):
        low = word.lower()
        if not word.strip() or word in {"-", "'"}:
            out.append(word)
        elif low in ACRONYMS:
            out.append(word.upper())
        elif i > 0 and low in SMALL_WORDS:
            out.append(low)
        elif any(ch.isdigit() for ch in word):
            out.append(word)
        else:
            out.append(low[:1].upper() + low[1:])
    return "".join(out)[:200]


def short_name(long: str, short: str) -> str:
    """The official short name made readable, unless FINESS cut it mid-word (then the long one)."""
    last = short.split()[-1] if short.split() else ""
    cut = not short or (last not in long.split() and long.startswith(short.rstrip()))
    return readable(long if cut else short)


def norm(text: str | None) -> str:
    """Names and communes compared without case, accents, hyphens or apostrophes."""
    if not text:
        return ""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    ascii_text = re.sub(r"\bst\b", "saint", re.sub(r"\bste\b", "sainte", ascii_text))
    return " ".join(re.findall(r"[a-z0-9]+", ascii_text))


# -- planned files ------------------------------------------------------------------------------


@dataclass
class Planned:
    """What one registry file should hold according to FINESS."""

    key: str  # "EJ 010000156" or "ET 010780195"
    official: dict[str, Any]  # official fields, registry names
    short_name: str
    active: bool
    parent_key: str | None = None
    names: set[str] = field(default_factory=set)  # normalised names it may be known by


def _date(value: str | None) -> str | None:
    return value if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None


def _place(department: str | None, city: str | None) -> dict[str, Any]:
    place: dict[str, Any] = {"city": readable(city) if city else None}
    if department in DEPARTMENTS:
        place["department"] = department
        place["region"] = DEPARTMENT_REGION.get(department)
    return place


def _site_file(site: Site, entity: LegalEntity | None, numbers: dict[str, Any],
               parent_key: str | None) -> Planned:
    owner = ownership(site, entity)
    closed = None if site.active else _date(site.closed) or _date(entity.closed if entity else None)
    official = {"name": site.name, "category": registry_category(site.category, owner),
                "ownership": owner, "finess": numbers, **_place(site.department, site.city),
                "opened_on": _date(site.opened),
                "closed_on": closed}
    if site.latitude is not None and site.longitude is not None:
        official["location"] = {"latitude": site.latitude, "longitude": site.longitude}
    return Planned(key=f"ET {site.et}", official=official, short_name=short_name(site.name, site.short),
                   active=site.active, parent_key=parent_key, names={norm(site.name), norm(site.short)})


def _entity_file(entity: LegalEntity, sites: list[Site], categories: list[str | None]) -> Planned:
    owners = [ownership(s, entity) for s in sites]
    category = next((c for c in PRIORITY if c in categories), "autre")
    active = entity.active and any(s.active for s in sites)
    official = {"name": entity.name, "category": category,
                "ownership": owners[0] if len(set(owners)) == 1 else None,
                "finess": {"ej": entity.ej}, **_place(entity.department, entity.city),
                "closed_on": None if active else _date(entity.closed) or max(
                    (s.closed for s in sites if s.closed), default=None)}
    return Planned(key=f"EJ {entity.ej}", official=official,
                   short_name=short_name(entity.name, entity.short), active=active,
                   names={norm(entity.name), norm(entity.short)})


@dataclass
class Selection:
    planned: list[Planned]
    rejected: list[str]  # records refused, with the reason
    counts: dict[str, int]  # open FINESS sites kept, by registry category


def select(data: FinessData) -> Selection:
    """The registry files the hospitals of a FINESS file make: a legal entity with one open hospital
    site is one file; with several, one file for it and one per site (parent: the entity)."""
    groups: dict[str, list[Site]] = {}
    rejected: list[str] = []
    for site in data.sites:
        if site.category not in INCLUDED:
            continue
        problems = [p for n in (site.et, site.ej) if (p := finess_problem(n))]
        if problems:
            rejected.append(f"{site.name or site.et} : {problems[0]}")
            continue
        groups.setdefault(site.ej, []).append(site)
    planned: list[Planned] = []
    counts: dict[str, int] = {}
    for ej, sites in groups.items():
        entity = data.entities.get(ej)
        categories = [registry_category(s.category, ownership(s, entity)) for s in sites]
        for site, category in zip(sites, categories, strict=True):
            if site.active and category:
                counts[category] = counts.get(category, 0) + 1
        live = [s for s in sites if s.active]
        if len(live) <= 1:
            # One open site (or none): the establishment is one file; a closed site of the same
            # entity only ever updates a file the registry already holds.
            main = live[0] if live else sites[0]
            planned.append(_site_file(main, entity, {"ej": ej, "et": [main.et]}, None))
            planned += [_site_file(s, entity, {"et": [s.et]}, None) for s in sites if s is not main]
        elif entity is None:  # the Etalab extraction of sites does not describe legal entities
            planned += [_site_file(s, None, {"et": [s.et]}, None) for s in sites]
        else:
            parent = _entity_file(entity, sites, categories)
            planned.append(parent)
            planned += [_site_file(s, entity, {"et": [s.et]}, parent.key) for s in sites]
    return Selection(planned, rejected, dict(sorted(counts.items())))
