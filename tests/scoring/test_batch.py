"""The batch engine gives exactly what `score_subject` gives, subject by subject.

Frameworks are generated from the test framework (every rubric kind, a formula, an appraisal,
bonus, veto, deduction, dimensions with `also`): weights, rubric parameters, value types of
vetoes and bonuses, the total and the rectification threshold are drawn; values are drawn from
everything a stored value can be (numbers in and out of range, integers, booleans, null, "n/a"
in its spellings, blanks, numbers as text, words, appraisal votes good and bad, nothing). The
comparison is exact: the same floats, then the same stored rows, text for text.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assessment.scoring import score_subject
from assessment.scoring.batch import (
    ABSENT,
    FLOAT,
    INTEGER,
    NA,
    NULL,
    OTHER,
    STATUS_CODES,
    Cells,
    round6,
    score_batch,
    typed_kind,
)
from assessment.scoring.spec.problems import FrameworkError
from assessment.scoring.values import rounded
from assessment.services.scores import _packed_rows, _subject_row
from tests.scoring.builders import PERFECT, build, find, framework_dict

VOTES = {"voters": 10, "excellent": 6, "competent": 2, "basic": 1, "incompetent": 1}
value_of_any_kind = st.one_of(
    st.floats(min_value=-50, max_value=150, allow_nan=False),
    st.integers(min_value=-3, max_value=40),
    st.sampled_from([0.0, 1.0, 0.5, 12.0, 100.0, 1e13, -1e13, 2.0**0.5, 59.9999999, 60.0]),
    st.booleans(),
    st.sampled_from(
        [None, "n/a", "N/A", "不适用", "", "  ", "12", "85%", "1,200", "是", "abc", "−3"]
    ),
    st.just(VOTES),
    st.sampled_from(
        [
            {"voters": 3, "excellent": 3},
            {"voters": 4, "excellent": 1, "competent": 1},  # counts short of the voters
            {"voters": 0},
            {"voters": 5, "excellent": 2.5, "competent": 2.5},
            {"voters": 2, "excellent": 1, "competent": 1, "other": 1},
            [1, 2],
        ]
    ),
)


BRANCH_WEIGHTED = ["C1.01", "C1.02", "C2.01", "C2.02", "C2.03", "C3.04"]
MEMBER_WEIGHTED = ["M1.01", "M1.02"]


@st.composite
def frameworks(draw: st.DrawFn):
    """The test framework with its numbers and some types drawn anew (each kind's weights still
    add up to the total, as the framework rules require)."""
    data = framework_dict()
    total = draw(st.sampled_from([100, 120, 80]))
    data["total_points"] = total
    data["rectify_below"] = draw(st.sampled_from([0.6, 0.0, 1.0, 0.35]))
    shared = draw(st.sampled_from([20, 7.5, 0.3, 33.3]))
    find(data, "C3.01")["weight"] = shared
    for group in (BRANCH_WEIGHTED, MEMBER_WEIGHTED):
        raw = [draw(st.sampled_from([1, 2, 3, 5, 7])) for _ in group]
        left = total - shared
        for code, part in zip(group[:-1], raw[:-1], strict=False):
            find(data, code)["weight"] = round(left * part / sum(raw), 3)
        find(data, group[-1])["weight"] = round(
            left - sum(find(data, code)["weight"] for code in group[:-1]), 3
        )
    for item in data["indicators"]:
        rubric = item["rubric"]
        kind = rubric["kind"]
        if kind == "linear":
            rubric["floor"] = draw(st.sampled_from([0, 10, 50, 60, 99.5]))
            item["target"] = draw(st.sampled_from([100, 0, 5, 80]))
            assume(rubric["floor"] != item["target"])
            item["direction"] = "higher" if item["target"] > rubric["floor"] else "lower"
            item["value_type"] = draw(st.sampled_from(["number", "percentage", "count"]))
        elif kind == "bonus":
            rubric["per"] = draw(st.sampled_from([1, 0.5, 2.25]))
            rubric["cap"] = draw(st.sampled_from([3, 1, 10]))
        elif kind == "veto":
            item["value_type"] = draw(st.sampled_from(["boolean", "count"]))
            if item["value_type"] != "boolean":
                item["unit"] = {"zh": "起", "en": "cases"}
            rubric["cap_grade"] = draw(st.sampled_from(["C", "D", "B"]))
        elif kind == "deduction":
            rubric["per"] = draw(st.sampled_from([2, 0.7, 5]))
            share = draw(st.sampled_from([0, 0.1, 0.5]))  # of the weight, which caps it
            rubric["floor"] = round(item["weight"] * share, 3)
        elif kind == "bands":
            item["value_type"] = draw(st.sampled_from(["number", "percentage", "count"]))
        elif kind == "none":
            # Formula inputs (C3.02 and C3.03): never text, which formulas refuse.
            item["value_type"] = draw(st.sampled_from(["count", "number", "boolean"]))
        elif kind == "yes_no":
            rubric["yes"] = 1.0
            rubric["no"] = draw(st.sampled_from([0.0, 0.25]))
    if draw(st.booleans()):  # a ratio rather than a percentage: no 0–100 check on its result
        find(data, "C3.04")["value_type"] = "number"
    try:
        return build(data)
    except FrameworkError as error:
        raise AssertionError(f"the drawn framework is refused: {error}") from error


def subjects(codes: list[str]) -> st.SearchStrategy[list[dict[str, Any]]]:
    row = st.fixed_dictionaries({}, optional=dict.fromkeys(codes, value_of_any_kind))
    return st.lists(row, min_size=1, max_size=12)


def indicator_tuple(score, index: int) -> tuple:
    item = score.indicators[index]
    status = (
        "n/a"
        if item.not_applicable
        else "missing"
        if item.missing
        else "invalid"
        if item.invalid
        else "scored"
    )
    return (item.points, item.max, item.fraction, status, item.rectify, item.triggered)


def batch_tuple(batch, row: int, index: int) -> tuple:
    fraction = batch.fraction[row, index]
    return (
        float(batch.points[row, index]),
        float(batch.max[row, index]),
        None if math.isnan(fraction) else float(fraction),
        STATUS_CODES[batch.status[row, index]],
        bool(batch.rectify[row, index]),
        bool(batch.triggered[row, index]),
    )


def assert_same(framework, kind: str, rows: list[dict[str, Any]]) -> None:
    codes = [indicator.code for indicator in framework.indicators]
    cells = Cells.from_values(codes, rows)
    batch = score_batch(framework, kind, cells)
    for row, values in enumerate(rows):
        score = score_subject(framework, kind, values)
        assert batch.codes == tuple(item.code for item in score.indicators)
        for index in range(len(score.indicators)):
            assert batch_tuple(batch, row, index) == indicator_tuple(score, index), (
                score.indicators[index].code,
                values.get(score.indicators[index].code, "absent"),
            )
        for d, dimension in enumerate(score.dimensions):
            share = batch.dim_share[row, d]
            assert (
                batch.dim_points[row, d],
                batch.dim_max[row, d],
                batch.dim_also_points[row, d],
                batch.dim_also_max[row, d],
                batch.dim_bonus[row, d],
                None if math.isnan(share) else share,
            ) == (
                dimension.points,
                dimension.max,
                dimension.also_points,
                dimension.also_max,
                dimension.bonus,
                dimension.share,
            ), dimension.code
        assert (
            batch.base[row],
            batch.bonus[row],
            batch.deductions[row],
            batch.total[row],
            batch.max_total[row],
            batch.grade[row],
            batch.stars[row],
            batch.vetoes[row],
            batch.missing[row],
        ) == (
            score.base,
            score.bonus,
            score.deductions,
            score.total,
            score.max,
            score.grade,
            score.stars,
            tuple(v.code for v in score.vetoes),
            len(score.missing),
        )
    # The stored rows, text for text (the JSON documents too; inputs keyed in any order).
    submissions = [(n + 1, 100 + n, kind, "organization", "approved") for n in range(len(rows))]
    packed = list(_packed_rows(batch, cells, submissions, 7, "stamp"))
    for submission, values, got in zip(submissions, rows, packed, strict=True):
        want = _subject_row(score_subject(framework, kind, values), submission, values, 7, "stamp")
        assert got[:15] == want[:15]
        assert orjson.loads(got[15]) == orjson.loads(want[15])
        assert _types(orjson.loads(got[15])) == _types(orjson.loads(want[15]))
        assert got[16:] == want[16:]


def _types(document: dict[str, Any]) -> dict[str, str]:
    return {code: type(value).__name__ for code, value in document.items()}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_batch_scores_every_subject_as_score_subject_does(data: st.DataObject) -> None:
    framework = data.draw(frameworks())
    kind = data.draw(st.sampled_from(["branch", "member"]))
    codes = [indicator.code for indicator in framework.indicators_for(kind)]
    rows = data.draw(subjects(codes))
    assert_same(framework, kind, rows)


def test_a_clean_year_and_its_edges_score_alike() -> None:
    """Hand-made rows: full marks, nothing entered, everything not applicable (no grade),
    a veto fired, values at the band and threshold edges, a value for another kind's indicator."""
    framework = build()
    every = dict.fromkeys(PERFECT, "n/a")
    rows = [
        dict(PERFECT),
        {},
        every,
        {**PERFECT, "X.02": True},
        {**PERFECT, "C1.01": 59.9999999, "C1.02": 9, "C2.02": 100, "X.01": 7},
        {**PERFECT, "C3.03": 0},  # the formula divides by zero
        {**PERFECT, "C3.02": "n/a"},  # the formula does not apply either
        {**PERFECT, "M1.01": True},
    ]
    assert_same(framework, "branch", rows)
    batch = score_batch(framework, "branch", Cells.from_values([*PERFECT, "M1.01"], rows))
    assert batch.grade[0] == "A"
    assert batch.grade[2] is None
    assert batch.grade[3] == "D"


