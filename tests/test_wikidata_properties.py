"""The Wikidata property numbers `observatory discover wikidata` queries, checked against
Wikidata's own property data (an extract kept in tests/fixtures/wikidata/properties.json, with
where and when it was read): a wrong number (P2003 for X, say) fails here, and a value shaped as
Wikidata's format constraint for each property goes through the registry's handle rules."""

from __future__ import annotations

import json
import re

import pytest
from conftest import ROOT

from observatory.collect.discover import wikidata
from observatory.registry.handles import parse_handle

EXTRACT_PATH = ROOT / "tests" / "fixtures" / "wikidata" / "properties.json"
EXTRACT = json.loads(EXTRACT_PATH.read_text(encoding="utf-8"))
PROPERTIES = EXTRACT["properties"]

# What each queried property must be on Wikidata (its English label) and its datatype.
EXPECTED = {
    wikidata.FINESS: ("FINESS ID", "external-id"),
    wikidata.WEBSITE: ("official website", "url"),
    wikidata.BEDS: ("number of hospital beds", "quantity"),
}
ACCOUNT_LABELS = {
    "twitter": "X (Twitter) username", "facebook": "Facebook username", "instagram": "Instagram username",
    "youtube": "YouTube channel ID", "linkedin": "LinkedIn company or organization ID",
    "mastodon": "Mastodon address", "bluesky": "Bluesky handle", "tiktok": "TikTok username",
}
# Values shaped as each property's format constraint on Wikidata (invented, for the shape only).
SAMPLES = {
    "twitter": "CHU_Exemple", "facebook": "chu.exemple", "instagram": "chu_exemple",
    "youtube": "UC" + "a1B2c3D4e5F6g7H8i9J0k" + "A", "linkedin": "chu-exemple",
    "mastodon": "chu_exemple@social.example.org", "bluesky": "chu-exemple.bsky.social",
    "tiktok": "chu_exemple",
}


def test_the_extract_says_where_it_was_read() -> None:
    provenance = EXTRACT["_provenance"]
    assert "wikidata-properties 1.0.0" in provenance["read_from"]
    assert "sha512-" in provenance["read_from"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", provenance["read_on"])


@pytest.mark.parametrize("prop", sorted(EXPECTED))
def test_registry_properties_are_what_wikidata_says(prop: str) -> None:
    label, datatype = EXPECTED[prop]
    assert PROPERTIES[prop]["label_en"] == label
    assert PROPERTIES[prop]["datatype"] == datatype


@pytest.mark.parametrize("variable", sorted(wikidata.ACCOUNTS))
def test_account_properties_are_what_wikidata_says(variable: str) -> None:
    prop, platform, _template = wikidata.ACCOUNTS[variable]
    assert PROPERTIES[prop]["label_en"] == ACCOUNT_LABELS[platform]
    assert PROPERTIES[prop]["datatype"] == "external-id"


@pytest.mark.parametrize("variable", sorted(wikidata.ACCOUNTS))
def test_a_value_in_wikidata_format_is_read_by_the_handle_rules(variable: str) -> None:
    prop, platform, template = wikidata.ACCOUNTS[variable]
    sample = SAMPLES[platform]
    for pattern in PROPERTIES[prop]["format"]:
        try:
            compiled = re.compile(pattern)
        except re.error:  # \p{L} and the like: not Python's syntax, the shape is checked below only
            continue
        assert compiled.fullmatch(sample), f"{sample!r} ne suit pas le format Wikidata de {prop}"
    handle = parse_handle(platform, template.format(sample))
    assert sample.lower().split("@")[0] in handle.handle.lower()


def test_every_queried_property_is_in_the_query() -> None:
    text = wikidata.query()
    for prop in [*EXPECTED, *(p for p, _, _ in wikidata.ACCOUNTS.values())]:
        assert f"wdt:{prop} " in text
