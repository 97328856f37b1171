"""Reads behind the rubric editor: a draft indicator's rubric tried on sample values, a formula
checked as it is typed.

Both go through what scoring itself uses: the framework file's rules (`parse_framework` over the
whole draft with the edit in place) and the pure engine (`score_subject`), so what the preview
shows is exactly what scoring would do, and a formula is refused for the same reasons.
"""

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from ..models import Indicator
from ..scoring import describe_rubric, score_subject
from ..scoring import spec as engine
from ..scoring.formula import compile_formula
from ..scoring.spec import FrameworkError, Problem, parse_framework
from .frameworks import framework_document

_FORMULA_KIND = {"kind": "formula", "then": {"kind": "yes_no"}}


def draft_with(indicator: Indicator, changes: Mapping[str, Any]) -> engine.Framework:
    """The indicator's framework as the engine would read it with `changes` saved (nothing is
    saved); FrameworkError when the framework would not be valid. Four queries."""
    edited = copy.copy(indicator)
    for name, value in changes.items():
        setattr(edited, name, value)
    return parse_framework(framework_document(indicator.framework, override=edited))


@dataclass
class SampleRow:
    """One sample value and what the engine gives it."""

    value: Any
    inputs: dict[str, Any]
    points: float
    max: float
    fraction: float | None
    triggered: bool
    computed: float | None = None
    messages: list[str] = field(default_factory=list)


@dataclass
class RubricPreview:
    """The rubric in words and its points for sample values."""

    code: str
    words: str
    subject_kind: str
    rows: list[SampleRow]
    inputs: list[engine.Indicator]  # a formula's inputs, for the values to try
    veto: engine.VetoRubric | None


def rubric_preview(
    spec: engine.Framework, code: str, lang: str, tried: Mapping[str, str] | None = None
) -> RubricPreview:
    """The points the indicator `code` earns for its sample values, and for the values `tried`
    (keyed by indicator code: the indicator's own, or a formula's inputs)."""
    ind = spec.indicator(code)
    kind = ind.applies_to[0]
    rubric = ind.rubric
    inputs: list[engine.Indicator] = []
    samples: list[dict[str, Any]] = []
    tried = {k: v for k, v in (tried or {}).items() if str(v).strip()}
    if isinstance(rubric, engine.FormulaRubric):
        inputs = [spec.indicator(ref) for ref in rubric.formula.codes]
        if inputs and all(i.code in tried for i in inputs):
            samples.append({i.code: tried[i.code] for i in inputs})
    else:
        samples = [{code: value} for value in sample_values(ind)]
        if code in tried:
            samples.append({code: tried[code]})
    rows = []
    for values in samples:
        result = score_subject(spec, kind, values).indicator(code)
        rows.append(
            SampleRow(
                value=values.get(code),
                inputs=values,
                points=result.points,
                max=result.max,
                fraction=result.fraction,
                triggered=result.triggered,
                computed=result.value if inputs else None,
                messages=[message.text(lang) for message in result.messages],
            )
        )
    return RubricPreview(
        code=code,
        words=describe_rubric(ind, lang),
        subject_kind=kind,
        rows=rows,
        inputs=inputs,
        veto=rubric if isinstance(rubric, engine.VetoRubric) else None,
    )


def sample_values(ind: engine.Indicator) -> list[Any]:
    """Values that show how the rubric scores: its floor, limits and the values around them."""
    rubric = ind.rubric
    whole = ind.value_type == "count"
    match rubric:
        case engine.LinearRubric(floor=floor):
            target = float(ind.target or 0)
            values = [floor, floor + (target - floor) / 2, target]
        case engine.BandsRubric(bands=bands):
            limits = [band.limit for band in bands]
            step = 1.0 if whole or ind.value_type == "percentage" else _step(limits)
            beyond = limits[-1] - step if ind.direction != "lower" else limits[-1] + step
            values = [*limits, beyond]
            if ind.value_type == "percentage":
                values = [v for v in values if 0 <= v <= 100]
        case engine.YesNoRubric():
            return [True, False]
        case engine.VetoRubric():
            return [False, True] if ind.value_type == "boolean" else [0, 1]
        case engine.BonusRubric(per=per, cap=cap):
            enough = math.ceil(cap / per)
            values = [0, 1, enough, enough + 1]
        case engine.DeductionRubric(per=per, floor=floor):
            to_floor = math.ceil((ind.weight - floor) / per) if per else 0
            values = [0, 1, 2, to_floor, to_floor + 1]
        case engine.AppraisalRubric():
            return [
                {"voters": 10, "excellent": 10},
                {"voters": 10, "excellent": 5, "competent": 3, "basic": 2},
                {"voters": 10, "competent": 4, "basic": 4, "incompetent": 2},
            ]
        case _:
            return []
    out: list[Any] = []
    for value in values:
        value = round(value) if whole or float(value).is_integer() else round(value, 4)
        if value not in out and (not whole or value >= 0):
            out.append(value)
    return out


def _step(limits: list[float]) -> float:
    gaps = [abs(a - b) for a, b in pairwise(limits) if a != b]
    return min(gaps) if gaps else max(abs(limits[0]) * 0.1, 1.0)


@dataclass
class FormulaCheck:
    """A formula as typed: the problems with it (in the reader's language) or the indicators it
    reads."""

    problems: list[str]
    inputs: list[tuple[str, str]]  # (code, name) of the indicators it reads
    tried: list[tuple[str, str, str]] = field(default_factory=list)  # (code, name, value tried)


def check_formula(indicator: Indicator, expr: str, lang: str) -> FormulaCheck:
    """The formula `expr` for `indicator`, checked by the framework file's own rules (syntax,
    the codes it names, their value types and subjects) as they would judge it saved; only the
    problems of the formula are reported, not the framework's others."""
    rubric = {**_FORMULA_KIND, "expr": expr}
    where = f".rubric.expr ({indicator.code})"
    try:
        spec = draft_with(indicator, {"rubric": rubric})
    except FrameworkError as error:
        problems = [
            Problem(None, p.code, p.params).text(lang)
            for p in error.problems
            if (p.where or "").endswith(where)
        ]
        if problems:
            return FormulaCheck(problems, [])
        names = dict(
            Indicator.objects.filter(framework_id=indicator.framework_id).values_list(
                "code", "name_en" if lang.startswith("en") else "name"
            )
        )
        codes = [code for code in _references(expr) if code in names]
        return FormulaCheck([], [(code, names[code]) for code in codes])
    formula = spec.indicator(indicator.code).rubric
    assert isinstance(formula, engine.FormulaRubric)
    return FormulaCheck(
        [], [(code, spec.indicator(code).name.get(lang)) for code in formula.formula.codes]
    )


def _references(expr: str) -> list[str]:
    return list(compile_formula(expr).codes)
