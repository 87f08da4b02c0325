"""Reading the official FINESS files: the FINESS+ open flux (JSON, Agence du Numérique en Santé)
and the historical Etalab extraction (etalab_cs1100502 / etalab_cs1100507, `;`-separated).

The format is told from the file's first bytes, never from its name. Both give the same plain
records (legal entities and their sites), read one at a time so a national file never sits in
memory as one parsed tree. Any defect stops the reading with a French message naming the line or
the record (FinessError): the caller then writes nothing. docs/finess.md describes both formats."""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

PLUS = "finess+"
ETALAB = "etalab"
CHUNK = 1 << 20

# Columns of a `structureet` record in the Etalab extraction (no header in the file); see
# tests/fixtures/finess/README.md for where this order was read. A 32nd column (numuai) may follow.
STRUCTUREET = ("structureet", "nofinesset", "nofinessej", "rs", "rslongue", "complrs",
               "compldistrib", "numvoie", "typvoie", "voie", "compvoie", "lieuditbp", "commune",
               "departement", "libdepartement", "ligneacheminement", "telephone", "telecopie",
               "categetab", "libcategetab", "categagretab", "libcategagretab", "siret", "codeape",
               "codemft", "libmft", "codesph", "libsph", "dateouv", "dateautor", "datemaj")
COLUMN = {name: i for i, name in enumerate(STRUCTUREET)}


class FinessError(Exception):
    """The file cannot be read as an official FINESS file; the message says where and why."""


@dataclass(frozen=True)
class Site:
    """One FINESS ET (entité géographique)."""

    et: str
    ej: str
    name: str  # official long name
    short: str  # official short name
    category: str  # FINESS category code (TRE_R66)
    sph: str | None  # TRE_R73 code: participation in the public hospital service (ESPIC…)
    opened: str | None
    closed: str | None
    active: bool
    commune: str | None  # official geographic code (COG) of the commune, when given
    department: str | None
    city: str | None  # as FINESS spells it (postal routing line, upper case)
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class LegalEntity:
    """One FINESS EJ (entité juridique); the Etalab extraction of sites does not describe them."""

    ej: str
    name: str
    short: str
    legal_status: str | None  # TRE_R72 code (statut juridique)
    closed: str | None
    active: bool
    department: str | None = None
    city: str | None = None


@dataclass
class FinessData:
    format: str
    date: str | None  # YYYY-MM-DD: generatedAt of FINESS+, the metadata line of Etalab
    entities: dict[str, LegalEntity] = field(default_factory=dict)
    sites: list[Site] = field(default_factory=list)
    records: int = 0  # records read, of every kind and category


def read_finess(path: Path, keep: set[str] | None = None) -> FinessData:
    """Read a FINESS file; only the sites whose category is in `keep` (all when None) are kept."""
    with path.open("rb") as stream:
        head = stream.read(4096)
        stream.seek(0)
        kind = detect(head)
        if kind == PLUS:
            return _read_plus(stream, keep)
        return _read_etalab(stream, keep)


