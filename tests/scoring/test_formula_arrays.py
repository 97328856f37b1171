"""Formulas over columns give, row for row, what `Formula.evaluate` gives: the same value and the
same error, for expressions drawn from the whole grammar and inputs that break them."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assessment.scoring.formula import FormulaError, compile_formula
from assessment.scoring.formula_arrays import ERRORS, OK, evaluate_columns

CODES = ("A.01", "A.02", "B.1")
inputs = st.one_of(
    st.none(),
    st.sampled_from([0.0, 1.0, -1.0, 2.0, -8.0, 0.5, 1e200, -1e200, 3.0, 100.0, 1e-300]),
    st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
)
leaves = st.one_of(
    st.sampled_from(CODES),
    st.sampled_from(["0", "1", "2", "0.5", "3", "-1", "4", "1e308", "10"]),
)


def expressions() -> st.SearchStrategy[str]:
    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binary = st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "%", "**"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        compare = st.tuples(
            inner, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), inner, inner
        ).map(lambda t: f"({t[0]} {t[1]} {t[2]} {t[1]} {t[3]})")
        boolean = st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(
            lambda t: f"({t[0]} {t[1]} {t[2]})"
        )
        calls = st.one_of(
            st.tuples(inner, inner, inner).map(lambda t: f"if({t[0]}, {t[1]}, {t[2]})"),
            st.lists(inner, min_size=1, max_size=3).map(lambda a: f"min({', '.join(a)})"),
            st.lists(inner, min_size=1, max_size=3).map(lambda a: f"max({', '.join(a)})"),
            inner.map(lambda a: f"abs({a})"),
            inner.map(lambda a: f"round({a})"),
            st.tuples(inner, st.sampled_from(["0", "2", "1.5", "11"])).map(
                lambda t: f"round({t[0]}, {t[1]})"
            ),
            inner.map(lambda a: f"(not {a})"),
            inner.map(lambda a: f"(-{a})"),
        )
        return st.one_of(binary, compare, boolean, calls)

    return st.recursive(leaves, extend, max_leaves=8)


def scalar(expr: str, rows: list[dict[str, float | None]]) -> list[tuple]:
    formula = compile_formula(expr)
    out = []
    for row in rows:
        result = formula.evaluate(row)
        out.append((result.value, result.error))
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions(), st.lists(st.tuples(inputs, inputs, inputs), min_size=1, max_size=8))
def test_columns_evaluate_as_rows_do(expr: str, drawn: list[tuple]) -> None:
    try:
        formula = compile_formula(expr)
    except FormulaError:
        return  # not a formula the framework would take (a constant too large, …)
    rows = [dict(zip(CODES, values, strict=True)) for values in drawn]
    columns = [
        np.array([math.nan if row[code] is None else row[code] for row in rows])
        for code in formula.codes
    ]
    values, errors = evaluate_columns(formula, columns, len(rows))
    for index, (value, error) in enumerate(scalar(expr, rows)):
        got_error = ERRORS[errors[index]] if errors[index] != OK else None
        assert got_error == error, (expr, rows[index])
        if error is None:
            assert values[index] == value, (expr, rows[index])


def test_short_circuits_keep_their_errors_to_the_parts_evaluated() -> None:
    rows = [
        {"A.01": 0.0, "A.02": None},
        {"A.01": 2.0, "A.02": None},
        {"A.01": 2.0, "A.02": 4.0},
        {"A.01": 1e100, "A.02": 1.0},
    ]
    for expr in (
        "if(A.01 > 0, A.02 / A.01, 0)",
        "A.01 and A.02",
        "A.01 or A.02",
        "0 < A.01 < A.02",
        "min(A.01, A.02)",
        "round(A.02 / 3, 2)",
        "A.01 ** 4",
        "A.02 / A.01",
        "A.02 % A.01",
        "A.01 ** -1",
        "A.01 * 1e308 * 10 > 0",
        "(-A.01) ** 0.5",
    ):
        formula = compile_formula(expr)
        columns = [
            np.array([math.nan if row[code] is None else row[code] for row in rows])
            for code in formula.codes
        ]
        values, errors = evaluate_columns(formula, columns, len(rows))
        for index, (value, error) in enumerate(scalar(expr, rows)):
            assert (ERRORS[errors[index]] if errors[index] else None) == error, expr
            if error is None:
                assert values[index] == value, expr
