"""The framework validator: every problem is reported, with where it is; valid files round-trip."""

from __future__ import annotations

import json
import string
from pathlib import Path
from typing import Any

import pytest

from assessment.scoring import FrameworkError, load_file, parse_framework
from assessment.scoring.spec import (
    BandsRubric,
    FormulaRubric,
    LinearRubric,
    Text,
    VetoRubric,
)
from assessment.scoring.spec.problems import MESSAGES
from tests.scoring.builders import FRAMEWORK, build, find, framework_dict

SHIPPED = Path(__file__).resolve().parents[2] / "assessment" / "data" / "framework.yaml"


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(FrameworkError) as caught:
        parse_framework(data)
    return caught.value.errors


def the_error(data: dict[str, Any]) -> str:
    """The single error a one-problem edit causes."""
    errors = errors_of(data)
    assert len(errors) == 1, errors
    return errors[0]


class TestValidFramework:
    def test_the_fixture_parses(self) -> None:
        assert FRAMEWORK.code == "TEST"
        assert len(FRAMEWORK.indicators) == 13
        assert isinstance(FRAMEWORK.indicator("C3.04").rubric, FormulaRubric)

    def test_defaults_are_filled_in(self) -> None:
        data = framework_dict()
        del data["rectify_below"]
        framework = build(data)
        assert framework.rectify_below == 0.6
        veto = framework.indicator("X.02")
        assert veto.rubric == VetoRubric(cap_grade="D", cap_stars=1)
        assert (veto.evidence_required, veto.assessed, veto.direction) == (False, False, "higher")

    def test_dimension_tree_is_indexed(self) -> None:
        place = FRAMEWORK.place("C1.1")
        assert (place.axis, place.parent, place.depth) == ("construction", "C1", 1)
        assert [p.dimension.code for p in FRAMEWORK.dimension_places()] == [
            "C1",
            "C1.1",
            "C2",
            "C3",
            "G1",
            "G2",
        ]

    def test_to_dict_round_trips_through_json(self) -> None:
        again = parse_framework(json.loads(json.dumps(FRAMEWORK.to_dict())))
        assert again == FRAMEWORK
        assert again.to_dict() == FRAMEWORK.to_dict()

    def test_bands_keep_their_direction_in_to_dict(self) -> None:
        data = framework_dict()
        find(data, "C1.02")["direction"] = "lower"
        find(data, "C1.02")["rubric"]["bands"] = [
            {"max": 0, "fraction": 1},
            {"max": 3, "fraction": 0.5},
        ]
        framework = build(data)
        rubric = framework.indicator("C1.02").rubric
        assert isinstance(rubric, BandsRubric)
        assert rubric.to_dict()["bands"][1] == {"max": 3, "fraction": 0.5}
        assert parse_framework(framework.to_dict()) == framework

    def test_text_picks_the_language(self) -> None:
        assert Text("优秀", "Excellent").get("en") == "Excellent"
        assert Text("优秀", "Excellent").get("zh") == "优秀"

    @pytest.mark.parametrize("lang", ["en-us", "en-GB", "EN"])
    def test_a_regional_english_reads_english(self, lang: str) -> None:
        assert Text("优秀", "Excellent").get(lang) == "Excellent"
        assert Text("优秀", "Excellent").get("zh-hans") == "优秀"

    def test_load_file_reads_yaml_and_json(self, tmp_path: Path) -> None:
        as_json = tmp_path / "framework.json"
        as_json.write_text(json.dumps(framework_dict(), ensure_ascii=False), encoding="utf-8")
        assert parse_framework(load_file(as_json)) == FRAMEWORK

    def test_load_file_refuses_a_file_that_is_not_a_mapping(self, tmp_path: Path) -> None:
        path = tmp_path / "list.yaml"
        path.write_text("- 1\n- 2\n", encoding="utf-8")
        with pytest.raises(FrameworkError, match="does not hold a mapping"):
            load_file(path)


