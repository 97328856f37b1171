"""The correlation arithmetic of the effectiveness view (business.statistics), by hand."""

import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from business import statistics as effectiveness
from business.statistics import (
    MIN_PAIRS,
    Correlation,
    Fit,
    Interval,
    bootstrap,
    change_pairs,
    correlate,
    fit,
    lag_pairs,
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


def _grades(n: int, seed: int) -> list[tuple[float, float]]:
    """A grade 1–4 against a continuous figure: many ties on the grade's side."""
    rng = random.Random(seed)
    return sorted((float(rng.randint(1, 4)), rng.gauss(0, 1)) for _ in range(n))


def _resamples(data: list[tuple[float, float]], resamples: int, cells: int) -> np.ndarray:
    """The counts matrix the bootstrap itself draws for these (sorted) pairs."""
    seed = effectiveness._seed(data, resamples)
    return np.vstack(list(effectiveness._count_chunks(len(data), resamples, seed, cells)))


def _slow_coefficients(
    data: list[tuple[float, float]], counts: np.ndarray
) -> tuple[list[float], list[float]]:
    """r and ρ of each resample written out pair by pair, by the exact pure-Python functions
    (ties, in the data or from drawing a pair twice, ranked as Spearman would)."""
    rs, rhos = [], []
    for row in counts:
        sample = [data[i] for i in range(len(data)) for _ in range(int(row[i]))]
        xs, ys = [x for x, _y in sample], [y for _x, y in sample]
        if (r := pearson(xs, ys)) is not None:
            rs.append(r)
        if (rho := spearman(xs, ys)) is not None:
            rhos.append(rho)
    return rs, rhos


def _slow_bounds(values: list[float], resamples: int, n: int) -> tuple[float, float] | None:
    """The percentile interval as the issue defines it, written out again."""
    if len(values) < (1 - effectiveness.MAX_DEGENERATE) * resamples:
        return None
    ordered = sorted(values)
    tail = effectiveness._tail(n)

    def at(q: float) -> float:
        position = q * (len(ordered) - 1)
        low = math.floor(position)
        high = min(low + 1, len(ordered) - 1)
        return ordered[low] + (ordered[high] - ordered[low]) * (position - low)

    return at(tail), at(1 - tail)


def _assert_close(fast: tuple[float, float] | None, slow: tuple[float, float] | None) -> None:
    assert (fast is None) == (slow is None)
    if fast is not None and slow is not None:
        assert fast == pytest.approx(slow, abs=1e-9, rel=0)


def test_each_resample_is_a_matrix_row_of_counts_that_sum_to_n():
    counts = _resamples(_grades(15, 1), 250, cells=15 * 40)  # blocks of 40 resamples
    assert counts.shape == (250, 15)
    assert (counts.sum(axis=1) == 15).all()
    assert counts.min() >= 0


def test_the_resamples_do_not_depend_on_the_block_size_of_the_memory():
    # The blocks draw in turn from one generator: any block size gives the same resamples, so
    # the same intervals, and they agree with the slow reference over those counts.
    data = _grades(30, 2)
    whole = _resamples(data, 200, cells=effectiveness.CHUNK_CELLS)
    for cells in (30, 30 * 7, 30 * 7 + 1):
        assert np.array_equal(_resamples(data, 200, cells), whole)
    # equal up to the order in which a sum is added
    for small, large in zip(
        effectiveness._bounds(data, 200, 30), effectiveness._bounds(data, 200, 10**9), strict=True
    ):
        assert small == pytest.approx(large, abs=1e-12, rel=0)
    for cells in (30, effectiveness.CHUNK_CELLS):
        r_fast, rho_fast = effectiveness._bounds(data, 200, cells)
        rs, rhos = _slow_coefficients(data, _resamples(data, 200, cells))
        _assert_close(r_fast, _slow_bounds(rs, 200, len(data)))
        _assert_close(rho_fast, _slow_bounds(rhos, 200, len(data)))


def test_the_vectorised_ranks_are_spearmans_ranks_of_each_resample():
    # The resample's ranks come from counts per pair; they must equal the ranks of the resample
    # written out pair by pair (ties from the grades and from drawing a pair twice included).
    data = _grades(15, 7)
    counts = _resamples(data, 20, cells=effectiveness.CHUNK_CELLS)
    ranker = effectiveness._Ranker(effectiveness._scaled([x for x, _y in data]))
    doubled = ranker.ranks(counts)
    for row, row_ranks in zip(counts, doubled, strict=True):
        drawn = [i for i in range(len(data)) for _ in range(int(row[i]))]
        expected = ranks([data[i][0] for i in drawn])
        # 2 × (rank − (n+1)/2), each drawn copy of pair i carrying pair i's rank
        assert [float(row_ranks[i]) for i in drawn] == [2 * r - (len(data) + 1) for r in expected]


def test_ties_in_grades_give_intervals_around_the_coefficients():
    rng = random.Random(9)
    pairs = []
    for _ in range(40):
        value = rng.gauss(0, 1)
        grade = 1.0 if value < -0.67 else 2.0 if value < 0 else 3.0 if value < 0.67 else 4.0
        pairs.append((value + rng.gauss(0, 0.5), grade))
    result = correlate(pairs, ordinal=True)
    assert result.rho_interval is not None
    assert result.rho_interval.low < result.rho < result.rho_interval.high
    assert result.verdict == "clear"


def test_a_constant_side_gives_no_interval():
    assert bootstrap([(float(i), 5.0) for i in range(20)]) == (None, None)
    assert bootstrap([(1.0, 2.0), (3.0, 4.0)]) == (None, None)  # too few pairs for any r


pair_sets = st.lists(
    st.tuples(
        st.one_of(st.integers(1, 4).map(float), st.integers(-500, 500).map(lambda v: v / 10)),
        st.integers(-10_000, 10_000).map(lambda v: v / 100),
    ),
    min_size=3,
    max_size=16,
)


@settings(max_examples=60, deadline=None)
@given(pairs=pair_sets, resamples=st.integers(1, 120), block=st.integers(1, 200))
def test_the_numpy_bootstrap_agrees_with_a_slow_loop_over_the_same_resamples(
    pairs, resamples, block
):
    # Grades (ties), tenths and hundredths: values differ by at least 0.01 or not at all, so the
    # two ways of calling a side constant cannot disagree on a value close to the limit.
    data = sorted(pairs)
    cells = block * len(data)
    r_fast, rho_fast = effectiveness._bounds(data, resamples, cells)
    rs, rhos = _slow_coefficients(data, _resamples(data, resamples, cells))
    _assert_close(r_fast, _slow_bounds(rs, resamples, len(data)))
    _assert_close(rho_fast, _slow_bounds(rhos, resamples, len(data)))
    assert bootstrap(pairs, resamples=resamples) == tuple(
        None if b is None else Interval(round(b[0], 4), round(b[1], 4))
        for b in effectiveness._bounds(data, resamples)
    )


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


# -- the fitted line and its band ---------------------------------------------------------------


def _widths(result: Fit) -> list[float]:
    return [high - low for _x, _fitted, low, high in result.band]


def test_fit_of_a_textbook_example():
    # x̄ = 3, ȳ = 4, Sxy = 6, Sxx = 10 → slope 0.6, intercept 4 − 0.6·3 = 2.2
    result = fit(zip(XS, YS, strict=True))
    assert result.n == 5
    assert result.slope == pytest.approx(0.6)
    assert result.intercept == pytest.approx(2.2)
    # at x̄ the half-width is t₀.₉₇₅,₃ · s / √n with s² = (Syy − slope·Sxy) / 3 = 2.4 / 3
    x, fitted, low, high = result.band[10]
    half = effectiveness._t_quantile(0.975, 3) * math.sqrt(0.8 / 5)
    assert (x, fitted) == (3.0, 4.0)
    assert (low, high) == (round(4 - half, 4), round(4 + half, 4))


def test_fit_band_runs_from_the_smallest_x_to_the_largest_in_21_steps():
    result = fit([(10, 1), (20, 3), (30, 2), (50, 6)])
    assert [x for x, *_ in result.band] == [10 + 2 * k for k in range(21)]
    assert len(fit([(10, 1), (20, 3), (30, 2)], points=5).band) == 5


def test_a_perfect_line_has_a_band_of_no_width():
    result = fit([(x, 3 * x - 2) for x in range(1, 8)])
    assert (result.slope, result.intercept) == (pytest.approx(3), pytest.approx(-2))
    for x, fitted, low, high in result.band:
        assert low == fitted == high == pytest.approx(3 * x - 2)


def test_the_band_is_narrowest_at_the_mean_of_x():
    rng = random.Random(11)
    result = fit([(float(x), 0.5 * x + rng.gauss(0, 2)) for x in range(21)])  # x̄ = 10
    widths = _widths(result)
    assert result.band[10][0] == 10.0
    assert widths.index(min(widths)) == 10
    assert widths[:11] == sorted(widths[:11], reverse=True)  # wider away from x̄ on both sides
    assert widths[10:] == sorted(widths[10:])


def test_the_band_widens_with_fewer_points():
    # the same scatter with every point once and twice: same line, same spread about it
    rng = random.Random(12)
    once = [(float(x), x + rng.gauss(0, 1)) for x in range(10)]
    few, many = fit(once), fit(once * 2)
    assert few.slope == pytest.approx(many.slope)
    assert all(a > b for a, b in zip(_widths(few), _widths(many), strict=True))


def test_no_fit_below_three_pairs_or_when_x_does_not_vary():
    assert fit([(1, 2), (2, 3)]) is None
    assert fit([(5, 1), (5, 2), (5, 7)]) is None
    assert fit([(1, 2), (2, None), (None, 4), (3, math.nan)]) is None  # one usable pair
