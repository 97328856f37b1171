"""Reads behind the insight pages: effectiveness, the explain panels and what-if.

Every function starts from the scoped managers (or from an object a view found through them) and
reads in a fixed number of queries, whatever the number of organizations. Explanations and
what-if run the pure engine again on the values a score was computed from, against the period's
framework version (immutable once published): nothing is stored.
"""

from __future__ import annotations

import json
import math
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.db.models import FloatField, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from assessment.choices import PeriodStatus, SubjectUnit
from assessment.models import IndicatorValue, Period, Rollup, SubjectScore
from assessment.scoring import Framework as EngineFramework
from assessment.scoring import Indicator as EngineIndicator
from assessment.scoring import SubjectScore as EngineScore
from assessment.scoring import describe_rubric, explain, score_subject, what_if
from assessment.scoring.values import as_number
from assessment.selectors import engine_framework
from organizations.models import Organization, bilingual_name

from .. import effectiveness

BUSINESS_AXIS = "business"  # the framework axis of the core business results
TREND_PERIODS = 8  # periods of the same kind on the "over time" line
PERIOD_CHOICES = 30
NUMERIC_TYPES = frozenset({"number", "percentage", "count"})
# Kinds whose value a person can type in the what-if form (appraisal votes and texts are kept).
EDITABLE_TYPES = frozenset({"number", "percentage", "count", "boolean"})
# A measure is ordinal (a grade: its headline is Spearman's ρ) when its unit names a grade, as the
# framework writes every grade entered as a number: zh "级（A=4…D=1）", en "grade (A=4 … D=1)".
ORDINAL_UNIT_ZH = ("级", "等级")
ORDINAL_UNIT_EN = re.compile(r"\s*(grade|level)\b", re.IGNORECASE)


def score_inputs(score: SubjectScore) -> dict[str, Any]:
    """The values a stored score was computed from, by indicator code: the one place that reads
    them. They are the submission's effective values (the reviewer's where set), immutable once
    approved; should `inputs` be dropped from the row, read IndicatorValue here instead."""
    return dict(score.inputs)


# -- effectiveness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measure:
    """A business result on the scatter: one numeric, scored indicator of the business axis.
    An ordinal one (a grade) is correlated by rank: its headline is Spearman's ρ."""

    code: str
    name: str
    unit: str
    ordinal: bool = False


def is_ordinal(indicator: EngineIndicator) -> bool:
    """Whether an indicator's values are ordered levels rather than amounts: its unit names a
    grade (zh "级…"/"等级…", en "grade…"/"level…"), as the operating assessment grade B1.03."""
    if indicator.unit is None:
        return False
    zh, en = indicator.unit.get("zh") or "", indicator.unit.get("en") or ""
    return zh.strip().startswith(ORDINAL_UNIT_ZH) or bool(ORDINAL_UNIT_EN.match(en))


@dataclass
class UnitPoint:
    """One organization's party-building score and business results in one period."""

    organization_id: int
    code: str
    name: str
    score_id: int
    total: float
    grade: str
    party_building: float | None
    values: dict[str, float | None] = field(default_factory=dict)  # in the measures' order

    @property
    def value_list(self) -> list[str | None]:
        """The values for a table: up to two decimals, no trailing zeros."""
        return [
            None if v is None else f"{v:.2f}".rstrip("0").rstrip(".") for v in self.values.values()
        ]


@dataclass
class MeasureCorrelation:
    measure: Measure
    correlation: effectiveness.Correlation


@dataclass
class TrendPoint:
    """The correlations of one period of the "over time" line."""

    period: Period
    units: int
    correlations: dict[str, effectiveness.Correlation]


@dataclass
class StepPoint:
    """The correlations of one step from a period to the next of the same kind: party building
    in the first against business in the second (lag), or change against change."""

    before: Period
    after: Period
    units: int  # units with a score in both periods
    correlations: dict[str, effectiveness.Correlation]


