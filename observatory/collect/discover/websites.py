"""`observatory discover websites`: each establishment's home page (and its contact page when
the home page links to one), read politely, and the social profiles it declares.

Politeness: the observatory names itself in the User-Agent (collect.http.USER_AGENT), reads
robots.txt first and obeys it, and sends at most one request per second to a host (the HTTP
layer's per-host spacing). A redirect is followed only within the site; a site that sends the
reader elsewhere, refuses it, times out or answers something that is not a page is reported,
and nothing is written for that establishment."""

from __future__ import annotations

import re
import urllib.robotparser
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

from observatory.collect.discover import judge
from observatory.collect.discover.links import ParsedPage, Profile, contact_page, parse_page, profile_of
from observatory.collect.discover.proposals import EntityReport, Finding, Report, start
from observatory.collect.http import USER_AGENT, Http, HttpError, NotFound, Unauthorized
from observatory.registry.handles import DID, Handle, HandleError, parse_handle

MAX_REDIRECTS = 3
ZONE_REASONS = {
    "article": "lien dans le corps d'un article, pas dans un bloc de profils",
    "body": "lien hors de l'en-tête, du pied de page et des blocs « suivez-nous »",
}


def polite_http(**options: Any) -> Http:
    """The HTTP layer as discovery uses it: one request per second and per host, few retries
    (a site that fails is tried again next month), pages of 5 MB at most."""
    settings: dict[str, Any] = dict(min_interval=1.0, timeout=(10.0, 20.0), retries=1, deadline=60.0,
                                    max_body=5_000_000, max_workers=1, per_host=1)
    settings.update(options)
    return Http(**settings)


class SiteError(Exception):
    """The site could not be read as it should be: the message says why, in French."""


@dataclass
class Reader:
    """Fetches pages of one run. `hosts` maps a site's host to the address it is really read
    from (tests serve every site from 127.0.0.1); addresses shown and cited stay the site's."""

    http: Http
    hosts: Mapping[str, str]

    def __post_init__(self) -> None:
        self._robots: dict[str, urllib.robotparser.RobotFileParser] = {}

    def _actual(self, url: str) -> str:
        parts = urlsplit(url)
        base = self.hosts.get(parts.netloc)
        if not base:
            return url
        target = urlsplit(base)
        return urlunsplit((target.scheme, target.netloc, target.path.rstrip("/") + parts.path,
                           parts.query, ""))

    def _cited(self, location: str, page: str) -> str:
        """A redirect's target as the site's own address (the reverse of _actual)."""
        absolute = urljoin(page, location)
        for host, base in self.hosts.items():
            prefix = base.rstrip("/")
            if absolute.startswith(prefix + "/") or absolute == prefix:
                return f"{urlsplit(page).scheme}://{host}{absolute[len(prefix):] or '/'}"
        return absolute

    def fetch(self, url: str) -> tuple[str, str]:
        """(address finally read, text) of a page of the site, following redirects that stay on
        it; SiteError when robots.txt forbids it or the site sends the reader elsewhere."""
        for _ in range(MAX_REDIRECTS + 1):
            if not self.allowed(url):
                raise SiteError(f"robots.txt interdit la lecture de {url}")
            page = self.http.get_text(self._actual(url), tag="discover")
            if page.location is None:
                if 300 <= page.status < 400:
                    raise SiteError(f"redirection sans adresse de destination ({url})")
                return url, page.text
            target = self._cited(page.location, url)
            if not _same_site(target, url):
                raise SiteError(f"redirection vers un autre site ({urlsplit(target).hostname}) : "
                                "l'adresse du site est peut-être à corriger")
            url = target
        raise SiteError(f"plus de {MAX_REDIRECTS} redirections ({url})")

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        root = f"{parts.scheme}://{parts.netloc}"
        if root not in self._robots:
            self._robots[root] = self._read_robots(root)
        return self._robots[root].can_fetch(USER_AGENT, url)

    def _read_robots(self, root: str) -> urllib.robotparser.RobotFileParser:
        """robots.txt as RFC 9309 reads it: none (404) allows all, 401/403 forbid all, another
        failure stops the site for this run (reading it anyway would be guessing)."""
        parser = urllib.robotparser.RobotFileParser()
        url = f"{root}/robots.txt"
        try:
            page = self.http.get_text(self._actual(url), tag="discover")
        except NotFound:
            parser.allow_all = True
            return parser
        except Unauthorized:
            parser.disallow_all = True
            return parser
        except HttpError as error:
            raise SiteError(f"robots.txt illisible : {error}") from None
        if page.location is not None:  # a robots.txt moved within the site is read there
            target = self._cited(page.location, url)
            if _same_site(target, url):
                try:
                    page = self.http.get_text(self._actual(target), tag="discover")
                except HttpError:
                    parser.allow_all = True
                    return parser
        parser.parse(page.text.splitlines())
        return parser


def _same_site(a: str, b: str) -> bool:
    host_a, host_b = urlsplit(a).hostname or "", urlsplit(b).hostname or ""
    return host_a.removeprefix("www.") == host_b.removeprefix("www.")


def _page(text: str, url: str) -> ParsedPage:
    """The parsed page, or SiteError when the answer is not HTML (binary, garbage, empty)."""
    if "\x00" in text or not re.search(r"<\s*(html|head|body|a|div|p|!doctype)\b", text, re.IGNORECASE):
        raise SiteError("la réponse n'est pas une page HTML lisible")
    return parse_page(text, url)