def detect(head: bytes) -> str:
    """The format of a file from its first bytes, or a FinessError listing the known ones."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise FinessError("fichier vide : aucun enregistrement FINESS")
    if b"\x00" in head:
        raise FinessError("encodage non reconnu (octets nuls, sans doute UTF-16) : enregistrez le "
                          "fichier en UTF-8 ou Windows-1252")
    if text[:1] == b"{":
        return PLUS
    first = text.split(b"\n", 1)[0].lower()
    if first.startswith((b"finess;", b"structureet;", b"geolocalisation;")):
        return ETALAB
    shown = first[:60].decode("utf-8", "replace")
    raise FinessError(f"format inconnu (début du fichier : « {shown} ») : attendu le flux FINESS+ "
                      "(JSON commençant par « { ») ou l'extraction Etalab (lignes « finess;… », "
                      "« structureet;… »)")


# -- FINESS+ (JSON) -----------------------------------------------------------------------------


class _JsonStream:
    """The top-level object of a large JSON file, its arrays' items decoded one at a time."""

    def __init__(self, binary: IO[bytes]) -> None:
        self.text = io.TextIOWrapper(binary, encoding="utf-8-sig", errors="strict")
        self.buf = ""
        self.pos = 0
        self.lines_before = 0  # line feeds in the text dropped from the buffer
        self.eof = False
        self.decoder = json.JSONDecoder()

    def line(self, pos: int | None = None) -> int:
        return self.lines_before + self.buf.count("\n", 0, self.pos if pos is None else pos) + 1

    def _more(self) -> bool:
        if self.eof:
            return False
        try:
            chunk = self.text.read(CHUNK)
        except UnicodeDecodeError as error:
            raise FinessError(f"ligne {self.line(len(self.buf))} environ : le fichier n'est pas en "
                              f"UTF-8 (octet {error.object[error.start:error.start + 1]!r}) ; le "
                              "flux FINESS+ est publié en UTF-8") from None
        if not chunk:
            self.eof = True
            return False
        self.lines_before += self.buf.count("\n", 0, self.pos)
        self.buf = self.buf[self.pos:] + chunk
        self.pos = 0
        return True

    def peek(self) -> str:
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                raise FinessError(f"ligne {self.line()} : fichier JSON tronqué (fin inattendue)")

    def expect(self, chars: str) -> str:
        char = self.peek()
        if char not in chars:
            raise FinessError(f"ligne {self.line()} : JSON invalide, « {' ou '.join(chars)} » attendu, "
                              f"« {char} » trouvé")
        self.pos += 1
        return char

    def value(self) -> Any:
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as error:
                if self._more():
                    continue
                what = "fichier JSON tronqué" if error.pos >= len(self.buf) - 1 or \
                    error.msg.startswith("Unterminated") else f"JSON invalide ({error.msg})"
                raise FinessError(f"ligne {self.line(error.pos)} : {what}") from None
            if end >= len(self.buf) and not self.eof and isinstance(value, (int, float)):
                self._more()  # a number cut by the chunk boundary: read it again whole
                continue
            self.pos = end
            return value

    def members(self) -> Iterator[tuple[str, Any]]:
        """(key, value) of the top-level object; an array value is given as an iterator."""
        self.expect("{")
        if self.peek() == "}":
            return
        while True:
            key = self.value()
            if not isinstance(key, str):
                raise FinessError(f"ligne {self.line()} : JSON invalide, nom de champ attendu")
            self.expect(":")
            if self.peek() == "[":
                self.pos += 1
                yield key, self._items()
            else:
                yield key, self.value()
            if self.expect(",}") == "}":
                return

    def _items(self) -> Iterator[Any]:
        if self.peek() == "]":
            self.pos += 1
            return
        while True:
            yield self.value()
            if self.expect(",]") == "]":
                return


def _read_plus(binary: IO[bytes], keep: set[str] | None) -> FinessData:
    stream = _JsonStream(binary)
    data = FinessData(PLUS, None)
    seen_pmej = False
    for key, value in stream.members():
        if key == "generatedAt" and isinstance(value, str):
            data.date = value[:10]
        elif key == "pmej":
            seen_pmej = True
            if not isinstance(value, Iterator):
                raise FinessError(f"ligne {stream.line()} : « pmej » doit être une liste")
            for n, record in enumerate(value, start=1):
                _add_pmej(data, record, n, stream.line, keep)
        elif isinstance(value, Iterator):
            for _ in value:  # gcc, gco: groupings, not establishments
                data.records += 1
    if not seen_pmej:
        raise FinessError("flux FINESS+ sans liste « pmej » (entités juridiques) : ce n'est pas le "
                          "fichier des structures")
    return data


def _text(value: Any) -> str:
    return re.sub(r"\s+", " ", value).strip() if isinstance(value, str) else ""


def _number(record: dict, key: str, where: str) -> str:
    value = _text(record.get(key))
    if not value:
        raise FinessError(f"{where} : enregistrement sans numéro FINESS ({key})")
    return value