@dataclass
class Effectiveness:
    organization: Organization
    period: Period
    measures: list[Measure]
    business_dimensions: list[str]
    units: list[UnitPoint]
    correlations: list[MeasureCorrelation]
    trend: list[TrendPoint]
    lag: list[StepPoint] = field(default_factory=list)
    change: list[StepPoint] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        """What the charts draw (the tables beside them show the same numbers)."""
        return {
            "scatter": [
                {
                    "code": m.measure.code,
                    "name": m.measure.name,
                    "unit": m.measure.unit,
                    "r": m.correlation.r,
                    "rho": m.correlation.rho,
                    "headline": m.correlation.headline,
                    "n": m.correlation.n,
                    "points": [
                        [u.party_building, u.values[m.measure.code], u.name]
                        for u in self.units
                        if u.party_building is not None and u.values.get(m.measure.code) is not None
                    ],
                }
                for m in self.correlations
            ],
            "trend": {
                "periods": [t.period.display_name for t in self.trend],
                "series": [
                    {
                        "code": m.code,
                        "name": m.name,
                        "symbol": "ρ" if m.ordinal else "r",
                        "values": [
                            t.correlations[m.code].headline if m.code in t.correlations else None
                            for t in self.trend
                        ],
                    }
                    for m in self.measures
                ],
            },
        }


def business_measures(spec: EngineFramework, lang: str) -> tuple[list[Measure], list[str]]:
    """The business results of a framework (numeric, scored indicators whose own dimension is on
    the business axis) and the top dimensions of that axis."""
    dimensions = [
        place.dimension.code
        for place in spec.dimension_places()
        if place.axis == BUSINESS_AXIS and place.depth == 0
    ]
    measures = [
        Measure(
            code=ind.code,
            name=ind.name.get(lang),
            unit=ind.unit.get(lang) if ind.unit is not None else "",
            ordinal=is_ordinal(ind),
        )
        for ind in spec.indicators
        if spec.place(ind.dimension).axis == BUSINESS_AXIS
        and ind.value_type in NUMERIC_TYPES
        and ind.kind not in ("none", "veto", "bonus")
    ]
    return measures, dimensions


def periods_for(user) -> list[Period]:
    """Periods to choose from (not the planned ones), newest first."""
    return list(
        Period.objects.exclude(status=PeriodStatus.PLANNED)
        .select_related("framework")
        .order_by("-start", "kind")[:PERIOD_CHOICES]
    )


def _trend_periods(period: Period) -> list[Period]:
    """This period and the earlier ones of the same kind and framework code, oldest first."""
    rows = (
        Period.objects.filter(
            framework__code=period.framework.code, kind=period.kind, start__lte=period.start
        )
        .exclude(status=PeriodStatus.PLANNED)
        .select_related("framework")
        .order_by("-start")[:TREND_PERIODS]
    )
    return list(reversed(rows))


def _unit_scores(
    user, organization: Organization, period_ids: list[int], kinds: list[str], dims: list[str]
) -> QuerySet:
    """The scores of the organizations below this one (not its own), only the columns needed:
    the business dimensions' points and maximum are read out of the JSON by the database."""
    queryset = (
        SubjectScore.objects.restrict(user)
        .filter(
            period_id__in=period_ids,
            subject_unit=SubjectUnit.ORGANIZATION,
            subject_kind__in=kinds,
            organization__path__startswith=organization.path,
        )
        .exclude(organization_id=organization.pk)
        .order_by()
    )
    annotations = {}
    for index, code in enumerate(dims):
        annotations[f"bp{index}"] = Cast(KT(f"dimensions__{code}__0"), FloatField())
        annotations[f"bm{index}"] = Cast(KT(f"dimensions__{code}__1"), FloatField())
    return queryset.annotate(**annotations)


def business_values(scores: QuerySet, codes: list[str]) -> dict[int, dict[str, float | None]]:
    """The business results of the scored submissions, by submission and indicator code, in one
    query: the effective values (the reviewer's where set), fixed once approved."""
    rows = IndicatorValue.objects.filter(
        submission_id__in=scores.values("submission_id"), indicator__code__in=codes
    ).values_list("submission_id", "indicator__code", "value", "reviewed_value")
    out: dict[int, dict[str, float | None]] = defaultdict(dict)
    for submission_id, code, value, reviewed in rows.order_by():
        out[submission_id][code] = as_number(reviewed if reviewed is not None else value)
    return out


