"""The values vocabulary: how a typed value becomes a value, for the entry form and the engine.

The property test in test_values_property.py proves the two agree on every input; these are the
cases named in the vocabulary, and the one that once split them (a tick).
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from assessment.scoring import score_subject, values
from assessment.scoring.values import Problem, Refused
from assessment.validation import EntryError, clean_value
from tests.scoring.builders import FRAMEWORK, PERFECT, build, find, framework_dict


def of_type(value_type: str) -> SimpleNamespace:
    return SimpleNamespace(value_type=value_type)


class TestATick:
    """The entry form took "√" as yes while the engine scored it invalid, so what-if and the trial
    score disagreed with the form."""

    @pytest.mark.parametrize(("typed", "answer"), [("√", True), ("×", False)])
    def test_the_form_and_the_engine_read_a_tick_and_a_cross_alike(
        self, typed: str, answer: bool
    ) -> None:
        assert clean_value(of_type("boolean"), typed) is answer
        scored = score_subject(FRAMEWORK, "branch", {**PERFECT, "C2.01": typed}).indicator("C2.01")
        assert not scored.invalid
        assert scored.value is answer
        assert scored.points == (10 if answer else 0)


class TestReading:
    @pytest.mark.parametrize(
        ("value_type", "typed", "value"),
        [
            ("number", "1,234.5", 1234.5),
            ("number", "１，２３４．５", 1234.5),
            ("number", "－３", -3.0),
            ("number", "−3", -3.0),
            ("number", " +2.5e2 ", 250.0),
            ("number", "1e12", 1e12),
            ("percentage", "85%", 85.0),
            ("percentage", "85 %", 85.0),
            ("percentage", "８５％", 85.0),
            ("percentage", "100", 100.0),
            ("count", "12", 12),
            ("count", "12.0", 12),
            ("count", "１２", 12),
            ("boolean", "是", True),
            ("boolean", "否", False),
            ("boolean", " YES ", True),
            ("boolean", "ｙｅｓ", True),
            ("boolean", "✓", True),
            ("boolean", "✗", False),
            ("boolean", 1, True),
            ("boolean", 0.0, False),
            ("boolean", Decimal("1"), True),
        ],
    )
    def test_typed_values(self, value_type: str, typed: object, value: object) -> None:
        read = values.READERS[value_type](typed)
        assert (read, type(read)) == (value, type(value))

    @pytest.mark.parametrize(
        ("value_type", "typed", "problem"),
        [
            ("number", "abc", Problem.NOT_A_NUMBER),
            ("number", "1,5", Problem.NOT_A_NUMBER),  # not a grouping of thousands: not 15
            ("number", "1_000", Problem.NOT_A_NUMBER),
            ("number", "10²", Problem.NOT_A_NUMBER),  # not 102
            ("number", "inf", Problem.NOT_A_NUMBER),
            ("number", "85%", Problem.NOT_A_NUMBER),  # a % sign only on a percentage
            ("number", True, Problem.NOT_A_NUMBER),
            ("number", "1.5e12", Problem.TOO_LARGE),
            ("number", -(10**13), Problem.TOO_LARGE),
            ("percentage", "101", Problem.NOT_A_PERCENTAGE),
            ("percentage", "85%%", Problem.NOT_A_NUMBER),
            ("count", "2.5", Problem.NOT_WHOLE),
            ("count", "-2.5", Problem.NOT_WHOLE),
            ("count", "-3", Problem.NEGATIVE),
            ("boolean", "maybe", Problem.NOT_YES_OR_NO),
            ("boolean", "x", Problem.NOT_YES_OR_NO),  # a cross, or a ticked box: neither
            ("boolean", 2, Problem.NOT_YES_OR_NO),
            ("boolean", Decimal("sNaN"), Problem.NOT_YES_OR_NO),
        ],
    )
    def test_refusals(self, value_type: str, typed: object, problem: Problem) -> None:
        with pytest.raises(Refused) as refused:
            values.READERS[value_type](typed)
        assert refused.value.problem is problem

    @pytest.mark.parametrize("typed", ["n/a", " N/A ", "Ｎ／Ａ", "ｎ／ａ", "不适用", " 不适用　"])
    def test_not_applicable(self, typed: str) -> None:
        assert values.is_not_applicable(typed)
        assert clean_value(of_type("number"), typed) == values.NOT_APPLICABLE
        assert (
            score_subject(FRAMEWORK, "branch", {"C2.03": typed}).indicator("C2.03").not_applicable
        )

    @pytest.mark.parametrize("typed", [None, "", "  ", "\u3000", "\t\n"])
    def test_blank_is_no_value(self, typed: object) -> None:
        assert values.is_blank(typed)
        assert clean_value(of_type("number"), typed) is None
        assert score_subject(FRAMEWORK, "branch", {"C2.03": typed}).indicator("C2.03").missing

    def test_rounding_is_to_six_decimals(self) -> None:
        assert values.rounded(89.99999999999) == 90.0
        assert values.rounded(1 / 3) == 0.333333


class TestTheFormSaysWhy:
    @pytest.mark.parametrize(
        ("value_type", "typed", "message"),
        [
            ("number", "abc", "Enter a number."),
            ("number", "2e12", "The number is too large."),
            ("percentage", "101%", "A percentage lies between 0 and 100."),
            ("count", "2.5", "Enter a whole number."),
            ("count", "-3", "A count cannot be negative."),
            ("boolean", "maybe", "Answer yes or no."),
        ],
    )
    def test_each_refusal_has_its_message(self, value_type: str, typed: str, message: str) -> None:
        with translation.override("en"), pytest.raises(EntryError) as english:
            clean_value(of_type(value_type), typed)
        with translation.override("zh-hans"), pytest.raises(EntryError) as chinese:
            clean_value(of_type(value_type), typed)
        assert str(english.value) == message
        assert str(chinese.value) != message  # translated


def test_a_veto_reads_its_value_by_its_value_type() -> None:
    """A veto of counts takes a count and refuses "yes", as the entry form does."""
    data = framework_dict()
    second = dict(
        find(data, "X.02"), code="X.03", value_type="count", unit={"zh": "起", "en": "cases"}
    )
    data["indicators"].append(second)
    framework = build(data)
    assert score_subject(framework, "branch", {"X.03": "2"}).indicator("X.03").triggered
    refused = score_subject(framework, "branch", {"X.03": "yes"}).indicator("X.03")
    assert refused.invalid
    assert any("is not a whole number" in m.en for m in refused.messages)
    with pytest.raises(EntryError):
        clean_value(of_type("count"), "yes")
