"""Per-platform handle rules: parse what a maintainer wrote (handle, @handle or profile URL)
into one canonical handle, a case-insensitive key that identifies the account, and its URL."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from observatory.registry.untrusted import shown


class HandleError(ValueError):
    """A handle or URL that does not follow its platform's rules (message in French)."""


@dataclass(frozen=True)
class Handle:
    platform: str
    handle: str  # canonical form written back into the YAML file
    key: str  # identity of the account on its platform, used to detect duplicates
    url: str  # public profile address


DOMAIN = re.compile(r"^(?=.{4,253}\Z)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\Z")
DID = re.compile(r"^did:(plc:[a-z2-7]{24}|web:[a-z0-9.-]+)\Z")
TWITTER = re.compile(r"^[A-Za-z0-9_]{1,15}\Z")
INSTAGRAM = re.compile(r"^(?!.*\.\.)(?!\.)[A-Za-z0-9._]{1,30}(?<!\.)\Z")
FACEBOOK = re.compile(r"^[A-Za-z0-9.\-]{5,50}\Z")
FACEBOOK_ID = re.compile(r"^[0-9]{5,20}\Z")
YOUTUBE_HANDLE = re.compile(r"^@[A-Za-z0-9._\-]{3,30}\Z")
YOUTUBE_CHANNEL = re.compile(r"^UC[A-Za-z0-9_\-]{22}\Z")
# A legacy user name (youtube.com/user/NAME), stored as user/NAME: letters and digits only.
YOUTUBE_USER = re.compile(r"^user/([A-Za-z0-9]{1,20})\Z")
TIKTOK = re.compile(r"^[A-Za-z0-9._]{2,24}\Z")
FEDIVERSE_USER = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]{0,29}\Z")
SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_\-.%]{0,99}\Z")

TWITTER_HOSTS = {"twitter.com", "x.com", "mobile.twitter.com"}


