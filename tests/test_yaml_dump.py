"""Page data are written by a small block-YAML writer: what it writes reads back identical."""

from __future__ import annotations

import math

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from observatory.registry.yamlio import dump_canonical, dump_data

AWKWARD_KEYS = ["value", "na_reason", "rank", "yes", "null", "True", "OFF", "1", "a b", "é", "-x"]
KEYS = st.one_of(st.sampled_from(AWKWARD_KEYS), st.text(max_size=8))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12),
                    st.floats(allow_nan=False), st.text(max_size=20))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(KEYS, inner, max_size=4)),
                    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(DATA)
def test_what_is_written_reads_back_identical(data: object) -> None:
    assert yaml.safe_load(dump_data(data)) == data


def test_awkward_values_survive() -> None:
    data = {"ratio": 1e-05, "big": 1e16, "nan": float("nan"), "inf": -math.inf, "yes": "no",
            "text": "ligne 1\nligne 2 \u2028 « 12\u202f000 » : \"guillemets\" #pas un commentaire",
            "empty": {}, "none": [], "nested": [[1, [2]], {"a": [{"b": None}]}],
            "digits": "010780054", "date": "2026-11-01", "true": "true"}
    back = yaml.safe_load(dump_data(data))
    assert math.isnan(back.pop("nan"))
    data.pop("nan")
    assert back == data


def test_page_data_read_like_the_canonical_writer() -> None:
    summary = {"as_of": "2026-11-01", "accounts": [
        {"platform": "bluesky", "handle": "chu.example", "few_posts": False, "dormant": None,
         "metrics": {"followers": {"value": 1200, "na_reason": None},
                     "engagement": {"value": 0.133, "na_reason": None}}}]}
    assert yaml.safe_load(dump_data(summary)) == yaml.safe_load(dump_canonical(summary))
    assert dump_data(summary).startswith("as_of: \"2026-11-01\"\naccounts:\n- platform: \"bluesky\"\n")
