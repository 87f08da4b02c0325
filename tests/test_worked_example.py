"""The methodology's worked example: the real code gives the numbers computed by hand."""

from __future__ import annotations

import pytest

from observatory.analysis.worked_example import example_markdown, example_results


def test_results_match_the_hand_computation() -> None:
    r = example_results()
    assert (r["growth_7_abs"], r["growth_7_span"]) == (50, 7)
    assert r["growth_7_pct"] == pytest.approx(50 / 2150 * 100)
    assert (r["growth_30_abs"], r["growth_30_span"]) == (190, 30)
    assert r["growth_30_pct"] == pytest.approx(190 / 2010 * 100)
    assert r["growth_30_weekly"] == pytest.approx(((2200 / 2010) ** (7 / 30) - 1) * 100)
    assert r["posts_per_week"] == pytest.approx(5 * 7 / 30)
    daily = [44 / 2010, 64 / 2010, 22 / 2150, 10 / 2150]
    assert r["engagement"] == pytest.approx(sum(daily) / 30 * 100)
    assert r["post_interaction"] == pytest.approx((daily[0] / 2 + sum(daily[1:])) / 4 * 100)
    assert r["conversation"] == pytest.approx(20)
    assert r["followers_per_100_beds"] == pytest.approx(550)


def test_the_page_shows_the_computed_numbers() -> None:
    page = example_markdown()
    for text in ("**50** abonnés", "**2,33 %**", "**190**", "**9,45 %**", "**0,2287 %**", "**1,4417 %**",
                 "**20 %**", "**550**", "**1,17**"):
        assert text in page, text
