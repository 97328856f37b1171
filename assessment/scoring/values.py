"""How a typed value becomes a value: the one vocabulary of the entry form, the Excel upload, the
API, the scoring engine, what-if and the trial score.

A value typed as text is read after full-width forms become their ASCII twins (``８５％`` is
``85%``, ``Ｎ／Ａ`` is ``n/a``), the minus sign ``−`` becomes ``-``, surrounding whitespace goes and
letters are lower-cased:

- blank (None, or text of only whitespace) is no value; ``n/a`` (or ``不适用``) is not applicable
  and is kept as ``n/a``;
- a number is ``[+-]digits[.digits][e±digits]``, thousands optionally grouped with commas
  (``1,234.5``); anything else is not a number, and a number beyond ±10¹² is too large;
- a percentage is a number from 0 to 100, optionally followed by ``%`` (``85 %``);
- a count is a whole number ≥ 0 (``3.0`` is 3);
- yes is ``是 yes y true 1 √ ✓ ✔``, no is ``否 no n false 0 × ✗ ✘``; a number 1 or 0 is yes or no.

Numbers, booleans and Decimals given as such (the API, stored values) follow the same rules.
Each reader returns the value or raises ``Refused`` with a ``Problem``; the entry form turns the
problem into a translated error, the engine into a message of its own, so both refuse the same.

``rounded`` is the rounding of every stored and shown score (6 decimals).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

__all__ = [
    "DIGITS",
    "LIMIT",
    "NOT_APPLICABLE",
    "NOT_APPLICABLE_WORDS",
    "NO_WORDS",
    "READERS",
    "YES_WORDS",
    "Problem",
    "Refused",
    "as_number",
    "boolean",
    "count",
    "is_blank",
    "is_not_applicable",
    "normalise",
    "number",
    "percentage",
    "rounded",
]

NOT_APPLICABLE = "n/a"
DIGITS = 6  # scores are stored, shown and compared with band minimums at 6 decimals
LIMIT = 10**12  # the largest number (in size) a value may be
YES_WORDS = frozenset({"是", "yes", "y", "true", "1", "√", "✓", "✔"})
NO_WORDS = frozenset({"否", "no", "n", "false", "0", "×", "✗", "✘"})

# Full-width ASCII (U+FF01–U+FF5E) and the ideographic space, as typed with a Chinese input
# method, and the typographic minus sign. Not NFKC: it would also read "10²" as 102.
_TWINS = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: " ", 0x2212: "-"}
_NUMBER = re.compile(r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?", re.ASCII)
_DECIMAL_LIMIT = Decimal(LIMIT)


class Problem(StrEnum):
    """Why a typed value is refused."""

    NOT_A_NUMBER = "not_a_number"
    TOO_LARGE = "too_large"
    NOT_WHOLE = "not_whole"
    NEGATIVE = "negative"
    NOT_A_PERCENTAGE = "not_a_percentage"
    NOT_YES_OR_NO = "not_yes_or_no"


class Refused(ValueError):
    """A typed value that is not a value of the type asked for."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def rounded(value: float) -> float:
    return round(value, DIGITS)


def normalise(text: str) -> str:
    """Text as it is read: full-width forms as ASCII, stripped, lower-case."""
    if not text.isascii():
        text = text.translate(_TWINS)
    return text.strip().lower()


def is_blank(raw: object) -> bool:
    """No value: None, or text of only whitespace."""
    return raw is None or (isinstance(raw, str) and normalise(raw) == "")


NOT_APPLICABLE_WORDS = frozenset({NOT_APPLICABLE, "不适用"})


def is_not_applicable(raw: object) -> bool:
    return isinstance(raw, str) and normalise(raw) in NOT_APPLICABLE_WORDS


def _decimal(text: str) -> Decimal:
    """The number written in normalised ``text``, within ±LIMIT."""
    if _NUMBER.fullmatch(text) is None:
        raise Refused(Problem.NOT_A_NUMBER)
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:  # an exponent of 19 digits or more
        raise Refused(Problem.NOT_A_NUMBER) from None
    if number.copy_abs() > _DECIMAL_LIMIT:
        raise Refused(Problem.TOO_LARGE)
    return number


def _exact(raw: object, *, percent: bool = False) -> Decimal | float | int:
    """``raw`` as an exact number (text, Decimal) or as given (int, float), within ±LIMIT."""
    if isinstance(raw, bool):
        raise Refused(Problem.NOT_A_NUMBER)
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            raise Refused(Problem.NOT_A_NUMBER)
        if not -LIMIT <= raw <= LIMIT:
            raise Refused(Problem.TOO_LARGE)
        return raw
    if isinstance(raw, Decimal):
        if not raw.is_finite():
            raise Refused(Problem.NOT_A_NUMBER)
        if raw.copy_abs() > _DECIMAL_LIMIT:
            raise Refused(Problem.TOO_LARGE)
        return raw
    if isinstance(raw, str):
        text = normalise(raw)
        if percent and text.endswith("%"):
            text = text[:-1].rstrip()
        return _decimal(text)
    raise Refused(Problem.NOT_A_NUMBER)


def number(raw: object) -> float:
    """A number, as a float."""
    if type(raw) is float and -LIMIT <= raw <= LIMIT:
        return raw  # the common case (stored values), without the checks below
    return float(_exact(raw))


def percentage(raw: object) -> float:
    """A number from 0 to 100; as text it may end with ``%``."""
    value = float(_exact(raw, percent=True))
    if not 0 <= value <= 100:
        raise Refused(Problem.NOT_A_PERCENTAGE)
    return value


def count(raw: object) -> int:
    """A whole number ≥ 0."""
    if type(raw) is int and 0 <= raw <= LIMIT:
        return raw  # the common case (stored counts), without the checks below
    value = _exact(raw)
    if isinstance(value, Decimal):
        whole = value == value.to_integral_value()
    else:
        whole = isinstance(value, int) or value.is_integer()
    if not whole:
        raise Refused(Problem.NOT_WHOLE)
    if value < 0:
        raise Refused(Problem.NEGATIVE)
    return int(value)


def boolean(raw: object) -> bool:
    """Yes or no: a boolean, one of the words, or a number 1 or 0."""
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str):
        word = normalise(raw)
        if word in YES_WORDS:
            return True
        if word in NO_WORDS:
            return False
    elif isinstance(raw, int | float | Decimal) and not (
        isinstance(raw, Decimal) and not raw.is_finite()
    ):
        if raw == 1:
            return True
        if raw == 0:
            return False
    raise Refused(Problem.NOT_YES_OR_NO)


READERS: dict[str, Callable[[object], Any]] = {
    "number": number,
    "percentage": percentage,
    "count": count,
    "boolean": boolean,
}


def as_number(raw: object) -> float | None:
    """``raw`` read as a number, or None when it is not one (never raises)."""
    try:
        return number(raw)
    except Refused:
        return None
