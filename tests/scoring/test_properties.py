"""Properties for every value: bounds, monotonicity, vetoes, re-normalisation, never a crash."""

from __future__ import annotations

import json
import math

from hypothesis import assume, given
from hypothesis import strategies as st

from assessment.scoring import NOT_APPLICABLE, rubrics, score_subject
from assessment.scoring.spec import AppraisalRubric, Band
from tests.scoring.builders import FRAMEWORK, PERFECT

finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False)
weights = st.floats(min_value=0.01, max_value=1000, allow_nan=False)
fractions = st.floats(min_value=0, max_value=1, allow_nan=False)
counts = st.integers(min_value=0, max_value=10_000)


def within(points: float, low: float, high: float) -> bool:
    slack = 1e-9 * max(1.0, abs(high))
    return low - slack <= points <= high + slack


@st.composite
def linear_params(draw: st.DrawFn) -> tuple[float, float]:
    floor = draw(finite)
    target = draw(finite)
    assume(abs(target - floor) > 1e-6)
    return floor, target


@st.composite
def band_lists(draw: st.DrawFn, direction: str) -> tuple[Band, ...]:
    limits = sorted(draw(st.sets(finite, min_size=1, max_size=6)), reverse=direction == "higher")
    shares = sorted(
        draw(st.lists(fractions, min_size=len(limits), max_size=len(limits))), reverse=True
    )
    return tuple(Band(limit, share) for limit, share in zip(limits, shares, strict=True))


class TestBounds:
    @given(finite, linear_params(), weights)
    def test_linear(self, value: float, params: tuple[float, float], weight: float) -> None:
        floor, target = params
        result = rubrics.linear(value, floor=floor, target=target, weight=weight)
        assert within(result.points, 0, weight)

    @given(
        finite,
        st.sampled_from(["higher", "lower"]).flatmap(
            lambda d: st.tuples(st.just(d), band_lists(d))
        ),
        weights,
    )
    def test_bands(self, value: float, spec: tuple[str, tuple[Band, ...]], weight: float) -> None:
        direction, bands = spec
        result = rubrics.bands(value, bands=bands, direction=direction, weight=weight)
        assert within(result.points, 0, weight)

    @given(st.booleans(), fractions, fractions, weights)
    def test_yes_no(self, answer: bool, yes: float, no: float, weight: float) -> None:
        assert within(rubrics.yes_no(answer, yes=yes, no=no, weight=weight).points, 0, weight)

    @given(counts, weights, weights, fractions)
    def test_deduction(self, count: int, per: float, weight: float, floor_share: float) -> None:
        floor = weight * floor_share
        result = rubrics.deduction(count, per=per, floor=floor, weight=weight)
        assert within(result.points, floor, weight)

    @given(counts, weights, weights)
    def test_bonus_never_exceeds_its_cap(self, count: int, per: float, cap: float) -> None:
        assert within(rubrics.bonus(count, per=per, cap=cap).points, 0, cap)

    @given(
        st.lists(st.integers(0, 50), min_size=4, max_size=4),
        st.lists(fractions, min_size=4, max_size=4),
        weights,
    )
    def test_appraisal(self, votes: list[int], shares: list[float], weight: float) -> None:
        assume(sum(votes) > 0)
        counts_by = dict(
            zip(("excellent", "competent", "basic", "incompetent"), votes, strict=True)
        )
        rubric = AppraisalRubric(*shares)
        result = rubrics.appraisal(
            {"voters": sum(votes), **counts_by}, weights=rubric, weight=weight
        )
        assert result.error is None
        assert within(result.points, 0, weight)


class TestMonotone:
    @given(finite, finite, linear_params())
    def test_linear_follows_the_direction(
        self, a: float, b: float, params: tuple[float, float]
    ) -> None:
        floor, target = params
        low, high = sorted((a, b))
        at_low = rubrics.linear(low, floor=floor, target=target, weight=1).points
        at_high = rubrics.linear(high, floor=floor, target=target, weight=1).points
        if target > floor:  # higher is better
            assert at_high >= at_low
        else:
            assert at_high <= at_low

    @given(
        finite,
        finite,
        st.sampled_from(["higher", "lower"]).flatmap(
            lambda d: st.tuples(st.just(d), band_lists(d))
        ),
    )
    def test_bands_follow_the_direction(
        self, a: float, b: float, spec: tuple[str, tuple[Band, ...]]
    ) -> None:
        direction, bands = spec
        low, high = sorted((a, b))
        at_low = rubrics.bands(low, bands=bands, direction=direction, weight=1).points
        at_high = rubrics.bands(high, bands=bands, direction=direction, weight=1).points
        assert at_high >= at_low if direction == "higher" else at_high <= at_low

    @given(counts, counts)
    def test_more_incidents_never_earn_more(self, a: int, b: int) -> None:
        low, high = sorted((a, b))
        at_low = rubrics.deduction(low, per=1.5, floor=1, weight=10).points
        at_high = rubrics.deduction(high, per=1.5, floor=1, weight=10).points
        assert at_high <= at_low


