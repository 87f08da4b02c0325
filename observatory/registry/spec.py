"""The registry's file format, declared once: validation, canonical key order, the JSON Schema
and the data dictionary in CONTRIBUTING.md are all derived from these specs."""

from __future__ import annotations

from dataclasses import dataclass, field

from observatory.registry.untrusted import SCHEMA_MULTI_LINE, SCHEMA_ONE_LINE
from observatory.registry.vocab import (
    ACCOUNT_STATUSES,
    BENCHMARK_KINDS,
    CATEGORIES,
    DEPARTMENTS,
    OWNERSHIPS,
    PLATFORMS,
    REGIONS,
)

# Kinds of value: str, text (multi-line allowed), int, year, bool, date (YYYY, YYYY-MM or
# YYYY-MM-DD), https (an https:// link), link (a cited address: http:// tolerated because a
# citation keeps the address that was read), finess, slug, latitude, longitude (decimal degrees),
# enum, list, object.

# Longest text of each kind, in characters (docs/contribuer.md): no value makes a page, a message or
# the renderer grow without bound. A name or title fits 200; a note tells a fact in a paragraph.
MAX_LENGTH = {"str": 200, "text": 2000, "https": 2000, "link": 2000}


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    doc: str
    required: bool = False
    choices: tuple[str, ...] = ()
    item: Field | None = None  # for lists
    spec: tuple[Field, ...] = field(default=())  # for objects

    @property
    def max_length(self) -> int | None:
        return MAX_LENGTH.get(self.kind)


def _source_fields() -> tuple[Field, ...]:
    return (
        Field("title", "str", "Titre de la source (article, page, rapport)", required=True),
        Field("publisher", "str", "Éditeur ou auteur"),
        Field("url", "link", "Adresse de la source telle qu'elle a été lue"),
        Field("published_on", "date", "Date de publication (AAAA, AAAA-MM ou AAAA-MM-JJ)"),
        Field("accessed_on", "date", "Date de consultation"),
        Field("quote", "str", "Citation littérale et courte de la source, qui établit l'information "
                              "(l'identifiant d'un compte, par exemple)"),
        Field("note", "text", "Précision sur ce que la source établit"),
    )


SOURCE = _source_fields()
SOURCES = Field("sources", "list", "Sources qui établissent les informations du fichier",
                item=Field("source", "object", "Une source", spec=SOURCE))

# A handle the account used before it was renamed: kept for the record and shown on the page; the
# collector follows only the current handle.
PREVIOUS_HANDLE = (
    Field("handle", "str", "Ancien identifiant du compte, selon les règles de son réseau", required=True),
    Field("until", "date", "Dernière date à laquelle une source montre cet ancien identifiant en usage",
          required=True),
    Field("note", "text", "Remarque"),
    SOURCES,
)

ACCOUNT = (
    Field("platform", "enum", "Réseau social", required=True, choices=tuple(PLATFORMS)),
    Field("handle", "str", "Identifiant du compte : @nom, nom@instance ou adresse du profil",
          required=True),
    Field("previous_handles", "list", "Anciens identifiants du même compte, avant un changement de nom",
          item=Field("previous_handle", "object", "Un ancien identifiant", spec=PREVIOUS_HANDLE)),
    Field("id", "str", "Identifiant stable attribué par la plateforme : numérique (X, Facebook, "
                       "Instagram, Mastodon, PeerTube…), UC… pour une chaîne YouTube, did:plc:… ou "
                       "did:web:… pour Bluesky"),
    Field("url", "https", "Adresse du profil, si elle diffère de celle déduite de l'identifiant"),
    Field("status", "enum", "État du compte", required=True, choices=tuple(ACCOUNT_STATUSES)),
    Field("since", "date", "Date d'ouverture du compte"),
    Field("until", "date", "Date de fermeture ou d'abandon du compte"),
    Field("unverified", "bool", "true si le compte n'a pas pu être confirmé par une source"),
    Field("note", "text", "Remarque"),
    SOURCES,
)

FINESS = (
    Field("ej", "finess", "Numéro FINESS de l'entité juridique (un au plus)"),
    Field("et", "list", "Numéros FINESS des établissements (sites géographiques)",
          item=Field("et", "finess", "Numéro FINESS d'un site")),
)

SIZE = (
    Field("beds", "int", "Nombre de lits et places"),
    Field("staff", "int", "Effectif (personnes)"),
    Field("year", "year", "Année à laquelle se rapportent ces chiffres", required=True),
    Field("source", "object", "Source de ces chiffres", required=True, spec=SOURCE),
)

LOCATION = (
    Field("latitude", "latitude", "Latitude en degrés décimaux (WGS 84)", required=True),
    Field("longitude", "longitude", "Longitude en degrés décimaux (WGS 84)", required=True),
)

_ACCOUNTS = Field("accounts", "list", "Comptes sur les réseaux sociaux",
                  item=Field("account", "object", "Un compte", spec=ACCOUNT))