def read_site(reader: Reader, website: str) -> list[tuple[str, ParsedPage]]:
    """The home page, and the contact page it links to (read when robots.txt allows it)."""
    url, text = reader.fetch(website)
    pages = [(url, _page(text, url))]
    contact = contact_page(pages[0][1], urlsplit(url).hostname or "")
    if contact and contact.rstrip("/") != url.rstrip("/"):
        try:
            contact_url, contact_text = reader.fetch(contact)
            pages.append((contact_url, _page(contact_text, contact_url)))
        except (SiteError, HttpError):
            pass  # the home page alone is enough; the contact page is a bonus
    return pages


@dataclass(frozen=True)
class Candidate:
    handle: Handle
    page: str
    rel_me: bool


def candidates(pages: list[tuple[str, ParsedPage]], report: EntityReport) -> list[Candidate]:
    """Profiles named by links in profile zones; the others go to the report with their reason."""
    found: dict[tuple[str, str], Candidate] = {}
    ignored: dict[str, int] = {}
    for url, page in pages:
        for link in page.links:
            profile = profile_of(link)
            if isinstance(profile, str):
                ignored[profile] = ignored.get(profile, 0) + 1
                continue
            if profile is None:
                continue
            handle = _handle(profile, url, report)
            if handle is None:
                continue
            if link.zone in ZONE_REASONS or link.zone == "share":
                if link.zone != "share":
                    report.findings.append(Finding(handle.platform, handle.handle, "rejected", url,
                                                   ZONE_REASONS[link.zone]))
                continue
            key = (handle.platform, handle.key)
            if key not in found or link.rel_me:
                found[key] = Candidate(handle, url, link.rel_me)
    if ignored:
        report.notes.append("ignorés : " + ", ".join(f"{n} {why}" for why, n in sorted(ignored.items())))
    return list(found.values())


def _handle(profile: Profile, url: str, report: EntityReport) -> Handle | None:
    try:
        return parse_handle(profile.platform, profile.raw)
    except HandleError as error:
        report.findings.append(Finding(profile.platform, profile.raw, "rejected", url, str(error)))
        return None


def judged(found: list[Candidate], words: set[str], benchmark_keys: set[tuple[str, str]],
           report: EntityReport) -> list[Candidate]:
    """The candidates that pass the rules of judge.py; the others are reported with the rule."""
    kept: list[Candidate] = []
    for candidate in found:
        handle = candidate.handle
        is_related = judge.related(handle, words)
        reason = ""
        if judge.institutional(handle, benchmark_keys) and not is_related:
            reason = "compte d'une autre organisation (ARS, ministère, fédération, compte de référence)"
        elif judge.opaque(handle):
            same = [c for c in found if c.handle.platform == handle.platform]
            if len(same) > 1:
                reason = "plusieurs comptes de ce réseau sur le site : identifiant sans nom, ambigu"
        elif not is_related and not candidate.rel_me:
            reason = "l'identifiant ne reprend ni le nom de l'établissement ni son domaine"
        if reason:
            report.findings.append(Finding(handle.platform, handle.handle, "rejected", candidate.page,
                                           reason))
        else:
            kept.append(candidate)
    return kept


def atproto_did(http: Http, handle: str, url_of: Callable[[str], str]) -> str | None:
    """The DID a domain handle resolves to by the AT Protocol's HTTPS method: the text at
    https://<handle>/.well-known/atproto-did (https://atproto.com/specs/handle)."""
    try:
        page = http.get_text(url_of(handle), tag="discover")
    except HttpError:
        return None
    did = page.text.strip()
    return did if page.location is None and DID.match(did) else None


def default_atproto_url(handle: str) -> str:
    return f"https://{handle}/.well-known/atproto-did"


def discover_websites(data_dir: Path, http: Http, *, only: list[str] | None = None,
                      today: date | None = None, hosts: Mapping[str, str] | None = None,
                      atproto_url: Callable[[str], str] = default_atproto_url,
                      dry_run: bool = False) -> Report:
    report, files = start("websites", data_dir, today)
    if files is None:
        return report
    day = report.date
    reader = Reader(http, hosts or {})
    for entity, doc in sorted(files.docs.items()):
        if (only and entity not in only) or not doc.data.get("website"):
            continue
        entry = EntityReport(entity)
        report.entities.append(entry)
        try:
            pages = read_site(reader, doc.data["website"])
        except (SiteError, HttpError) as error:
            entry.error = str(error)
            continue
        entry.pages = [url for url, _ in pages]
        names = [doc.data.get("name", ""), doc.data.get("short_name", ""), *(doc.data.get("aliases") or []),
                 entity]
        words = judge.name_words([n for n in names if n], doc.data["website"])
        domain = judge.domain_of(doc.data["website"])
        for candidate in judged(candidates(pages, entry), words, files.benchmark_keys, entry):
            did = None
            handle = candidate.handle
            if handle.platform == "bluesky" and judge.on_domain(handle.key, domain):
                did = atproto_did(http, handle.key, atproto_url)
                entry.notes.append(f"bluesky {handle.handle} : " + (
                    f"identifiant vérifié par le domaine de l'établissement ({did})" if did else
                    "sur le domaine de l'établissement, mais /.well-known/atproto-did ne donne pas de DID"))
            source = _source(doc.data.get("name", entity), candidate.page, day, candidate.rel_me)
            entry.findings.append(files.propose_account(entity, handle, source, unverified=False, did=did))
        files.write(entity, entry, dry_run=dry_run)
    return report


def _source(name: str, page: str, day: str, rel_me: bool) -> dict[str, Any]:
    how = "lien rel=\"me\"" if rel_me else "lien vers le profil"
    return {"title": f"Site internet de l'établissement ({page})", "publisher": name, "url": page,
            "accessed_on": day,
            "note": f"Compte déclaré par l'établissement sur son propre site ({how}), relevé par "
                    "« observatory discover websites »."}
