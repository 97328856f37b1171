"""Reads behind the insight pages: the explain panels and what-if (effectiveness is read by
`business.selectors.effectiveness`).

Every function starts from the scoped managers (or from an object a view found through them) and
reads in a fixed number of queries, whatever the number of organizations. Explanations and
what-if run the pure engine again on the values a score was computed from, against the period's
framework version (immutable once published): nothing is stored.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from assessment.choices import SubjectUnit
from assessment.models import Rollup, SubjectScore
from assessment.scoring import Framework as EngineFramework
from assessment.scoring import Indicator as EngineIndicator
from assessment.scoring import SubjectScore as EngineScore
from assessment.scoring import describe_rubric, explain, score_subject, what_if
from assessment.selectors import engine_framework
from organizations.models import Organization, bilingual_name

# Kinds whose value a person can type in the what-if form (appraisal votes and texts are kept).
EDITABLE_TYPES = frozenset({"number", "percentage", "count", "boolean"})


def score_inputs(score: SubjectScore) -> dict[str, Any]:
    """The values a stored score was computed from, by indicator code: the one place that reads
    them. They are the submission's effective values (the reviewer's where set), immutable once
    approved; should `inputs` be dropped from the row, read IndicatorValue here instead."""
    return dict(score.inputs)


# -- explain a subject score ----------------------------------------------------------------------


@dataclass
class IndicatorLine:
    code: str
    name: str
    dimension: str
    value: Any
    unit: str
    rule: str
    weight: float
    points: float
    max: float
    status: str
    notes: list[str]
    earns: bool  # could earn points (weighted or bonus)


@dataclass
class DimensionLine:
    code: str
    name: str
    points: float
    max: float


@dataclass
class ScoreExplanation:
    score: SubjectScore
    result: EngineScore
    sentences: list[str]
    indicators: list[IndicatorLine]
    dimensions: list[DimensionLine]
    missing: list[IndicatorLine]  # without a value, and could have earned points
    unrecorded: list[IndicatorLine]  # without a value, but carry no points (texts, records)
    invalid: list[IndicatorLine]
    grade_name: str
    matches_stored: bool


def _status(result) -> str:
    if result.not_applicable:
        return SubjectScore.Status.NOT_APPLICABLE
    if result.missing:
        return SubjectScore.Status.MISSING
    if result.invalid:
        return SubjectScore.Status.INVALID
    return SubjectScore.Status.SCORED


def _display_value(value: Any, lang: str) -> Any:
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("是" if value else "否")
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False)
    return value


def explain_score(score: SubjectScore, lang: str) -> ScoreExplanation:
    """How a stored score was computed: the engine's sentences, every indicator's value, rule,
    weight and points, the dimensions, what was missing or invalid. No query beyond the score's
    period and framework (the engine's framework is cached per version)."""
    spec = engine_framework(score.period.framework)
    result = score_subject(spec, score.subject_kind, score_inputs(score))
    lines = []
    for item in result.indicators:
        ind = spec.indicator(item.code)
        lines.append(
            IndicatorLine(
                code=item.code,
                name=ind.name.get(lang),
                dimension=ind.dimension,
                value=None if item.missing else _display_value(item.value, lang),
                unit=ind.unit.get(lang) if ind.unit is not None else "",
                rule=describe_rubric(ind, lang),
                weight=ind.weight,
                points=item.points,
                max=item.max,
                status=_status(item),
                notes=[m.text(lang) for m in item.messages],
                earns=ind.weight > 0 or ind.kind == "bonus",
            )
        )
    dimensions = [
        DimensionLine(d.code, spec.dimension(d.code).name.get(lang), d.points, d.max)
        for d in result.dimensions
        if d.depth == 0 and d.max > 0
    ]
    grade = result.grade or ""
    return ScoreExplanation(
        score=score,
        result=result,
        sentences=explain(result, lang),
        indicators=lines,
        dimensions=dimensions,
        missing=[
            line for line in lines if line.status == SubjectScore.Status.MISSING and line.earns
        ],
        unrecorded=[
            line for line in lines if line.status == SubjectScore.Status.MISSING and not line.earns
        ],
        invalid=[line for line in lines if line.status == SubjectScore.Status.INVALID],
        grade_name=spec.grade_band(grade).name.get(lang) if grade else "",
        matches_stored=math.isclose(result.total, score.total, abs_tol=1e-4)
        and (result.grade or "") == score.grade,
    )


# -- explain a roll-up row ------------------------------------------------------------------------


@dataclass
class ChildLine:
    organization_id: int
    name: str
    weight: float
    share: float
    score: float
    contribution: float
    rollup_id: int | None


@dataclass
class RollupExplanation:
    row: Rollup
    dimension_name: str
    own_status: str
    own_score: float | None
    own_weight: float
    own_score_id: int | None
    children_weighting: str
    children_weight: float
    children: list[ChildLine]
    missing_mode: str | None
    missing_count: int
    missing: list[str]
    settings: dict[str, Any]


def explain_rollup(row: Rollup, user, lang: str) -> RollupExplanation:
    """How a roll-up row was made, from its stored explanation, with the names of the children and
    of the organizations whose submission is missing, a link to each child's row and to the
    own score: three queries (plus the framework, cached per version)."""
    spec = engine_framework(row.period.framework)
    data = row.explanation or {}
    own = data.get("own", {})
    children = data.get("children", {})
    items = children.get("items", [])
    missing = data.get("missing", {})
    missing_ids = list(missing.get("organizations", []))
    ids = {int(item[0]) for item in items} | set(missing_ids)
    names = {
        pk: bilingual_name(name, name_en, lang == "en")
        for pk, name, name_en in Organization.objects.restrict(user)
        .filter(pk__in=ids)
        .values_list("pk", "name", "name_en")
    }
    child_rows = dict(
        Rollup.objects.restrict(user)
        .filter(
            period_id=row.period_id,
            dimension=row.dimension,
            organization_id__in=[int(item[0]) for item in items],
        )
        .values_list("organization_id", "pk")
    )
    own_score_id = (
        SubjectScore.objects.restrict(user)
        .filter(
            period_id=row.period_id,
            organization_id=row.organization_id,
            subject_unit=SubjectUnit.ORGANIZATION,
        )
        .values_list("pk", flat=True)
        .first()
    )
    total_weight = math.fsum(float(item[1]) for item in items) or 1.0
    children_weight = float(children.get("weight", 0.0))
    lines = [
        ChildLine(
            organization_id=int(pk),
            name=names.get(int(pk), f"#{pk}"),
            weight=float(weight),
            share=float(weight) / total_weight,
            score=float(score),
            contribution=float(weight) / total_weight * float(score) * children_weight,
            rollup_id=child_rows.get(int(pk)),
        )
        for pk, weight, score in items
    ]
    lines.sort(key=lambda line: -line.contribution)
    if row.dimension:
        try:
            dimension_name = spec.dimension(row.dimension).name.get(lang)
        except KeyError:
            dimension_name = row.dimension
    else:
        dimension_name = ""
    return RollupExplanation(
        row=row,
        dimension_name=dimension_name,
        own_status=own.get("status", ""),
        own_score=own.get("score"),
        own_weight=float(own.get("weight", 0.0)),
        own_score_id=own_score_id,
        children_weighting=children.get("weighting", ""),
        children_weight=children_weight,
        children=lines,
        missing_mode=missing.get("mode"),
        missing_count=int(missing.get("count", 0)),
        missing=[names.get(pk, f"#{pk}") for pk in missing_ids],
        settings=data.get("settings", {}),
    )


# -- what if ----------------------------------------------------------------------------------


@dataclass
class SuggestionLine:
    code: str
    name: str
    unit: str
    current: Any
    suggested: Any
    points_gained: float
    total_after: float
    grade_after: str | None


@dataclass
class WhatIf:
    score: SubjectScore
    current: EngineScore
    next_grade: str | None
    next_grade_min: float | None
    suggestions: list[SuggestionLine]
    reaches_next: bool
    editable: list[EngineIndicator]
    inputs: dict[str, Any]


def _next_band(spec: EngineFramework, grade: str | None) -> tuple[str | None, float | None]:
    grades = list(spec.grade_bands)
    for index, band in enumerate(grades):
        if band.grade == grade:
            if index == 0:
                return None, None
            return grades[index - 1].grade, grades[index - 1].min
    return None, None


def what_if_of(score: SubjectScore, lang: str) -> WhatIf:
    """Which indicators, improved by how much, would lift the score to the next grade (the
    engine's greedy search over the score's own values), and the indicators a person may change
    by hand. Nothing is stored."""
    spec = engine_framework(score.period.framework)
    inputs = score_inputs(score)
    current = score_subject(spec, score.subject_kind, inputs)
    next_grade, next_min = _next_band(spec, current.grade)
    suggestions = []
    for s in what_if(spec, score.subject_kind, inputs):
        ind = spec.indicator(s.code)
        suggestions.append(
            SuggestionLine(
                code=s.code,
                name=ind.name.get(lang),
                unit=ind.unit.get(lang) if ind.unit is not None else "",
                current=_display_value(s.current, lang),
                suggested=_display_value(s.suggested, lang),
                points_gained=s.points_gained,
                total_after=s.total_after,
                grade_after=s.grade_after,
            )
        )
    grades = [band.grade for band in spec.grade_bands]
    reaches = bool(
        suggestions
        and next_grade is not None
        and suggestions[-1].grade_after in grades
        and grades.index(suggestions[-1].grade_after) <= grades.index(next_grade)
    )
    editable = [
        ind
        for ind in spec.indicators_for(score.subject_kind)
        if ind.kind != "formula" and ind.value_type in EDITABLE_TYPES
    ]
    return WhatIf(score, current, next_grade, next_min, suggestions, reaches, editable, inputs)


@dataclass
class Trial:
    """A what-if with the person's own values: the new score, or the values the engine refused."""

    result: EngineScore | None
    changed: list[tuple[EngineIndicator, Any, Any, float, float]]
    errors: dict[str, str]


def try_values(
    score: SubjectScore, inputs: Mapping[str, Any], changes: Mapping[str, Any], lang: str
) -> Trial:
    """Score the subject with some values changed (None: no value). A changed value the engine
    finds invalid is an error and there is no result. Nothing is stored."""
    spec = engine_framework(score.period.framework)
    values = dict(inputs)
    for code, value in changes.items():
        if value is None:
            values.pop(code, None)
        else:
            values[code] = value
    before = score_subject(spec, score.subject_kind, inputs)
    after = score_subject(spec, score.subject_kind, values)
    errors = {
        code: "; ".join(m.text(lang) for m in after.indicator(code).messages)
        for code in changes
        if after.indicator(code).invalid
    }
    if errors:
        return Trial(None, [], errors)
    changed = [
        (
            spec.indicator(code),
            _display_value(before.indicator(code).value, lang),
            _display_value(after.indicator(code).value, lang),
            before.indicator(code).points,
            after.indicator(code).points,
        )
        for code in changes
        if before.indicator(code).value != after.indicator(code).value
    ]
    return Trial(after, changed, {})
