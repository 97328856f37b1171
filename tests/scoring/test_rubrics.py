"""Each rubric kind on its edges; bad values give 0 points and a message, never an exception."""

from __future__ import annotations

import pytest

from assessment.scoring import rubrics
from assessment.scoring.formula import FormulaResult
from assessment.scoring.spec import AppraisalRubric, Band, BandsRubric, LinearRubric, YesNoRubric

HIGH_BANDS = (Band(95, 1.0), Band(85, 0.8), Band(60, 0.5))
LOW_BANDS = (Band(0, 1.0), Band(2, 0.6), Band(5, 0.2))


class TestLinear:
    @pytest.mark.parametrize(
        ("value", "points"),
        [(60, 0.0), (50, 0.0), (100, 5.0), (130, 5.0), (92, 4.0), (80, 2.5)],
    )
    def test_higher_is_better(self, value: float, points: float) -> None:
        result = rubrics.linear(value, floor=60, target=100, weight=5)
        assert result.points == pytest.approx(points)
        assert result.fraction == pytest.approx(points / 5)

    @pytest.mark.parametrize(
        ("incidents", "fraction"), [(10, 0.0), (12, 0.0), (0, 1.0), (-1, 1.0), (5, 0.5), (2, 0.8)]
    )
    def test_lower_is_better_with_the_floor_above_the_target(
        self, incidents: float, fraction: float
    ) -> None:
        result = rubrics.linear(incidents, floor=10, target=0, weight=10)
        assert result.fraction == pytest.approx(fraction)

    def test_provenance_keeps_the_numbers(self) -> None:
        result = rubrics.linear(92, floor=60, target=100, weight=5)
        assert result.detail == {"floor": 60, "target": 100, "fraction": pytest.approx(0.8)}
        assert "floor" in result.rule


class TestBands:
    @pytest.mark.parametrize(
        ("value", "fraction", "band"),
        [
            (100, 1.0, 0),
            (95, 1.0, 0),
            (94.999, 0.8, 1),
            (85, 0.8, 1),
            (60, 0.5, 2),
            (59.9, 0.0, None),
        ],
    )
    def test_min_bands_on_their_edges(
        self, value: float, fraction: float, band: int | None
    ) -> None:
        result = rubrics.bands(value, bands=HIGH_BANDS, direction="higher", weight=10)
        assert (result.fraction, result.points, result.detail["band"]) == (
            fraction,
            pytest.approx(fraction * 10),
            band,
        )

    @pytest.mark.parametrize(
        ("value", "fraction"), [(0, 1.0), (0.5, 0.6), (2, 0.6), (2.01, 0.2), (5, 0.2), (6, 0.0)]
    )
    def test_max_bands_for_lower_is_better(self, value: float, fraction: float) -> None:
        result = rubrics.bands(value, bands=LOW_BANDS, direction="lower", weight=10)
        assert result.fraction == fraction


class TestYesNo:
    def test_defaults(self) -> None:
        assert rubrics.yes_no(True, yes=1.0, no=0.0, weight=4).points == 4
        assert rubrics.yes_no(False, yes=1.0, no=0.0, weight=4).points == 0

    def test_partial_credit_for_no(self) -> None:
        assert rubrics.yes_no(False, yes=1.0, no=0.25, weight=4).points == 1


class TestBonus:
    @pytest.mark.parametrize(
        ("count", "points"), [(0, 0.0), (1, 1.5), (2, 3.0), (3, 3.0), (50, 3.0)]
    )
    def test_per_occurrence_up_to_the_cap(self, count: int, points: float) -> None:
        result = rubrics.bonus(count, per=1.5, cap=3)
        assert result.points == points
        assert result.fraction is None
        assert result.detail["capped"] is (count * 1.5 > 3)

    @pytest.mark.parametrize("bad", [-1, float("nan"), "3", True])
    def test_bad_count_earns_nothing_and_says_why(self, bad: object) -> None:
        result = rubrics.bonus(bad, per=1, cap=3)  # type: ignore[arg-type]
        assert result.points == 0
        assert result.error is not None
        assert result.error.code == "invalid"


class TestDeduction:
    @pytest.mark.parametrize(("count", "points"), [(0, 10.0), (1, 8.0), (5, 0.0), (9, 0.0)])
    def test_down_to_zero(self, count: int, points: float) -> None:
        result = rubrics.deduction(count, per=2, floor=0, weight=10)
        assert result.points == points
        assert result.fraction == points / 10
        assert result.detail["deducted"] == 10 - points

    @pytest.mark.parametrize(("count", "points"), [(3, 4.0), (4, 4.0), (100, 4.0), (2, 6.0)])
    def test_never_below_its_floor(self, count: int, points: float) -> None:
        assert rubrics.deduction(count, per=2, floor=4, weight=10).points == points

    def test_negative_count_is_refused(self) -> None:
        result = rubrics.deduction(-2, per=2, floor=0, weight=10)
        assert result.points == 0
        assert result.error is not None
        assert "negative" in result.error.en