def _add_pmej(data: FinessData, record: Any, n: int, line: Callable[[], int],
              keep: set[str] | None) -> None:
    """One legal entity and its sites; `line` (where the reading is) is only asked on an error,
    since counting line feeds for every record would make the reading quadratic."""
    data.records += 1
    if not isinstance(record, dict) or not isinstance(record.get("informationsGeneralesPMEJ"), dict):
        raise FinessError(f"ligne {line()}, entité juridique n° {n} : « informationsGeneralesPMEJ » "
                          "manquant")
    info = record["informationsGeneralesPMEJ"]
    if not _text(info.get("numFinessPm")):
        _number(info, "numFinessPm", f"ligne {line()}, entité juridique n° {n}")
    ej = _text(info["numFinessPm"])
    active = record.get("etatObjet") != "I" and not info.get("dateFermeture")
    address = next((a for a in record.get("adresse") or [] if isinstance(a, dict)), {})
    data.entities[ej] = LegalEntity(
        ej=ej, name=_text(info.get("denominationLonguePmSmsse")) or _text(info.get("denominationPm")),
        short=_text(info.get("denominationPm")), legal_status=_text(info.get("statutJuridique")) or None,
        closed=_text(info.get("dateFermeture")) or None, active=active,
        department=department_of_commune(_text(address.get("cogCommune")) or None),
        city=_city(address.get("ligneAcheminement")))
    for m, ege in enumerate(record.get("ege") or [], start=1):
        data.records += 1
        site = _site_of_ege(ege, ej, f"{n}.{m}", line)
        if keep is None or site.category in keep:
            data.sites.append(site)


def _site_of_ege(ege: Any, ej: str, n: str, line: Callable[[], int]) -> Site:
    if not isinstance(ege, dict) or not isinstance(ege.get("informationsGeneralesEGE"), dict):
        raise FinessError(f"ligne {line()}, site n° {n} : « informationsGeneralesEGE » manquant")
    info = ege["informationsGeneralesEGE"]
    if not _text(info.get("numFinessEge")):
        _number(info, "numFinessEge", f"ligne {line()}, site n° {n} (entité juridique {ej})")
    et = _text(info["numFinessEge"])
    address = next((a for a in ege.get("adresse") or [] if isinstance(a, dict)), {})
    geo = address.get("coordonneesGeographique") or {}
    commune = _text(address.get("cogCommune")) or None
    sph = info.get("espic") or []
    return Site(
        et=et, ej=ej, name=_text(info.get("nomEgeLong")) or _text(info.get("nomEgeCourt")),
        short=_text(info.get("nomEgeCourt")), category=_text(ege.get("categorieentiteGeographiqueExercice")),
        sph=_text(sph[0]) if sph else None, opened=_text(info.get("dateOuverture")) or None,
        closed=_text(info.get("dateFermeture")) or None,
        active=ege.get("etatObjet") != "I" and not info.get("dateFermeture"),
        commune=commune, department=department_of_commune(commune),
        city=_city(address.get("ligneAcheminement")),
        latitude=_float(geo.get("directionLatitude"), 90),
        longitude=_float(geo.get("directionLongitude"), 180))


