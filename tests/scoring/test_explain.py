"""Scores and rubrics in words, in both languages, and what-if suggestions."""

from __future__ import annotations

import pytest

from assessment.scoring import describe_rubric, explain, score_subject, what_if
from tests.scoring.builders import FRAMEWORK, PERFECT, build, find, framework_dict


def sentences(lang: str, **changes: object) -> list[str]:
    values = {**PERFECT, **{k.replace("_", "."): v for k, v in changes.items()}}
    return explain(score_subject(FRAMEWORK, "branch", values), lang)


class TestExplain:
    def test_linear_in_chinese(self) -> None:
        assert sentences("zh", C1_01=92)[0] == (
            "C1.01 三会一课完成率 92%：线性评分，下限 60% 得 0 分、目标 100% 得满分 20 分 → 16.0 分"
        )

    def test_linear_in_english(self) -> None:
        assert sentences("en", C1_01=92)[0] == (
            "C1.01 Three meetings and one lesson held 92%: linear: the floor 60% earns 0, "
            "the target 100% earns the full 20 points → 16.0 points"
        )

    def test_every_indicator_gets_a_sentence(self) -> None:
        lines = sentences("zh")
        for indicator in FRAMEWORK.indicators_for("branch"):
            assert any(line.startswith(indicator.code + " ") for line in lines)

    def test_formula_shows_the_computation(self) -> None:
        line = next(s for s in sentences("en", C3_02=8) if s.startswith("C3.04"))
        assert "= C3.02 / C3.03 * 100 = 80%" in line
        assert line.endswith("→ 12.0 points")

    def test_missing_not_applicable_and_invalid(self) -> None:
        lines = sentences("zh", C2_01=None, C2_02="n/a", C2_03="abc")
        assert "C2.01 指标C2.01：缺少数据 → 0 分" in lines
        assert any(line.startswith("C2.02 指标C2.02：不适用") for line in lines)
        assert any(
            line.startswith("C2.03 指标C2.03：数值无效") and "不是数字" in line for line in lines
        )

    def test_renormalised_points_are_stated(self) -> None:
        line = next(s for s in sentences("en", C2_01="n/a", C2_02=1) if s.startswith("C2.02"))
        assert line.endswith("→ 8.0 points, re-normalised to 12.0 out of 15.0 points")

    def test_total_veto_and_grade(self) -> None:
        lines = sentences("en", X_01=2, X_02=True)
        assert "Total: base 100.0 + bonus 2.0 = 102.0 points (base out of 100)" in lines
        assert "Veto X.02 triggered: grade A lowered to D, stars 5 lowered to 1" in lines
        assert lines[-1] == "Grade D (Not qualified), 1 star"

    def test_dropped_dimension_and_scale(self) -> None:
        lines = sentences("zh", C1_02="n/a")
        assert any(
            line.startswith("维度 C1.1 的指标全部不适用") and "1.1111" in line for line in lines
        )

    def test_also_dimensions_report_a_share(self) -> None:
        assert "Dimension G1 Thought leading (tagged indicators): 50% earned" in sentences(
            "en", C1_01=80
        )

    def test_nothing_applicable(self) -> None:
        result = score_subject(
            FRAMEWORK, "member", {"M1.01": "n/a", "M1.02": "n/a", "C3.01": "n/a"}
        )
        assert explain(result, "en")[-1] == "no scored indicator applies; no grade is given"