def _url_parts(raw: str) -> tuple[str, list[str], str] | None:
    """(host, path segments, query) of an http(s) URL, or None when raw is not a URL."""
    if not re.match(r"^[a-z]+://", raw, re.IGNORECASE):
        return None
    parts = urlsplit(raw)
    if parts.scheme.lower() != "https":
        raise HandleError(f"l'adresse doit commencer par https:// (reçu « {shown(raw)} »)")
    host = (parts.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    return host, [s for s in parts.path.split("/") if s], parts.query


def _bad(platform: str, raw: str, rule: str) -> HandleError:
    return HandleError(f"identifiant {platform} invalide « {shown(raw)} » : {rule}")


def _twitter(raw: str) -> Handle:
    parts = _url_parts(raw)
    if parts:
        host, path, _ = parts
        if host not in TWITTER_HOSTS or len(path) != 1:
            raise _bad("X/Twitter", raw, "adresse attendue de la forme https://x.com/nom")
        raw_name = path[0]
    else:
        raw_name = raw.removeprefix("@")
    if not TWITTER.fullmatch(raw_name):
        raise _bad("X/Twitter", raw, "1 à 15 caractères parmi lettres, chiffres et _")
    return Handle("twitter", raw_name, raw_name.lower(), f"https://x.com/{raw_name}")


def _bluesky(raw: str) -> Handle:
    parts = _url_parts(raw)
    if parts:
        host, path, _ = parts
        if host != "bsky.app" or len(path) != 2 or path[0] != "profile":
            raise _bad("Bluesky", raw, "adresse attendue de la forme https://bsky.app/profile/nom")
        raw_name = path[1]
    else:
        raw_name = raw.removeprefix("@")
    name = raw_name.lower()
    if not (DOMAIN.fullmatch(name) or DID.fullmatch(name)):
        raise _bad("Bluesky", raw, "un nom de domaine (ex. : nom.bsky.social) ou un DID")
    return Handle("bluesky", name, name, f"https://bsky.app/profile/{name}")


def _fediverse(platform: str, label: str, raw: str, url_prefixes: tuple[str, ...]) -> Handle:
    """Mastodon and PeerTube: user@instance, @user@instance or https://instance/<prefix>user."""
    parts = _url_parts(raw)
    if parts:
        host, path, _ = parts
        if len(path) == 1 and path[0].startswith("@") and "@" in url_prefixes:
            user = path[0][1:]
        elif len(path) == 2 and path[0] + "/" in url_prefixes:
            user = path[1]
        else:
            raise _bad(label, raw, f"adresse attendue de la forme https://instance/{url_prefixes[0]}nom")
        user = user.split("@")[0]
    else:
        pieces = raw.removeprefix("@").split("@")
        if len(pieces) != 2:
            raise _bad(label, raw, "forme attendue nom@instance (ex. : hopital@instance.fr)")
        user, host = pieces[0], pieces[1].lower()
    if not FEDIVERSE_USER.fullmatch(user) or not DOMAIN.fullmatch(host):
        raise _bad(label, raw, "forme attendue nom@instance (ex. : hopital@instance.fr)")
    handle = f"{user}@{host}"
    return Handle(platform, handle, handle.lower(), f"https://{host}/{url_prefixes[0]}{user}")


def _mastodon(raw: str) -> Handle:
    return _fediverse("mastodon", "Mastodon", raw, ("@", "users/"))


def _peertube(raw: str) -> Handle:
    return _fediverse("peertube", "PeerTube", raw, ("c/", "a/", "video-channels/", "accounts/"))


def _youtube(raw: str) -> Handle:
    parts = _url_parts(raw)
    expected = "adresse attendue https://www.youtube.com/@nom, /channel/UC… ou /user/nom"
    if parts:
        host, path, _ = parts
        if host != "youtube.com" or not path:
            raise _bad("YouTube", raw, expected)
        if len(path) == 1 and path[0].startswith("@"):
            raw_name = path[0]
        elif len(path) == 2 and path[0] in {"channel", "user"}:
            raw_name = path[1] if path[0] == "channel" else f"user/{path[1]}"
        elif len(path) == 2 and path[0] == "c":
            # the API has no lookup for custom /c/ addresses, unlike /user/ (forUsername)
            raise _bad("YouTube", raw, "les anciennes adresses /c/ ne désignent pas une chaîne de façon "
                                       "stable : indiquer le @nom ou l'identifiant UC…")
        else:
            raise _bad("YouTube", raw, expected)
    else:
        raw_name = raw
    if YOUTUBE_CHANNEL.fullmatch(raw_name):
        return Handle("youtube", raw_name, raw_name, f"https://www.youtube.com/channel/{raw_name}")
    if YOUTUBE_HANDLE.fullmatch(raw_name):
        return Handle("youtube", raw_name, raw_name.lower(), f"https://www.youtube.com/{raw_name}")
    if YOUTUBE_USER.fullmatch(raw_name):
        return Handle("youtube", raw_name, raw_name.lower(), f"https://www.youtube.com/{raw_name}")
    if raw_name.startswith("user/"):
        raise _bad("YouTube", raw, "un ancien nom d'utilisateur compte 1 à 20 lettres ou chiffres")
    raise _bad("YouTube", raw, "un @nom (3 à 30 caractères), un identifiant de chaîne UC… (24 caractères) "
                               "ou user/nom (ancien nom d'utilisateur)")


def _facebook(raw: str) -> Handle:
    parts = _url_parts(raw)
    if parts:
        host, path, query = parts
        if host not in {"facebook.com", "fr-fr.facebook.com"} or not path:
            raise _bad("Facebook", raw, "adresse attendue https://www.facebook.com/nom")
        if path == ["profile.php"]:
            raw_name = parse_qs(query).get("id", [""])[0]
        elif len(path) == 1 or (len(path) == 2 and path[0] == "pages"):
            raw_name = path[-1]
        else:
            raise _bad("Facebook", raw, "adresse attendue https://www.facebook.com/nom")
    else:
        raw_name = raw.removeprefix("@")
    if FACEBOOK_ID.fullmatch(raw_name):
        return Handle("facebook", raw_name, raw_name, f"https://www.facebook.com/profile.php?id={raw_name}")
    if FACEBOOK.fullmatch(raw_name) and not raw_name.isdigit():
        return Handle("facebook", raw_name, raw_name.lower(), f"https://www.facebook.com/{raw_name}")
    raise _bad("Facebook", raw, "5 à 50 caractères parmi lettres, chiffres, points et tirets, "
                                "ou l'identifiant numérique de la page")


def _at_name(platform: str, label: str, hosts: set[str], pattern: re.Pattern[str], url_base: str,
             rule: str, raw: str, at_in_url: bool) -> Handle:
    """Instagram, Threads, TikTok: a user name, @name or profile URL."""
    parts = _url_parts(raw)
    if parts:
        host, path, _ = parts
        segment = path[0] if len(path) == 1 else ""
        if host not in hosts or not segment or segment.startswith("@") != at_in_url:
            example = f"{url_base}{'@' if at_in_url else ''}nom"
            raise _bad(label, raw, f"adresse attendue de la forme {example}")
        raw_name = segment.removeprefix("@")
    else:
        raw_name = raw.removeprefix("@")
    if not pattern.fullmatch(raw_name):
        raise _bad(label, raw, rule)
    prefix = "@" if at_in_url else ""
    return Handle(platform, raw_name, raw_name.lower(), f"{url_base}{prefix}{raw_name}")


def _instagram(raw: str) -> Handle:
    return _at_name("instagram", "Instagram", {"instagram.com"}, INSTAGRAM,
                    "https://www.instagram.com/", "1 à 30 caractères parmi lettres, chiffres, . et _",
                    raw, at_in_url=False)


def _threads(raw: str) -> Handle:
    return _at_name("threads", "Threads", {"threads.net", "threads.com"}, INSTAGRAM,
                    "https://www.threads.com/", "1 à 30 caractères parmi lettres, chiffres, . et _",
                    raw, at_in_url=True)


def _tiktok(raw: str) -> Handle:
    return _at_name("tiktok", "TikTok", {"tiktok.com"}, TIKTOK, "https://www.tiktok.com/",
                    "2 à 24 caractères parmi lettres, chiffres, . et _", raw, at_in_url=True)


def _path_slug(platform: str, label: str, host_names: set[str], kinds: set[str], url_base: str,
               raw: str) -> Handle:
    """LinkedIn and Viadeo: pages known by their kind and slug (company/nom)."""
    parts = _url_parts(raw)
    if parts:
        host, path, _ = parts
        path = [p for p in path if p not in {"fr", "en"}]
        if host not in host_names or len(path) < 2 or path[0] not in kinds:
            raise _bad(label, raw, f"adresse attendue de la forme {url_base}{sorted(kinds)[0]}/nom")
        kind, slug = path[0], path[1]
    else:
        kind, _, slug = raw.partition("/")
        if kind not in kinds:
            raise _bad(label, raw, f"forme attendue {' ou '.join(sorted(k + '/nom' for k in kinds))}")
    if not SLUG.fullmatch(slug):
        raise _bad(label, raw, "le nom de la page contient des caractères non permis")
    handle = f"{kind}/{slug}"
    return Handle(platform, handle, handle.lower(), f"{url_base}{handle}")


def _linkedin(raw: str) -> Handle:
    return _path_slug("linkedin", "LinkedIn", {"linkedin.com", "fr.linkedin.com"},
                      {"company", "school", "showcase"}, "https://www.linkedin.com/", raw)


def _viadeo(raw: str) -> Handle:
    return _path_slug("viadeo", "Viadeo", {"viadeo.com", "fr.viadeo.com"}, {"company", "profile"},
                      "https://www.viadeo.com/fr/", raw)


PARSERS = {
    "twitter": _twitter,
    "facebook": _facebook,
    "instagram": _instagram,
    "linkedin": _linkedin,
    "youtube": _youtube,
    "bluesky": _bluesky,
    "mastodon": _mastodon,
    "peertube": _peertube,
    "tiktok": _tiktok,
    "threads": _threads,
    "viadeo": _viadeo,
}


# The stable id a platform gives an account (the `id` field), as its API returns it; the collectors
# put it into request paths (/2/users/<id>, /<id>/posts), so nothing else may pass: no path, no
# query, no "me" (Facebook's and Instagram's name for the token's owner).
_NUMERIC = (re.compile(r"[0-9]{1,20}"), "identifiant numérique attendu (1 à 20 chiffres)")
_HOST = r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]"
PLATFORM_IDS: dict[str, tuple[re.Pattern[str], str]] = {
    "twitter": _NUMERIC,
    "youtube": (YOUTUBE_CHANNEL, "identifiant de chaîne attendu : UC suivi de 22 caractères (lettres, "
                                 "chiffres, - et _)"),
    "bluesky": (re.compile(r"did:(plc:[a-z2-7]{24}|web:(?=[^:]*\.)[a-z0-9.-]{4,253})"),
                "DID attendu : did:plc: suivi de 24 caractères (a à z, 2 à 7) ou did:web: suivi d'un nom de "
                "domaine"),
    # The collectors store instance:id (Mastodon) and instance:channel:id (PeerTube), ids being
    # unique on their instance only; the bare number is accepted too.
    "mastodon": (re.compile(rf"({_HOST}:)?[0-9]{{1,20}}"),
                 "identifiant numérique attendu, seul ou précédé de l'instance (instance.fr:123456)"),
    "peertube": (re.compile(rf"({_HOST}:(account|channel):)?[0-9]{{1,20}}"),
                 "identifiant numérique attendu, seul ou précédé de l'instance et du type "
                 "(instance.fr:channel:42, instance.fr:account:42)"),
    "facebook": (FACEBOOK_ID, "identifiant numérique de la page attendu (5 à 20 chiffres)"),
    "instagram": _NUMERIC,
    "threads": _NUMERIC,
    "tiktok": _NUMERIC,
    "linkedin": _NUMERIC,
}


def platform_id_problem(platform: str, value: str) -> str | None:
    """None when `value` has the form of `platform`'s account ids, else the rule in French."""
    if platform not in PLATFORM_IDS:
        return "aucun identifiant stable n'est utilisé pour ce réseau : retirer le champ id"
    pattern, rule = PLATFORM_IDS[platform]
    if pattern.fullmatch(value) and (not value.startswith("did:web:") or DOMAIN.fullmatch(value[8:])):
        return None
    return f"identifiant « {shown(value)} » invalide pour ce réseau : {rule}"


def parse_handle(platform: str, raw: str) -> Handle:
    """Canonical handle for `raw` on `platform`; raises HandleError with a French message."""
    raw = raw.strip()
    if not raw:
        raise HandleError("identifiant vide")
    return PARSERS[platform](raw)