def _float(value: Any, bound: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return round(number, 6) if math.isfinite(number) and abs(number) <= bound else None


def _city(line: Any) -> str | None:
    """The commune of a postal routing line: no postcode, no CEDEX."""
    text = _text(line)
    text = re.sub(r"^\d{5}\s+", "", text)
    text = re.sub(r"\s+CEDEX(\s+\d+)?$", "", text, flags=re.IGNORECASE)
    return text or None


def department_of_commune(code: str | None) -> str | None:
    """Département of an official commune code: 2 characters, 3 overseas (97x, 98x)."""
    if not code or len(code) != 5:
        return None
    return code[:3] if code[:2] in {"97", "98"} else code[:2]


# -- Etalab extraction (`;`-separated) ----------------------------------------------------------

# Overseas départements are coded 9A-9F in the extraction; their name is read instead.
OVERSEAS_NAMES = {"GUADELOUPE": "971", "MARTINIQUE": "972", "GUYANE": "973", "LA REUNION": "974",
                  "REUNION": "974", "SAINT PIERRE ET MIQUELON": "975", "MAYOTTE": "976"}


def _decode_line(raw: bytes, number: int) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")  # older extractions: Windows-1252 (Latin-1 and more)
    except UnicodeDecodeError as error:
        byte = raw[error.start:error.start + 1]
        raise FinessError(f"ligne {number} : encodage non reconnu (octet {byte!r}), ni UTF-8 ni "
                          "Windows-1252") from None


def _read_etalab(binary: IO[bytes], keep: set[str] | None) -> FinessData:
    data = FinessData(ETALAB, None)
    rows: list[list[str]] = []
    geo: dict[str, tuple[float, float]] = {}
    for number, raw in enumerate(binary, start=1):
        line = _decode_line(raw.rstrip(b"\r\n"), number)
        if number == 1:
            line = line.lstrip("\ufeff")
        if not line.strip():
            continue
        cells = line.split(";")
        kind = cells[0].strip().lower()
        if kind == "finess" and number == 1:
            date = cells[3].strip() if len(cells) > 3 else ""
            data.date = date[:10] if re.fullmatch(r"\d{4}-\d{2}-\d{2}.*", date) else None
            continue
        data.records += 1
        if kind == "structureet":
            row = _structureet(cells, number)
            if keep is None or row[COLUMN["categetab"]] in keep:
                rows.append(row)
        elif kind == "geolocalisation":
            if len(cells) < 4 or not cells[1].strip():
                raise FinessError(f"ligne {number} : enregistrement geolocalisation sans numéro FINESS")
            if point := _lambert_point(cells):
                geo[cells[1].strip()] = point
    data.sites = [_site_of_row(row, geo.get(row[COLUMN["nofinesset"]])) for row in rows]
    return data


def _structureet(cells: list[str], number: int) -> list[str]:
    if len(cells) < len(STRUCTUREET):
        raise FinessError(f"ligne {number} : enregistrement structureet incomplet ({len(cells)} champs, "
                          f"{len(STRUCTUREET)} attendus) ; fichier tronqué ?")
    row = [cell.strip() for cell in cells]
    for column in ("nofinesset", "nofinessej"):
        if not row[COLUMN[column]]:
            raise FinessError(f"ligne {number} : enregistrement sans numéro FINESS ({column})")
    return row


def _lambert_point(cells: list[str]) -> tuple[float, float] | None:
    """(latitude, longitude) of a geolocalisation record in Lambert 93 (mainland); other
    projections (overseas) are left out rather than converted approximately."""
    if not any(cell.strip().upper() == "LAMBERT_93" for cell in cells[4:]):
        return None
    try:
        x, y = float(cells[2]), float(cells[3])
    except ValueError:
        return None
    return lambert93_to_wgs84(x, y)


def _site_of_row(row: list[str], point: tuple[float, float] | None) -> Site:
    def cell(name: str) -> str:
        return re.sub(r"\s+", " ", row[COLUMN[name]]).strip()

    department = OVERSEAS_NAMES.get(cell("libdepartement").upper()) or cell("departement") or None
    if department and len(department) == 1:
        department = "0" + department
    commune = cell("commune")
    code = department + commune if department and len(department) == 2 and len(commune) == 3 else None
    return Site(et=cell("nofinesset"), ej=cell("nofinessej"), name=cell("rslongue") or cell("rs"),
                short=cell("rs"), category=cell("categetab"), sph=cell("codesph") or None,
                opened=cell("dateouv") or None, closed=None, active=True, commune=code,
                department=department, city=_city(cell("ligneacheminement")),
                latitude=point[0] if point else None, longitude=point[1] if point else None)


# Lambert 93 (EPSG:2154) on the GRS80 ellipsoid, inverted in closed form (IGN, NTG_71).
_A, _E = 6378137.0, 0.0818191910428158
_LON0, _PHI0, _PHI1, _PHI2 = (math.radians(d) for d in (3.0, 46.5, 49.0, 44.0))
_X0, _Y0 = 700000.0, 6600000.0


def _m(phi: float) -> float:
    return math.cos(phi) / math.sqrt(1 - (_E * math.sin(phi)) ** 2)


def _t(phi: float) -> float:
    s = _E * math.sin(phi)
    return math.tan(math.pi / 4 - phi / 2) / ((1 - s) / (1 + s)) ** (_E / 2)


_N = (math.log(_m(_PHI1)) - math.log(_m(_PHI2))) / (math.log(_t(_PHI1)) - math.log(_t(_PHI2)))
_F = _m(_PHI1) / (_N * _t(_PHI1) ** _N)
_RHO0 = _A * _F * _t(_PHI0) ** _N


def lambert93_to_wgs84(x: float, y: float) -> tuple[float, float]:
    """(latitude, longitude) in degrees, 6 decimals (about 10 cm)."""
    dx, dy = x - _X0, _RHO0 - (y - _Y0)
    rho = math.copysign(math.hypot(dx, dy), _N)
    t = (rho / (_A * _F)) ** (1 / _N)
    lon = math.atan2(dx, dy) / _N + _LON0
    phi = math.pi / 2 - 2 * math.atan(t)
    for _ in range(10):
        s = _E * math.sin(phi)
        phi = math.pi / 2 - 2 * math.atan(t * ((1 - s) / (1 + s)) ** (_E / 2))
    return round(math.degrees(phi), 6), round(math.degrees(lon), 6)
