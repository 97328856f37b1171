"""The formula evaluator: what it computes, what it refuses, and that evaluation never raises."""

from __future__ import annotations

import ast
import contextlib
import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessment.scoring import formula
from assessment.scoring.formula import (
    MAX_LENGTH,
    FormulaError,
    NumberTooLarge,
    compile_formula,
    references,
)
from assessment.scoring.text import Text


def value_of(expr: str, **values: object) -> float | None:
    env = {code.replace("_", "."): v for code, v in values.items()}
    return compile_formula(expr).evaluate(env).value


class TestArithmetic:
    @pytest.mark.parametrize(
        ("expr", "expected"),
        [
            ("1 + 2 * 3", 7),
            ("(1 + 2) * 3", 9),
            ("2 ** 3", 8),
            ("2 ** -2", 0.25),
            ("-3 + +1", -2),
            ("7 % 3", 1),
            ("10 / 4", 2.5),
            (".5 + 1e1", 10.5),
            ("min(3, 1, 2)", 1),
            ("max(3, 1, 2)", 3),
            ("max(4)", 4),
            ("abs(-2.5)", 2.5),
        ],
    )
    def test_computes(self, expr: str, expected: float) -> None:
        assert value_of(expr) == pytest.approx(expected)

    def test_dotted_codes_are_names(self) -> None:
        assert value_of("C2.03 / C2.02 * 100", C2_03=45, C2_02=50) == pytest.approx(90)

    def test_references_lists_each_code_once(self) -> None:
        assert references("C1.01 + C1.01 * S2.3 - max(C1.01, 0)") == {"C1.01", "S2.3"}

    def test_booleans_count_as_one_and_zero(self) -> None:
        assert value_of("A + B", A=True, B=False) == 1

    @pytest.mark.parametrize(
        ("expr", "expected"),
        [
            ("0 < A <= 10", 1),
            ("0 < A < 5", 0),
            ("A == 5 and B != 5", 1),
            ("A > 9 or B > 9", 0),
            ("not A", 0),
            ("not (A > 9)", 1),
        ],
    )
    def test_comparisons_and_logic_give_one_or_zero(self, expr: str, expected: float) -> None:
        assert value_of(expr, A=5, B=3) == expected

    @pytest.mark.parametrize(
        ("expr", "expected"),
        [
            ("round(2.5)", 3),
            ("round(-2.5)", -3),
            ("round(2.345, 2)", 2.35),
            ("round(1.005, 2)", 1.01),
        ],
    )
    def test_round_takes_halves_away_from_zero(self, expr: str, expected: float) -> None:
        assert value_of(expr) == expected

    def test_nested_if(self) -> None:
        expr = "if(A >= 90, 3, if(A >= 60, 2, 1))"
        assert [value_of(expr, A=a) for a in (95, 90, 75, 10)] == [3, 3, 2, 1]

    def test_if_evaluates_only_the_branch_it_takes(self) -> None:
        expr = "if(B > 0, A / B, 0)"
        assert value_of(expr, A=5, B=0) == 0
        assert value_of(expr, A=5, B=2) == 2.5


class TestUndefinedResults:
    def test_division_by_zero_gives_none_and_the_reason(self) -> None:
        result = compile_formula("A / B").evaluate({"A": 1, "B": 0})
        assert (result.value, result.error) == (None, "division_by_zero")

    def test_modulo_by_zero(self) -> None:
        assert compile_formula("A % 0").evaluate({"A": 1}).error == "division_by_zero"

    def test_zero_to_a_negative_power(self) -> None:
        assert compile_formula("A ** -1").evaluate({"A": 0}).error == "division_by_zero"

    def test_missing_input_names_the_code(self) -> None:
        result = compile_formula("C1.01 + C1.02").evaluate({"C1.01": 1})
        assert (result.value, result.error, result.detail) == (None, "missing", "C1.02")

    @pytest.mark.parametrize("bad", [None, "12", float("nan"), float("inf"), {"x": 1}])
    def test_anything_but_a_finite_number_is_missing(self, bad: object) -> None:
        assert compile_formula("A + 1").evaluate({"A": bad}).error == "missing"

    def test_missing_input_in_the_branch_not_taken_is_fine(self) -> None:
        assert value_of("if(A > 0, A, B)", A=1) == 1

    def test_exponent_over_the_limit_at_run_time(self) -> None:
        assert compile_formula("2 ** A").evaluate({"A": 5}).error == "exponent"

    def test_negative_base_with_fractional_exponent(self) -> None:
        assert compile_formula("A ** 0.5").evaluate({"A": -4}).error == "negative_power"

    @pytest.mark.parametrize("expr", ["A * A * A", "A ** 4", "A ** 4 ** 0.5 * A"])
    def test_overflow(self, expr: str) -> None:
        assert compile_formula(expr).evaluate({"A": 1e300}).error == "overflow"

    def test_round_digits_out_of_range(self) -> None:
        assert compile_formula("round(A, 11)").evaluate({"A": 1}).error == "round_digits"


