"""Scores one subject's values against a framework: indicators, dimensions, total, grade, stars.

``score_subject(framework, subject_kind, values)`` takes the entered values by indicator code,
read by the vocabulary of ``values`` (the entry form's): numbers, percentages, counts and yes/no
as Python values or as typed text, ``{voters, excellent, competent, basic, incompetent}`` for
appraisals, text for text indicators; None, blank text or no entry is missing, and ``"n/a"`` means
not applicable. Values of formula indicators are computed, never entered.

It never raises on bad values: a value that cannot be used earns 0 points and is reported
(``invalid`` plus a message), a missing one earns 0 points and is listed as missing. A
not-applicable indicator's weight is shared by the other applicable indicators of its own dimension
in proportion to their weights; when no indicator of a dimension applies, the dimension drops out
and every remaining indicator is scaled so the base total is still out of ``total_points``. A
formula that uses a not-applicable indicator is not applicable either.

Everything that depends only on the framework and the subject kind (which indicators apply, the
order formulas must be computed in, which indicators feed each dimension) is worked out once per
(framework, subject kind) and kept on the framework object.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from . import rubrics
from .formula import FormulaResult
from .rubrics import Message, RubricResult
from .spec import (
    AppraisalRubric,
    BandsRubric,
    BonusRubric,
    DeductionRubric,
    FormulaRubric,
    Framework,
    GradeBand,
    Indicator,
    LinearRubric,
    VetoRubric,
    YesNoRubric,
)
from .values import (
    LIMIT,
    NOT_APPLICABLE,
    READERS,
    Problem,
    Refused,
    is_blank,
    is_not_applicable,
    rounded,
)

__all__ = [
    "NOT_APPLICABLE",
    "DimensionScore",
    "IndicatorScore",
    "SubjectScore",
    "VetoHit",
    "score_many",
    "score_subject",
]

_NA = object()  # a not-applicable input, as seen by formulas


@dataclass(slots=True)
class IndicatorScore:
    """One indicator's result; ``points`` and ``max`` already include any re-normalisation.

    ``max`` is the indicator's share of the total after re-normalisation (its weight times
    ``factor``), the cap for a bonus, and 0 for veto, none and not-applicable indicators.
    ``value`` is the value as used (a number, a boolean, the votes, a formula's computed value),
    None when missing, ``"n/a"`` when not applicable, and the entered value when invalid.
    ``rectify`` says the indicator earned less than its rectification threshold (or a veto fired).
    ``provenance`` (built when asked for, as most batch uses never look) holds the inputs, the
    rule, the rubric's parameters, the weight, the re-normalisation factor and the intermediates.
    """

    code: str
    kind: str
    value: Any
    points: float
    max: float
    fraction: float | None
    missing: bool
    not_applicable: bool
    invalid: bool
    triggered: bool
    rectify: bool
    factor: float
    messages: tuple[Message, ...]
    _item: _Item = field(repr=False, compare=False)
    _result: RubricResult | None = field(repr=False, compare=False)  # None: not applicable
    _env: Mapping[str, Any] = field(repr=False, compare=False)  # a formula's inputs

    @property
    def provenance(self) -> dict[str, Any]:
        item, result = self._item, self._result
        if result is None:
            return {"rule": "not applicable", "rubric": item.params}
        return {
            "inputs": (
                {item.code: self.value}
                if item.formula is None
                else _formula_inputs(item, self._env)
            ),
            "rule": result.rule,
            "rubric": item.params,
            "weight": item.weight,
            "factor": self.factor,
            "intermediates": result.detail,
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "kind": self.kind,
            "value": _json_value(self.value),
            "points": rounded(self.points),
            "max": rounded(self.max),
            "fraction": None if self.fraction is None else rounded(self.fraction),
            "missing": self.missing,
            "not_applicable": self.not_applicable,
            "invalid": self.invalid,
            "triggered": self.triggered,
            "rectify": self.rectify,
            "factor": rounded(self.factor),
            "messages": [m.to_dict() for m in self.messages],
            "provenance": self.provenance,
        }


@dataclass(slots=True)
class DimensionScore:
    """A dimension's points over its whole subtree.

    ``points``/``max`` come from the indicators whose own dimension lies in the subtree;
    ``also_points``/``also_max`` from indicators of other axes tagged ``also`` with it (each counted
    once); ``share`` is all of them together as a fraction (None when nothing is scored there).
    ``dropped`` means it had indicators for this subject kind and every one was not applicable.
    """

    code: str
    axis: str
    parent: str | None
    depth: int
    points: float
    max: float
    also_points: float
    also_max: float
    bonus: float
    share: float | None
    dropped: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "axis": self.axis,
            "parent": self.parent,
            "depth": self.depth,
            "points": rounded(self.points),
            "max": rounded(self.max),
            "also_points": rounded(self.also_points),
            "also_max": rounded(self.also_max),
            "bonus": rounded(self.bonus),
            "share": None if self.share is None else rounded(self.share),
            "dropped": self.dropped,
        }


@dataclass(slots=True)
class VetoHit:
    code: str
    cap_grade: str
    cap_stars: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "cap_grade": self.cap_grade,
            "cap_stars": self.cap_stars,
        }


@dataclass(slots=True)
class SubjectScore:
    """The whole result for one subject.

    ``base`` is the points of the weighted indicators (out of ``max``, which is ``total_points``
    unless nothing applies), ``bonus`` the bonus points on top, ``total`` their sum,
    ``deductions`` the points lost to deduction indicators, ``scale`` the factor applied to every
    indicator because whole dimensions dropped out. ``grade`` and ``stars`` are after any veto;
    both are None when no indicator applies.
    """

    framework: Framework = field(repr=False, compare=False)
    subject_kind: str
    base: float
    bonus: float
    deductions: float
    total: float
    max: float
    scale: float
    grade: str | None
    stars: int | None
    grade_uncapped: str | None
    stars_uncapped: int | None
    vetoes: tuple[VetoHit, ...]
    indicators: tuple[IndicatorScore, ...]
    dimensions: tuple[DimensionScore, ...]
    missing: tuple[str, ...]
    not_applicable: tuple[str, ...]
    invalid: tuple[str, ...]
    messages: tuple[Message, ...]
    _by_code: dict[str, IndicatorScore] = field(repr=False, compare=False)

    def indicator(self, code: str) -> IndicatorScore:
        return self._by_code[code]

    def dimension(self, code: str) -> DimensionScore:
        for dimension in self.dimensions:
            if dimension.code == code:
                return dimension
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework.code,
            "version": self.framework.version,
            "subject_kind": self.subject_kind,
            "base": rounded(self.base),
            "bonus": rounded(self.bonus),
            "deductions": rounded(self.deductions),
            "total": rounded(self.total),
            "max": rounded(self.max),
            "scale": rounded(self.scale),
            "grade": self.grade,
            "stars": self.stars,
            "grade_uncapped": self.grade_uncapped,
            "stars_uncapped": self.stars_uncapped,
            "vetoes": [v.to_dict() for v in self.vetoes],
            "missing": list(self.missing),
            "not_applicable": list(self.not_applicable),
            "invalid": list(self.invalid),
            "messages": [m.to_dict() for m in self.messages],
            "indicators": [i.to_dict() for i in self.indicators],
            "dimensions": [d.to_dict() for d in self.dimensions],
        }


def _json_value(value: Any) -> Any:
    """A JSON-safe copy: Decimals and non-finite floats become strings, tuples lists."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return rounded(value) if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_json_value(v) for v in value]
    return str(value)


# -- turning entered values into typed ones --------------------------------------------------------

Coerce = Callable[[object], tuple[Any, Message | None]]

_NOT_WHOLE = ("不是不小于 0 的整数", "is not a whole number ≥ 0")
_SAYS: dict[Problem, tuple[str, str]] = {
    Problem.NOT_A_NUMBER: ("不是数字", "is not a number"),
    Problem.TOO_LARGE: ("数值过大（超出 ±10¹²）", "is too large (beyond ±10¹²)"),
    Problem.NOT_WHOLE: _NOT_WHOLE,
    Problem.NEGATIVE: _NOT_WHOLE,
    Problem.NOT_A_PERCENTAGE: ("不在 0–100 之间", "is not a percentage from 0 to 100"),
    Problem.NOT_YES_OR_NO: ("不是“是”或“否”", "is not yes or no"),
}


def _invalid(raw: object, zh: str, en: str) -> tuple[Any, Message]:
    shown = raw if isinstance(raw, str) else repr(raw)
    return raw, Message("invalid", f"“{shown}”{zh}，得 0 分", f"{shown!r} {en}; 0 points")


def _coercion(read: Callable[[object], Any], *, whole: bool = False) -> Coerce:
    """A value read by ``values`` (as the entry form reads it), or why not, in the engine's words.

    ``whole``: a count says "not a whole number" for text that is no number at all.
    """

    def coerce(raw: object) -> tuple[Any, Message | None]:
        try:
            return read(raw), None
        except Refused as refused:
            problem = refused.problem
            if whole and problem is Problem.NOT_A_NUMBER:
                problem = Problem.NOT_WHOLE
            return _invalid(raw, *_SAYS[problem])

    return coerce


_read_count = READERS["count"]


def _count(raw: object) -> float:
    return float(_read_count(raw))


def _coerce_any(raw: object) -> tuple[Any, Message | None]:
    return raw, None


_coerce_number = _coercion(READERS["number"])
_coerce_percentage = _coercion(READERS["percentage"])

# Finite floats in these ranges need no checks; the empty range (inf, -inf) sends all to coerce.
_FAST_RANGE: dict[Coerce, tuple[float, float]] = {
    _coerce_number: (-LIMIT, LIMIT),
    _coerce_percentage: (0.0, 100.0),
}

_COERCE: dict[str, Coerce] = {
    "number": _coerce_number,
    "percentage": _coerce_percentage,
    "count": _coercion(_count, whole=True),
    "boolean": _coercion(READERS["boolean"]),
    "appraisal": _coerce_any,
    "text": _coerce_any,
}


def _env_value(value: Any) -> float | None:
    """What a formula sees for an entered value: numbers as they are, booleans as 1 and 0."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    return None


# -- the plan ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Item:
    """One applicable indicator with everything scoring it needs, bound once."""

    indicator: Indicator
    code: str
    kind: str
    weight: float
    scored: bool
    coerce: Coerce
    score: Callable[[Any], RubricResult]
    params: dict[str, Any]
    rectify_below: float
    plausible: tuple[float, float] | None  # (min, max), open ends as infinities
    formula: FormulaRubric | None
    bonus_cap: float  # the max shown for a bonus; 0 for the other unweighted kinds
    json_safe: bool  # typed values of this kind are already JSON-safe (not appraisal or text)
    low: float  # a float within [low, high] is valid as it is (numbers and percentages);
    high: float  # other values go through coerce
    share: bool = False  # a computed percentage: its result, like a typed one, lies in 0–100


@dataclass(slots=True)
class _DimensionPlan:
    code: str
    axis: str
    parent: str | None
    depth: int
    primary: tuple[int, ...]  # scored items whose own dimension is in the subtree
    bonuses: tuple[int, ...]
    also: tuple[int, ...]  # scored items of other axes tagged with the subtree, each once
    weight: float  # the maxima when nothing is re-normalised: sum of the primary weights
    also_weight: float  # and of the also weights


@dataclass(slots=True)
class _Plan:
    items: list[_Item]  # in computing order: entered values first, then formulas by dependency
    output: list[int]  # item indices in framework order
    rank: list[int]  # each item's place in framework order
    scored: list[int]  # indices of the weighted items
    formula_refs: list[tuple[int, tuple[int, ...]]]  # formula items and the items they use
    groups: list[tuple[float, tuple[int, ...]]]  # per own dimension: weight, its scored items
    dimensions: list[_DimensionPlan]
    bands: tuple[GradeBand, ...]  # the subject kind's grade scale
    # A veto's cap names a grade of the framework's grade bands; on another scale it caps at
    # the band in the same position (the third of four: 基本合格 for a cap at C).
    cap_position: dict[str, int]


def _plan(framework: Framework, subject_kind: str) -> _Plan:
    plan = framework.memo(
        ("scoring-plan", subject_kind), lambda: _build_plan(framework, subject_kind)
    )
    assert isinstance(plan, _Plan)
    return plan


def _build_plan(framework: Framework, subject_kind: str) -> _Plan:
    if subject_kind not in {k.code for k in framework.subject_kinds}:
        raise ValueError(f"unknown subject kind {subject_kind!r}")
    indicators = list(framework.indicators_for(subject_kind))
    entered = [i for i in indicators if not isinstance(i.rubric, FormulaRubric)]
    ordered = entered + _formula_order([i for i in indicators if i not in entered])
    position = {ind.code: n for n, ind in enumerate(ordered)}
    framework_order = {ind.code: n for n, ind in enumerate(indicators)}

    group_of: dict[str, int] = {}
    group_items: list[list[int]] = []
    group_weight: list[float] = []
    items: list[_Item] = []
    for n, ind in enumerate(ordered):
        if ind.scored:
            group = group_of.setdefault(ind.dimension, len(group_items))
            if group == len(group_items):
                group_items.append([])
                group_weight.append(0.0)
            group_items[group].append(n)
            group_weight[group] += ind.weight
        items.append(_make_item(framework, ind))

    dimensions = []
    for place in framework.dimension_places():
        subtree = {d.code for d in place.dimension.walk()}
        primary = tuple(n for n, i in enumerate(ordered) if i.scored and i.dimension in subtree)
        also = tuple(
            n
            for n, i in enumerate(ordered)
            if i.scored and n not in primary and subtree.intersection(i.also)
        )
        dimensions.append(
            _DimensionPlan(
                code=place.dimension.code,
                axis=place.axis,
                parent=place.parent,
                depth=place.depth,
                primary=primary,
                bonuses=tuple(
                    n for n, i in enumerate(ordered) if i.kind == "bonus" and i.dimension in subtree
                ),
                also=also,
                # Floats even when empty (0.0, not 0): a stored maximum reads the same whichever
                # engine wrote it.
                weight=sum([items[n].weight for n in primary], 0.0),
                also_weight=sum([items[n].weight for n in also], 0.0),
            )
        )
    return _Plan(
        items=items,
        output=[position[i.code] for i in indicators],
        rank=[framework_order[i.code] for i in ordered],
        formula_refs=[
            (n, tuple(position[ref] for ref in i.rubric.formula.codes))
            for n, i in enumerate(ordered)
            if isinstance(i.rubric, FormulaRubric)
        ],
        scored=[n for n, i in enumerate(ordered) if i.scored],
        groups=list(zip(group_weight, map(tuple, group_items), strict=True)),
        dimensions=dimensions,
        bands=framework.bands_for(subject_kind),
        cap_position={band.grade: n for n, band in enumerate(framework.grade_bands)},
    )


def _formula_order(formulas: list[Indicator]) -> list[Indicator]:
    """Formulas after the formulas they use (the validator has ruled out cycles)."""
    by_code = {i.code: i for i in formulas}
    done: dict[str, Indicator] = {}

    def visit(ind: Indicator) -> None:
        if ind.code in done:
            return
        assert isinstance(ind.rubric, FormulaRubric)
        for ref in ind.rubric.formula.codes:
            if ref in by_code:
                visit(by_code[ref])
        done[ind.code] = ind

    for ind in formulas:
        visit(ind)
    return list(done.values())


def _make_item(framework: Framework, ind: Indicator) -> _Item:
    rubric = ind.rubric
    weight = float(ind.weight)
    # One closure per indicator binds its rubric's parameters once.
    score: Callable[[Any], RubricResult]
    if isinstance(rubric, LinearRubric):
        assert ind.target is not None  # the validator requires a target for linear
        floor, target = rubric.floor, float(ind.target)

        def score(v: Any) -> RubricResult:
            return rubrics.linear(v, floor, target, weight)

    elif isinstance(rubric, BandsRubric):
        bands, direction = rubric.bands, ind.direction

        def score(v: Any) -> RubricResult:
            return rubrics.bands(v, bands, direction, weight)

    elif isinstance(rubric, YesNoRubric):
        yes, no = rubric.yes, rubric.no

        def score(v: Any) -> RubricResult:
            return rubrics.yes_no(v, yes, no, weight)

    elif isinstance(rubric, BonusRubric):
        per, cap = rubric.per, rubric.cap

        def score(v: Any) -> RubricResult:
            return rubrics.bonus(v, per, cap)

    elif isinstance(rubric, DeductionRubric):
        per, least = rubric.per, rubric.floor

        def score(v: Any) -> RubricResult:
            return rubrics.deduction(v, per, least, weight)

    elif isinstance(rubric, VetoRubric):
        cap_grade, cap_stars = rubric.cap_grade, rubric.cap_stars

        def score(v: Any) -> RubricResult:
            return rubrics.veto(v, cap_grade, cap_stars)

    elif isinstance(rubric, AppraisalRubric):

        def score(v: Any) -> RubricResult:
            return rubrics.appraisal(v, rubric, weight)

    elif isinstance(rubric, FormulaRubric):
        then, goal, direction = rubric.then, ind.target, ind.direction

        def score(v: Any) -> RubricResult:
            return rubrics.formula(v, then, goal, direction, weight)

    else:
        score = rubrics.none

    coerce = _COERCE[ind.value_type]
    return _Item(
        indicator=ind,
        code=ind.code,
        kind=rubric.kind,
        weight=weight,
        scored=ind.scored,
        coerce=coerce,
        score=score,
        params=rubric.to_dict(),
        rectify_below=framework.rectify_threshold(ind),
        plausible=_plausible_range(ind),
        formula=rubric if isinstance(rubric, FormulaRubric) else None,
        bonus_cap=float(rubric.cap) if isinstance(rubric, BonusRubric) else 0.0,
        json_safe=ind.value_type in ("number", "percentage", "count", "boolean"),
        low=_FAST_RANGE.get(coerce, (math.inf, -math.inf))[0],
        high=_FAST_RANGE.get(coerce, (math.inf, -math.inf))[1],
        share=ind.value_type == "percentage" and isinstance(rubric, FormulaRubric),
    )


def _plausible_range(ind: Indicator) -> tuple[float, float] | None:
    if ind.plausible is None:
        return None
    low, high = ind.plausible.min, ind.plausible.max
    return (-math.inf if low is None else low, math.inf if high is None else high)


def _implausible(value: float, low: float, high: float) -> Message:
    return Message(
        "implausible",
        f"数值 {value:g} 超出合理范围 {low:g}–{high:g}，请核实",
        f"the value {value:g} is outside the plausible range {low:g} to {high:g}; please check",
    )


# -- scoring -------------------------------------------------------------------------------------

_SCORED, _MISSING, _INVALID = range(3)  # an indicator's state while scoring
_ZERO = RubricResult(0.0, 0.0, "no usable value", {})
_MISSING_MESSAGE = Message("missing", "缺少数据，得 0 分", "no value entered; 0 points")
_IGNORED_MESSAGE = Message(
    "ignored",
    "该指标由公式计算，填写的数值未使用",
    "computed by its formula; the entered value is not used",
)
_NOTHING_APPLIES = Message(
    "nothing_applies",
    "没有适用的计分指标，不评定等级",
    "no scored indicator applies; no grade is given",
)


def score_subject(
    framework: Framework, subject_kind: str, values: Mapping[str, object]
) -> SubjectScore:
    """Score one subject; values are keyed by indicator code (see the module docstring)."""
    plan = _plan(framework, subject_kind)
    get = values.get
    raws = [get(item.code) for item in plan.items]
    absent = _not_applicable(plan, raws)
    total_points = float(framework.total_points)
    weights = _renormalise(plan, absent, total_points)
    tally = _score_items(plan, raws, absent, weights.factors)
    dimensions = _score_dimensions(plan, tally, absent)
    applies = weights.kept > 0
    grade = (
        _grade(plan, framework, tally.base + tally.bonus, tally.vetoes) if applies else _NO_GRADE
    )
    ordered = [tally.scores[n] for n in plan.output]
    in_framework_order = plan.rank.__getitem__
    return SubjectScore(
        framework=framework,
        subject_kind=subject_kind,
        base=tally.base,
        bonus=tally.bonus,
        deductions=tally.deductions,
        total=tally.base + tally.bonus,
        max=total_points if applies else 0.0,
        scale=weights.scale,
        grade=grade.grade,
        stars=grade.stars,
        grade_uncapped=grade.grade_uncapped,
        stars_uncapped=grade.stars_uncapped,
        vetoes=tuple(tally.vetoes),
        indicators=tuple(ordered),
        dimensions=dimensions,
        missing=tuple(plan.items[n].code for n in sorted(tally.missing, key=in_framework_order)),
        not_applicable=tuple(s.code for s in ordered if s.not_applicable),
        invalid=tuple(plan.items[n].code for n in sorted(tally.invalid, key=in_framework_order)),
        messages=() if applies else (_NOTHING_APPLIES,),
        _by_code={s.code: s for s in ordered},
    )


def _not_applicable(plan: _Plan, raws: list[object]) -> list[bool]:
    """Applicability, by item: entered as "n/a", or a formula using an item that does not apply
    (formulas come after their inputs, so one pass settles chains)."""
    absent = [type(raw) is str and is_not_applicable(raw) for raw in raws]
    for n, refs in plan.formula_refs:
        if not absent[n] and any(absent[m] for m in refs):
            absent[n] = True
    return absent


@dataclass(slots=True)
class _Weights:
    factors: list[float]  # each item's weight multiplier
    kept: float  # the weight of the own dimensions where something applies
    scale: float  # total_points ÷ kept: how much every scored item grows when dimensions drop


def _renormalise(plan: _Plan, absent: list[bool], total_points: float) -> _Weights:
    """Re-normalisation: a not-applicable item's weight goes to the applicable items of its own
    dimension in proportion to their weights; then, when whole own dimensions drop out, every
    scored item is scaled so the base total is still out of ``total_points``."""
    factors = [1.0] * len(plan.items)
    kept = 0.0
    for weight, members in plan.groups:
        applicable = sum([plan.items[m].weight for m in members if not absent[m]])
        if applicable > 0:
            kept += weight
            if applicable != weight:
                local = weight / applicable
                for m in members:
                    factors[m] = local
    scale = total_points / kept if kept > 0 else 0.0
    if scale != 1.0:
        for n in plan.scored:
            factors[n] *= scale
    return _Weights(factors=factors, kept=kept, scale=scale)


@dataclass(slots=True)
class _Tally:
    """The items scored (by item index, in computing order) and the sums the subject needs."""

    scores: list[IndicatorScore]
    points: list[float]
    max: list[float]
    base: float
    bonus: float
    deductions: float
    vetoes: list[VetoHit]
    missing: list[int]
    invalid: list[int]


def _score_items(
    plan: _Plan, raws: list[object], absent: list[bool], factors: list[float]
) -> _Tally:
    """Each item read, scored by its rubric and weighed; formulas after the items they use.

    This loop runs once per indicator of every subject (a million times in a full recompute), so
    it keeps its sums in locals. Reading a value is a call of its own (``_read``): no cost that
    bench/bench_scoring.py can tell from noise.
    """
    count = len(plan.items)
    env: dict[str, Any] = {}  # what formulas see: numbers, None (missing or invalid) or _NA
    scores: list[IndicatorScore] = [None] * count  # type: ignore[list-item]
    points_of = [0.0] * count
    max_of = [0.0] * count
    base = bonus = deductions = 0.0
    vetoes: list[VetoHit] = []
    missing: list[int] = []
    invalid: list[int] = []
    for n, item in enumerate(plan.items):
        raw = raws[n]
        if absent[n]:
            env[item.code] = _NA
            scores[n] = _not_applicable_score(item, raw, env)
            continue
        state, value, result, notes = _read(item, raw, env)
        if state == _MISSING:
            missing.append(n)
        elif state == _INVALID:
            invalid.append(n)
        factor = factors[n]
        triggered = result.triggered
        fraction: float | None
        if item.scored:
            fraction = result.fraction or 0.0
            top = item.weight * factor
            points = fraction * top
            base += points
            if state == _SCORED and item.kind == "deduction":
                deductions += top - points
            rectify = fraction < item.rectify_below
        else:  # bonus, veto, none: points on top of the base, or none
            fraction = result.fraction if state == _SCORED else None
            points = result.points
            top = item.bonus_cap
            bonus += points
            rectify = triggered
            if triggered:
                vetoes.append(
                    VetoHit(
                        code=item.code,
                        cap_grade=item.params["cap_grade"],
                        cap_stars=item.params["cap_stars"],
                    )
                )
        points_of[n] = points
        max_of[n] = top
        # The one fast path: positional, in the order of IndicatorScore's fields. With keywords
        # (1.2 µs more per call) and the same for DimensionScore, score_subject took 40 % longer
        # in bench/bench_scoring.py (shipped framework: 190 µs instead of 135 µs a subject).
        scores[n] = IndicatorScore(
            item.code,  # code
            item.kind,  # kind
            value,  # value
            points,  # points
            top,  # max
            fraction,  # fraction
            state == _MISSING,  # missing
            False,  # not_applicable
            state == _INVALID,  # invalid
            triggered,  # triggered
            rectify,  # rectify
            factor,  # factor
            notes,  # messages
            item,  # _item
            result,  # _result
            env,  # _env
        )
    return _Tally(
        scores=scores,
        points=points_of,
        max=max_of,
        base=base,
        bonus=bonus,
        deductions=deductions,
        vetoes=vetoes,
        missing=missing,
        invalid=invalid,
    )


def _not_applicable_score(item: _Item, raw: object, env: Mapping[str, Any]) -> IndicatorScore:
    """A not-applicable item: no points, no max; a formula says which of its inputs do not apply."""
    why = () if item.formula is None or is_not_applicable(raw) else _na_inputs(item.formula, env)
    return IndicatorScore(
        code=item.code,
        kind=item.kind,
        value=NOT_APPLICABLE,
        points=0.0,
        max=0.0,
        fraction=None,
        missing=False,
        not_applicable=True,
        invalid=False,
        triggered=False,
        rectify=False,
        factor=0.0,
        messages=why,
        _item=item,
        _result=None,
        _env=env,
    )


_Read = tuple[int, Any, RubricResult, tuple[Message, ...]]  # state, value as used, result, notes


def _read(item: _Item, raw: object, env: dict[str, Any]) -> _Read:
    """An applicable item's value read and scored by its rubric; ``env`` gets what formulas see."""
    if item.formula is not None:
        return _compute(item, item.formula, raw, env)
    code = item.code
    if raw is None or (type(raw) is str and is_blank(raw)):
        env[code] = None
        return _MISSING, None, _ZERO, (_MISSING_MESSAGE,)
    if type(raw) is float and item.low <= raw <= item.high:
        value, error = raw, None  # the common case, without a call
    else:
        value, error = item.coerce(raw)
    if error is not None:
        env[code] = None
        return _INVALID, _json_value(value), _ZERO, (error,)
    env[code] = value if type(value) is float else _env_value(value)
    result = item.score(value)
    if not item.json_safe:
        value = _json_value(value)
    if result.error is not None:
        return _INVALID, value, result, (result.error,)
    if item.plausible is not None and type(value) is float:
        low, high = item.plausible
        if not low <= value <= high:
            return _SCORED, value, result, (_implausible(value, low, high),)
    return _SCORED, value, result, ()


def _compute(item: _Item, formula: FormulaRubric, raw: object, env: dict[str, Any]) -> _Read:
    """A formula item: its value computed from ``env``; an entered value is ignored, and said so."""
    computed = formula.formula.evaluate(env)
    if item.share and computed.value is not None and not 0 <= computed.value <= 100:
        # A rate of 110 % (more attendances than expected) is an error in its inputs,
        # refused at entry; one that got through earns nothing and says why.
        computed = FormulaResult(None, rubrics.NOT_A_PERCENTAGE, f"{computed.value:g}")
    result = item.score(computed)
    value = env[item.code] = computed.value
    state, notes = _SCORED, ()
    if result.error is not None:
        state = _MISSING if computed.error == "missing" else _INVALID
        notes = (result.error,)
    if not is_blank(raw):
        notes = (*notes, _IGNORED_MESSAGE)
    return state, value, result, notes


def _score_dimensions(plan: _Plan, tally: _Tally, absent: list[bool]) -> tuple[DimensionScore, ...]:
    """Each dimension's points and max over its subtree, and its share of them."""
    renormalised = any(absent)
    points_at, max_at = tally.points.__getitem__, tally.max.__getitem__
    dimensions = []
    for dim in plan.dimensions:
        primary, also, bonuses = dim.primary, dim.also, dim.bonuses
        if not (primary or also or bonuses):
            points = top = also_points = also_max = bonus = 0.0
        else:
            points = sum(map(points_at, primary)) if primary else 0.0
            also_points = sum(map(points_at, also)) if also else 0.0
            bonus = sum(map(points_at, bonuses)) if bonuses else 0.0
            if renormalised:
                top = sum(map(max_at, primary)) if primary else 0.0
                also_max = sum(map(max_at, also)) if also else 0.0
            else:  # every indicator at its own weight
                top, also_max = dim.weight, dim.also_weight
        whole = top + also_max
        dimensions.append(
            DimensionScore(  # positional, for speed, as IndicatorScore in _score_items
                dim.code,  # code
                dim.axis,  # axis
                dim.parent,  # parent
                dim.depth,  # depth
                points,  # points
                top,  # max
                also_points,  # also_points
                also_max,  # also_max
                bonus,  # bonus
                (points + also_points) / whole if whole > 0 else None,  # share
                renormalised and bool(primary) and all(absent[m] for m in primary),  # dropped
            )
        )
    return tuple(dimensions)


@dataclass(frozen=True, slots=True)
class _Grade:
    grade: str | None
    stars: int | None
    grade_uncapped: str | None
    stars_uncapped: int | None


_NO_GRADE = _Grade(grade=None, stars=None, grade_uncapped=None, stars_uncapped=None)


def _grade(plan: _Plan, framework: Framework, total: float, vetoes: list[VetoHit]) -> _Grade:
    """The grade and stars the total reaches, then lowered to every triggered veto's caps."""
    grade, stars = _bands(framework, plan.bands, total)
    capped_grade, capped_stars = _cap(plan, framework, grade, stars, vetoes)
    return _Grade(
        grade=capped_grade,
        stars=capped_stars,
        grade_uncapped=grade,
        stars_uncapped=stars,
    )


def _formula_inputs(item: _Item, env: Mapping[str, Any]) -> dict[str, Any]:
    assert item.formula is not None
    return {
        ref: NOT_APPLICABLE if env.get(ref) is _NA else env.get(ref)
        for ref in item.formula.formula.codes
    }


def _na_inputs(formula: FormulaRubric, env: Mapping[str, Any]) -> tuple[Message]:
    codes = [ref for ref in formula.formula.codes if env.get(ref) is _NA]
    return (
        Message(
            "not_applicable",
            f"公式用到的 {'、'.join(codes)} 不适用，本指标也不适用",
            f"the formula uses {', '.join(codes)}, which do not apply, so neither does this "
            "indicator",
        ),
    )


def _bands(
    framework: Framework, bands: tuple[GradeBand, ...], total: float
) -> tuple[str | None, int | None]:
    # Totals are compared with band minimums after rounding, so 89.99999999999 from float sums of
    # rescaled points still reaches a band at 90.
    reached = rounded(total)
    grade = next((b.grade for b in bands if reached >= b.min), None)
    stars = next((b.stars for b in framework.star_bands if reached >= b.min), None)
    return grade, stars


def _cap(
    plan: _Plan,
    framework: Framework,
    grade: str | None,
    stars: int | None,
    vetoes: list[VetoHit],
) -> tuple[str | None, int | None]:
    """Lower the grade and stars to every triggered veto's caps; never raise them."""
    if not vetoes or grade is None or stars is None:
        return grade, stars
    bands, last = plan.bands, len(plan.bands) - 1
    now = next(n for n, band in enumerate(bands) if band.grade == grade)
    worst = max([now, *(min(plan.cap_position[v.cap_grade], last) for v in vetoes)])
    return bands[worst].grade, min([stars, *(v.cap_stars for v in vetoes)])


def score_many(
    framework: Framework,
    subject_kind: str,
    rows: Iterable[tuple[Hashable, Mapping[str, object]]],
) -> Iterator[tuple[Hashable, SubjectScore]]:
    """Score many subjects of one kind lazily: ``(key, values)`` in, ``(key, score)`` out."""
    _plan(framework, subject_kind)
    for key, values in rows:
        yield key, score_subject(framework, subject_kind, values)
