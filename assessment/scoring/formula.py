"""Safe arithmetic formulas over indicator codes (the `formula` rubric).

Syntax
------
Indicator codes are written bare, exactly as in the framework: ``C2.03 / C2.02 * 100``. A name is
a letter followed by letters, digits, ``.`` and ``_`` (the indicator-code pattern), so ``C1.01`` is
one name and never an attribute access.

- numbers: ``12``, ``0.5``, ``.5``, ``1e3``
- arithmetic: ``+ - * / %`` and ``**`` (the exponent may be at most 4 in absolute value),
  unary ``-`` and ``+``
- comparisons ``< <= > >= == !=`` (chainable: ``0 < C1.01 <= 10``), and ``and``, ``or``, ``not``;
  true is 1 and false is 0
- functions ``min(a, b, ...)``, ``max(a, b, ...)``, ``abs(x)``, ``round(x)`` or ``round(x, digits)``
  (halves round away from zero, as people expect, not to even), and ``if(condition, then, else)``,
  which evaluates only the branch it takes (``if(C2.02 > 0, C2.03 / C2.02, 0)`` never divides by
  zero)

Limits: 500 characters, 256 syntax nodes, nesting depth 64, brackets nested 32 deep, numbers a
float holds (up to about 1.8e308; a larger one is a FormulaError, NumberTooLarge).

A FormulaError says what is wrong in both languages: ``error.text`` is a ``Text``,
``error.message(lang)`` the reader's language, and ``str(error)`` the English.

How it stays safe
-----------------
Our own tokenizer admits only numbers, names, brackets, commas and operator characters (no quotes,
dots outside names and numbers, square or curly brackets, colons or underscores at the start of a
name). It renames every indicator code to a private identifier and every function to a private name
(``if`` is a Python keyword), so Python's parser sees a plain expression. The resulting AST is
checked against a whitelist and compiled into nested closures; nothing is passed to ``eval`` or
``compile``. Evaluation never raises: a missing input, a division by zero, an overflow or an
exponent over the limit yields ``value=None`` with the reason.
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import TypeGuard

from .text import Text

__all__ = [
    "FUNCTIONS",
    "KEYWORDS",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "Formula",
    "FormulaError",
    "FormulaResult",
    "NumberTooLarge",
    "compile_formula",
    "finite",
    "references",
]

MAX_LENGTH = 500
MAX_NODES = 256
MAX_DEPTH = 64
MAX_BRACKETS = 32
MAX_EXPONENT = 4
MAX_ROUND_DIGITS = 10

FUNCTIONS = frozenset({"min", "max", "round", "abs", "if"})
KEYWORDS = frozenset({"and", "or", "not"})

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z][A-Za-z0-9_.]*)
  | (?P<op>\*\*|<=|>=|==|!=|[-+*/%<>(),])
    """,
    re.VERBOSE,
)
_REF_PREFIX = "_r"
_FUNC_PREFIX = "_f_"

Env = Sequence[float | None]
Node = Callable[[Env], float]


class FormulaError(ValueError):
    """The expression is not a valid, safe formula (raised by compiling, never by evaluating).

    ``text`` says what is wrong in Chinese and English; ``str()`` is the English, as it always was.
    """

    def __init__(self, text: Text) -> None:
        super().__init__(text)
        self.text = text

    def __str__(self) -> str:
        return self.text.en

    def message(self, lang: str) -> str:
        """What is wrong in ``lang`` ("en"; anything else is Chinese, as ``Text.get``)."""
        return self.text.get(lang)


class NumberTooLarge(FormulaError):
    """A number in the expression is beyond what a float holds (about 1.8e308)."""


