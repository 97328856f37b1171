"""Scores and rubrics in words, in Chinese or English, and what-if suggestions.

``explain(score, lang)`` says how every number of a ``SubjectScore`` was reached;
``describe_rubric(indicator, lang)`` states an indicator's rubric for the framework browser;
``what_if(framework, subject_kind, values)`` finds which indicators, improved by how much, would
lift the subject to the next grade. Nothing here stores anything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .engine import IndicatorScore, SubjectScore, score_subject
from .spec import (
    APPRAISAL_CATEGORIES,
    AppraisalRubric,
    BandsRubric,
    BonusRubric,
    DeductionRubric,
    FormulaRubric,
    Framework,
    Indicator,
    LinearRubric,
    NoneRubric,
    Rubric,
    VetoRubric,
    YesNoRubric,
)
from .text import is_english
from .values import as_number, rounded

__all__ = ["Suggestion", "describe_rubric", "explain", "what_if"]

_CATEGORY_NAMES = {
    "excellent": ("优秀", "excellent"),
    "competent": ("称职", "competent"),
    "basic": ("基本称职", "basic"),
    "incompetent": ("不称职", "incompetent"),
}


def _num(value: float) -> str:
    """A parameter as people write it: 60, 0.5, 12.25."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _pts(value: float) -> str:
    """Points: one decimal at least, two when needed (4.0, 3.25)."""
    text = f"{value:.2f}"
    return text[:-1] if text.endswith("0") else text


def _pct(fraction: float) -> str:
    return f"{_num(round(fraction * 100, 2))}%"


def _unit(indicator: Indicator, lang: str) -> str:
    return indicator.unit.get(lang) if indicator.unit is not None else ""


def _with_unit(value: float, indicator: Indicator, lang: str) -> str:
    unit = _unit(indicator, lang)
    if not unit or unit == "%":
        return f"{_num(value)}{unit}"
    return f"{_num(value)}{unit}" if lang == "zh" else f"{_num(value)} {unit}"


def _p(value: float, lang: str) -> str:
    """A parameter in points with its word: 5 分, 5 points, 1 point."""
    if lang != "en":
        return f"{_num(value)} 分"
    return f"{_num(value)} point" if value == 1 else f"{_num(value)} points"


# -- rubrics in words ----------------------------------------------------------------------------


def describe_rubric(indicator: Indicator, lang: str = "zh") -> str:
    """The indicator's rubric as one sentence, at its full weight."""
    return _describe(indicator.rubric, indicator, lang)


