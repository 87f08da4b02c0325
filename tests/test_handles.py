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
    ("linkedin", ["company/chu-x", "https://www.linkedin.com/company/CHU-X/"]),
])
def test_every_way_of_writing_an_account_gives_one_key(platform: str, forms: list[str]) -> None:
    assert len({parse_handle(platform, form).key for form in forms}) == 1