def test_cells_keep_the_stored_types() -> None:
    rows = [{"a": 1.0, "b": 2, "c": True, "d": None, "e": "n/a", "f": {"voters": 1}}, {}]
    cells = Cells.from_values(["a", "b", "c", "d", "e", "f"], rows)
    assert cells.kind[0].tolist() == [FLOAT, INTEGER, 4, NULL, NA, OTHER]
    assert cells.kind[1].tolist() == [ABSENT] * 6
    assert cells.values(0) == rows[0]
    assert [type(v) for v in cells.values(0).values()] == [float, int, bool, type(None), str, dict]
    assert cells.values(1) == {}
    assert cells.take([1, 0]).values(1) == rows[0]
    assert typed_kind(1e13) == OTHER
    assert typed_kind(float("nan")) == OTHER


@pytest.mark.parametrize("value", [0.1234565, 2.5e-7, 1.0000005, 123.4564999999, 0.0000015, 7])
def test_round6_rounds_as_python_does(value: float) -> None:
    values = np.array([value, -value, value * 3, value / 7, np.nan])
    expected = [rounded(float(v)) for v in values[:4]]
    got = round6(values)
    assert got[:4].tolist() == expected
    assert math.isnan(got[4])


def test_round6_agrees_with_python_on_many_halves() -> None:
    rng = np.random.default_rng(5)
    values = np.concatenate(
        [rng.integers(0, 10**9, 20_000) / 10**6 + 5e-7, rng.uniform(0, 200, 20_000)]
    )
    assert round6(values).tolist() == [rounded(float(v)) for v in values]