def _describe(rubric: Rubric, ind: Indicator, lang: str) -> str:
    zh = not is_english(lang)
    w = ind.weight
    if isinstance(rubric, LinearRubric):
        floor = _with_unit(rubric.floor, ind, lang)
        target = _with_unit(ind.target if ind.target is not None else 0, ind, lang)
        if ind.direction == "lower":
            if zh:
                full = _p(w, lang)
                return f"线性评分（越低越好），上限 {floor} 得 0 分、目标 {target} 得满分 {full}"
            return (
                f"linear, lower is better: {floor} earns 0, "
                f"the target {target} earns the full {_p(w, lang)}"
            )
        if zh:
            return f"线性评分，下限 {floor} 得 0 分、目标 {target} 得满分 {_p(w, lang)}"
        return (
            f"linear: the floor {floor} earns 0, the target {target} earns the full {_p(w, lang)}"
        )
    if isinstance(rubric, BandsRubric):
        sign = "≥" if rubric.direction == "higher" else "≤"
        parts = [
            f"{sign}{_with_unit(b.limit, ind, lang)} "
            + (
                f"得 {_num(round(b.fraction * w, 2))} 分"
                if zh
                else f"earns {_num(round(b.fraction * w, 2))}"
            )
            for b in rubric.bands
        ]
        if zh:
            return f"分档评分（满分 {_p(w, lang)}）：{'，'.join(parts)}，其余得 0 分"
        return f"bands (out of {_p(w, lang)}): {', '.join(parts)}, otherwise 0"
    if isinstance(rubric, YesNoRubric):
        yes, no = _num(round(rubric.yes * w, 2)), _num(round(rubric.no * w, 2))
        if zh:
            return f"是否评分：是得 {yes} 分，否得 {no} 分"
        return f"yes/no: yes earns {yes}, no earns {no}"
    if isinstance(rubric, BonusRubric):
        if zh:
            unit = _unit(ind, lang) or "次"
            return (
                f"加分项：每{unit}加 {_num(rubric.per)} 分，最多加 {_num(rubric.cap)} 分，"
                "计入满分之外"
            )
        return (
            f"bonus: {_p(rubric.per, lang)} for each occurrence, at most {_p(rubric.cap, lang)}, "
            "added beyond the total"
        )
    if isinstance(rubric, DeductionRubric):
        if zh:
            unit = _unit(ind, lang) or "次"
            return (
                f"扣分项：满分 {_p(w, lang)}，每{unit}扣 {_num(rubric.per)} 分，"
                f"最低 {_num(rubric.floor)} 分"
            )
        return (
            f"deduction: {_p(w, lang)} less {_p(rubric.per, lang)} for each occurrence, "
            f"never below {_num(rubric.floor)}"
        )
    if isinstance(rubric, VetoRubric):
        if zh:
            return (
                f"一票否决：一旦发生，等级最高为 {rubric.cap_grade}、"
                f"星级最高为 {rubric.cap_stars} 星"
            )
        return (
            f"veto: if it happens, the grade is at most {rubric.cap_grade} and the stars at most "
            f"{rubric.cap_stars}"
        )
    if isinstance(rubric, FormulaRubric):
        then = _describe(rubric.then, ind, lang)
        if zh:
            return f"按公式 {rubric.expr} 计算，再{then}"
        return f"computed as {rubric.expr}, then {then}"
    if isinstance(rubric, AppraisalRubric):
        parts = [
            f"{_CATEGORY_NAMES[c][0 if zh else 1]}×{_num(rubric.weight_of(c))}"
            for c in APPRAISAL_CATEGORIES
        ]
        if zh:
            return f"民主评议：按票数加权（{'、'.join(parts)}）除以参评人数，乘以满分 {_p(w, lang)}"
        return (
            f"democratic appraisal: the votes weighted ({', '.join(parts)}) over the voters, "
            f"times the full {_p(w, lang)}"
        )
    assert isinstance(rubric, NoneRubric)
    return "仅记录，不计分" if zh else "recorded, not scored"


# -- results in words ----------------------------------------------------------------------------


def _value_text(result: IndicatorScore, ind: Indicator, lang: str) -> str:
    zh = not is_english(lang)
    value = result.value
    if isinstance(value, bool):
        return ("是" if value else "否") if zh else ("yes" if value else "no")
    if isinstance(value, int | float):
        return _with_unit(value, ind, lang)
    if isinstance(value, Mapping) and "voters" in value:
        counts = "、".join(
            f"{_CATEGORY_NAMES[c][0]} {value.get(c, 0)}" for c in APPRAISAL_CATEGORIES
        )
        if zh:
            return f"{value['voters']} 人参评（{counts}）"
        counts = ", ".join(f"{value.get(c, 0)} {c}" for c in APPRAISAL_CATEGORIES)
        return f"{value['voters']} voters ({counts})"
    return f"“{value}”" if zh else repr(value)