class _Missing(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class _Undefined(Exception):
    """The value is undefined; the argument is the reason (see FormulaResult.error)."""


@dataclass(frozen=True, slots=True)
class FormulaResult:
    """The computed value, or None and why.

    ``error`` is one of ``missing`` (``detail`` is the code), ``division_by_zero``, ``exponent``,
    ``negative_power``, ``round_digits`` or ``overflow``.
    """

    value: float | None
    error: str | None = None
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Formula:
    """A compiled formula: evaluate it as often as needed, it is parsed once."""

    expr: str
    codes: tuple[str, ...]
    _fn: Node = field(repr=False, compare=False)

    @property
    def references(self) -> frozenset[str]:
        return frozenset(self.codes)

    def evaluate(self, values: Mapping[str, object]) -> FormulaResult:
        """Evaluate with the indicator values by code; anything not a finite number is missing."""
        env = [_as_number(values.get(code)) for code in self.codes]
        try:
            result = self._fn(env)
        except _Missing as exc:
            return FormulaResult(None, "missing", exc.code)
        except _Undefined as exc:
            return FormulaResult(None, str(exc))
        except ZeroDivisionError:
            return FormulaResult(None, "division_by_zero")
        except (OverflowError, ArithmeticError, ValueError):
            return FormulaResult(None, "overflow")
        if not math.isfinite(result):
            return FormulaResult(None, "overflow")
        return FormulaResult(float(result))


def _as_number(value: object) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    return None


def references(expr: str) -> set[str]:
    """The indicator codes an expression refers to; raises FormulaError if it is not valid."""
    return set(compile_formula(expr).codes)


@lru_cache(maxsize=4096)
def compile_formula(expr: str) -> Formula:
    """Check and compile an expression; raises FormulaError saying what is wrong."""
    if not isinstance(expr, str):
        raise FormulaError(Text("公式应为字符串", "a formula must be a string"))
    if len(expr) > MAX_LENGTH:
        raise FormulaError(
            Text(
                f"公式超过 {MAX_LENGTH} 个字符（现为 {len(expr)} 个）",
                f"the formula is longer than {MAX_LENGTH} characters ({len(expr)})",
            )
        )
    if not expr.strip():
        raise FormulaError(Text("公式为空", "the formula is empty"))
    source, codes = _translate(expr)
    try:
        tree = ast.parse(source, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise FormulaError(
            Text(f"公式 {expr!r} 有语法错误", f"syntax error in formula {expr!r}")
        ) from exc
    nodes = sum(1 for _ in ast.walk(tree))
    if nodes > MAX_NODES:
        raise FormulaError(
            Text(
                f"公式过于复杂（{nodes} 个语法节点，最多 {MAX_NODES} 个）",
                f"the formula is too large ({nodes} nodes, at most {MAX_NODES})",
            )
        )
    return Formula(expr, codes, _Compiler(codes).compile(tree.body, 1))


def _translate(expr: str) -> tuple[str, tuple[str, ...]]:
    """Tokenize, rename codes and functions, and rebuild a Python expression."""
    out: list[str] = []
    codes: dict[str, int] = {}
    depth = 0
    pos = 0
    while pos < len(expr):
        match = _TOKEN.match(expr, pos)
        if match is None:
            raise FormulaError(
                Text(
                    f"公式第 {pos + 1} 个字符 {expr[pos]!r} 无法识别",
                    f"unexpected character {expr[pos]!r} at position {pos + 1}",
                )
            )
        pos = match.end()
        kind, text = match.lastgroup, match.group()
        if kind == "space":
            continue
        if kind == "name":
            if text in KEYWORDS:
                out.append(text)
            elif text in FUNCTIONS and expr[pos:].lstrip().startswith("("):
                out.append(_FUNC_PREFIX + text)
            else:
                out.append(f"{_REF_PREFIX}{codes.setdefault(text, len(codes))}")
            continue
        if text == "(":
            depth += 1
            if depth > MAX_BRACKETS:
                raise FormulaError(
                    Text(
                        f"公式的括号嵌套超过 {MAX_BRACKETS} 层",
                        f"brackets nested deeper than {MAX_BRACKETS}",
                    )
                )
        elif text == ")":
            depth -= 1
        out.append(text)
    return " ".join(out), tuple(codes)


def finite(value: float) -> float | None:
    """The number as a float, or None if a float cannot hold it (too large, infinite, NaN)."""
    try:
        result = float(value)
    except OverflowError:  # an integer of more than 308 digits
        return None
    return result if math.isfinite(result) else None


def _shown(value: float) -> Text:
    """A number as written, cut short: a 400-digit one is not repeated whole in a message."""
    text = repr(value)
    if len(text) > 16:
        return Text(
            f"{text[:12]}…，共 {len(text)} 位",
            f"the number {text[:12]}… ({len(text)} digits)",
        )
    return Text(text, f"the number {text}")


def _constant_value(node: ast.expr) -> float | None:
    """The value of a literal number, possibly negated, else None (also when too large)."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        if isinstance(node.op, ast.USub):
            sign = -sign
        node = node.operand
    if isinstance(node, ast.Constant) and _is_number(node.value):
        value = finite(node.value)
        return None if value is None else sign * value
    return None


def _is_number(value: object) -> TypeGuard[int | float]:
    return type(value) in (int, float)


def _div(a: float, b: float) -> float:
    if b == 0:
        raise _Undefined("division_by_zero")
    return a / b


def _mod(a: float, b: float) -> float:
    if b == 0:
        raise _Undefined("division_by_zero")
    return a % b


def _pow(base: float, exponent: float) -> float:
    if abs(exponent) > MAX_EXPONENT:
        raise _Undefined("exponent")
    if base == 0 and exponent < 0:
        raise _Undefined("division_by_zero")
    if base < 0 and exponent != int(exponent):
        raise _Undefined("negative_power")
    return base**exponent


def _round(x: float, digits: float = 0) -> float:
    if digits != int(digits) or not 0 <= digits <= MAX_ROUND_DIGITS:
        raise _Undefined("round_digits")
    quantum = Decimal(1).scaleb(-int(digits))
    return float(Decimal(repr(x)).quantize(quantum, rounding=ROUND_HALF_UP))


_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: _div,
    ast.Mod: _mod,
    ast.Pow: _pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[float, float], bool]] = {
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
}
_ARITY = {"min": (1, 64), "max": (1, 64), "abs": (1, 1), "round": (1, 2), "if": (3, 3)}


class _Compiler:
    """Turns a whitelisted AST into closures; anything not whitelisted is a FormulaError."""

    def __init__(self, codes: tuple[str, ...]) -> None:
        self.codes = codes

    def compile(self, node: ast.expr, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise FormulaError(
                Text(
                    f"公式嵌套超过 {MAX_DEPTH} 层",
                    f"the formula is nested deeper than {MAX_DEPTH} levels",
                )
            )
        handler = getattr(self, f"_{type(node).__name__}", None)
        if handler is None:
            raise _not_allowed(_describe(node))
        return handler(node, depth + 1)

    def _Constant(self, node: ast.Constant, depth: int) -> Node:
        if not _is_number(node.value):
            raise _not_allowed(Text(f"常量 {node.value!r}", f"the constant {node.value!r}"))
        value = finite(node.value)
        if value is None:
            shown = _shown(node.value)
            raise NumberTooLarge(
                Text(
                    f"数字太大：{shown.zh}（最多约 1.8e308）",
                    f"{shown.en} is too large (at most about 1.8e308)",
                )
            )
        return lambda env: value

    def _Name(self, node: ast.Name, depth: int) -> Node:
        if not node.id.startswith(_REF_PREFIX):
            raise FormulaError(
                Text(
                    "函数名后应紧跟括号括起的参数",
                    "a function name must be followed by its arguments in brackets",
                )
            )
        index = int(node.id[len(_REF_PREFIX) :])
        code = self.codes[index]

        def ref(env: Env) -> float:
            value = env[index]
            if value is None:
                raise _Missing(code)
            return value

        return ref

    def _UnaryOp(self, node: ast.UnaryOp, depth: int) -> Node:
        operand = self.compile(node.operand, depth)
        if isinstance(node.op, ast.USub):
            return lambda env: -operand(env)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(node.op, ast.Not):
            return lambda env: 0.0 if operand(env) else 1.0
        raise _not_allowed(_operator(node.op))

    def _BinOp(self, node: ast.BinOp, depth: int) -> Node:
        op = _BINARY.get(type(node.op))
        if op is None:
            raise _not_allowed(_operator(node.op))
        if isinstance(node.op, ast.Pow):
            exponent = _constant_value(node.right)
            if exponent is not None and abs(exponent) > MAX_EXPONENT:
                raise FormulaError(
                    Text(
                        f"指数 {exponent:g} 的绝对值大于 {MAX_EXPONENT}",
                        f"exponent {exponent:g} is larger than {MAX_EXPONENT}",
                    )
                )
        left = self.compile(node.left, depth)
        right = self.compile(node.right, depth)
        return lambda env: op(left(env), right(env))

    def _BoolOp(self, node: ast.BoolOp, depth: int) -> Node:
        parts = [self.compile(value, depth) for value in node.values]
        if isinstance(node.op, ast.And):
            return lambda env: 1.0 if all(part(env) for part in parts) else 0.0
        return lambda env: 1.0 if any(part(env) for part in parts) else 0.0

    def _Compare(self, node: ast.Compare, depth: int) -> Node:
        ops = []
        for op in node.ops:
            test = _COMPARE.get(type(op))
            if test is None:
                described = _describe(op)
                raise _not_allowed(
                    Text(f"比较运算 {described.zh}", f"the comparison {described.en}")
                )
            ops.append(test)
        first = self.compile(node.left, depth)
        rest = [self.compile(item, depth) for item in node.comparators]

        def compare(env: Env) -> float:
            left = first(env)
            for test, item in zip(ops, rest, strict=True):
                right = item(env)
                if not test(left, right):
                    return 0.0
                left = right
            return 1.0

        return compare

    def _Call(self, node: ast.Call, depth: int) -> Node:
        func = node.func
        if not (isinstance(func, ast.Name) and func.id.startswith(_FUNC_PREFIX)):
            raise FormulaError(
                Text(
                    f"公式中只能调用 {'、'.join(sorted(FUNCTIONS))}",
                    f"only {', '.join(sorted(FUNCTIONS))} can be called in a formula",
                )
            )
        name = func.id[len(_FUNC_PREFIX) :]
        if node.keywords:
            raise FormulaError(
                Text(f"{name}() 不接受关键字参数", f"{name}() takes no keyword arguments")
            )
        low, high = _ARITY[name]
        if not low <= len(node.args) <= high:
            expected = (
                Text(str(low), str(low))
                if low == high
                else Text(f"{low} 到 {high}", f"{low} to {high}")
            )
            got = len(node.args)
            raise FormulaError(
                Text(
                    f"{name}() 应有 {expected.zh} 个参数，现为 {got} 个",
                    f"{name}() takes {expected.en} arguments, got {got}",
                )
            )
        args = [self.compile(arg, depth) for arg in node.args]
        if name == "if":
            cond, then, other = args
            return lambda env: then(env) if cond(env) else other(env)
        if name == "min":
            return lambda env: min(arg(env) for arg in args)
        if name == "max":
            return lambda env: max(arg(env) for arg in args)
        if name == "abs":
            (only,) = args
            return lambda env: abs(only(env))
        return lambda env: _round(*(arg(env) for arg in args))


def _not_allowed(what: Text) -> FormulaError:
    return FormulaError(Text(f"公式中不允许使用{what.zh}", f"not allowed in a formula: {what.en}"))


def _operator(op: ast.AST) -> Text:
    described = _describe(op)
    return Text(f"运算符 {described.zh}", f"the operator {described.en}")


_DESCRIPTIONS = {
    "Attribute": Text("属性访问", "attribute access"),
    "Subscript": Text("下标", "subscripts"),
    "Lambda": Text("lambda", "lambda"),
    "Starred": Text("星号参数", "starred arguments"),
    "FloorDiv": Text("//", "//"),
    "BitAnd": Text("&", "&"),
    "BitOr": Text("|", "|"),
    "BitXor": Text("^", "^"),
    "LShift": Text("<<", "<<"),
    "RShift": Text(">>", ">>"),
    "Invert": Text("~", "~"),
    "MatMult": Text("@", "@"),
    "Is": Text("is", "is"),
    "IsNot": Text("is not", "is not"),
    "In": Text("in", "in"),
    "NotIn": Text("not in", "not in"),
    "IfExp": Text("“x if c else y”（请用 if(c, x, y)）", "'x if c else y' (use if(c, x, y))"),
    "Tuple": Text("元组", "tuples"),
}


def _describe(node: ast.AST) -> Text:
    kind = type(node).__name__
    return _DESCRIPTIONS.get(kind, Text(kind, kind))
