"""The entry form's cleaning and the scoring engine agree on every input.

For any typed text (built from the vocabulary, digits ASCII and full-width, signs, separators,
percent signs, whitespace and arbitrary text) and any value an API could send, for every value
type: either both accept it with the same value, or both refuse it. What-if and the trial score
go through the engine, so they read a value as the entry form does.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

from assessment.scoring import score_subject
from assessment.validation import EntryError, clean_value
from tests.scoring.builders import FRAMEWORK

# One indicator of each value type in the test framework (formula indicators are not typed).
CODES = {
    "C2.03": "number",
    "C1.01": "percentage",
    "C1.02": "count",
    "X.01": "count",  # a bonus
    "C2.01": "boolean",
    "X.02": "boolean",  # a veto
    "C3.01": "appraisal",
}
REFUSED = object()

WORDS = [
    *("是", "否", "yes", "Yes", "NO", "y", "n", "true", "False", "1", "0"),
    *(
        "√",
        "×",
        "✓",
        "✔",
        "✗",
        "✘",
        "x",
        "对",
        "n/a",
        "N/A",
        "ｎ／ａ",
        "Ｎ／Ａ",
        "na",
        "不适用",
        "不适",
    ),
]
FULL_WIDTH = str.maketrans("0123456789+-.,%e", "０１２３４５６７８９＋－．，％ｅ")
SPACES = [" ", "\t", "\n", "\u3000", "\u00a0"]


@st.composite
def numbers_as_typed(draw: st.DrawFn) -> str:
    """Mostly well-formed numbers, each character maybe full-width, in whitespace."""
    whole = str(draw(st.integers(min_value=0, max_value=10**15)))
    if draw(st.booleans()):
        groups = []
        while len(whole) > 3:
            whole, group = whole[:-3], whole[-3:]
            groups.insert(0, group)
        whole = ",".join([whole, *groups])
    text = draw(st.sampled_from(["", "+", "-", "−"])) + whole
    if draw(st.booleans()):
        text += "." + draw(st.text("0123456789", max_size=4))
    if draw(st.integers(0, 5)) == 0:
        text += draw(st.sampled_from(["e", "E"])) + draw(st.sampled_from(["", "+", "-"]))
        text += str(draw(st.integers(0, 20)))
    if draw(st.booleans()):
        text += draw(st.sampled_from(["", " "])) + "%"
    text = "".join(c.translate(FULL_WIDTH) if draw(st.booleans()) else c for c in text)
    space = st.text(st.sampled_from(SPACES), max_size=2)
    return draw(space) + text + draw(space)


pieces = st.one_of(
    st.sampled_from(WORDS),
    st.text("0123456789０１２３４５６７８９", min_size=1, max_size=5),
    st.sampled_from(["+", "-", "−", "＋", "－", ".", "．", ",", "，", "e", "%", "％", "/"]),
    st.sampled_from(SPACES),
    st.text(max_size=3),
)
typed_text = st.one_of(
    numbers_as_typed(), st.lists(pieces, max_size=6).map("".join), st.sampled_from(WORDS)
)
api_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**14), max_value=10**14),
    st.integers(),
    st.floats(),
    st.decimals(),
    st.sampled_from([0, 1, 0.0, 1.0, 100, 100.0, 1e12, -1e12, 1e12 + 1, Decimal("1E+12")]),
)


def by_the_form(value_type: str, raw: Any) -> Any:
    try:
        return clean_value(SimpleNamespace(value_type=value_type), raw)
    except EntryError:
        return REFUSED


def by_the_engine(code: str, raw: Any) -> Any:
    result = score_subject(FRAMEWORK, "branch", {code: raw}).indicator(code)
    if result.not_applicable:
        return "n/a"
    if result.missing:
        return None
    if result.invalid:
        return REFUSED
    return result.value


def same(form: Any, engine: Any) -> bool:
    """The same value: refused both, or equal and both yes/no or both numbers (3 is 3.0)."""
    if form is REFUSED or engine is REFUSED:
        return form is engine
    return isinstance(form, bool) == isinstance(engine, bool) and form == engine


@settings(max_examples=400)
@given(raw=typed_text, code=st.sampled_from(sorted(CODES)))
def test_the_form_and_the_engine_agree_on_typed_text(raw: str, code: str) -> None:
    form, engine = by_the_form(CODES[code], raw), by_the_engine(code, raw)
    assert same(form, engine), (raw, CODES[code], form, engine)


@settings(max_examples=200)
@given(raw=api_values, code=st.sampled_from(sorted(CODES)))
def test_the_form_and_the_engine_agree_on_values_sent_as_such(raw: Any, code: str) -> None:
    form, engine = by_the_form(CODES[code], raw), by_the_engine(code, raw)
    assert same(form, engine), (raw, CODES[code], form, engine)


@pytest.mark.parametrize("code", sorted(set(CODES) - {"C3.01"}))  # text is never votes
def test_the_generated_text_reaches_acceptance_and_refusal(code: str) -> None:
    """Agreement is not only on refusals: the text generated is accepted too, for every type."""
    find(typed_text, lambda raw: by_the_engine(code, raw) not in (REFUSED, None, "n/a"))
    find(typed_text, lambda raw: by_the_engine(code, raw) is REFUSED)