def effectiveness_of(user, organization: Organization, period: Period, lang: str) -> Effectiveness:
    """The party-building scores and business results of the organizations in the subtree (those
    whose own submission for the period is scored and whose kind has business results), their
    correlations, and the same correlations over the earlier periods of the same kind.

    Four queries whatever the size of the subtree: the trend's periods, the scores (with the
    business dimensions' points), the business values, and the framework (cached per version).
    """
    spec = engine_framework(period.framework)
    measures, dims = business_measures(spec, lang)
    codes = [m.code for m in measures]
    kinds = sorted(
        {k.code for k in spec.subject_kinds for i in spec.indicators_for(k.code) if i.code in codes}
    )
    trend_periods = _trend_periods(period)
    if period.pk not in {p.pk for p in trend_periods}:
        trend_periods.append(period)
    scores = _unit_scores(user, organization, [p.pk for p in trend_periods], kinds, dims)
    values = business_values(scores, codes) if codes else {}
    columns = ["period_id", "organization_id", "organization__code", "organization__name"]
    columns += ["organization__name_en", "pk", "submission_id", "total", "max", "grade"]
    extra = [f"b{part}{index}" for index in range(len(dims)) for part in ("p", "m")]
    by_period: dict[int, list[UnitPoint]] = defaultdict(list)
    for row in scores.values_list(*columns, *extra):
        period_id, org_id, code, name, name_en, pk, submission_id, total, maximum, grade = row[:10]
        business = row[10:]
        points = math.fsum(v or 0.0 for v in business[0::2])
        business_max = math.fsum(v or 0.0 for v in business[1::2])
        by_period[period_id].append(
            UnitPoint(
                organization_id=org_id,
                code=code,
                name=bilingual_name(name, name_en, lang == "en"),
                score_id=pk,
                total=total,
                grade=grade,
                party_building=effectiveness.party_building_share(
                    total, maximum, points, business_max
                ),
                values={c: values.get(submission_id, {}).get(c) for c in codes},
            )
        )
    units = sorted(by_period.get(period.pk, []), key=lambda u: u.code)
    correlations = [MeasureCorrelation(m, _correlate(units, m)) for m in measures]
    trend = [
        TrendPoint(
            period=p,
            units=len(by_period.get(p.pk, [])),
            correlations={m.code: _correlate(by_period.get(p.pk, []), m) for m in measures},
        )
        for p in trend_periods
    ]
    steps = list(pairwise(trend_periods))
    lag = [_step(before, after, by_period, measures, lagged=True) for before, after in steps]
    change = [_step(before, after, by_period, measures, lagged=False) for before, after in steps]
    return Effectiveness(
        organization, period, measures, dims, units, correlations, trend, lag, change
    )


def _correlate(units: list[UnitPoint], measure: Measure) -> effectiveness.Correlation:
    return effectiveness.correlate(
        ((u.party_building, u.values.get(measure.code)) for u in units), ordinal=measure.ordinal
    )


def _step(
    before: Period,
    after: Period,
    by_period: Mapping[int, list[UnitPoint]],
    measures: list[Measure],
    *,
    lagged: bool,
) -> StepPoint:
    """From one period to the next: party building then against business after (``lagged``),
    or the change in party building against the change in business, unit by unit."""
    first = {u.organization_id: u for u in by_period.get(before.pk, [])}
    second = {u.organization_id: u for u in by_period.get(after.pk, [])}
    correlations = {}
    for m in measures:
        if lagged:
            pairs = effectiveness.lag_pairs(
                {k: u.party_building for k, u in first.items()},
                {k: u.values.get(m.code) for k, u in second.items()},
            )
        else:
            pairs = effectiveness.change_pairs(
                {k: u.party_building for k, u in first.items()},
                {k: u.party_building for k, u in second.items()},
                {k: u.values.get(m.code) for k, u in first.items()},
                {k: u.values.get(m.code) for k, u in second.items()},
            )
        correlations[m.code] = effectiveness.correlate(pairs, ordinal=m.ordinal)
    return StepPoint(before, after, len(first.keys() & second.keys()), correlations)


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