def _indicator_sentence(result: IndicatorScore, ind: Indicator, lang: str) -> str:
    zh = not is_english(lang)
    head = f"{ind.code} {ind.name.get(lang)}"
    if result.not_applicable:
        extra = "".join(f"（{m.zh}）" if zh else f" ({m.en})" for m in result.messages)
        if zh:
            return f"{head}：不适用，其分值由同一维度的其他指标按权重分担{extra}"
        return (
            f"{head}: not applicable; its weight is shared by the other indicators of its "
            f"dimension{extra}"
        )
    if result.missing and result.kind != "formula":
        if zh:
            return f"{head}：缺少数据 → 0 分"
        return f"{head}: no value entered → 0 points"
    if result.invalid and result.kind != "formula":
        reason = _reasons(result, zh)
        return f"{head}：数值无效，{reason}" if zh else f"{head}: invalid value, {reason}"

    rule = describe_rubric(ind, lang)
    if result.kind == "formula":
        if result.value is None:
            reason = _reasons(result, zh)
            return f"{head}：{reason}" if zh else f"{head}: {reason}"
        assert isinstance(ind.rubric, FormulaRubric)
        head = f"{head} = {ind.rubric.expr} = {_with_unit(result.value, ind, lang)}"
        rule = _describe(ind.rubric.then, ind, lang)
    else:
        head = f"{head} {_value_text(result, ind, lang)}"

    if result.kind == "none":
        return f"{head}：{rule}" if zh else f"{head}: {rule}"
    if result.kind == "veto":
        if zh:
            return f"{head}：{rule} → {'已触发' if result.triggered else '未触发'}"
        return f"{head}: {rule} → {'triggered' if result.triggered else 'not triggered'}"
    if result.kind == "bonus":
        return (
            f"{head}：{rule} → +{_pts(result.points)} 分"
            if zh
            else (f"{head}: {rule} → +{_pts(result.points)} points")
        )
    nominal = (result.fraction or 0.0) * ind.weight
    sentence = (
        f"{head}：{rule} → {_pts(nominal)} 分" if zh else f"{head}: {rule} → {_pts(nominal)} points"
    )
    if not math.isclose(result.factor, 1.0, rel_tol=1e-9):
        if zh:
            sentence += f"，按适用指标折算为 {_pts(result.points)} 分（满分 {_pts(result.max)} 分）"
        else:
            sentence += f", re-normalised to {_pts(result.points)} out of {_pts(result.max)} points"
    notes = [m for m in result.messages if m.code not in ("missing", "invalid")]
    for note in notes:
        sentence += f"（{note.zh}）" if zh else f" ({note.en})"
    return sentence


def _reasons(result: IndicatorScore, zh: bool) -> str:
    if zh:
        return "；".join(m.zh for m in result.messages)
    return "; ".join(m.en for m in result.messages)


