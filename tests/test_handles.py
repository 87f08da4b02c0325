"""Per-platform handle rules, driven by the tab-separated lists in tests/fixtures/handles/."""

from __future__ import annotations

from pathlib import Path

import pytest

from observatory.registry.handles import HandleError, parse_handle

FIXTURES = Path(__file__).parent / "fixtures" / "handles"


def _rows(name: str) -> list[list[str]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [line.split("\t") for line in lines if line and not line.startswith("#")]


@pytest.mark.parametrize(("platform", "written", "canonical", "url"), _rows("valid.txt"))
def test_valid_handles_are_normalised(platform: str, written: str, canonical: str, url: str) -> None:
    handle = parse_handle(platform, written)
    assert (handle.handle, handle.url) == (canonical, url)


@pytest.mark.parametrize(("platform", "written", "words"), _rows("invalid.txt"))
def test_invalid_handles_are_refused_with_the_rule(platform: str, written: str, words: str) -> None:
    with pytest.raises(HandleError) as error:
        parse_handle(platform, written)
    assert words in str(error.value)
    assert written in str(error.value)


@pytest.mark.parametrize(("platform", "forms"), [
    ("twitter", ["CHURouen", "@churouen", "https://twitter.com/CHURouen", "https://x.com/churouen"]),
    ("bluesky", ["aphp.bsky.social", "@APHP.bsky.social", "https://bsky.app/profile/aphp.bsky.social"]),
    ("mastodon", ["chu@piaille.fr", "@CHU@piaille.fr", "https://piaille.fr/@chu"]),
    ("youtube", ["@CHUNantes", "https://www.youtube.com/@chunantes"]),
    ("youtube", ["user/CHUGrenoble", "https://www.youtube.com/user/chugrenoble",
                 "https://m.youtube.com/user/CHUGrenoble"]),
    ("linkedin", ["company/chu-x", "https://www.linkedin.com/company/CHU-X/"]),
])
def test_every_way_of_writing_an_account_gives_one_key(platform: str, forms: list[str]) -> None:
    assert len({parse_handle(platform, form).key for form in forms}) == 1


def test_legacy_youtube_user_name_keeps_its_spelling_and_is_not_a_handle() -> None:
    user = parse_handle("youtube", "https://www.youtube.com/user/ChudeLyon")
    assert (user.handle, user.key, user.url) == ("user/ChudeLyon", "user/chudelyon",
                                                 "https://www.youtube.com/user/ChudeLyon")
    # user names and @handles are two namespaces: the registry cannot tell they name one channel
    assert parse_handle("youtube", "@ChudeLyon").key != user.key


def test_custom_youtube_address_is_refused_since_the_api_cannot_resolve_it() -> None:
    with pytest.raises(HandleError) as error:
        parse_handle("youtube", "https://www.youtube.com/c/CHUGrenoble")
    assert "/c/ ne désignent pas une chaîne de façon stable" in str(error.value)
    assert "/user/" not in str(error.value)
