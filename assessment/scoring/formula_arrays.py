"""Formulas evaluated over columns: for every row, the value and the error `Formula.evaluate`
gives for that row's inputs (the batch engine's formulas).

Each node gives a value and an error code per row. An error is the first one the row-by-row
evaluation would raise: operands left to right, then the operation's own; ``if``, ``and``,
``or`` and chained comparisons take their errors only from the parts that row evaluates, as the
closures of `formula` short-circuit. Overflow follows Python: a power that overflows is an error
at once, an infinite product only at the end (when it is still there). ``round`` is computed
row by row by `formula`'s own function (its half-up decimal rounding has no array twin).
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from . import formula as scalar
from .formula import Formula

__all__ = ["ERRORS", "MISSING", "OK", "evaluate_columns"]

OK, MISSING, DIVISION, EXPONENT, NEGATIVE_POWER, ROUND_DIGITS, OVERFLOW = range(7)
# FormulaResult.error for each code
ERRORS = (None, "missing", "division_by_zero", "exponent", "negative_power", "round_digits")
ERRORS = (*ERRORS, "overflow")
_CODES = {reason: code for code, reason in enumerate(ERRORS)}

Result = tuple[np.ndarray, np.ndarray]  # values (float), errors (int8)


def evaluate_columns(formula: Formula, columns: Sequence[np.ndarray], rows: int) -> Result:
    """Values and error codes of `formula` over `rows` rows; `columns` holds one float array per
    code of ``formula.codes`` (NaN where the input is no finite number: missing)."""
    with np.errstate(all="ignore"):
        value, error = _Evaluator(columns, rows).visit(_tree(formula.expr))
        error = np.where((error == OK) & ~np.isfinite(value), OVERFLOW, error).astype(np.int8)
    return value, error


@lru_cache(maxsize=1024)
def _tree(expr: str) -> ast.expr:
    source, _codes = scalar._translate(expr)
    return ast.parse(source, mode="eval").body


def _first(*errors: np.ndarray) -> np.ndarray:
    """The first error of each row, in evaluation order."""
    out = errors[0]
    for error in errors[1:]:
        out = np.where(out != OK, out, error)
    return out


def _raise(error: np.ndarray, where: np.ndarray, code: int) -> np.ndarray:
    """`code` where the row has no error yet and `where` holds."""
    return np.where((error == OK) & where, code, error)


class _Evaluator:
    def __init__(self, columns: Sequence[np.ndarray], rows: int) -> None:
        self.columns = columns
        self.rows = rows

    def visit(self, node: ast.expr) -> Result:
        return getattr(self, f"_{type(node).__name__}")(node)

    def _ok(self) -> np.ndarray:
        return np.zeros(self.rows, dtype=np.int8)

    def _Constant(self, node: ast.Constant) -> Result:
        return np.full(self.rows, float(node.value)), self._ok()

    def _Name(self, node: ast.Name) -> Result:
        column = self.columns[int(node.id[len(scalar._REF_PREFIX) :])]
        return column, np.where(np.isnan(column), MISSING, OK).astype(np.int8)

    def _UnaryOp(self, node: ast.UnaryOp) -> Result:
        value, error = self.visit(node.operand)
        if isinstance(node.op, ast.USub):
            return -value, error
        if isinstance(node.op, ast.Not):
            return np.where(value != 0, 0.0, 1.0), error  # NaN is true, as in Python
        return value, error

    def _BinOp(self, node: ast.BinOp) -> Result:
        left, left_error = self.visit(node.left)
        right, right_error = self.visit(node.right)
        error = _first(left_error, right_error)
        op = node.op
        if isinstance(op, ast.Add):
            return left + right, error
        if isinstance(op, ast.Sub):
            return left - right, error
        if isinstance(op, ast.Mult):
            return left * right, error
        if isinstance(op, ast.Div):
            return left / right, _raise(error, right == 0, DIVISION)
        if isinstance(op, ast.Mod):
            return np.mod(left, right), _raise(error, right == 0, DIVISION)
        # A power: the checks of formula._pow in its order, then Python's overflow.
        error = _raise(error, np.abs(right) > scalar.MAX_EXPONENT, EXPONENT)
        error = _raise(error, (left == 0) & (right < 0), DIVISION)
        fractional = np.isnan(right) | (right != np.trunc(right))
        # int(NaN) raises ValueError in the scalar check: an overflow there.
        error = _raise(error, (left < 0) & np.isnan(right), OVERFLOW)
        error = _raise(error, (left < 0) & fractional, NEGATIVE_POWER)
        value = np.power(left, right)
        overflowed = np.isinf(value) & np.isfinite(left) & np.isfinite(right)
        return value, _raise(error, overflowed, OVERFLOW)

    def _BoolOp(self, node: ast.BoolOp) -> Result:
        conjunction = isinstance(node.op, ast.And)
        # and: 1 unless a part is false (then 0 and stop); or: 0 unless a part is true.
        settled = np.zeros(self.rows, dtype=bool)
        result = np.full(self.rows, 1.0 if conjunction else 0.0)
        error = self._ok()
        for part in node.values:
            value, part_error = self.visit(part)
            live = ~settled & (error == OK)
            error = np.where(live, part_error, error)
            decides = live & (part_error == OK) & ((value == 0) if conjunction else (value != 0))
            result = np.where(decides, 0.0 if conjunction else 1.0, result)
            settled |= decides
        return result, error

    def _Compare(self, node: ast.Compare) -> Result:
        left, error = self.visit(node.left)
        settled = np.zeros(self.rows, dtype=bool)
        result = np.ones(self.rows)
        tests = {
            ast.Lt: np.less,
            ast.LtE: np.less_equal,
            ast.Gt: np.greater,
            ast.GtE: np.greater_equal,
            ast.Eq: np.equal,
            ast.NotEq: np.not_equal,
        }
        for op, item in zip(node.ops, node.comparators, strict=True):
            right, right_error = self.visit(item)
            live = ~settled & (error == OK)
            error = np.where(live, right_error, error)
            fails = live & (right_error == OK) & ~tests[type(op)](left, right)
            result = np.where(fails, 0.0, result)
            settled |= fails
            left = right
        return result, error

    def _Call(self, node: ast.Call) -> Result:
        name = node.func.id[len(scalar._FUNC_PREFIX) :]  # type: ignore[attr-defined]
        if name == "if":
            (condition, condition_error), then, other = (
                self.visit(node.args[0]),
                self.visit(node.args[1]),
                self.visit(node.args[2]),
            )
            taken = condition != 0  # NaN is true
            value = np.where(taken, then[0], other[0])
            branch_error = np.where(taken, then[1], other[1])
            return value, _first(condition_error, branch_error)
        parts = [self.visit(arg) for arg in node.args]
        error = _first(*(part_error for _value, part_error in parts))
        if name in ("min", "max"):
            value = parts[0][0]
            better = np.less if name == "min" else np.greater
            for other, _error in parts[1:]:  # Python's min and max: the first of equals wins
                value = np.where(better(other, value), other, value)
            return value, error
        if name == "abs":
            return np.abs(parts[0][0]), error
        return self._round(parts, error)

    def _round(self, parts: list[Result], error: np.ndarray) -> Result:
        value = np.full(self.rows, np.nan)
        error = error.copy()
        for row in np.nonzero(error == OK)[0].tolist():
            args = [float(part[0][row]) for part in parts]
            try:
                value[row] = scalar._round(*args)
            except scalar._Undefined as undefined:
                error[row] = _CODES[str(undefined)]
            except (OverflowError, ArithmeticError, ValueError):
                error[row] = OVERFLOW
        return value, error
