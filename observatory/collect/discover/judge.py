"""Whether a profile found on an establishment's site is the establishment's own account.

A hospital's footer also links to its regional health agency (ARS), the ministry, its
federation or its group. The rules, in order (documented in docs/contribuer.md):

1. a link in a share bar, an embed or a post is never a profile (links.profile_of);
2. a link inside an article body is ignored: news items name other people's accounts;
3. only rel="me" links and links in the header, footer, navigation or a « suivez-nous » /
   « réseaux sociaux » block are considered;
4. an account held by a benchmark of the registry (authorities, ministries, federations) or
   matching a known institutional pattern (ARS…, ministère, FHF, FEHAP…) is refused, unless its
   name also carries the establishment's own name;
5. the handle must relate to the establishment: it contains a distinctive word of its names or
   of its website's domain (chu_angers for CHU d'Angers, aphp for AP-HP); rel="me" is enough on
   its own (the page vouches for the account);
6. an opaque identifier (YouTube UC…, Facebook page number, Bluesky DID) carries no name: it is
   accepted in a profile block when it is the only one of its platform on the site, refused as
   ambiguous otherwise."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from observatory.registry.handles import Handle
from observatory.textfmt import slugify

# Words too common in establishments' names to tie a handle to one of them.
GENERIC = {
    "chu", "chr", "chru", "ch", "chi", "chs", "centre", "centres", "hospitalier", "hospitaliere",
    "hospitaliers", "hopital", "hopitaux", "clinique", "cliniques", "groupe", "groupement",
    "universitaire", "universitaires", "regional", "regionale", "intercommunal", "departemental",
    "sante", "site", "sites", "pole", "institut", "fondation", "saint", "sainte", "les", "des",
    "sur", "pays", "val", "france", "public", "privee", "prive", "medical", "medicale", "soins",
    "cancer", "lutte", "contre", "assistance", "publique", "www", "com", "org", "net", "fr",
}
# Accounts of other organisations that hospital sites link to. Matched against the handle's
# letters and digits, lower case. ARS handles start with "ars" (ARS_IDF, arsbretagne…).
INSTITUTIONAL = re.compile(
    r"^ars|^fhf|^fehap|^fhp|^unicancer|^hassante$|^has_?sante|gouv|ministere|^sante_?gouv|"
    r"^ameli|^santepubliquefrance|^assurancemaladie|^solidarites|^anap|^atih|^ansm|^inca$|"
    r"^e_?sante|^cnom|^ordre", re.IGNORECASE)


def compact(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", slugify(text))


def domain_of(website: str | None) -> str | None:
    """The establishment's own domain, without www. (None without a website)."""
    if not website:
        return None
    host = (urlsplit(website).hostname or "").lower()
    return host.removeprefix("www.") or None


def name_words(names: Iterable[str], website: str | None) -> set[str]:
    """Distinctive words of an establishment: words of its names and of its domain (4 letters
    or more, not generic), and each name and domain label written as one word (chuangers)."""
    words: set[str] = set()
    domain = domain_of(website)
    labels = domain.split(".")[:-1] if domain else []
    for text in [*names, *labels]:
        slug = slugify(text)
        words |= {w for w in slug.split("-") if len(w) >= 4 and w not in GENERIC}
        whole = slug.replace("-", "")
        if len(whole) >= 4 and whole not in GENERIC:
            words.add(whole)
    return words


def opaque(handle: Handle) -> bool:
    """An identifier that carries no name to compare."""
    key = handle.key
    return (handle.platform == "youtube" and key.startswith("UC")) or (
        handle.platform == "facebook" and key.isdigit()) or key.startswith("did:") or (
        handle.platform == "linkedin" and key.split("/")[-1].isdigit())


def _letters(handle: Handle) -> str:
    """The handle's name part in letters and digits: user of user@instance, slug of company/slug."""
    name = handle.key.split("@")[0] if handle.platform in {"mastodon", "peertube"} else handle.key
    name = name.split("/")[-1]
    return re.sub(r"[^a-z0-9]", "", name.lower())


def related(handle: Handle, words: set[str]) -> bool:
    """The handle contains one of the establishment's distinctive words, or is one of them."""
    letters = _letters(handle)
    if handle.platform == "bluesky":
        letters = re.sub(r"[^a-z0-9]", "", handle.key.removesuffix(".bsky.social"))
    return bool(letters) and any(w in letters or (len(letters) >= 4 and letters == w) for w in words)


def institutional(handle: Handle, benchmark_keys: set[tuple[str, str]]) -> bool:
    return (handle.platform, handle.key) in benchmark_keys or bool(INSTITUTIONAL.search(_letters(handle)))


def on_domain(handle: str, domain: str | None) -> bool:
    """A Bluesky handle on the establishment's own domain (chu-exemple.fr or x.chu-exemple.fr)."""
    return bool(domain) and (handle == domain or handle.endswith("." + str(domain)))