def explain(score: SubjectScore, lang: str = "zh") -> list[str]:
    """Sentences saying how each number of the score was computed, in ``zh`` or ``en``."""
    zh = not is_english(lang)
    framework = score.framework
    lines = [
        _indicator_sentence(result, framework.indicator(result.code), lang)
        for result in score.indicators
    ]
    for dim in score.dimensions:
        if dim.depth != 0:
            continue
        name = framework.dimension(dim.code).name.get(lang)
        if dim.dropped:
            lines.append(
                f"维度 {dim.code} {name}：全部指标不适用，该维度不计分"
                if zh
                else f"Dimension {dim.code} {name}: no indicator applies; it drops out"
            )
        elif dim.max > 0:
            lines.append(
                f"维度 {dim.code} {name}：{_pts(dim.points)} 分（满分 {_pts(dim.max)} 分）"
                if zh
                else f"Dimension {dim.code} {name}: {_pts(dim.points)} of {_pts(dim.max)} points"
            )
        elif dim.share is not None:
            lines.append(
                f"维度 {dim.code} {name}（关联指标）：得分率 {_pct(dim.share)}"
                if zh
                else f"Dimension {dim.code} {name} (tagged indicators): {_pct(dim.share)} earned"
            )
    if score.grade is None:
        lines.extend(m.text(lang) for m in score.messages)
        return lines
    if not math.isclose(score.scale, 1.0, rel_tol=1e-9):
        dropped = [
            d.code
            for d in score.dimensions
            if d.dropped and (d.parent is None or not score.dimension(d.parent).dropped)
        ]
        factor = _num(round(score.scale, 4))
        lines.append(
            f"维度 {'、'.join(dropped)} 的指标全部不适用，不计分；其余指标分值乘以 {factor}，"
            f"使基础分仍以 {_num(score.max)} 分为满分"
            if zh
            else f"No indicator of {', '.join(dropped)} applies, so it drops out; the other "
            f"indicators are scaled by {factor} so the base is still out of {_num(score.max)}"
        )
    total = (
        f"总分：基础分 {_pts(score.base)} + 加分 {_pts(score.bonus)} = {_pts(score.total)} 分"
        f"（基础分满分 {_num(score.max)} 分）"
        if zh
        else f"Total: base {_pts(score.base)} + bonus {_pts(score.bonus)} = "
        f"{_pts(score.total)} points (base out of {_num(score.max)})"
    )
    if score.deductions > 0:
        total += (
            f"，其中扣分项共扣 {_pts(score.deductions)} 分"
            if zh
            else f"; deductions took {_pts(score.deductions)} points"
        )
    lines.append(total)
    grade_name = framework.grade_band(score.grade).name.get(lang)
    if score.vetoes:
        codes = (
            "、".join(v.code for v in score.vetoes)
            if zh
            else ", ".join(v.code for v in score.vetoes)
        )
        lines.append(
            f"一票否决 {codes} 已触发：等级由 {score.grade_uncapped} 降为 {score.grade}，"
            f"星级由 {score.stars_uncapped} 星降为 {score.stars} 星"
            if zh
            else f"Veto {codes} triggered: grade {score.grade_uncapped} lowered to {score.grade}, "
            f"stars {score.stars_uncapped} lowered to {score.stars}"
        )
    plural = "" if score.stars == 1 else "s"
    lines.append(
        f"等级 {score.grade}（{grade_name}），{score.stars} 星"
        if zh
        else f"Grade {score.grade} ({grade_name}), {score.stars} star{plural}"
    )
    return lines


# -- what if -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Suggestion:
    """Change ``code`` from ``current`` to ``suggested``; the total and grade are then as stated."""

    code: str
    current: Any
    suggested: Any
    points_gained: float
    total_after: float
    grade_after: str | None


_IMPROVABLE = frozenset({"linear", "bands", "yes_no", "deduction", "bonus", "appraisal"})
_SEARCH_STEPS = 40


def what_if(
    framework: Framework, subject_kind: str, values: Mapping[str, object]
) -> list[Suggestion]:
    """Greedy suggestions to reach the next grade: each step takes the indicator whose best value
    gains the most points, and the last step asks only for as much as is needed. Triggered vetoes
    that hold the grade down come first. Empty when already at the top grade (or nothing applies);
    if the next grade cannot be reached, the last suggestion's ``grade_after`` says so."""
    current = dict(values)
    score = score_subject(framework, subject_kind, current)
    if score.grade is None:
        return []
    grades = [band.grade for band in framework.bands_for(subject_kind)]
    goal = grades.index(score.grade) - 1
    if goal < 0:
        return []

    def reached(result: SubjectScore) -> bool:
        return result.grade is not None and grades.index(result.grade) <= goal

    suggestions: list[Suggestion] = []
    for hit in score.vetoes:
        if grades.index(hit.cap_grade) > goal:
            boolean = framework.indicator(hit.code).value_type == "boolean"
            cleared: object = False if boolean else 0
            current[hit.code] = cleared
            after = score_subject(framework, subject_kind, current)
            suggestions.append(_suggest(hit.code, values.get(hit.code), cleared, score, after))
            score = after
    applicable = [i for i in framework.indicators_for(subject_kind) if i.kind in _IMPROVABLE]
    tried: set[str] = set()
    while not reached(score):
        best: tuple[float, Indicator, Any, SubjectScore] | None = None
        for ind in applicable:
            result = score.indicator(ind.code)
            if ind.code in tried or result.not_applicable:
                continue
            value = _best_value(ind, result)
            if value is None:
                continue
            after = score_subject(framework, subject_kind, {**current, ind.code: value})
            gain = after.total - score.total
            if gain > 1e-9 and (best is None or gain > best[0]):
                best = (gain, ind, value, after)
        if best is None:
            break
        _, ind, value, after = best
        if reached(after):
            value, after = _least_needed(
                framework, subject_kind, current, ind, value, reached, after
            )
        tried.add(ind.code)
        suggestions.append(_suggest(ind.code, score.indicator(ind.code).value, value, score, after))
        current[ind.code] = value
        score = after
    return suggestions


