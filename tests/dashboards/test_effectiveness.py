"""The correlation arithmetic of the effectiveness view (dashboards.effectiveness), by hand."""

import math

import pytest

from dashboards.effectiveness import (
    Correlation,
    correlate,
    party_building_share,
    pearson,
    ranks,
    spearman,
    strength,
)

XS = [1, 2, 3, 4, 5]
YS = [2, 4, 5, 4, 5]


def test_pearson_of_a_textbook_example():
    # Σdxdy = 6, Σdx² = 10, Σdy² = 6 → r = 6 / √60
    assert pearson(XS, YS) == pytest.approx(6 / math.sqrt(60))


def test_pearson_is_one_on_a_line_and_minus_one_on_a_falling_line():
    assert pearson([1, 2, 3], [10, 20, 30]) == pytest.approx(1.0)
    assert pearson([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)


def test_pearson_needs_three_pairs():
    assert pearson([], []) is None
    assert pearson([1, 2], [3, 5]) is None


def test_pearson_is_undefined_when_one_side_does_not_vary():
    assert pearson([1, 2, 3, 4], [7, 7, 7, 7]) is None
    assert pearson([80.0, 80.0, 80.0], [1, 2, 3]) is None


def test_pearson_refuses_sides_of_different_lengths():
    with pytest.raises(ValueError, match="same length"):
        pearson([1, 2, 3], [1, 2])


def test_ranks_share_the_mean_rank_of_ties():
    assert ranks([3, 1, 3, 2]) == [3.5, 1.0, 3.5, 2.0]


def test_spearman_is_pearson_of_the_ranks():
    # ranks of YS: 1, 2.5, 4.5, 2.5, 4.5 → Σdxdy = 7, Σdx² = 10, Σdy² = 9
    assert spearman(XS, YS) == pytest.approx(7 / math.sqrt(90))


def test_spearman_ignores_how_far_an_outlier_lies():
    assert spearman([1, 2, 3, 4], [1, 2, 3, 1000]) == pytest.approx(1.0)
    assert pearson([1, 2, 3, 4], [1, 2, 3, 1000]) < 0.8


@pytest.mark.parametrize(
    ("r", "word"),
    [
        (0.0, "very weak"),
        (0.19, "very weak"),
        (-0.2, "weak"),
        (0.39, "weak"),
        (0.4, "moderate"),
        (-0.59, "moderate"),
        (0.6, "strong"),
        (0.79, "strong"),
        (-0.8, "very strong"),
        (1.0, "very strong"),
        (None, None),
    ],
)
def test_strength_in_words(r, word):
    assert strength(r) == word


def test_correlate_keeps_only_pairs_with_both_values():
    result = correlate(
        [(1, 2), (2, 4), (None, 9), (3, 5), (4, None), (4, 4), (5, 5), (6, math.nan)]
    )
    assert result.n == 5
    assert result.r == pytest.approx(round(6 / math.sqrt(60), 4))
    assert result.rho == pytest.approx(round(7 / math.sqrt(90), 4))
    assert result.strength == "strong"
    assert result.direction == "positive"


def test_correlate_with_too_few_pairs_says_nothing():
    result = correlate([(80, 10), (90, 12)])
    assert result == Correlation(n=2, r=None, rho=None)
    assert result.strength is None
    assert result.direction is None


def test_a_negative_correlation_has_a_direction():
    assert correlate([(1, 3), (2, 2), (3, 1)]).direction == "negative"


def test_party_building_share_takes_the_business_points_out():
    # 72 of 85 party-building points, 12 of 15 business points: total 84 of 100
    assert party_building_share(84, 100, 12, 15) == pytest.approx(72 / 85 * 100, abs=0.01)


def test_party_building_share_without_business_results_is_the_total_in_percent():
    assert party_building_share(45, 60, 0, 0) == 75.0


def test_party_building_share_when_only_business_results_are_scored():
    assert party_building_share(10, 15, 10, 15) is None