_UNVERIFIED = Field("unverified", "list", "Champs dont la valeur n'a pas pu être confirmée",
                    item=Field("unverified", "str", "Nom d'un champ"))

ESTABLISHMENT = (
    Field("name", "str", "Nom officiel", required=True),
    Field("short_name", "str", "Nom court, tel qu'affiché dans les classements", required=True),
    Field("aliases", "list", "Autres noms, dont les anciens", item=Field("alias", "str", "Nom")),
    Field("category", "enum", "Catégorie d'établissement", required=True, choices=tuple(CATEGORIES)),
    Field("parent", "slug", "Identifiant de l'établissement ou du groupe dont il fait partie"),
    Field("finess", "object", "Numéros FINESS connus", spec=FINESS),
    Field("region", "enum", "Région (absente pour un groupe national)", choices=REGIONS),
    Field("city", "str", "Commune du siège"),
    Field("department", "enum", "Département (code officiel : 01 à 95, 2A, 2B, 971 à 976, ou "
                                "collectivité d'outre-mer)", choices=DEPARTMENTS),
    Field("ownership", "enum", "Statut : public, privé d'intérêt collectif (ESPIC), privé non "
                               "lucratif ou privé commercial", choices=tuple(OWNERSHIPS)),
    Field("opened_on", "date", "Date d'ouverture"),
    Field("closed_on", "date", "Date de fermeture ; un établissement fermé garde sa fiche"),
    Field("location", "object", "Coordonnées géographiques", spec=LOCATION),
    Field("website", "https", "Site internet"),
    Field("size", "object", "Taille de l'établissement", spec=SIZE),
    _ACCOUNTS,
    _UNVERIFIED,
    Field("note", "text", "Remarque"),
    Field("sources", "list", "Sources qui établissent les informations du fichier", required=True,
          item=Field("source", "object", "Une source", spec=SOURCE)),
)

BENCHMARK = (
    Field("name", "str", "Nom", required=True),
    Field("short_name", "str", "Nom court", required=True),
    Field("kind", "enum", "Nature du compte de référence", required=True,
          choices=tuple(BENCHMARK_KINDS)),
    Field("website", "https", "Site internet"),
    _ACCOUNTS,
    _UNVERIFIED,
    Field("note", "text", "Pourquoi ce compte sert de référence"),
    Field("sources", "list", "Sources", required=True,
          item=Field("source", "object", "Une source", spec=SOURCE)),
)

# Written for the JSON Schema (ECMA-262: `$` is the end of the text); Python code matches them with
# re.fullmatch, since Python's `$` also matches before a final line feed ("2020-01-01\n").
DATE_PATTERN = r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
FINESS_PATTERN = r"^([0-9]{2}|2A|2B)0[0-9]{6}$"
# A host with a dot, then nothing or a path, query or fragment; never a space or a control character.
HTTPS_PATTERN = r"^https://[^\s/?#]+\.[^\s/?#]+([/?#][^\s]*)?$"
LINK_PATTERN = r"^https?://[^\s/?#]+\.[^\s/?#]+([/?#][^\s]*)?$"


def _schema_of(f: Field) -> dict:
    kinds = {
        "str": {"type": "string", "minLength": 1, "pattern": SCHEMA_ONE_LINE},
        "text": {"type": "string", "minLength": 1, "pattern": SCHEMA_MULTI_LINE},
        "int": {"type": "integer", "minimum": 1},
        "year": {"type": "integer", "minimum": 1900, "maximum": 2100},
        "bool": {"type": "boolean"},
        "date": {"type": "string", "pattern": DATE_PATTERN},
        "https": {"type": "string", "pattern": HTTPS_PATTERN},
        "link": {"type": "string", "pattern": LINK_PATTERN},
        "finess": {"type": "string", "pattern": FINESS_PATTERN},
        "slug": {"type": "string", "pattern": SLUG_PATTERN},
        "latitude": {"type": "number", "minimum": -90, "maximum": 90},
        "longitude": {"type": "number", "minimum": -180, "maximum": 180},
    }
    if f.kind == "enum":
        schema: dict = {"enum": list(f.choices)}
    elif f.kind == "list":
        assert f.item is not None
        schema = {"type": "array", "items": _schema_of(f.item)}
    elif f.kind == "object":
        schema = object_schema(f.spec)
    else:
        schema = dict(kinds[f.kind])
    if f.max_length:
        schema["maxLength"] = f.max_length
    schema["description"] = f.doc
    return schema


def object_schema(spec: tuple[Field, ...]) -> dict:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [f.name for f in spec if f.required],
        "properties": {f.name: _schema_of(f) for f in spec},
    }


def json_schema(spec: tuple[Field, ...], title: str) -> dict:
    """JSON Schema (draft 2020-12) of a registry file, for editors and other tools."""
    schema = object_schema(spec)
    schema["properties"]["sources"]["minItems"] = 1
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, **schema}
