"""One pure function per rubric kind: a value in, points and how they were reached out.

Each function takes an already-typed value first (the engine turns entered values into numbers,
booleans and vote counts), then the rubric's parameters, and returns a ``RubricResult``: the points
at the indicator's own weight, the fraction of that weight, the rule applied and its intermediate
numbers. None of them raises on a bad value: the result is 0 points with an ``error`` message.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import values
from .formula import FormulaResult
from .spec import (
    APPRAISAL_CATEGORIES,
    AppraisalRubric,
    Band,
    BandsRubric,
    LinearRubric,
    Text,
    YesNoRubric,
)
from .text import is_english

__all__ = [
    "Message",
    "RubricResult",
    "appraisal",
    "bands",
    "bonus",
    "deduction",
    "formula",
    "linear",
    "none",
    "veto",
    "yes_no",
]

RULE_LINEAR = "clamp((v - floor) / (target - floor), 0, 1)"
RULE_BANDS = "fraction of the first band reached, else 0"
RULE_YES_NO = "yes or no fraction"
RULE_BONUS = "min(cap, per * count) points added"
RULE_DEDUCTION = "max(floor, weight - per * count)"
RULE_VETO = "triggered by true or count > 0: grade and stars capped"
RULE_FORMULA = "computed value scored by the then rubric"
RULE_APPRAISAL = "sum(count * category weight) / voters"
RULE_NONE = "recorded, not scored"

NOT_A_PERCENTAGE = "not_a_percentage"  # a computed percentage outside 0–100 (see the engine)
_FORMULA_REASONS = {
    "missing": ("缺少输入 {detail}", "input {detail} is missing"),
    "division_by_zero": ("除以零", "division by zero"),
    "exponent": ("指数超过 4", "an exponent larger than 4"),
    "negative_power": ("负数的小数次幂", "a negative number to a fractional power"),
    "round_digits": ("round() 的位数须为 0 到 10 的整数", "round() digits must be 0 to 10"),
    "overflow": ("结果超出数值范围", "the result is out of range"),
    NOT_A_PERCENTAGE: (
        "结果 {detail}% 不在 0–100% 之间，请核对其输入",
        "the result {detail}% is not a percentage from 0 to 100; check its inputs",
    ),
}


@dataclass(frozen=True, slots=True)
class Message:
    """A note about one score, in both languages; ``code`` is stable for programs to test."""

    code: str
    zh: str
    en: str

    def text(self, lang: str) -> str:
        return self.en if is_english(lang) else self.zh

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "zh": self.zh, "en": self.en}

    @classmethod
    def of(cls, code: str, text: Text) -> Message:
        return cls(code, text.zh, text.en)


@dataclass(slots=True)
class RubricResult:
    """Points at the indicator's own weight (bonus: points added) and how they were reached.

    ``fraction`` is points ÷ weight, or None for bonus, veto and none, which carry no weight.
    """

    points: float
    fraction: float | None
    rule: str
    detail: dict[str, Any]
    triggered: bool = False
    error: Message | None = None


def _failed(rule: str, fraction: float | None, error: Message, **detail: Any) -> RubricResult:
    return RubricResult(0.0, fraction, rule, detail, error=error)


def linear(value: float, floor: float, target: float, weight: float) -> RubricResult:
    """``clamp((v − floor) / (target − floor), 0, 1)``; works for both directions."""
    share = (value - floor) / (target - floor)
    fraction = 0.0 if share <= 0 else 1.0 if share >= 1 else share
    return RubricResult(
        fraction * weight,
        fraction,
        RULE_LINEAR,
        {"floor": floor, "target": target, "fraction": fraction},
    )


def bands(value: float, bands: Sequence[Band], direction: str, weight: float) -> RubricResult:
    """The fraction of the first band (best first) the value reaches, else 0."""
    higher = direction == "higher"
    for index, band in enumerate(bands):
        if (value >= band.limit) if higher else (value <= band.limit):
            return RubricResult(
                band.fraction * weight,
                band.fraction,
                RULE_BANDS,
                {"band": index, "limit": band.limit, "fraction": band.fraction},
            )
    return RubricResult(0.0, 0.0, RULE_BANDS, {"band": None, "fraction": 0.0})


def yes_no(answer: bool, yes: float, no: float, weight: float) -> RubricResult:
    fraction = yes if answer else no
    return RubricResult(fraction * weight, fraction, RULE_YES_NO, {"fraction": fraction})


_LARGEST = 10**300


def _finite(value: object) -> bool:
    """A real number that converts to a finite float (not nan, inf or a vast integer)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -_LARGEST < value < _LARGEST
    return isinstance(value, float) and math.isfinite(value)


def _bad_count(count: float) -> Message | None:
    if not _finite(count):
        return Message("invalid", "次数须为数字", "the count must be a number")
    if count < 0:
        return Message(
            "invalid", f"次数不能为负数（{count:g}）", f"the count cannot be negative ({count:g})"
        )
    return None


def bonus(count: float, per: float, cap: float) -> RubricResult:
    """``min(cap, per × count)`` points added beyond the total."""
    error = _bad_count(count)
    if error:
        return _failed(RULE_BONUS, None, error)
    raw = per * count
    points = min(float(cap), raw)  # a float even when capped at a whole cap (3, not 3.0)
    return RubricResult(
        points, None, RULE_BONUS, {"per": per, "cap": cap, "uncapped": raw, "capped": raw > cap}
    )