# Entered values for a branch: each indicator may be good, bad, missing or not applicable.
def _entries(code: str) -> st.SearchStrategy[object]:
    typed = {
        "C1.01": st.floats(0, 100),
        "C1.02": st.integers(0, 40),
        "C2.01": st.booleans(),
        "C2.02": st.integers(0, 10),
        "C2.03": st.floats(0, 20),
        "C3.01": st.integers(1, 30).flatmap(
            lambda n: st.integers(0, n).map(lambda k: {"voters": n, "excellent": k, "basic": n - k})
        ),
        "C3.02": st.integers(0, 20),
        "C3.03": st.integers(0, 20),
        "X.01": st.integers(0, 6),
        "X.02": st.booleans(),
    }[code]
    return st.one_of(typed, st.none(), st.just(NOT_APPLICABLE))


branch_values = st.fixed_dictionaries({code: _entries(code) for code in PERFECT})
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=5),
    st.decimals(allow_nan=True),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=8), st.one_of(st.integers(), st.text(max_size=3)), max_size=3),
)


class TestEngine:
    @given(branch_values)
    def test_points_stay_within_each_indicator_max(self, values: dict[str, object]) -> None:
        result = score_subject(FRAMEWORK, "branch", values)
        for indicator in result.indicators:
            assert within(indicator.points, 0, indicator.max)
        assert within(result.base, 0, 100)
        assert within(result.bonus, 0, 3)
        assert math.isclose(result.total, result.base + result.bonus)

    @given(branch_values)
    def test_a_veto_never_raises_grade_or_stars(self, values: dict[str, object]) -> None:
        free = score_subject(FRAMEWORK, "branch", {**values, "X.02": False})
        vetoed = score_subject(FRAMEWORK, "branch", {**values, "X.02": True})
        assert vetoed.total == free.total
        if free.grade is None or free.stars is None:
            return
        assert vetoed.grade is not None
        assert vetoed.stars is not None
        grades = [band.grade for band in FRAMEWORK.grade_bands]
        assert grades.index(vetoed.grade) >= grades.index(free.grade)
        assert vetoed.stars <= free.stars
        assert vetoed.grade == "D"
        assert vetoed.stars == 1

    @given(branch_values)
    def test_renormalisation_keeps_the_maximum(self, values: dict[str, object]) -> None:
        result = score_subject(FRAMEWORK, "branch", values)
        if result.grade is None:
            return
        maxima = sum(i.max for i in result.indicators if i.kind != "bonus")
        assert math.isclose(maxima, 100, rel_tol=1e-9)
        if result.scale == 1:
            # No dimension dropped: each keeps its nominal maximum.
            for code, nominal in (("C1", 30), ("C2", 30), ("C3", 40)):
                assert math.isclose(result.dimension(code).max, nominal, rel_tol=1e-9)
        for dimension in result.dimensions:
            if dimension.dropped:
                assert dimension.max == 0

    @given(st.fixed_dictionaries(dict.fromkeys(PERFECT, junk)))
    def test_any_junk_is_reported_never_raised(self, values: dict[str, object]) -> None:
        result = score_subject(FRAMEWORK, "branch", values)
        json.dumps(result.to_dict(), allow_nan=False)
        for indicator in result.indicators:
            assert indicator.points >= 0
            if indicator.invalid:
                assert indicator.points == 0
                assert indicator.messages


@given(junk)
def test_rubric_functions_report_junk_instead_of_raising(value: object) -> None:
    results = [
        rubrics.bonus(value, per=1, cap=3),  # type: ignore[arg-type]
        rubrics.deduction(value, per=1, floor=0, weight=5),  # type: ignore[arg-type]
        rubrics.veto(value, cap_grade="D", cap_stars=1),  # type: ignore[arg-type]
        rubrics.appraisal(value, weights=AppraisalRubric(), weight=5),  # type: ignore[arg-type]
        rubrics.appraisal(
            {"voters": value, "excellent": value}, weights=AppraisalRubric(), weight=5
        ),
    ]
    for result in results:
        assert result.points >= 0
        if result.error is not None:
            assert result.points == 0
