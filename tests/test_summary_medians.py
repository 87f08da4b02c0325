"""The « En bref » table reads engagement, not only followers, against the medians of the
category and of the size class on that network, and says why a median is missing (issue #16)."""

from __future__ import annotations

import pandas as pd

from observatory.site.summary import enriched, summary_block


def _metrics() -> pd.DataFrame:
    rows = [("a", "facebook", "chu-chr", 1000.0, 0.5, False),
            ("b", "facebook", "chu-chr", 3000.0, 0.1, False),
            ("a", "twitter", "chu-chr", 500.0, None, False), ("d", "twitter", "ch", 700.0, 0.2, False)]
    return pd.DataFrame(rows, columns=["entity", "platform", "category", "followers", "engagement",
                                       "is_benchmark"])


def _account(platform: str, followers: int, engagement: float | None, reason: str | None = None) -> dict:
    return {"platform": platform, "platform_label": platform.title(), "account_id": f"{platform}-a",
            "handle": "@a", "measured_on": "2025-03-01",
            "metrics": {"followers": {"value": followers},
                        "engagement": {"value": engagement, "na_reason": reason}},
            "ranks": {"followers": {"peers": 1, "peers_of": 2}}}


def _table(category: str | None) -> str:
    summaries = {"a": {"as_of": "2025-03-01", "accounts": [
        _account("facebook", 1000, 0.5), _account("twitter", 500, None, "pas de publication")]}}
    shown = enriched(summaries, _metrics(), {"a": category} if category else {}, {})
    return "\n".join(summary_block(shown["a"])).replace("\u202f", " ")


def test_engagement_is_shown_beside_its_medians() -> None:
    text = _table("chu-chr")
    assert "<th scope=\"col\">Engagement (30 jours)</th>" in text
    facebook = text[text.index("Facebook"):text.index("Twitter")]
    assert "0,500 %" in facebook
    assert "médiane CHU/CHR : 0,300 %; comptes de 1 000 à 4 000 abonnés : 0,300 %" in facebook
    assert "médiane CHU/CHR : 2 000" in facebook


def test_a_missing_value_or_median_says_why() -> None:
    twitter = _table("chu-chr").split("Twitter", 1)[1]
    assert "n/a <small class=\"obs-why\">(pas de publication)</small>" in twitter
    # the only CHU/CHR twitter account has no engagement: no median, and the reason is given
    assert "médiane CHU/CHR : n/a (aucune valeur mesurée dans cette catégorie sur ce réseau)" in twitter
    assert "comptes de moins de 1 000 abonnés : 0,200 %" in twitter
    no_category = _table(None)
    assert no_category.count("catégorie : n/a (pas de catégorie d&#x27;établissement)") == 4