class TestVeto:
    @pytest.mark.parametrize(
        ("value", "triggered"), [(False, False), (True, True), (0, False), (1, True), (3, True)]
    )
    def test_triggered_by_true_or_a_count(self, value: object, triggered: bool) -> None:
        result = rubrics.veto(value, cap_grade="D", cap_stars=1)  # type: ignore[arg-type]
        assert result.triggered is triggered
        assert result.points == 0
        assert result.detail == {"cap_grade": "D", "cap_stars": 1}

    @pytest.mark.parametrize("bad", [-1, float("nan"), "yes", None])
    def test_bad_value_does_not_trigger_and_says_why(self, bad: object) -> None:
        result = rubrics.veto(bad, cap_grade="D", cap_stars=1)  # type: ignore[arg-type]
        assert not result.triggered
        assert result.error is not None


class TestFormula:
    def test_scores_the_computed_value_with_then(self) -> None:
        result = rubrics.formula(
            FormulaResult(75.0), then=LinearRubric(50), target=100, direction="higher", weight=20
        )
        assert result.points == pytest.approx(10)
        assert result.detail["computed"] == 75

    def test_then_bands(self) -> None:
        result = rubrics.formula(
            FormulaResult(90.0),
            then=BandsRubric(HIGH_BANDS),
            target=None,
            direction="higher",
            weight=10,
        )
        assert result.points == pytest.approx(8)

    def test_then_yes_no_takes_non_zero_as_yes(self) -> None:
        def score(value: float) -> float:
            computed = FormulaResult(value)
            return rubrics.formula(
                computed, then=YesNoRubric(), target=None, direction="higher", weight=3
            ).points

        assert (score(1.0), score(0.0), score(-2.0)) == (3, 0, 3)

    def test_division_by_zero_earns_nothing_with_a_message(self) -> None:
        result = rubrics.formula(
            FormulaResult(None, "division_by_zero"),
            then=LinearRubric(0),
            target=100,
            direction="higher",
            weight=20,
        )
        assert (result.points, result.fraction) == (0, 0)
        assert result.error is not None
        assert "division by zero" in result.error.en
        assert "除以零" in result.error.zh

    def test_missing_input_is_reported_as_missing(self) -> None:
        result = rubrics.formula(
            FormulaResult(None, "missing", "C3.03"),
            then=LinearRubric(0),
            target=100,
            direction="higher",
            weight=20,
        )
        assert result.error is not None
        assert result.error.code == "missing"
        assert "C3.03" in result.error.en


class TestAppraisal:
    WEIGHTS = AppraisalRubric()

    def test_weighted_share_of_the_votes(self) -> None:
        votes = {"voters": 10, "excellent": 8, "competent": 2, "basic": 0, "incompetent": 0}
        result = rubrics.appraisal(votes, weights=self.WEIGHTS, weight=10)
        assert result.fraction == pytest.approx(0.96)
        assert result.points == pytest.approx(9.6)

    def test_categories_left_out_count_as_zero(self) -> None:
        result = rubrics.appraisal({"voters": 4, "basic": 4}, weights=self.WEIGHTS, weight=10)
        assert result.fraction == pytest.approx(0.5)

    def test_custom_weights(self) -> None:
        weights = AppraisalRubric(excellent=1.0, competent=1.0, basic=0.0, incompetent=0.0)
        result = rubrics.appraisal(
            {"voters": 4, "competent": 2, "basic": 2}, weights=weights, weight=1
        )
        assert result.fraction == pytest.approx(0.5)

    @pytest.mark.parametrize(
        ("votes", "why"),
        [
            ({"voters": 10, "excellent": 8}, "the counts add up to 8, not the 10 voters"),
            ({"voters": 10, "excellent": 11}, "the counts add up to 11, not the 10 voters"),
            ({"voters": 0}, "there are no voters"),
            ({"voters": 0, "excellent": 0, "competent": 0}, "there are no voters"),
            (
                {"voters": 3, "excellent": 4, "incompetent": -1},
                "incompetent must be a whole number",
            ),
            ({"voters": 2.5, "excellent": 2.5}, "voters must be a whole number"),
            ({"excellent": 3}, "voters must be a whole number"),
            ({"voters": 1, "excellent": 1, "great": 0}, "unknown vote fields great"),
            ({"voters": 1, "excellent": True}, "excellent must be a whole number"),
            ("ten", "an appraisal takes vote counts"),
        ],
    )
    def test_bad_votes_earn_nothing_with_the_reason(self, votes: object, why: str) -> None:
        result = rubrics.appraisal(votes, weights=self.WEIGHTS, weight=10)  # type: ignore[arg-type]
        assert (result.points, result.fraction) == (0, 0)
        assert result.error is not None
        assert why in result.error.en

    def test_whole_number_strings_are_accepted(self) -> None:
        result = rubrics.appraisal(
            {"voters": "2", "excellent": "2"}, weights=self.WEIGHTS, weight=1
        )
        assert result.fraction == 1


def test_none_records_without_scoring() -> None:
    result = rubrics.none("a note")
    assert (result.points, result.fraction, result.error) == (0, None, None)