def _suggest(
    code: str, before: Any, value: Any, score: SubjectScore, after: SubjectScore
) -> Suggestion:
    return Suggestion(
        code=code,
        current=before,
        suggested=value,
        points_gained=rounded(after.total - score.total),
        total_after=rounded(after.total),
        grade_after=after.grade,
    )


def _best_value(ind: Indicator, result: IndicatorScore) -> Any:
    """The value that earns the indicator's most, or None if it cannot do better."""
    rubric = ind.rubric
    if isinstance(rubric, LinearRubric):
        value: Any = ind.target
    elif isinstance(rubric, BandsRubric):
        value = rubric.bands[0].limit
    elif isinstance(rubric, YesNoRubric):
        value = rubric.yes >= rubric.no
    elif isinstance(rubric, DeductionRubric):
        value = 0
    elif isinstance(rubric, BonusRubric):
        value = math.ceil(rubric.cap / rubric.per)
    elif isinstance(rubric, AppraisalRubric):
        votes = result.value
        if result.invalid or not isinstance(votes, Mapping) or not votes.get("voters"):
            return None
        best = max(APPRAISAL_CATEGORIES, key=rubric.weight_of)
        value = {"voters": votes["voters"]} | {
            c: (votes["voters"] if c == best else 0) for c in APPRAISAL_CATEGORIES
        }
    else:
        return None
    if ind.value_type == "count" and isinstance(value, float):
        value = math.ceil(value) if ind.direction == "higher" else math.floor(value)
    return None if value == result.value else value


def _least_needed(
    framework: Framework,
    subject_kind: str,
    current: dict[str, object],
    ind: Indicator,
    best: Any,
    reached: Any,
    best_score: SubjectScore,
) -> tuple[Any, SubjectScore]:
    """The value closest to the current one that still reaches the goal (bands: the lowest band,
    counts: the fewest steps, numbers: a bisection rounded outward to 2 decimals)."""

    def attempt(value: Any) -> SubjectScore | None:
        after = score_subject(framework, subject_kind, {**current, ind.code: value})
        return after if reached(after) else None

    now = as_number(current.get(ind.code))
    rubric = ind.rubric
    candidates: list[Any] = []
    if isinstance(rubric, BandsRubric):
        candidates = [b.limit for b in reversed(rubric.bands)]
    elif isinstance(rubric, DeductionRubric) and now is not None:
        candidates = list(range(int(now) - 1, -1, -1))
    elif isinstance(rubric, BonusRubric):
        start = int(now) + 1 if now is not None else 1
        candidates = list(range(start, int(best) + 1))
    elif isinstance(rubric, LinearRubric) and ind.target is not None:
        return _bisect(ind, now, best, attempt, best_score)
    for value in candidates:
        after = attempt(value)
        if after is not None:
            return value, after
    return best, best_score


def _bisect(ind: Indicator, now: float | None, best: float, attempt: Any, best_score: SubjectScore):
    assert isinstance(ind.rubric, LinearRubric)
    low = ind.rubric.floor if now is None else now
    high = float(best)
    for _ in range(_SEARCH_STEPS):
        mid = (low + high) / 2
        if attempt(mid) is None:
            low = mid
        else:
            high = mid
    if ind.value_type == "count":
        value: float = math.ceil(high) if ind.direction == "higher" else math.floor(high)
    else:
        value = (
            math.ceil(high * 100) if ind.direction == "higher" else math.floor(high * 100)
        ) / 100
    after = attempt(value)
    return (value, after) if after is not None else (best, best_score)
