"""The « En bref » summary of an establishment page (issue #16, item 1): total audience, each
network's followers with a trend line (inline SVG with a text alternative), its rank in the
category, the medians it is read against, the best network by engagement, the last measure."""

from __future__ import annotations

import re

import pandas as pd

from observatory.site.summary import enriched, follower_trends, sparkline, summary_block, typical_values


def metrics() -> pd.DataFrame:
    rows = [("a", "facebook", "chu-chr", 1000.0, 0.5, False),
            ("b", "facebook", "chu-chr", 3000.0, 0.1, False),
            ("c", "facebook", "chu-chr", 9_000_000.0, 9.0, True),  # a benchmark: never typical
            ("a", "twitter", "chu-chr", 500.0, 0.9, False), ("d", "twitter", "ch", 700.0, 0.2, False)]
    return pd.DataFrame(rows, columns=["entity", "platform", "category", "followers", "engagement",
                                       "is_benchmark"])


def account(platform: str, label: str, followers: int, engagement: float) -> dict:
    return {"platform": platform, "platform_label": label, "account_id": f"{platform}-a", "handle": "@a",
            "measured_on": "2025-03-0" + ("2" if platform == "twitter" else "1"),
            "metrics": {"followers": {"value": followers}, "engagement": {"value": engagement}},
            "ranks": {"followers": {"peers": 2, "peers_of": 2}}}


def test_medians_leave_benchmarks_out_and_cover_category_and_size() -> None:
    typical = typical_values(metrics())
    assert typical[("followers", "facebook", "category:chu-chr")] == 2000.0
    assert typical[("engagement", "twitter", "category:chu-chr")] == 0.9
    assert typical[("followers", "facebook", "size:1000-a-4000")] == 2000.0


def test_the_summary_reads_every_network_against_what_is_typical() -> None:
    summaries = {"a": {"as_of": "2025-03-02", "accounts": [account("facebook", "Facebook", 1000, 0.5),
                                                          account("twitter", "X (Twitter)", 500, 0.9)]}}
    accounts = pd.DataFrame({"date": pd.to_datetime(["2025-03-01", "2025-02-28", "2025-03-02"]),
                             "platform": ["facebook"] * 3, "account_id": ["facebook-a"] * 3,
                             "followers": [990.0, 980.0, 1000.0]})
    trends = follower_trends(accounts)
    assert trends[("facebook", "facebook-a")] == [980.0, 990.0, 1000.0]
    shown = enriched(summaries, metrics(), {"a": "chu-chr"}, trends)
    assert "trend" not in summaries["a"]["accounts"][0]  # page data untouched
    text = "\n".join(summary_block(shown["a"])).replace("\u202f", " ")  # narrow no-break spaces
    assert "<li><strong>Audience totale :</strong> 1 500 abonnés sur 2 comptes suivis</li>" in text
    assert "<li><strong>Meilleur engagement :</strong> X (Twitter) (0,900 %)</li>" in text
    assert "<li><strong>Dernière mesure :</strong> 2 mars 2025</li>" in text
    assert "médiane CHU/CHR : 2 000; comptes de 1 000 à 4 000 abonnés : 2 000" in text
    svg = re.search(r'<svg class="obs-spark" role="img" aria-label="([^"]+)"', text)
    assert svg and svg.group(1) == "Évolution des abonnés sur les 3 derniers relevés : de 980 à 1 000"
    assert text.count("<svg") == 1  # no trend line from a single point (twitter has none here)
    assert 'role="region" tabindex' not in text and 'tabindex="0" role="region"' in text


def test_no_summary_without_measures_and_no_line_from_one_point() -> None:
    assert summary_block(None) == [] and summary_block({"as_of": "x", "accounts": []}) == []
    assert sparkline([5.0], "x") == ""
