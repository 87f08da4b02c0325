"""Links to social profiles in a web page: where each link sits (header, footer, « suivez-nous »
block, share bar, article body), which platform and profile it names, and its canonical handle.

Only the standard library's HTML parser is used: hospital sites are often old, hand-written
HTML, and a forgiving event parser copes with unclosed tags better than a strict tree."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

# Words in an element's class, id, role or aria-label that mark a block of profile links.
SOCIAL_WORDS = re.compile(r"social|sociaux|r[ée]seaux|suivez|suivre|follow|\brs\b|rs-|-rs\b|networks?",
                          re.IGNORECASE)
# ...and those that mark a share bar (« partager cette page ») or an embedded widget.
SHARE_WORDS = re.compile(r"share|partag|sharer|addthis|addtoany|a2a_|sharethis", re.IGNORECASE)
# Visible text that heads a block of profile links: the block holding it becomes a social block.
FOLLOW_TEXT = re.compile(r"suivez[- ]nous|retrouvez[- ]nous|nous suivre|rejoignez[- ]nous|"
                         r"restons connect|follow us", re.IGNORECASE)
# Old layouts mark their header and footer by class or id only (<div id="footer">).
MARKED_ZONES = (("footer", re.compile(r"footer|pied[-_ ]?de[-_ ]?page|piedpage|bas[-_]de[-_]page", re.I)),
                ("header", re.compile(r"header|en[-_]?t[eê]te|bandeau", re.I)))
ZONE_TAGS = {"header", "footer", "nav", "aside", "article", "blockquote"}
ROLE_ZONES = {"banner": "header", "contentinfo": "footer", "navigation": "nav", "article": "article"}
# Inline elements: a « Suivez-nous » written in one of them marks the block around it.
INLINE = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "span", "strong", "em", "b", "i", "a", "label",
          "small", "li", "dt", "dd", "button"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
        "wbr", "param"}
EMBED_TAGS = {"iframe", "embed", "object"}
CONTACT = re.compile(r"contact|nous[- ]joindre|coordonn[ée]es|acc[eè]s[- ]et[- ]contact", re.IGNORECASE)


@dataclass(frozen=True)
class Link:
    """One link of a page: absolute address, words around it, and the zone it sits in."""

    url: str
    label: str  # link text, title, aria-label and class, for the platform and name tests
    rel_me: bool
    zone: str  # "me", "share", "article", "profile" (header, footer, nav, aside, social block), "body"


@dataclass
class _Element:
    tag: str
    zones: set[str] = field(default_factory=set)


class _Parser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.stack: list[_Element] = []
        self.links: list[Link] = []
        self.embeds: list[str] = []
        self.tags = 0
        self._anchor: dict[str, str] | None = None
        self._text: list[str] = []

    def _zones_of(self, tag: str, attrs: dict[str, str]) -> set[str]:
        zones = {tag} if tag in ZONE_TAGS else set()
        if attrs.get("role") in ROLE_ZONES:
            zones.add(ROLE_ZONES[attrs["role"]])
        marks = " ".join(attrs.get(k, "") for k in ("class", "id", "aria-label", "data-module"))
        zones |= {zone for zone, words in MARKED_ZONES if words.search(marks)}
        if SHARE_WORDS.search(marks):
            zones.add("share")
        elif SOCIAL_WORDS.search(marks):
            zones.add("social")
        return zones

    def handle_starttag(self, tag: str, raw: list[tuple[str, str | None]]) -> None:
        self.tags += 1
        attrs = {k.lower(): (v or "") for k, v in raw}
        if tag == "link" and "me" in attrs.get("rel", "").lower().split() and attrs.get("href"):
            self.links.append(Link(urljoin(self.base, attrs["href"].strip()), "", True, "me"))
        if tag in EMBED_TAGS and (attrs.get("src") or attrs.get("data")):
            self.embeds.append(urljoin(self.base, (attrs.get("src") or attrs.get("data", "")).strip()))
        if tag in VOID:
            return
        element = _Element(tag, self._zones_of(tag, attrs))
        self.stack.append(element)
        if tag == "a" and attrs.get("href"):
            self._anchor = attrs
            self._text = []

    def handle_startendtag(self, tag: str, raw: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, raw)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if not any(e.tag == tag for e in self.stack):
            return  # a stray end tag: ignored, as browsers do
        if tag == "a" and self._anchor is not None:
            self._close_anchor()
        while self.stack:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self._anchor is not None:
            self._text.append(data)
        if FOLLOW_TEXT.search(data):
            for element in reversed(self.stack):
                if element.tag not in INLINE:
                    element.zones.add("social")
                    break

    def _close_anchor(self) -> None:
        attrs = self._anchor or {}
        self._anchor = None
        zones = set().union(*(e.zones for e in self.stack))
        rel_me = "me" in attrs.get("rel", "").lower().split()
        label = " ".join([*self._text, attrs.get("title", ""), attrs.get("aria-label", ""),
                          attrs.get("class", "")])
        href = attrs.get("href", "").strip()
        if not re.match(r"^(https?:)?//|^/|^[\w.-]+(/|$)", href) or href.startswith(("mailto:", "tel:")):
            return
        self.links.append(Link(urljoin(self.base, href), " ".join(label.split()), rel_me,
                               _zone(zones, rel_me)))


def _zone(zones: set[str], rel_me: bool) -> str:
    """Share bars first (a share button is never a profile), then rel="me", then article bodies
    (a link in a news item names someone else's account), then the blocks that hold profiles."""
    if "share" in zones:
        return "share"
    if rel_me:
        return "me"
    if zones & {"article", "blockquote"}:
        return "article"
    if zones & {"social", "header", "footer", "nav", "aside"}:
        return "profile"
    return "body"


@dataclass(frozen=True)
class ParsedPage:
    links: list[Link]
    embeds: list[str]
    tags: int  # HTML start tags seen: none at all means the answer was not a page


def parse_page(html: str, base: str) -> ParsedPage:
    parser = _Parser(base)
    parser.feed(html)
    parser.close()
    return ParsedPage(parser.links, parser.embeds, parser.tags)


def contact_page(page: ParsedPage, site_host: str) -> str | None:
    """The first link of the same site that looks like a contact page."""
    for link in page.links:
        parts = urlsplit(link.url)
        if _bare(parts.hostname or "") == _bare(site_host) and (
                CONTACT.search(parts.path) or CONTACT.search(link.label)):
            return link.url.split("#")[0]
    return None


# -- which profile a link names ------------------------------------------------------------

TWITTER_HOSTS = {"twitter.com", "x.com"}
FACEBOOK_HOSTS = {"facebook.com", "fb.com", "fb.me"}
KNOWN_HOSTS = TWITTER_HOSTS | FACEBOOK_HOSTS | {
    "instagram.com", "linkedin.com", "youtube.com", "youtu.be", "tiktok.com", "bsky.app",
    "threads.net", "threads.com"}
TWITTER_RESERVED = {"home", "search", "hashtag", "i", "explore", "login", "signup", "messages",
                    "settings", "notifications", "widgets.js", "tos", "privacy"}
FACEBOOK_RESERVED = {"events", "watch", "hashtag", "login", "login.php", "home.php", "story.php",
                     "permalink.php", "photo.php", "photo", "media", "tr", "help", "policies"}
INSTAGRAM_RESERVED = {"p", "reel", "reels", "tv", "explore", "stories", "accounts", "about"}
POST = "lien vers une publication, pas vers un profil"
SHARE = "bouton de partage"
EMBED = "contenu intégré (widget), pas un lien de profil"


@dataclass(frozen=True)
class Profile:
    platform: str
    raw: str  # what parse_handle reads: a profile URL or user@instance


def _bare(host: str) -> str:
    host = host.lower()
    for prefix in ("www.", "m.", "mobile.", "fr-fr.", "fr.", "web."):
        host = host.removeprefix(prefix)
    return host


def profile_of(link: Link) -> Profile | str | None:
    """The profile a link names, a reason why it names none (a share button, a post, an
    embed), or None when it is not a link to a social network at all."""
    parts = urlsplit(link.url)
    if parts.scheme not in ("http", "https"):
        return None
    host = _bare(parts.hostname or "")
    segs = [s for s in parts.path.split("/") if s]
    query = parse_qs(parts.query)
    if host in TWITTER_HOSTS:
        return _twitter(segs)
    if host in FACEBOOK_HOSTS:
        return _facebook(segs, query)
    if host == "instagram.com":
        if not segs or segs[0] in INSTAGRAM_RESERVED:
            return POST if segs else None
        return Profile("instagram", f"https://www.instagram.com/{segs[0]}")
    if host == "linkedin.com":
        return _linkedin(segs)
    if host in {"youtube.com", "youtu.be"}:
        return _youtube(host, segs)
    if host == "tiktok.com":
        if segs[:1] == ["embed"]:
            return EMBED
        if segs and segs[0].startswith("@"):
            return POST if len(segs) > 1 else Profile("tiktok", f"https://www.tiktok.com/{segs[0]}")
        return None
    if host == "bsky.app":
        if segs[:1] == ["intent"]:
            return SHARE
        if len(segs) >= 2 and segs[0] == "profile":
            return POST if len(segs) > 2 else Profile("bluesky", f"https://bsky.app/profile/{segs[1]}")
        return None
    if host in {"threads.net", "threads.com"}:
        if segs[:1] == ["intent"]:
            return SHARE
        if segs and segs[0].startswith("@"):
            return POST if len(segs) > 1 else Profile("threads", f"https://www.threads.com/{segs[0]}")
        return None
    return _fediverse(host, segs, link)


def _twitter(segs: list[str]) -> Profile | str | None:
    if not segs:
        return None
    if segs[0] in {"intent", "share"}:
        return SHARE
    if segs[0].lower() in TWITTER_RESERVED:
        return None
    if len(segs) > 1 and segs[1] in {"status", "statuses"}:
        return POST
    return Profile("twitter", f"https://x.com/{segs[0]}")


def _facebook(segs: list[str], query: dict[str, list[str]]) -> Profile | str | None:
    if not segs:
        return None
    first = segs[0].lower()
    if first in {"sharer.php", "sharer", "share.php", "dialog", "share"}:
        return SHARE
    if first == "plugins":
        return EMBED
    if first == "profile.php" and query.get("id"):
        return Profile("facebook", f"https://www.facebook.com/profile.php?id={query['id'][0]}")
    if first == "pages" and len(segs) >= 2:
        # /pages/Name/123456789: the number is the page's stable identity
        number = segs[2] if len(segs) >= 3 and segs[2].isdigit() else None
        raw = f"profile.php?id={number}" if number else segs[1]
        return Profile("facebook", f"https://www.facebook.com/{raw}")
    if first in FACEBOOK_RESERVED or first == "groups":
        return None
    if len(segs) > 1 and segs[1] in {"posts", "photos", "videos", "events", "reviews"}:
        return POST
    return Profile("facebook", f"https://www.facebook.com/{segs[0]}")


def _linkedin(segs: list[str]) -> Profile | str | None:
    segs = [s for s in segs if s not in {"fr", "en"}]
    if not segs:
        return None
    if segs[0] in {"shareArticle", "sharing", "cws"}:
        return SHARE
    if segs[0] in {"company", "school", "showcase"} and len(segs) >= 2:
        return Profile("linkedin", f"https://www.linkedin.com/{segs[0]}/{segs[1]}")
    if segs[0] in {"feed", "posts", "pulse"}:
        return POST
    if segs[0] == "in":
        return "profil personnel, pas une page d'organisation"
    return None


def _youtube(host: str, segs: list[str]) -> Profile | str | None:
    if host == "youtu.be" or segs[:1] in (["watch"], ["shorts"], ["playlist"], ["live"]):
        return "lien vers une vidéo, pas vers une chaîne"
    if segs[:1] == ["embed"]:
        return EMBED
    if segs and segs[0].startswith("@"):
        return Profile("youtube", f"https://www.youtube.com/{segs[0]}")
    if len(segs) >= 2 and segs[0] in {"channel", "user", "c"}:
        # /c/ is kept too: parse_handle refuses it with the reason (/user/ names are accepted)
        return Profile("youtube", f"https://www.youtube.com/{segs[0]}/{segs[1]}")
    return None


FEDIVERSE_ADDRESS = re.compile(r"@([A-Za-z0-9_][A-Za-z0-9_.-]*)@([a-z0-9.-]+\.[a-z]{2,})", re.IGNORECASE)
PEERTUBE_KINDS = {"c", "a", "video-channels", "accounts"}


def _fediverse(host: str, segs: list[str], link: Link) -> Profile | str | None:
    """Mastodon: https://instance/@user, said by rel="me", an @user@instance text or the word
    Mastodon next to it (any site has /@name pages, so the address alone proves nothing).
    PeerTube: https://instance/c/channel (or /a/, /video-channels/, /accounts/) said by rel="me"
    or the word PeerTube."""
    if host in KNOWN_HOSTS or not segs:
        return None
    label = link.label.lower()
    address = FEDIVERSE_ADDRESS.search(link.label)
    if segs[:1] == ["share"] and "mastodon" in label:
        return SHARE
    if len(segs) == 1 and segs[0].startswith("@") and len(segs[0]) > 1:
        user = segs[0][1:].split("@")[0]
        said = link.rel_me or "mastodon" in label or (
            address is not None and address.group(1).lower() == user.lower()
            and address.group(2).lower() == host)
        return Profile("mastodon", f"{user}@{host}") if said else None
    if len(segs) == 2 and segs[0] in PEERTUBE_KINDS and (link.rel_me or "peertube" in label):
        return Profile("peertube", f"https://{host}/{segs[0]}/{segs[1]}")
    return None