class TestBonusReach:
    def test_the_bonus_a_subject_can_earn_is_the_sum_of_its_caps(self) -> None:
        assert FRAMEWORK.bonus_reach("branch") == 3  # X.01: one point per honour, at most 3
        assert FRAMEWORK.bonus_reach("member") == 0
        assert FRAMEWORK.bonus_reach() == 3  # the most of any kind

    def test_the_shipped_framework_reaches_five_bonus_points(self) -> None:
        shipped = parse_framework(load_file(SHIPPED))
        assert shipped.bonus_reach("branch") == 5  # C2.90 (3) and C5.90 (2)


class TestKeys:
    def test_missing_key(self) -> None:
        data = framework_dict()
        del find(data, "C1.01")["weight"]
        errors = errors_of(data)
        assert "indicators[0] (C1.01): missing key 'weight'" in errors

    def test_unknown_key_names_the_key(self) -> None:
        data = framework_dict()
        find(data, "C2.01")["wieght"] = 3
        assert the_error(data) == "indicators[2] (C2.01): unknown key 'wieght'"

    def test_unknown_top_level_key(self) -> None:
        data = framework_dict()
        data["totl_points"] = 100
        assert the_error(data) == "(top level): unknown key 'totl_points'"

    def test_missing_top_level_key(self) -> None:
        data = framework_dict()
        del data["goal"]
        assert the_error(data) == "(top level): missing key 'goal'"

    def test_unknown_rubric_parameter(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["rubric"]["flor"] = 3
        assert "indicators[0].rubric (C1.01): unknown key 'flor'" in errors_of(data)

    def test_not_a_mapping(self) -> None:
        with pytest.raises(FrameworkError, match="must be a mapping"):
            parse_framework([])  # type: ignore[arg-type]


class TestChoices:
    def test_unknown_rubric_kind(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["rubric"]["kind"] = "linnear"
        errors = errors_of(data)
        assert "indicators[0].rubric.kind (C1.01): unknown rubric kind 'linnear'" in errors

    @pytest.mark.parametrize(
        ("key", "bad", "what"),
        [
            ("value_type", "percent", "unknown value_type 'percent'"),
            ("direction", "up", "unknown direction 'up'"),
            ("frequency", "weekly", "unknown frequency 'weekly'"),
        ],
    )
    def test_unknown_enumerations(self, key: str, bad: str, what: str) -> None:
        data = framework_dict()
        find(data, "C2.03")[key] = bad
        assert any(e.startswith(f"indicators[4].{key} (C2.03): {what}") for e in errors_of(data))

    def test_unknown_unit_of_a_subject_kind(self) -> None:
        data = framework_dict()
        data["subject_kinds"][0]["unit"] = "team"
        assert the_error(data).startswith("subject_kinds[0].unit (branch): unknown unit 'team'")

    def test_rubric_must_suit_the_value_type(self) -> None:
        data = framework_dict()
        find(data, "C2.01")["rubric"] = {"kind": "linear", "floor": 0}
        find(data, "C2.01")["target"] = 1
        errors = errors_of(data)
        assert any("rubric 'linear' does not suit value_type 'boolean'" in e for e in errors)

    def test_text_indicator_only_records(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["expr"] = "C3.03 * 10"
        find(data, "C3.02")["value_type"] = "text"
        assert parse_framework(data).indicator("C3.02").value_type == "text"
        find(data, "C2.01")["value_type"] = "text"
        assert any("does not suit value_type 'text'" in e for e in errors_of(data))


class TestWeights:
    def test_weights_that_do_not_add_up_name_the_kind_the_sum_and_the_target(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["weight"] = 15
        assert the_error(data) == (
            "indicators: the weights of subject kind 'branch' add up to 95 over 11 indicators, "
            "expected total_points 100"
        )

    def test_each_kind_is_checked_on_its_own(self) -> None:
        data = framework_dict()
        find(data, "C3.01")["weight"] = 21
        errors = errors_of(data)
        assert len(errors) == 2
        assert any("'branch' add up to 101" in e for e in errors)
        assert any("'member' add up to 101" in e for e in errors)

    def test_small_rounding_is_tolerated(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["weight"] = 20.0004
        build(data)

    @pytest.mark.parametrize(
        ("code", "kind"), [("X.01", "bonus"), ("X.02", "veto"), ("C3.02", "none")]
    )
    def test_unweighted_kinds_must_have_weight_zero(self, code: str, kind: str) -> None:
        data = framework_dict()
        find(data, code)["weight"] = 2
        find(data, "C1.01")["weight"] = 18
        index = data["indicators"].index(find(data, code))
        assert the_error(data) == (
            f"indicators[{index}].weight ({code}): a {kind} indicator must have weight 0, not 2"
        )

    def test_scored_kinds_need_a_weight(self) -> None:
        data = framework_dict()
        find(data, "C2.01")["weight"] = 0
        find(data, "C1.01")["weight"] = 30
        assert the_error(data).startswith(
            "indicators[2].weight (C2.01): a yes_no indicator needs a weight above 0"
        )

    def test_negative_weight(self) -> None:
        data = framework_dict()
        find(data, "C2.01")["weight"] = -10
        find(data, "C1.01")["weight"] = 40
        assert any("weight (C2.01): must be at least 0, not -10" in e for e in errors_of(data))


class TestCodes:
    def test_duplicate_indicator_codes(self) -> None:
        data = framework_dict()
        find(data, "C2.01")["code"] = "C1.01"
        errors = errors_of(data)
        assert any(
            "indicators[2].code (C1.01): duplicate indicator code 'C1.01' (first at indicators[0])"
            in e
            for e in errors
        )

    def test_duplicate_dimension_codes_across_axes(self) -> None:
        data = framework_dict()
        data["axes"][1]["dimensions"][1]["code"] = "C2"
        assert any("duplicate dimension code 'C2'" in e for e in errors_of(data))

    def test_bad_code_characters(self) -> None:
        data = framework_dict()
        find(data, "C2.01")["code"] = "2C-1"
        assert any("invalid code '2C-1'" in e for e in errors_of(data))

    def test_formula_words_cannot_be_codes(self) -> None:
        data = framework_dict()
        find(data, "C3.02")["code"] = "max"
        find(data, "C3.04")["rubric"]["expr"] = "max / C3.03 * 100"
        assert any("'max' is a formula word" in e for e in errors_of(data))


class TestReferences:
    def test_unknown_dimension(self) -> None:
        data = framework_dict()
        find(data, "C2.01")["dimension"] = "C9"
        assert the_error(data) == "indicators[2].dimension (C2.01): unknown dimension 'C9'"

    def test_unknown_subject_kind_in_applies_to(self) -> None:
        data = framework_dict()
        find(data, "C3.01")["applies_to"] = ["branch", "mmber"]
        errors = errors_of(data)
        assert "indicators[5].applies_to[1] (C3.01): unknown subject kind 'mmber'" in errors

    def test_unknown_also_dimension(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["also"] = ["G7"]
        assert the_error(data) == "indicators[0].also[0] (C1.01): unknown also dimension 'G7'"

    def test_also_on_the_same_axis(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["also"] = ["C2"]
        assert "same axis" in the_error(data)

    def test_veto_caps_must_name_known_grade_and_stars(self) -> None:
        data = framework_dict()
        find(data, "X.02")["rubric"] = {"kind": "veto", "cap_grade": "E", "cap_stars": 7}
        errors = errors_of(data)
        assert any("unknown grade 'E'" in e for e in errors)
        assert any("unknown star level 7" in e for e in errors)


class TestRubricParameters:
    def test_linear_floor_above_target_for_higher(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["rubric"]["floor"] = 100
        find(data, "C1.01")["target"] = 90
        assert the_error(data) == (
            "indicators[0].rubric.floor (C1.01): floor 100 is above the target 90; "
            "for direction 'higher' the floor must be below the target"
        )

    def test_linear_floor_below_target_for_lower(self) -> None:
        data = framework_dict()
        find(data, "C2.03")["rubric"]["floor"] = -5
        assert the_error(data) == (
            "indicators[4].rubric.floor (C2.03): floor -5 is below the target 0; "
            "for direction 'lower' the floor must be above the target"
        )

    def test_linear_needs_a_target(self) -> None:
        data = framework_dict()
        del find(data, "C1.01")["target"]
        assert "a linear rubric needs the indicator's target" in the_error(data)

    def test_percentage_limits(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["target"] = 120
        assert any("target (C1.01): must be at most 100, not 120" in e for e in errors_of(data))

    def test_bands_not_ordered_best_first(self) -> None:
        data = framework_dict()
        find(data, "C1.02")["rubric"]["bands"].reverse()
        errors = errors_of(data)
        assert any(
            "indicators[1].rubric.bands (C1.02): bands must be ordered best first "
            "(descending 'min'); got 6, 9, 12" in e
            for e in errors
        )

    def test_bands_for_lower_ascend_by_max(self) -> None:
        data = framework_dict()
        find(data, "C1.02")["direction"] = "lower"
        find(data, "C1.02")["rubric"]["bands"] = [
            {"max": 5, "fraction": 1.0},
            {"max": 2, "fraction": 0.5},
        ]
        assert "ascending 'max'" in the_error(data)

    def test_bands_key_must_suit_the_direction(self) -> None:
        data = framework_dict()
        find(data, "C1.02")["direction"] = "lower"
        errors = errors_of(data)
        assert any("bands for direction 'lower' use 'max', not 'min'" in e for e in errors)

    def test_band_fractions_must_not_rise(self) -> None:
        data = framework_dict()
        find(data, "C1.02")["rubric"]["bands"][2]["fraction"] = 0.9
        assert "band fractions must not rise" in the_error(data)

    def test_deduction_floor_above_weight(self) -> None:
        data = framework_dict()
        find(data, "C2.02")["rubric"]["floor"] = 12
        assert "floor 12 is above the weight 10" in the_error(data)

    def test_bonus_needs_positive_per_and_cap(self) -> None:
        data = framework_dict()
        find(data, "X.01")["rubric"]["per"] = 0
        assert the_error(data) == "indicators[9].rubric.per (X.01): must be above 0, not 0"

    def test_appraisal_weights_are_checked(self) -> None:
        data = framework_dict()
        find(data, "C3.01")["rubric"]["weights"] = {"excellent": 1.0, "good": 0.9}
        assert "unknown key 'good'" in the_error(data)


class TestFormulas:
    def test_formula_naming_an_unknown_indicator(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["expr"] = "C3.02 / C3.09 * 100"
        assert the_error(data) == (
            "indicators[8].rubric.expr (C3.04): the formula names unknown indicator 'C3.09'"
        )

    def test_formula_syntax_error(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["expr"] = "C3.02 / (C3.03 * 100"
        assert the_error(data).startswith("indicators[8].rubric.expr (C3.04): syntax error")

    def test_unsafe_formula(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["expr"] = "__import__('os').system('true')"
        assert "unexpected character" in the_error(data)

    def test_formulas_in_a_cycle_name_the_cycle(self) -> None:
        data = framework_dict()
        find(data, "C3.02")["rubric"] = {
            "kind": "formula",
            "expr": "C3.04 / 2",
            "then": {"kind": "yes_no"},
        }
        find(data, "C3.02")["weight"] = 5
        find(data, "C1.01")["weight"] = 15
        assert the_error(data) == (
            "indicators: formulas depend on each other in a cycle: C3.02 → C3.04 → C3.02"
        )

    def test_formula_referring_to_itself(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["expr"] = "C3.04 + 1"
        assert "cycle: C3.04 → C3.04" in the_error(data)

    def test_formula_inputs_must_apply_where_the_formula_does(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["expr"] = "M1.02"
        assert "uses 'M1.02', which does not apply to branch" in the_error(data)

    def test_formula_inputs_must_be_numbers(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["expr"] = "C3.01 * 2"
        assert "a appraisal indicator" in the_error(data)

    def test_then_cannot_be_any_kind(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["then"] = {"kind": "bonus", "per": 1, "cap": 2}
        assert "a formula's then rubric cannot be 'bonus'" in the_error(data)

    def test_then_linear_uses_the_indicator_target(self) -> None:
        rubric = FRAMEWORK.indicator("C3.04").rubric
        assert isinstance(rubric, FormulaRubric)
        assert rubric.then == LinearRubric(50)
        assert FRAMEWORK.indicator("C3.04").target == 100


class TestTexts:
    def test_missing_english(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["name"] = {"zh": "三会一课完成率"}
        assert the_error(data) == "indicators[0].name (C1.01): missing en text"

    def test_empty_chinese(self) -> None:
        data = framework_dict()
        data["axes"][0]["dimensions"][0]["children"][0]["name"]["zh"] = " "
        assert the_error(data) == "axes[0].dimensions[0].children[0].name (C1.1): missing zh text"

    def test_unknown_language(self) -> None:
        data = framework_dict()
        data["goal"]["fr"] = "but"
        assert the_error(data) == "goal: unknown language 'fr' (zh and en)"


class TestBands:
    def test_grade_bands_not_descending(self) -> None:
        data = framework_dict()
        data["grade_bands"][1]["min"] = 95
        assert the_error(data) == (
            "grade_bands: grade bands must be ordered highest first by min (got 90, 95, 60, 0)"
        )

    def test_star_bands_not_descending(self) -> None:
        data = framework_dict()
        data["star_bands"].reverse()
        errors = errors_of(data)
        assert any("star bands must be ordered highest first by min" in e for e in errors)
        assert any("stars must descend" in e for e in errors)

    def test_lowest_band_must_start_at_zero(self) -> None:
        data = framework_dict()
        data["grade_bands"][-1]["min"] = 10
        assert "the last grade band must start at 0" in the_error(data)

    def test_duplicate_grade(self) -> None:
        data = framework_dict()
        data["grade_bands"][1]["grade"] = "A"
        assert "duplicate grade 'A'" in the_error(data)


def test_every_problem_is_reported_at_once() -> None:
    data = framework_dict()
    find(data, "C1.01")["rubric"]["kind"] = "linnear"
    find(data, "C2.01")["frequency"] = "weekly"
    find(data, "C3.04")["rubric"]["expr"] = "C3.02 / C9.99"
    data["grade_bands"][0]["name"] = {"zh": "优秀"}
    errors = errors_of(data)
    assert len(errors) == 4, errors


def test_the_shipped_framework_is_valid_and_every_kind_adds_up() -> None:
    framework = parse_framework(load_file(SHIPPED))
    for kind in framework.subject_kinds:
        weights = sum(i.weight for i in framework.indicators_for(kind.code))
        assert weights == pytest.approx(framework.total_points, abs=0.001), kind.code


class TestShape:
    """The shape checks (pydantic) name the place in the file as the rules do."""

    def test_a_wrong_type_deep_in_a_rubric_names_its_place(self) -> None:
        data = framework_dict()
        find(data, "C1.02")["rubric"]["bands"][0]["fraction"] = "all"
        assert the_error(data) == (
            "indicators[1].rubric.bands[0].fraction (C1.02): must be a number, not the string 'all'"
        )

    def test_a_range_deep_in_a_rubric_names_its_place(self) -> None:
        data = framework_dict()
        find(data, "C1.02")["rubric"]["bands"][0]["fraction"] = 2
        assert the_error(data) == (
            "indicators[1].rubric.bands[0].fraction (C1.02): must be at most 1, not 2"
        )

    def test_an_unknown_key_in_a_formula_then_rubric(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["then"]["flor"] = 50
        assert the_error(data) == "indicators[8].rubric.then (C3.04): unknown key 'flor'"

    def test_an_unknown_key_of_a_dimension_names_the_dimension(self) -> None:
        data = framework_dict()
        data["axes"][0]["dimensions"][0]["weight"] = 3
        assert the_error(data) == "axes[0].dimensions[0] (C1): unknown key 'weight'"

    def test_a_flag_must_be_a_boolean(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["assessed"] = "yes"
        assert the_error(data) == (
            "indicators[0].assessed (C1.01): must be true or false, not the string 'yes'"
        )

    def test_a_key_with_no_value_is_absent(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["description"] = None
        assert build(data).indicator("C1.01").description is None
        find(data, "C1.01")["weight"] = None
        assert "indicators[0] (C1.01): missing key 'weight'" in errors_of(data)
        find(data, "C1.01")["weight"] = 20
        find(data, "C1.01")["rubric"]["kind"] = None
        assert the_error(data) == "indicators[0].rubric (C1.01): missing key 'kind'"

    def test_an_invalid_weight_does_not_also_break_the_sums(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["weight"] = "20"
        errors = errors_of(data)
        assert errors[0] == "indicators[0].weight (C1.01): must be a number, not the string '20'"
        assert "add up to 80 over 10 indicators" in errors[1]

    def test_a_text_reports_every_problem_at_its_own_place(self) -> None:
        data = framework_dict()
        data["goal"] = {"fr": "but"}
        assert errors_of(data) == [
            "goal: unknown language 'fr' (zh and en)",
            "goal: missing zh text",
            "goal: missing en text",
        ]


class TestBothLanguages:
    def test_every_problem_is_also_in_chinese_at_the_same_place(self) -> None:
        data = framework_dict()
        find(data, "C2.01")["wieght"] = 3
        find(data, "C1.02")["rubric"]["bands"][0]["fraction"] = "all"
        with pytest.raises(FrameworkError) as caught:
            parse_framework(data)
        assert caught.value.messages("zh") == [
            "indicators[1].rubric.bands[0].fraction (C1.02)：应为数字，而不是字符串 'all'",
            "indicators[2] (C2.01)：未知的键 'wieght'",
        ]
        assert caught.value.messages("en") == caught.value.errors

    def test_a_rule_problem_is_in_chinese(self) -> None:
        data = framework_dict()
        find(data, "C1.01")["weight"] = 15
        with pytest.raises(FrameworkError) as caught:
            parse_framework(data)
        assert caught.value.messages("zh") == [
            "indicators：评价对象类型 'branch' 的 11 个指标权重合计 95，应等于 total_points 100"
        ]

    def test_a_formula_problem_is_in_chinese(self) -> None:
        data = framework_dict()
        find(data, "C3.04")["rubric"]["expr"] = "C3.02 / C3.03 ** 5"
        with pytest.raises(FrameworkError) as caught:
            parse_framework(data)
        assert caught.value.messages("zh") == [
            "indicators[8].rubric.expr (C3.04)：指数 5 的绝对值大于 4"
        ]
        assert caught.value.errors == [
            "indicators[8].rubric.expr (C3.04): exponent 5 is larger than 4"
        ]

    def test_the_top_level_is_named_in_both_languages(self) -> None:
        with pytest.raises(FrameworkError) as caught:
            parse_framework([])  # type: ignore[arg-type]
        assert caught.value.errors == ["(top level): must be a mapping, not a list"]
        assert caught.value.messages("zh") == ["（顶层）：应为映射（键值对），而不是列表"]

    def test_a_plain_message_reads_the_same_in_both(self) -> None:
        error = FrameworkError(["C1.01: fields cannot be edited: ['colour']"])
        assert (
            error.messages("zh") == error.errors == ["C1.01: fields cannot be edited: ['colour']"]
        )

    def test_each_message_has_the_same_parameters_in_both_languages(self) -> None:
        def fields(template: str) -> set[str]:
            return {name for _, name, _, _ in string.Formatter().parse(template) if name}

        for code, (en, zh) in MESSAGES.items():
            assert fields(en) == fields(zh), code