class TestDescribeRubric:
    @pytest.mark.parametrize(
        ("code", "zh", "en"),
        [
            ("C1.01", "下限 60% 得 0 分", "the floor 60% earns 0"),
            ("C1.02", "≥12次 得 10 分", "≥12 sessions earns 10"),
            ("C2.01", "是得 10 分，否得 0 分", "yes earns 10, no earns 0"),
            ("C2.02", "每起扣 2 分，最低 0 分", "less 2 points for each occurrence, never below 0"),
            ("C2.03", "越低越好", "lower is better"),
            ("C3.01", "优秀×1、称职×0.8", "excellent×1, competent×0.8"),
            ("C3.02", "仅记录，不计分", "recorded, not scored"),
            ("C3.04", "按公式 C3.02 / C3.03 * 100 计算", "computed as C3.02 / C3.03 * 100"),
            ("X.01", "每项加 1 分，最多加 3 分", "1 point for each occurrence, at most 3 points"),
            (
                "X.02",
                "等级最高为 D、星级最高为 1 星",
                "the grade is at most D and the stars at most 1",
            ),
        ],
    )
    def test_each_kind_in_both_languages(self, code: str, zh: str, en: str) -> None:
        indicator = FRAMEWORK.indicator(code)
        assert zh in describe_rubric(indicator, "zh")
        assert en in describe_rubric(indicator, "en")

    def test_chinese_is_the_default(self) -> None:
        indicator = FRAMEWORK.indicator("C2.01")
        assert describe_rubric(indicator) == describe_rubric(indicator, "zh")


class TestWhatIf:
    def test_reaches_the_next_grade_with_the_least_needed_on_the_last_step(self) -> None:
        values = {**PERFECT, "C1.01": 60, "C2.03": 10}  # 70 points: grade C
        assert score_subject(FRAMEWORK, "branch", values).grade == "C"
        suggestions = what_if(FRAMEWORK, "branch", values)
        assert [s.code for s in suggestions] == ["C1.01"]
        (step,) = suggestions
        assert step.current == 60
        assert step.suggested == pytest.approx(80)  # 10 of the 20 points brings 80, grade B
        assert step.grade_after == "B"
        applied = {**values, step.code: step.suggested}
        assert score_subject(FRAMEWORK, "branch", applied).grade == "B"

    def test_several_steps_greedy_by_points(self) -> None:
        values = {
            **PERFECT,
            "C1.01": 60,
            "C2.01": False,
            "C3.01": {"voters": 10, "basic": 10},
        }  # 100 - 20 - 10 - 10 = 60: grade C, 20 points short of B
        steps = what_if(FRAMEWORK, "branch", values)
        assert steps[0].code == "C1.01"
        assert steps[-1].grade_after == "B"
        current = dict(values)
        for step in steps:
            current[step.code] = step.suggested
        assert score_subject(FRAMEWORK, "branch", current).grade == "B"

    def test_a_veto_holding_the_grade_down_comes_first(self) -> None:
        values = {**PERFECT, "C1.01": 80, "X.02": True}
        steps = what_if(FRAMEWORK, "branch", values)
        assert (steps[0].code, steps[0].suggested, steps[0].grade_after) == ("X.02", False, "A")

    def test_nothing_to_suggest_at_the_top(self) -> None:
        assert what_if(FRAMEWORK, "branch", PERFECT) == []

    def test_missing_values_can_be_suggested(self) -> None:
        values = {k: v for k, v in PERFECT.items() if k not in ("C2.01", "C1.02")}
        steps = what_if(FRAMEWORK, "branch", values)
        assert steps
        assert steps[0].current is None
        assert steps[-1].grade_after == "A"

    def test_unreachable_goal_says_so(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["rubric"] = {"kind": "none"}
        find(data, "C1.01")["weight"] = 0
        find(data, "C3.04")["weight"] = 40
        framework = build(data)
        # Neither the formula (its inputs are recorded, not scored) nor the appraisal without
        # valid votes can be improved: C2.01's 10 points and the 3 bonus points are all there is.
        values = {**PERFECT, "C3.03": 0, "C3.01": {"voters": 0}, "C2.01": False}
        assert score_subject(framework, "branch", values).total == 30
        steps = what_if(framework, "branch", values)
        assert [(s.code, s.suggested, s.total_after, s.grade_after) for s in steps] == [
            ("C2.01", True, 40, "D"),
            ("X.01", 3, 43, "D"),
        ]