class TestRefused:
    @pytest.mark.parametrize(
        ("expr", "why"),
        [
            ("__import__('os')", "unexpected character '_'"),
            ("().__class__", "unexpected character '.'"),
            ("(1).real", "unexpected character '.'"),
            ("C1 .real", "unexpected character '.'"),
            ("'a' * 3", "unexpected character"),
            ('"a"', "unexpected character"),
            ("C1[0]", "unexpected character '['"),
            ("{1: 2}", "unexpected character '{'"),
            ("lambda: 1", "unexpected character ':'"),
            ("[x for x in C1]", "unexpected character '['"),
            ("round(x=1)", "unexpected character '='"),
            ("C1 @ C2", "unexpected character '@'"),
            ("~C1", "unexpected character '~'"),
            ("C1 & C2", "unexpected character '&'"),
            ("C1 // 2", "syntax error"),
            ("1 if C1 else 2", "syntax error"),
            ("C1 is C2", "syntax error"),
            ("2C1", "syntax error"),
            ("1 +", "syntax error"),
            ("eval(1)", "only abs, if, max, min, round can be called"),
            ("C1.01(2)", "only abs, if, max, min, round can be called"),
            ("min(*C1)", "not allowed in a formula: starred arguments"),
            ("(C1, C2)", "not allowed in a formula: tuples"),
            ("abs(1, 2)", "abs() takes 1 arguments, got 2"),
            ("if(1, 2)", "if() takes 3 arguments, got 2"),
            ("2 ** 5", "exponent 5 is larger than 4"),
            ("2 ** -5", "exponent -5 is larger than 4"),
            ("9 ** 9 ** 9", "exponent 9 is larger than 4"),
            ("1e999", "the number inf is too large"),
            ("", "empty"),
            ("   ", "empty"),
        ],
    )
    def test_rejected_with_the_reason(self, expr: str, why: str) -> None:
        with pytest.raises(FormulaError, match=re.escape(why)):
            compile_formula(expr)

    def test_a_function_word_without_brackets_is_just_a_name(self) -> None:
        # The framework validator refuses such codes, so this can never reach an indicator.
        assert references("min + 1") == {"min"}

    def test_long_input(self) -> None:
        expr = "1 + " * 200 + "1"
        assert len(expr) > MAX_LENGTH
        with pytest.raises(FormulaError, match="longer than 500"):
            compile_formula(expr)

    def test_deep_brackets(self) -> None:
        with pytest.raises(FormulaError, match="brackets nested deeper than 32"):
            compile_formula("(" * 40 + "1" + ")" * 40)

    def test_deep_nesting_without_brackets(self) -> None:
        with pytest.raises(FormulaError, match="nested deeper than 64"):
            compile_formula("-" * 100 + "1")

    def test_too_many_nodes(self) -> None:
        with pytest.raises(FormulaError, match="too large"):
            compile_formula("+".join(["1"] * 200))

    def test_not_a_string(self) -> None:
        with pytest.raises(FormulaError, match="must be a string"):
            compile_formula(42)  # type: ignore[arg-type]


_CJK = re.compile(r"[\u4e00-\u9fff]")
# What a message names: numbers (positions, limits, counts), quoted text and function names.
_DETAIL = re.compile(r"\d+(?:\.\d+)?(?:e\d+)?|'[^']*'|\b[a-z]+\(\)|\b(?:abs|if|max|min|round)\b")


def details(text: str) -> list[str]:
    return sorted(_DETAIL.findall(text))