def deduction(count: float, per: float, floor: float, weight: float) -> RubricResult:
    """``max(floor, weight − per × count)`` points."""
    error = _bad_count(count)
    if error:
        return _failed(RULE_DEDUCTION, 0.0, error)
    lost = per * count
    points = max(floor, weight - lost)
    return RubricResult(
        points,
        points / weight if weight else 0.0,
        RULE_DEDUCTION,
        {"per": per, "floor": floor, "deducted": weight - points, "uncapped": lost},
    )


def veto(value: bool | float, cap_grade: str, cap_stars: int) -> RubricResult:
    """No points; triggered by true or a count above 0."""
    if isinstance(value, bool):
        triggered = value
    elif _finite(value) and value >= 0:
        triggered = value > 0
    else:
        return _failed(
            RULE_VETO,
            None,
            Message("invalid", "否决项须为是/否或次数", "a veto takes yes/no or a count"),
        )
    return RubricResult(
        0.0,
        None,
        RULE_VETO,
        {"cap_grade": cap_grade, "cap_stars": cap_stars},
        triggered=triggered,
    )


def formula(
    computed: FormulaResult,
    then: LinearRubric | BandsRubric | YesNoRubric,
    target: float | None,
    direction: str,
    weight: float,
) -> RubricResult:
    """Score a computed value with the ``then`` rubric; an uncomputable value earns 0 points."""
    if computed.value is None:
        zh, en = _FORMULA_REASONS.get(computed.error or "", ("无法计算", "cannot be computed"))
        detail = computed.detail
        code = computed.error if computed.error in ("missing", NOT_A_PERCENTAGE) else "formula"
        message = Message(
            code,
            f"公式无法计算：{zh.format(detail=detail)}，得 0 分",
            f"the formula cannot be computed: {en.format(detail=detail)}; 0 points",
        )
        # The result a percentage could not take is kept, for the refusal at entry to name it.
        extra = {"out_of_range": detail} if computed.error == NOT_A_PERCENTAGE else {}
        return _failed(RULE_FORMULA, 0.0, message, computed=None, reason=computed.error, **extra)
    value = computed.value
    if isinstance(then, LinearRubric):
        assert target is not None  # the validator requires a target for linear
        inner = linear(value, floor=then.floor, target=target, weight=weight)
    elif isinstance(then, BandsRubric):
        inner = bands(value, bands=then.bands, direction=direction, weight=weight)
    else:
        inner = yes_no(value != 0, yes=then.yes, no=then.no, weight=weight)
    return RubricResult(
        inner.points,
        inner.fraction,
        RULE_FORMULA,
        {"computed": value, "then": then.kind, "then_rule": inner.rule, **inner.detail},
    )


def appraisal(votes: Mapping[str, object], weights: AppraisalRubric, weight: float) -> RubricResult:
    """``Σ count × category weight ÷ voters``; counts must be whole, ≥ 0 and add up to voters."""
    if not isinstance(votes, Mapping):
        return _failed(
            RULE_APPRAISAL,
            0.0,
            Message("invalid", "民主评议须填写票数", "an appraisal takes vote counts"),
        )
    problems_zh: list[str] = []
    problems_en: list[str] = []
    unknown = [str(k) for k in votes if k not in ("voters", *APPRAISAL_CATEGORIES)]
    if unknown:
        problems_zh.append(f"未知的票数项 {', '.join(unknown)}")
        problems_en.append(f"unknown vote fields {', '.join(unknown)}")
    counts: dict[str, int] = {}
    for key in ("voters", *APPRAISAL_CATEGORIES):
        raw = votes.get(key, None if key == "voters" else 0)
        number = _whole(raw)
        if number is None:
            problems_zh.append(f"{key} 须为不小于 0 的整数（{raw!r}）")
            problems_en.append(f"{key} must be a whole number ≥ 0 (got {raw!r})")
        else:
            counts[key] = number
    if not problems_en:
        voters = counts["voters"]
        cast = sum(counts[c] for c in APPRAISAL_CATEGORIES)
        if voters == 0:
            problems_zh.append("参评人数为 0")
            problems_en.append("there are no voters")
        elif cast != voters:
            problems_zh.append(f"各项票数之和 {cast} 不等于参评人数 {voters}")
            problems_en.append(f"the counts add up to {cast}, not the {voters} voters")
    if problems_en:
        return _failed(
            RULE_APPRAISAL,
            0.0,
            Message(
                "invalid",
                "民主评议票数有误：" + "；".join(problems_zh) + "，得 0 分",
                "invalid appraisal votes: " + "; ".join(problems_en) + "; 0 points",
            ),
            votes=counts,
        )
    weighted = sum(counts[c] * weights.weight_of(c) for c in APPRAISAL_CATEGORIES)
    fraction = min(1.0, weighted / counts["voters"])
    return RubricResult(
        fraction * weight,
        fraction,
        RULE_APPRAISAL,
        {
            "votes": counts,
            "weights": {c: weights.weight_of(c) for c in APPRAISAL_CATEGORIES},
            "weighted": weighted,
            "fraction": fraction,
        },
    )


def _whole(raw: object) -> int | None:
    """A vote count read as the entry form reads a count, or None."""
    try:
        return values.count(raw)
    except values.Refused:
        return None


def none(value: object) -> RubricResult:
    """Recorded, not scored."""
    return _RECORDED


_RECORDED = RubricResult(0.0, None, RULE_NONE, {})
