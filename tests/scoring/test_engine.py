"""score_subject: totals, re-normalisation, vetoes, bonuses, grades and bad values."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from assessment.scoring import NOT_APPLICABLE, score_many, score_subject
from tests.scoring.builders import FRAMEWORK, PERFECT, build, find, framework_dict


def score(**changes: object):
    values = dict(PERFECT)
    values.update({code.replace("_", "."): value for code, value in changes.items()})
    return score_subject(FRAMEWORK, "branch", values)


class TestTotals:
    def test_perfect_values_earn_every_point(self) -> None:
        result = score()
        assert (result.base, result.bonus, result.total, result.max) == (100, 0, 100, 100)
        assert (result.grade, result.stars) == ("A", 5)
        assert result.missing == result.not_applicable == result.invalid == result.vetoes == ()

    def test_points_follow_the_rubrics(self) -> None:
        result = score(C1_01=92, C1_02=9, C2_01=False, C2_02=2, C2_03=3)
        points = {i.code: i.points for i in result.indicators}
        assert points["C1.01"] == pytest.approx(16)
        assert points["C1.02"] == pytest.approx(8)
        assert points["C2.01"] == 0
        assert points["C2.02"] == pytest.approx(6)
        assert points["C2.03"] == pytest.approx(7)
        assert result.base == pytest.approx(100 - 4 - 2 - 10 - 4 - 3)
        assert result.deductions == pytest.approx(4)

    def test_indicators_come_in_framework_order(self) -> None:
        codes = [i.code for i in score().indicators]
        assert codes == [i.code for i in FRAMEWORK.indicators_for("branch")]

    def test_member_uses_its_own_indicators(self) -> None:
        votes = {"voters": 5, "excellent": 5}
        result = score_subject(FRAMEWORK, "member", {"M1.01": True, "M1.02": 70, "C3.01": votes})
        assert [i.code for i in result.indicators] == ["C3.01", "M1.01", "M1.02"]
        assert result.total == pytest.approx(20 + 40 + 24)

    def test_unknown_subject_kind_is_a_programming_error(self) -> None:
        with pytest.raises(ValueError, match="unknown subject kind 'cell'"):
            score_subject(FRAMEWORK, "cell", {})


class TestMissingAndInvalid:
    def test_missing_value_earns_nothing_and_is_listed(self) -> None:
        values = dict(PERFECT)
        del values["C2.01"]
        values["C1.02"] = ""
        result = score_subject(FRAMEWORK, "branch", values)
        assert result.missing == ("C1.02", "C2.01")
        c201 = result.indicator("C2.01")
        assert (c201.points, c201.missing, c201.rectify) == (0, True, True)
        assert c201.messages[0].code == "missing"
        assert result.total == 80

    def test_nothing_entered(self) -> None:
        result = score_subject(FRAMEWORK, "branch", {})
        assert result.total == 0
        assert (result.grade, result.stars) == ("D", 1)
        assert len(result.missing) == 11

    @pytest.mark.parametrize(
        ("code", "bad", "why"),
        [
            ("C2.03", "abc", "is not a number"),
            ("C2.03", float("inf"), "is not a number"),
            ("C2.03", True, "is not a number"),
            ("C1.01", 105, "is not a percentage from 0 to 100"),
            ("C1.01", -1, "is not a percentage from 0 to 100"),
            ("C1.02", 2.5, "is not a whole number"),
            ("C1.02", -1, "is not a whole number"),
            ("C2.01", "maybe", "is not yes or no"),
            ("C2.01", 2, "is not yes or no"),
            ("C3.01", {"voters": 3, "excellent": 2}, "the counts add up to 2, not the 3 voters"),
            ("C3.01", [1, 2], "an appraisal takes vote counts"),
            ("X.02", -1, "is not yes or no"),  # a veto reads its value by its value type
            ("X.01", object(), "is not a whole number"),
        ],
    )
    def test_bad_values_earn_nothing_and_are_reported(
        self, code: str, bad: object, why: str
    ) -> None:
        result = score(**{code.replace(".", "_"): bad})
        indicator = result.indicator(code)
        assert indicator.invalid
        assert indicator.points == 0
        assert any(why in m.en for m in indicator.messages)
        assert result.invalid == (code,)
        json.dumps(result.to_dict(), allow_nan=False)

    @pytest.mark.parametrize(
        ("code", "entered", "used"),
        [
            ("C2.03", "3.5", 3.5),
            ("C2.03", Decimal("3.5"), 3.5),
            ("C1.02", "12", 12.0),
            ("C2.01", "yes", True),
            ("C2.01", "否", False),
            ("C2.01", 1, True),
            ("X.02", 0, False),
        ],
    )
    def test_numbers_as_text_and_decimals_are_accepted(
        self, code: str, entered: object, used: object
    ) -> None:
        indicator = score(**{code.replace(".", "_"): entered}).indicator(code)
        assert not indicator.invalid
        assert indicator.value == used

    def test_implausible_value_is_flagged_not_refused(self) -> None:
        indicator = score(C1_02=45).indicator("C1.02")
        assert indicator.points == 10
        assert [m.code for m in indicator.messages] == ["implausible"]


class TestNotApplicable:
    def test_weight_is_shared_within_the_dimension(self) -> None:
        result = score(C2_01=NOT_APPLICABLE, C2_02=1)
        c2 = result.dimension("C2")
        assert c2.max == pytest.approx(30)
        c202 = result.indicator("C2.02")
        assert (c202.max, c202.factor) == (pytest.approx(15), pytest.approx(1.5))
        assert c202.points == pytest.approx(8 * 1.5)
        assert result.indicator("C2.01").max == 0
        assert result.not_applicable == ("C2.01",)
        assert result.max == 100
        assert result.total == pytest.approx(97)

    def test_na_is_case_and_space_insensitive(self) -> None:
        assert score(C2_01=" N/A ").indicator("C2.01").not_applicable

    def test_share_is_in_proportion_to_weights(self) -> None:
        data = framework_dict()
        find(data, "C2.01")["weight"] = 5
        find(data, "C2.03")["weight"] = 15
        framework = build(data)
        result = score_subject(framework, "branch", {**PERFECT, "C2.02": NOT_APPLICABLE})
        assert result.indicator("C2.01").max == pytest.approx(7.5)
        assert result.indicator("C2.03").max == pytest.approx(22.5)

    def test_whole_dimension_drops_out_and_the_total_is_rescaled(self) -> None:
        result = score(C1_02=NOT_APPLICABLE, C2_01=False)
        assert result.dimension("C1.1").dropped
        assert not result.dimension("C1").dropped
        assert result.scale == pytest.approx(100 / 90)
        assert result.max == 100
        assert sum(i.max for i in result.indicators if i.kind not in ("bonus",)) == pytest.approx(
            100
        )
        assert result.total == pytest.approx(80 * 100 / 90)
        assert result.dimension("C1").max == pytest.approx(20 * 100 / 90)

    def test_a_formula_over_an_input_that_does_not_apply_does_not_apply(self) -> None:
        result = score(C3_03=NOT_APPLICABLE)
        c304 = result.indicator("C3.04")
        assert c304.not_applicable
        assert c304.messages[0].code == "not_applicable"
        assert result.indicator("C3.01").max == pytest.approx(40)
        assert result.total == pytest.approx(100)

    def test_nothing_applicable_gives_no_grade(self) -> None:
        member = {"M1.01": "n/a", "M1.02": "n/a", "C3.01": "n/a"}
        result = score_subject(FRAMEWORK, "member", member)
        assert (result.grade, result.stars, result.total, result.max) == (None, None, 0, 0)
        assert result.messages[0].code == "nothing_applies"


class TestFormulas:
    def test_computed_from_other_indicators(self) -> None:
        c304 = score(C3_02=8, C3_03=10).indicator("C3.04")
        assert c304.value == pytest.approx(80)
        assert c304.points == pytest.approx(12)
        assert c304.provenance["inputs"] == {"C3.02": 8, "C3.03": 10}

    def test_division_by_zero_earns_nothing_with_a_message(self) -> None:
        c304 = score(C3_03=0).indicator("C3.04")
        assert (c304.points, c304.value, c304.invalid) == (0, None, True)
        assert "division by zero" in c304.messages[0].en

    def test_missing_input_makes_it_missing(self) -> None:
        values = dict(PERFECT)
        del values["C3.03"]
        result = score_subject(FRAMEWORK, "branch", values)
        assert result.missing == ("C3.03", "C3.04")
        assert "C3.03" in result.indicator("C3.04").messages[0].en

    def test_an_entered_value_for_a_formula_is_ignored(self) -> None:
        c304 = score(C3_04=10).indicator("C3.04")
        assert c304.points == 20
        assert [m.code for m in c304.messages] == ["ignored"]

    def test_a_computed_percentage_above_100_is_invalid_and_says_why(self) -> None:
        """11 meetings held of 10 planned is no rate of 110 % (issue 12, item 4)."""
        c304 = score(C3_02=11, C3_03=10).indicator("C3.04")
        assert (c304.points, c304.value, c304.invalid) == (0, None, True)
        assert c304.messages[0].code == "not_a_percentage"
        assert "110% is not a percentage from 0 to 100" in c304.messages[0].en
        assert "110% 不在 0–100% 之间" in c304.messages[0].zh
        assert c304.provenance["intermediates"]["out_of_range"] == "110"

    def test_a_computed_number_may_pass_100(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["value_type"] = "number"  # a growth rate, say: not a share
        result = score_subject(build(data), "branch", {**PERFECT, "C3.02": 11})
        assert result.indicator("C3.04").value == pytest.approx(110)
        assert not result.indicator("C3.04").invalid

    def test_formulas_can_build_on_formulas(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["expr"] = "C3.05 * 100"
        extra = dict(find(data, "C3.02"), code="C3.05", value_type="number")
        extra["rubric"] = {"kind": "formula", "expr": "C3.02 / C3.03", "then": {"kind": "yes_no"}}
        extra["weight"] = 0.0001
        data["indicators"].append(extra)
        find(data, "C1.01")["weight"] = 20 - 0.0001
        framework = build(data)
        result = score_subject(framework, "branch", {**PERFECT, "C3.02": 9})
        assert result.indicator("C3.05").value == pytest.approx(0.9)
        assert result.indicator("C3.04").value == pytest.approx(90)


class TestBonusAndVeto:
    def test_bonus_may_take_the_total_beyond_total_points(self) -> None:
        result = score(X_01=2)
        assert (result.base, result.bonus, result.total) == (100, 2, 102)
        assert result.dimension("C1").bonus == 2

    def test_bonus_is_capped(self) -> None:
        result = score(X_01=7)
        assert result.bonus == 3
        assert result.indicator("X.01").max == 3

    def test_veto_caps_grade_and_stars(self) -> None:
        result = score(X_02=True, X_01=3)
        assert result.total == 103
        assert (result.grade_uncapped, result.stars_uncapped) == ("A", 5)
        assert (result.grade, result.stars) == ("D", 1)
        assert [v.code for v in result.vetoes] == ["X.02"]
        assert result.indicator("X.02").triggered
        assert result.indicator("X.02").rectify

    @pytest.mark.parametrize("value", [False, 0, "no"])
    def test_veto_not_triggered(self, value: object) -> None:
        result = score(X_02=value)
        assert (result.grade, result.stars, result.vetoes) == ("A", 5, ())

    def test_veto_never_raises_a_grade(self) -> None:
        data = framework_dict()
        find(data, "X.02")["rubric"] = {"kind": "veto", "cap_grade": "C", "cap_stars": 3}
        framework = build(data)
        low = score_subject(framework, "branch", {"X.02": True})
        assert (low.grade_uncapped, low.grade, low.stars) == ("D", "D", 1)
        high = score_subject(framework, "branch", {**PERFECT, "X.02": True})
        assert (high.grade, high.stars) == ("C", 3)

    def test_several_vetoes_take_the_strictest_caps(self) -> None:
        data = framework_dict()
        find(data, "X.02")["rubric"] = {"kind": "veto", "cap_grade": "C", "cap_stars": 3}
        second = dict(
            find(data, "X.02"), code="X.03", value_type="count", unit={"zh": "起", "en": "cases"}
        )
        second["rubric"] = {"kind": "veto", "cap_grade": "B", "cap_stars": 2}
        data["indicators"].append(second)
        framework = build(data)
        result = score_subject(framework, "branch", {**PERFECT, "X.02": True, "X.03": 2})
        assert (result.grade, result.stars) == ("C", 2)
        assert {v.code for v in result.vetoes} == {"X.02", "X.03"}


class TestGradeBoundaries:
    @pytest.mark.parametrize(
        ("c101", "total", "grade", "stars"),
        [
            (100, 100, "A", 5),
            (90, 95, "A", 5),
            (89, 94.5, "A", 4),
            (80, 90, "A", 4),
            (79, 89.5, "B", 4),
            (70, 85, "B", 4),
            (69, 84.5, "B", 3),
            (60, 80, "B", 3),
        ],
    )
    def test_min_is_inclusive(self, c101: float, total: float, grade: str, stars: int) -> None:
        result = score(C1_01=c101)
        assert result.total == pytest.approx(total)
        assert (result.grade, result.stars) == (grade, stars)

    def test_float_noise_does_not_cost_a_band(self) -> None:
        # (7.8 + 8.7 + 60) × 100 / 90 is exactly 85, but comes out as 84.99999999999999.
        result = score(C1_01=75.6, C2_03=1.3, C1_02=NOT_APPLICABLE)
        assert result.total < 85
        assert result.total == pytest.approx(85)
        assert result.stars == 4


class TestResults:
    def test_to_dict_is_json(self) -> None:
        result = score(C1_02=NOT_APPLICABLE, C2_03="x", X_02=True, C3_03=0)
        text = json.dumps(result.to_dict(), allow_nan=False, ensure_ascii=False)
        back = json.loads(text)
        assert back["grade"] == "D"
        assert back["vetoes"] == [{"code": "X.02", "cap_grade": "D", "cap_stars": 1}]
        assert [d["code"] for d in back["dimensions"]] == ["C1", "C1.1", "C2", "C3", "G1", "G2"]

    def test_provenance_names_inputs_rule_and_intermediates(self) -> None:
        provenance = score(C1_01=92).indicator("C1.01").provenance
        assert provenance["inputs"] == {"C1.01": 92.0}
        assert provenance["rubric"] == {"kind": "linear", "floor": 60}
        assert provenance["intermediates"]["fraction"] == pytest.approx(0.8)
        assert provenance["weight"] == 20
        assert provenance["factor"] == 1

    def test_also_dimensions_get_a_share(self) -> None:
        result = score(C1_01=80, C2_03=5)
        g1, g2 = result.dimension("G1"), result.dimension("G2")
        assert (g1.points, g1.max, g1.also_max) == (0, 0, 20)
        assert g1.share == pytest.approx(0.5)
        assert g2.share == pytest.approx(0.5)
        assert result.dimension("C1").share == pytest.approx(20 / 30)

    def test_parent_dimensions_add_up_their_children(self) -> None:
        result = score(C1_02=6)
        assert result.dimension("C1.1").points == 5
        assert result.dimension("C1").points == 25
        assert result.dimension("C1").max == 30

    @pytest.mark.parametrize(("c101", "rectify"), [(82, True), (84, False), (100, False)])
    def test_rectification_below_the_threshold(self, c101: float, rectify: bool) -> None:
        # 0.6 of the points: (82 - 60) / 40 = 0.55 is below, (84 - 60) / 40 = 0.6 is not.
        assert score(C1_01=c101).indicator("C1.01").rectify is rectify

    def test_indicator_threshold_overrides_the_framework(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["rectify_below"] = 0.9
        result = score_subject(build(data), "branch", {**PERFECT, "C1.01": 92})
        assert result.indicator("C1.01").rectify

    def test_plan_is_built_once_per_kind(self) -> None:
        framework = build()
        score_subject(framework, "branch", PERFECT)
        plan = framework.memo(("scoring-plan", "branch"), lambda: pytest.fail("rebuilt"))
        score_subject(framework, "branch", PERFECT)
        assert framework.memo(("scoring-plan", "branch"), lambda: None) is plan


def test_score_many_keeps_keys_and_order() -> None:
    rows = [("a", PERFECT), ("b", {}), ("c", {**PERFECT, "X.02": True})]
    results = list(score_many(FRAMEWORK, "branch", rows))
    assert [(key, r.grade) for key, r in results] == [("a", "A"), ("b", "D"), ("c", "D")]