class TestBothLanguages:
    """GIVEN each kind of formula error, THEN it says what is wrong in Chinese and in English,
    naming the same position, characters, names and numbers; ``str()`` stays the English."""

    @pytest.mark.parametrize(
        ("expr", "zh"),
        [
            (42, "公式应为字符串"),
            ("1 + " * 200 + "1", "公式超过 500 个字符（现为 801 个）"),
            ("  ", "公式为空"),
            ("1 +", "公式 '1 +' 有语法错误"),
            ("+".join(["1"] * 200), "公式过于复杂（599 个语法节点，最多 256 个）"),
            ("C1 $ 2", "公式第 4 个字符 '$' 无法识别"),
            ("(" * 40 + "1" + ")" * 40, "公式的括号嵌套超过 32 层"),
            ("-" * 100 + "1", "公式嵌套超过 64 层"),
            ("min(*C1)", "公式中不允许使用星号参数"),
            ("(C1, C2)", "公式中不允许使用元组"),
            ("1e999", "数字太大：inf（最多约 1.8e308）"),
            ("1" + "0" * 400, "数字太大：100000000000…，共 401 位（最多约 1.8e308）"),
            ("C1.01(2)", "公式中只能调用 abs、if、max、min、round"),
            ("abs(1, 2)", "abs() 应有 1 个参数，现为 2 个"),
            ("min()", "min() 应有 1 到 64 个参数，现为 0 个"),
            ("2 ** -5", "指数 -5 的绝对值大于 4"),
        ],
    )
    def test_a_formula_error_is_in_both_languages(self, expr: str, zh: str) -> None:
        with pytest.raises(FormulaError) as caught:
            compile_formula(expr)
        error = caught.value
        assert error.message("zh-hans") == error.text.zh == zh
        assert error.message("en") == error.text.en == str(error)
        assert not _CJK.search(str(error))
        assert details(error.text.zh) == details(error.text.en)

    @pytest.mark.parametrize(
        ("source", "zh", "en"),
        [
            ("'x'", "公式中不允许使用常量 'x'", "not allowed in a formula: the constant 'x'"),
            ("x", "函数名后应紧跟括号括起的参数", "a function name must be followed by its"),
            ("1 // 2", "公式中不允许使用运算符 //", "not allowed in a formula: the operator //"),
            (
                "1 in 2",
                "公式中不允许使用比较运算 in",
                "not allowed in a formula: the comparison in",
            ),
            ("_f_min(a=1)", "min() 不接受关键字参数", "min() takes no keyword arguments"),
            ("[1]", "公式中不允许使用List", "not allowed in a formula: List"),
        ],
    )
    def test_what_the_tokenizer_already_refuses_is_in_both_languages_too(
        self, source: str, zh: str, en: str
    ) -> None:
        """The compiler's own checks behind the tokenizer, given a tree the tokenizer never
        lets through."""
        tree = ast.parse(source, mode="eval")
        with pytest.raises(FormulaError) as caught:
            formula._Compiler(("a",)).compile(tree.body, 1)
        assert caught.value.text.zh == zh
        assert str(caught.value).startswith(en)
        assert details(caught.value.text.zh) == details(str(caught.value))

    def test_a_number_too_large_is_a_formula_error_with_its_text(self) -> None:
        with pytest.raises(NumberTooLarge) as caught:
            compile_formula("C1 * 1e400")
        assert isinstance(caught.value, FormulaError)
        assert isinstance(caught.value.text, Text)
        assert caught.value.message("en") == "the number inf is too large (at most about 1.8e308)"

    def test_an_error_survives_a_pickle_in_both_languages(self) -> None:
        with pytest.raises(FormulaError) as caught:
            compile_formula("C1 $ 2")
        copied = pickle.loads(pickle.dumps(caught.value))
        assert (copied.text, str(copied)) == (caught.value.text, str(caught.value))


@given(st.text(max_size=80))
def test_any_text_either_compiles_or_raises_formula_error(text: str) -> None:
    with contextlib.suppress(FormulaError):
        compile_formula(text)


_ATOMS = st.sampled_from(["A", "B", "C1.01", "0", "1", "2.5", "-1", "1e300"])
_EXPRS = st.recursive(
    _ATOMS,
    lambda inner: st.one_of(
        st.tuples(
            inner, st.sampled_from(["+", "-", "*", "/", "%", "**", "<", "==", "and", "or"]), inner
        ).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(["min", "max"]), inner, inner).map(
            lambda t: f"{t[0]}({t[1]}, {t[2]})"
        ),
        st.tuples(inner, inner, inner).map(lambda t: f"if({t[0]}, {t[1]}, {t[2]})"),
        inner.map(lambda e: f"round(abs({e}), 1)"),
        inner.map(lambda e: f"not {e}"),
    ),
    max_leaves=12,
)
_INPUTS = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=True, allow_infinity=True), st.integers(-5, 5)
)


@given(_EXPRS, _INPUTS, _INPUTS, _INPUTS)
def test_evaluation_never_raises(expr: str, a: object, b: object, c: object) -> None:
    try:
        formula = compile_formula(expr)
    except FormulaError:
        return  # e.g. a constant exponent over the limit
    result = formula.evaluate({"A": a, "B": b, "C1.01": c})
    assert (result.value is None) == (result.error is not None)
    if result.value is not None:
        assert result.value == result.value  # not nan
        assert abs(result.value) != float("inf")
