"""Discovery, offline and without a server: which links of a page name the establishment's own
profiles (zones, share buttons, embeds, other organisations), and the HTTP layer's get_text."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import ROOT
from fakes.servers import fake_server
from pytest_httpserver import HTTPServer

from observatory.collect.discover import judge
from observatory.collect.discover.links import Link, contact_page, parse_page, profile_of
from observatory.collect.http import BadResponse, Http, NotFound
from observatory.registry.handles import parse_handle

PAGES = ROOT / "tests" / "fixtures" / "discover"


def profiles(html: str, base: str = "https://www.hf001.example/") -> list[tuple[str, str, str]]:
    """(zone, platform, raw) of every link naming a profile."""
    out = []
    for link in parse_page(html, base).links:
        found = profile_of(link)
        if found is not None and not isinstance(found, str):
            out.append((link.zone, found.platform, found.raw))
    return out


def test_footer_icons_and_rel_me_are_profiles_share_bars_and_articles_are_not() -> None:
    page = parse_page((PAGES / "hf001-accueil.html").read_text(encoding="utf-8"),
                      "https://www.hf001.example/accueil")
    zones = {}
    reasons = []
    for link in page.links:
        found = profile_of(link)
        if isinstance(found, str):
            reasons.append(found)
        elif found is not None:
            zones.setdefault(found.raw, set()).add(link.zone)
    assert zones["hf001@social.sante.example"] == {"me"}
    assert zones["https://x.com/HFictif001"] == {"profile"}
    assert zones["https://www.facebook.com/hopitalfictif001"] == {"profile"}  # header icon
    assert zones["https://x.com/ARS_Fictive"] == {"article", "profile"}  # news item and footer
    assert zones["https://x.com/CHVoisinFictif"] == {"article"}
    assert zones["https://www.threads.com/@hopital_fictif_001"] == {"profile"}
    assert reasons.count("bouton de partage") == 3  # sharer.php, intent/tweet, shareArticle
    assert "lien vers une publication, pas vers un profil" in reasons  # the embedded tweet
    assert page.embeds == ["https://www.youtube.com/embed/abcdefghijk"]
    assert contact_page(page, "www.hf001.example") == "https://www.hf001.example/contact"


def test_an_old_table_layout_marks_its_footer_by_id() -> None:
    html = (PAGES / "hf002-accueil.html").read_bytes().decode("cp1252")
    found = profiles(html, "https://www.hf002.example/")
    assert ("profile", "youtube", "https://www.youtube.com/channel/UC0000000000000000000002") in found
    assert ("profile", "facebook", "https://www.facebook.com/profile.php?id=123456789012") in found
    assert ("body", "twitter", "https://x.com/HFictif003") in found  # the news line, not the footer


@pytest.mark.parametrize(("html", "expected"), [
    ('<footer><a href="https://www.facebook.com/sharer.php?u=x">f</a></footer>', "bouton de partage"),
    ('<footer><a href="https://twitter.com/intent/tweet?text=x">t</a></footer>', "bouton de partage"),
    ('<footer><a href="https://www.linkedin.com/shareArticle?url=x">l</a></footer>', "bouton de partage"),
    ('<footer><a href="https://www.facebook.com/plugins/page.php?href=x">f</a></footer>',
     "contenu intégré (widget), pas un lien de profil"),
    ('<footer><a href="https://youtu.be/abcdefghijk">v</a></footer>',
     "lien vers une vidéo, pas vers une chaîne"),
    ('<footer><a href="https://www.instagram.com/p/Cabc/">p</a></footer>',
     "lien vers une publication, pas vers un profil"),
    ('<footer><a href="https://www.linkedin.com/in/quelquun">p</a></footer>',
     "profil personnel, pas une page d'organisation"),
])
def test_links_that_name_no_profile_say_why(html: str, expected: str) -> None:
    link = parse_page(html, "https://www.hf001.example/").links[0]
    assert profile_of(link) == expected


def test_youtube_handle_channel_and_legacy_addresses() -> None:
    html = ('<footer class="suivez-nous"><a href="https://www.youtube.com/@ChuFictif">a</a>'
            '<a href="https://youtube.com/channel/UC0000000000000000000009">b</a>'
            '<a href="https://www.youtube.com/user/chufictif">c</a></footer>')
    raws = [raw for _, _, raw in profiles(html)]
    assert raws == ["https://www.youtube.com/@ChuFictif",
                    "https://www.youtube.com/channel/UC0000000000000000000009",
                    "https://www.youtube.com/user/chufictif"]
    assert parse_handle("youtube", raws[0]).handle == "@ChuFictif"
    assert parse_handle("youtube", raws[2]).handle == "user/chufictif"  # legacy user name


def test_mastodon_needs_rel_me_an_address_or_the_word() -> None:
    html = ('<div class="reseaux">'
            '<a href="https://piaille.example/@hopital">sans indice</a>'
            '<a href="https://piaille.example/@hopital2">@hopital2@piaille.example</a>'
            '<a rel="me" href="https://piaille.example/@hopital3">x</a>'
            '<a href="https://piaille.example/@hopital4" title="Mastodon">x</a>'
            '<a href="https://videos.example/c/chaine_hopital" title="PeerTube">x</a></div>')
    assert [raw for _, _, raw in profiles(html)] == [
        "hopital2@piaille.example", "hopital3@piaille.example", "hopital4@piaille.example",
        "https://videos.example/c/chaine_hopital"]


def test_a_follow_us_heading_marks_the_block_below_it() -> None:
    html = ('<main><div><h2>Suivez-nous !</h2><ul><li><a href="https://x.com/HopFictif">X</a></li></ul>'
            '</div><p><a href="https://x.com/Autre">autre</a></p></main>')
    assert profiles(html) == [("profile", "twitter", "https://x.com/HopFictif"),
                              ("body", "twitter", "https://x.com/Autre")]


def test_relatedness_uses_distinctive_words_of_names_and_domain() -> None:
    words = judge.name_words(["Centre hospitalier universitaire de Villefictive", "CHU Villefictive",
                              "Assistance publique – Hôpitaux de Fictiville", "AP-HF"],
                             "https://www.chu-villefictive.example/")
    assert {"villefictive", "chuvillefictive", "aphf", "fictiville"} <= words
    assert "chu" not in words and "hospitalier" not in words
    assert judge.related(parse_handle("twitter", "CHUVillefictive"), words)
    assert judge.related(parse_handle("twitter", "APHF"), words)
    assert not judge.related(parse_handle("twitter", "CHU_Autreville"), words)
    assert judge.related(parse_handle("mastodon", "villefictive@piaille.example"), words)
    assert not judge.related(parse_handle("mastodon", "hopital@villefictive.example"), words)  # instance


def test_institutional_accounts_and_opaque_identifiers() -> None:
    for handle in ("ARS_Fictive", "arsbretagne", "Sante_Gouv", "gouvernementFR", "FHF_info"):
        assert judge.institutional(parse_handle("twitter", handle), set())
    assert not judge.institutional(parse_handle("twitter", "CHU_Fictif"), set())
    assert judge.institutional(parse_handle("twitter", "HasFictive"), {("twitter", "hasfictive")})
    assert judge.opaque(parse_handle("youtube", "UC0000000000000000000009"))
    assert judge.opaque(parse_handle("facebook", "123456789012"))
    assert not judge.opaque(parse_handle("youtube", "@ChuFictif"))
    assert judge.on_domain("chu-fictif.example", "chu-fictif.example")
    assert judge.on_domain("presse.chu-fictif.example", "chu-fictif.example")
    assert not judge.on_domain("chu-fictif.example.evil", "chu-fictif.example")
    assert not judge.on_domain("chu-fictif.bsky.social", "chu-fictif.example")


def test_a_link_without_href_scheme_or_to_mail_is_ignored() -> None:
    page = parse_page('<footer><a href="mailto:x@y.fr">m</a><a href="javascript:void(0)">j</a>'
                      '<a>rien</a></footer>', "https://www.hf001.example/")
    assert [link.url for link in page.links] == []
    assert profile_of(Link("ftp://x.com/a", "", False, "profile")) is None


# -- the HTTP layer's get_text ---------------------------------------------------------------

@pytest.fixture
def server() -> Iterator[HTTPServer]:
    with fake_server() as s:
        yield s


def test_get_text_decodes_the_declared_charset_and_names_the_observatory(server: HTTPServer) -> None:
    server.expect_request("/p").respond_with_data("Hôpital".encode("cp1252"),
                                                  content_type="text/html; charset=windows-1252")
    page = Http(min_interval=0).get_text(server.url_for("/p"))
    assert page.text == "Hôpital" and page.status == 200 and page.location is None
    assert server.log[0][0].headers["User-Agent"].startswith("Observatoire/")
    assert "text/html" in server.log[0][0].headers["Accept"]


def test_get_text_returns_redirects_without_following_them(server: HTTPServer) -> None:
    server.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    page = Http(min_interval=0).get_text(server.url_for("/old"))
    assert (page.status, page.location) == (301, "/new")
    assert len(server.log) == 1


def test_get_text_shares_the_error_machinery(server: HTTPServer) -> None:
    server.expect_request("/absent").respond_with_data("non", status=404)
    server.expect_request("/image").respond_with_data(b"\x89PNG", content_type="image/png")
    http = Http(min_interval=0, retries=0)
    with pytest.raises(NotFound):
        http.get_text(server.url_for("/absent"))
    with pytest.raises(BadResponse, match="pas une page"):
        http.get_text(server.url_for("/image"))


# -- the establishment page ------------------------------------------------------------------

def test_a_bluesky_handle_on_the_establishments_domain_is_said_verified() -> None:
    from observatory.site.page_data import on_own_domain
    from observatory.site.pages import _accounts

    assert on_own_domain("hf001.example", "https://www.hf001.example/")
    assert on_own_domain("presse.hf001.example", "https://hf001.example")
    assert not on_own_domain("hf001.bsky.social", "https://www.hf001.example/")
    assert not on_own_domain("xhf001.example", "https://www.hf001.example/")
    assert not on_own_domain("hf001.example", None)
    account = {"platform": "Bluesky", "handle": "hf001.example", "url": "https://bsky.app/profile/hf001.example",
               "status": "actif", "since": None, "until": None, "unverified": False, "note": None,
               "sources": [], "previous_handles": []}
    verified = _accounts({"accounts": [{**account, "domain_verified": True}], "edit_url": ""})
    plain = _accounts({"accounts": [{**account, "domain_verified": False}], "edit_url": ""})
    assert "identifiant vérifié par le domaine de l'établissement" in "\n".join(verified)
    assert "vérifié par le domaine" not in "\n".join(plain)
