"""The correlation arithmetic of the effectiveness view (dashboards.effectiveness), by hand."""

import math
import random

import pytest

from dashboards import effectiveness
from dashboards.effectiveness import (
    MIN_PAIRS,
    Correlation,
    Interval,
    bootstrap,
    change_pairs,
    correlate,
    lag_pairs,
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
        [(1, 2), (2, 4), (None, 9), (3, 5), (4, None), (4, 4), (5, 5), (6, math.nan)],
        min_pairs=3,  # the caller may ask for fewer than MIN_PAIRS
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
    assert correlate([(1, 3), (2, 2), (3, 1)], min_pairs=3).direction == "negative"


def test_party_building_share_takes_the_business_points_out():
    # 72 of 85 party-building points, 12 of 15 business points: total 84 of 100
    assert party_building_share(84, 100, 12, 15) == pytest.approx(72 / 85 * 100, abs=0.01)


def test_party_building_share_without_business_results_is_the_total_in_percent():
    assert party_building_share(45, 60, 0, 0) == 75.0


def test_party_building_share_when_only_business_results_are_scored():
    assert party_building_share(10, 15, 10, 15) is None


# -- the analysis: intervals, the minimum n, the headline, the verdict -----------------------------


def _related(n: int, slope: float, seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    xs = [rng.gauss(0, 1) for _ in range(n)]
    return [(x, slope * x + rng.gauss(0, 1)) for x in xs]


def test_the_minimum_is_ten_pairs_and_below_it_there_is_no_coefficient():
    assert MIN_PAIRS == 10
    nine = correlate(_related(9, 1.0, 1))
    assert nine.too_few
    assert (nine.r, nine.rho, nine.r_interval, nine.verdict) == (None, None, None, None)
    assert nine.n == 9
    ten = correlate(_related(10, 1.0, 1))
    assert not ten.too_few
    assert ten.r is not None
    assert ten.r_interval is not None


def test_the_caller_may_set_the_minimum():
    pairs = _related(12, 1.0, 2)
    assert correlate(pairs, min_pairs=20).too_few
    assert correlate(pairs, min_pairs=20).min_pairs == 20


def test_each_coefficient_has_an_interval_around_it():
    result = correlate(_related(40, 0.8, 3))
    for value, interval in ((result.r, result.r_interval), (result.rho, result.rho_interval)):
        assert isinstance(interval, Interval)
        assert -1 <= interval.low < value < interval.high <= 1


def test_the_interval_is_the_same_on_every_call_and_in_any_order():
    pairs = _related(25, 0.5, 4)
    effectiveness._correlate.cache_clear()  # computed again, not remembered
    first = correlate(pairs)
    effectiveness._correlate.cache_clear()
    again = correlate(list(reversed(pairs)))
    assert first == again
    assert bootstrap(pairs) == bootstrap(pairs[::-1])


def test_other_data_draws_other_resamples():
    a = bootstrap(_related(25, 0.5, 5))
    b = bootstrap(_related(25, 0.5, 6))
    assert a != b


def test_the_bootstrap_ranks_each_resample_as_spearman_would():
    # The resample's ranks are computed from counts per pair; they must equal Spearman's ρ of
    # the resample written out pair by pair (ties from drawing a pair twice included).
    rng = random.Random(7)
    data = sorted((float(rng.randint(1, 4)), rng.gauss(0, 1)) for _ in range(15))
    n = len(data)
    for _ in range(20):
        counts = [0] * n
        for index in rng.choices(range(n), k=n):
            counts[index] += 1
        xs = effectiveness._scaled([x for x, _y in data])
        ys = effectiveness._scaled([y for _x, y in data])
        fast_rho = effectiveness._weighted_r(
            counts,
            n,
            effectiveness._Ranker(xs).ranks(counts),
            effectiveness._Ranker(ys).ranks(counts),
        )
        fast_r = effectiveness._weighted_r(counts, n, xs, ys)
        sample = [data[i] for i in range(n) for _ in range(counts[i])]
        sx, sy = [x for x, _y in sample], [y for _x, y in sample]
        # None on both sides when a resample's grades do not vary
        assert fast_rho == (None if spearman(sx, sy) is None else pytest.approx(spearman(sx, sy)))
        assert fast_r == (None if pearson(sx, sy) is None else pytest.approx(pearson(sx, sy)))


def test_a_continuous_measure_leads_with_pearson_an_ordinal_one_with_spearman():
    pairs = _related(30, 0.6, 8)
    continuous = correlate(pairs)
    ordinal = correlate(pairs, ordinal=True)
    assert (continuous.headline, continuous.headline_symbol) == (continuous.r, "r")
    assert (continuous.other, continuous.other_symbol) == (continuous.rho, "ρ")
    assert (ordinal.headline, ordinal.headline_symbol) == (ordinal.rho, "ρ")
    assert ordinal.headline_interval == ordinal.rho_interval
    assert ordinal.other_interval == ordinal.r_interval


def test_clear_only_when_the_headline_interval_leaves_out_zero():
    base = {"n": 20, "r": 0.5, "rho": 0.1}
    assert Correlation(**base, r_interval=Interval(0.1, 0.8)).verdict == "clear"
    assert Correlation(**base, r_interval=Interval(-0.8, -0.1)).verdict == "clear"
    assert Correlation(**base, r_interval=Interval(-0.1, 0.8)).verdict == "unclear"
    assert Correlation(**base, r_interval=None).verdict == "unclear"
    # the headline of an ordinal measure is ρ: r's interval does not count
    ordinal = Correlation(
        **base, r_interval=Interval(0.1, 0.8), rho_interval=Interval(-0.3, 0.5), ordinal=True
    )
    assert ordinal.verdict == "unclear"
    assert ordinal.strength == "very weak"  # of ρ = 0.1
    assert Correlation(n=5, r=None, rho=None).verdict is None


def test_values_that_hardly_vary_give_no_interval():
    # nine of ten units share one grade: most resamples have no ρ at all
    pairs = [(float(i), 3.0) for i in range(9)] + [(9.0, 4.0)]
    result = correlate(pairs, ordinal=True)
    assert result.rho is not None
    assert result.rho_interval is None
    assert result.verdict == "unclear"


def test_lag_pairs_take_year_t_against_year_t_plus_one_of_the_same_units():
    earlier = {"a": 70.0, "b": 80.0, "c": None, "gone": 60.0}
    later = {"a": 5.0, "b": 9.0, "c": 3.0, "new": 1.0}
    assert sorted(lag_pairs(earlier, later), key=str) == sorted(
        [(70.0, 5.0), (80.0, 9.0), (None, 3.0)], key=str
    )


def test_change_pairs_take_the_change_on_both_sides():
    pairs = change_pairs(
        {"a": 70.0, "b": 80.0, "c": 60.0},
        {"a": 75.0, "b": 78.0, "c": None},
        {"a": 5.0, "b": 9.0, "c": 3.0},
        {"a": 6.5, "b": 8.0, "c": 4.0},
    )
    assert sorted(pairs, key=str) == sorted([(5.0, 1.5), (-2.0, -1.0), (None, 1.0)], key=str)
