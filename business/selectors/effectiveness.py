"""Reads behind the effectiveness page: party building against business results, over years.

The units are the organizations of one kind (a level of the tree: committees, general
branches, …) below the organization looked at, within the reader's scope. A unit's party
building in a year is its roll-up total row's ``party_building`` for that year's annual period:
every own total of its subtree without business results, rolled up like the total (so business
results never sit on both sides of a comparison). Its business results are its business figures
for the year (business app), entered by the finance side, never derived from the scores.

Every function reads in a fixed number of queries whatever the size of the subtree; the
statistics are the pure `business.statistics` and `business.claims`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from django.db.models import Count

from assessment.choices import PeriodKind, PeriodStatus
from assessment.models import Period, Rollup
from business.choices import GRADE_VALUES, FigureSource, Scale
from business.models import BusinessFigure, BusinessMeasure
from organizations.models import Organization, bilingual_name

from .. import claims, statistics, wording

TREND_YEARS = 8  # annual periods on the "per year" chart and table
PERIOD_CHOICES = 30
TOTAL = ""  # the dimension code of a roll-up's total row
DEFAULT_GROWTH_TARGET = 20.0  # the seed's "about 20% a year", unless the framework says otherwise


@dataclass(frozen=True)
class Measure:
    """A business measure as the analysis reads it; a grade is ordinal (headline ρ)."""

    code: str
    name: str
    unit: str
    ordinal: bool


@dataclass(frozen=True)
class Level:
    """A kind of organization below the one looked at that has business figures."""

    code: str
    name: str
    units: int  # organizations of this kind with at least one figure


@dataclass
class UnitPoint:
    """One unit in the chosen year: its party building and its business figures."""

    organization_id: int
    code: str
    name: str
    within: str  # the parent's name where it is not the organization looked at
    rollup_id: int
    party_building: float | None
    score: float | None
    grade: str
    values: dict[str, float | None] = field(default_factory=dict)  # measure code → number
    shown: dict[str, str] = field(default_factory=dict)  # measure code → as the table shows it

    @property
    def label(self) -> str:
        """Its name, with its parent's where that tells it apart."""
        return f"{self.name} · {self.within}" if self.within else self.name

    @property
    def shown_list(self) -> list[str]:
        """The figures as the table shows them, in the measures' order ("" where none)."""
        return list(self.shown.values())


@dataclass
class MeasureCorrelation:
    measure: Measure
    correlation: statistics.Correlation
    fit: statistics.Fit | None = None


@dataclass
class YearPoint:
    """The same-year correlations of one annual period."""

    period: Period
    units: int  # units with a party-building figure that year
    correlations: dict[str, statistics.Correlation]


@dataclass
class StepPoint:
    """From one year to the next: party building in the first against business in the second
    (lag), or the change in one against the change in the other."""

    before: Period
    after: Period
    units: int  # units with a party-building figure in both years
    correlations: dict[str, statistics.Correlation]


@dataclass
class UnitClaims:
    organization_id: int
    name: str
    within: str
    claims: claims.Claims


@dataclass
class Effectiveness:
    organization: Organization
    period: Period
    year: int
    levels: list[Level]
    level: Level | None
    measures: list[Measure]
    units: list[UnitPoint]
    correlations: list[MeasureCorrelation]
    trend: list[YearPoint]
    lag: list[StepPoint]
    change: list[StepPoint]
    own_claims: claims.Claims
    unit_claims: list[UnitClaims]
    without_party_building: int  # units whose roll-up predates the party-building figure
    demo: bool = False  # some figure compared is the demo's (made up): never evidence

    @property
    def with_figures(self) -> bool:
        return any(u.values for u in self.units)

    def chart_data(self) -> dict[str, Any]:
        """What the charts draw; the tables beside them show the same numbers."""
        return {
            "scatter": [
                {
                    "code": m.measure.code,
                    "name": m.measure.name,
                    "unit": m.measure.unit,
                    "ordinal": m.measure.ordinal,
                    "symbol": m.correlation.headline_symbol,
                    "headline": m.correlation.headline,
                    "n": m.correlation.n,
                    "points": [
                        [u.party_building, u.values[m.measure.code], u.label]
                        for u in self.units
                        if u.party_building is not None and u.values.get(m.measure.code) is not None
                    ],
                    "fit": _fit_data(m.fit),
                }
                for m in self.correlations
            ],
            "years": {
                "labels": [str(point.period.start.year) for point in self.trend],
                "series": [
                    {
                        "code": m.code,
                        "name": m.name,
                        "symbol": "ρ" if m.ordinal else "r",
                        "values": [_coefficient(p.correlations.get(m.code)) for p in self.trend],
                    }
                    for m in self.measures
                ],
            },
        }


def _fit_data(fit: statistics.Fit | None) -> dict[str, Any] | None:
    if fit is None:
        return None
    return {"slope": fit.slope, "intercept": fit.intercept, "band": [list(b) for b in fit.band]}


def _coefficient(correlation: statistics.Correlation | None) -> dict[str, Any] | None:
    """A coefficient with its interval for the per-year chart; None where there is none."""
    if correlation is None or correlation.too_few or correlation.headline is None:
        return None
    interval = correlation.headline_interval
    return {
        "value": correlation.headline,
        "low": interval.low if interval else None,
        "high": interval.high if interval else None,
        "n": correlation.n,
        "verdict": correlation.verdict,
    }


# -- choices ---------------------------------------------------------------------------------------


def annual_periods() -> list[Period]:
    """The annual periods to choose from (not the planned ones), newest first."""
    return list(
        Period.objects.filter(kind=PeriodKind.YEAR)
        .exclude(status=PeriodStatus.PLANNED)
        .select_related("framework")
        .order_by("-start", "pk")[:PERIOD_CHOICES]
    )


def default_period(organization: Organization, periods: list[Period]) -> Period | None:
    """The latest closed annual period with roll-ups of the organization (final results), else
    the latest annual period with roll-ups; `periods` is newest first."""
    rolled = set(
        Rollup.objects.filter(
            period__in=[p.pk for p in periods], organization=organization, dimension=TOTAL
        ).values_list("period_id", flat=True)
    )
    with_rows = [p for p in periods if p.pk in rolled]
    final = next((p for p in with_rows if p.status != PeriodStatus.OPEN), None)
    return final or (with_rows[0] if with_rows else None)


def _scoped(model, user):
    """The model's rows in the reader's scope; every row for ``user=None``, which only the report
    worker passes: the report's organization was checked against its requester's scope."""
    return model.objects.all() if user is None else model.objects.restrict(user)


def _below(queryset, organization: Organization, prefix: str = "organization__"):
    """Rows of organizations strictly below ``organization`` (its subtree without itself)."""
    return queryset.filter(**{f"{prefix}path__startswith": organization.path}).exclude(
        **{f"{prefix}pk": organization.pk}
    )


def levels_below(user, organization: Organization, lang: str) -> list[Level]:
    """The kinds of organization below this one that have business figures, shallowest first,
    with how many organizations of each have any (one grouped query)."""
    figures = _below(_scoped(BusinessFigure, user), organization)
    kind = "organization__kind__"
    rows = (
        figures.order_by()
        .values(f"{kind}code", f"{kind}name", f"{kind}name_en", f"{kind}rank")
        .annotate(units=Count("organization", distinct=True))
        .values_list(f"{kind}code", f"{kind}name", f"{kind}name_en", f"{kind}rank", "units")
    )
    found = sorted(rows, key=lambda row: (row[3], row[0]))
    return [
        Level(code, bilingual_name(name, name_en, lang == "en"), units)
        for code, name, name_en, _rank, units in found
    ]


def default_level(levels: list[Level]) -> Level | None:
    """The level with the most units (the shallowest among equals): the one where the analysis
    has most to go on. A level with fewer than the minimum gives no coefficient, and says so."""
    return max(levels, key=lambda level: (level.units, -levels.index(level)), default=None)


# -- the analysis ----------------------------------------------------------------------------------


def measures_of(lang: str) -> list[Measure]:
    english = lang == "en"
    return [
        Measure(
            code=m.code,
            name=bilingual_name(m.name, m.name_en, english),
            unit=(m.unit_en or m.unit) if english else m.unit,
            ordinal=m.scale == Scale.GRADE,
        )
        for m in BusinessMeasure.objects.filter(is_active=True).order_by("position", "code")
    ]


def _trend_periods(period: Period) -> list[Period]:
    """This annual period and the earlier ones of the same framework code, oldest first."""
    rows = (
        Period.objects.filter(
            framework__code=period.framework.code, kind=PeriodKind.YEAR, start__lte=period.start
        )
        .exclude(status=PeriodStatus.PLANNED)
        .select_related("framework")
        .order_by("-start")[:TREND_YEARS]
    )
    out = list(reversed(rows))
    if period.pk not in {p.pk for p in out}:
        out.append(period)
    return out


def _as_number(measure: Measure, value, grade: str) -> float | None:
    if measure.ordinal:  # correlated by rank as A=4 … D=1: the order is all that counts
        return GRADE_VALUES.get(grade)
    return None if value is None else float(value)


def _shown(measure: Measure, value, grade: str) -> str:
    if measure.ordinal:
        return grade
    return "" if value is None else f"{float(value):.2f}".rstrip("0").rstrip(".")


def growth_target(period: Period) -> float:
    """The framework's growth target for terms (`standards.terms.growth_target`), else 20%."""
    standards = period.framework.standards or {}
    target = (standards.get("terms") or {}).get("growth_target")
    return float(target) if target is not None else DEFAULT_GROWTH_TARGET


def effectiveness_of(
    user, organization: Organization, period: Period, lang: str, *, level: str | None = None
) -> Effectiveness:
    """The units of one level below the organization in the period's year and the years before:
    party building against every active business measure, the same year, lagged a year and
    change against change, with the seed's claims for the organization and each unit.

    Five queries whatever the size of the subtree: the levels, the measures, the trend's
    periods, the roll-up rows (with the units' names) and the figures (the units' and the
    organization's own).
    """
    year = period.start.year
    levels = levels_below(user, organization, lang)
    chosen = next((lv for lv in levels if lv.code == level), None) or default_level(levels)
    measures = measures_of(lang)
    trend_periods = _trend_periods(period)
    years = {p.pk: p.start.year for p in trend_periods}

    by_year: dict[int, dict[int, UnitPoint]] = defaultdict(dict)
    if chosen is not None:
        rows = (
            _below(_scoped(Rollup, user), organization)
            .filter(
                period_id__in=list(years),
                dimension=TOTAL,
                organization__kind__code=chosen.code,
            )
            .order_by()
            .values_list(
                "period_id",
                "organization_id",
                "organization__code",
                "organization__name",
                "organization__name_en",
                "organization__parent_id",
                "organization__parent__name",
                "organization__parent__name_en",
                "pk",
                "party_building",
                "score",
                "grade",
            )
        )
        english = lang == "en"
        for row in rows:
            period_id, org_id, code, name, name_en, parent_id, parent, parent_en = row[:8]
            pk, party, score, grade = row[8:]
            by_year[years[period_id]][org_id] = UnitPoint(
                organization_id=org_id,
                code=code,
                name=bilingual_name(name, name_en, english),
                # Units of one kind share names across parents (信息系统事业部党总支 in every
                # institute): the parent tells them apart, unless it is the page's organization.
                within=""
                if parent_id == organization.pk
                else bilingual_name(parent or "", parent_en or "", english),
                rollup_id=pk,
                party_building=party,
                score=score,
                grade=grade,
            )

    figures, demo = _figures(user, organization, chosen, measures, max(years.values()) + 1)
    own_figures = figures.pop(organization.pk, {})
    values = {
        org: {
            year_: {code: number for code, (number, _shown_value) in row.items()}
            for year_, row in by_year_.items()
        }
        for org, by_year_ in figures.items()
    }
    for unit_year, units in by_year.items():
        for org_id, unit in units.items():
            row = figures.get(org_id, {}).get(unit_year, {})
            unit.values = {m.code: row[m.code][0] if m.code in row else None for m in measures}
            unit.shown = {m.code: row[m.code][1] if m.code in row else "" for m in measures}

    current = by_year.get(year, {})
    units = sorted(current.values(), key=lambda u: u.code)
    correlations = []
    for m in measures:
        pairs = _pairs(current, values, m.code, year)
        known = [(x, y) for x, y in pairs if x is not None and y is not None]
        correlations.append(
            MeasureCorrelation(
                m,
                statistics.correlate(pairs, ordinal=m.ordinal),
                statistics.fit(known) if len(known) >= statistics.MIN_PAIRS else None,
            )
        )
    trend = [
        YearPoint(
            period=p,
            units=sum(
                1 for u in by_year.get(p.start.year, {}).values() if u.party_building is not None
            ),
            correlations={
                m.code: statistics.correlate(
                    _pairs(by_year.get(p.start.year, {}), values, m.code, p.start.year),
                    ordinal=m.ordinal,
                )
                for m in measures
            },
        )
        for p in trend_periods
    ]
    steps = list(pairwise(trend_periods))
    target = growth_target(period)
    names = {u.organization_id: (u.name, u.within) for u in units}
    return Effectiveness(
        organization=organization,
        period=period,
        year=year,
        levels=levels,
        level=chosen,
        measures=measures,
        units=units,
        correlations=correlations,
        trend=trend,
        lag=[_step(a, b, by_year, values, measures, lagged=True) for a, b in steps],
        change=[_step(a, b, by_year, values, measures, lagged=False) for a, b in steps],
        own_claims=claims.claims_of(_claim_figures(own_figures), year, target=target),
        unit_claims=[
            UnitClaims(org, *names[org], claims.claims_of(_claim_figures(f), year, target=target))
            for org, f in ((u.organization_id, figures[u.organization_id]) for u in units)
            if org in figures
        ],
        without_party_building=sum(1 for u in units if u.party_building is None),
        demo=demo,
    )


def _figures(
    user, organization: Organization, level: Level | None, measures: list[Measure], last_year: int
) -> tuple[dict[int, dict[int, dict[str, tuple[float | None, str]]]], bool]:
    """Organization → year → measure code → (number, as shown), for the organization itself and
    the units of the level, up to ``last_year``, and whether any of them is the demo's: one
    query."""
    by_code = {m.code: m for m in measures}
    queryset = _scoped(BusinessFigure, user).filter(
        measure__code__in=list(by_code), year__lte=last_year
    )
    own = queryset.filter(organization=organization)
    if level is not None:
        queryset = _below(queryset, organization).filter(organization__kind__code=level.code)
        queryset = queryset | own
    else:
        queryset = own
    out: dict[int, dict[int, dict[str, tuple[float | None, str]]]] = defaultdict(
        lambda: defaultdict(dict)
    )
    demo = False
    rows = queryset.order_by().values_list(
        "organization_id", "measure__code", "year", "value", "grade", "source"
    )
    for org, code, year, value, grade, source in rows:
        m = by_code[code]
        out[org][year][code] = (_as_number(m, value, grade), _shown(m, value, grade))
        demo = demo or source == FigureSource.DEMO
    return out, demo


def _claim_figures(
    figures: Mapping[int, Mapping[str, tuple[float | None, str]]],
) -> dict[str, dict[int, float | str | None]]:
    """One organization's figures as the claims read them: grades as letters, others numbers."""
    out: dict[str, dict[int, float | str | None]] = defaultdict(dict)
    for year, row in figures.items():
        for code, (number, shown) in row.items():
            out[code][year] = shown if code in claims.GRADE_MEASURES else number
    return out


def _pairs(
    units: Mapping[int, UnitPoint],
    values: Mapping[int, Mapping[int, Mapping[str, float | None]]],
    code: str,
    year: int,
) -> list[tuple[float | None, float | None]]:
    return [
        (unit.party_building, values.get(org, {}).get(year, {}).get(code))
        for org, unit in units.items()
    ]


def _step(
    before: Period,
    after: Period,
    by_year: Mapping[int, Mapping[int, UnitPoint]],
    values: Mapping[int, Mapping[int, Mapping[str, float | None]]],
    measures: Iterable[Measure],
    *,
    lagged: bool,
) -> StepPoint:
    first_year, second_year = before.start.year, after.start.year
    first, second = by_year.get(first_year, {}), by_year.get(second_year, {})
    party_first = {org: u.party_building for org, u in first.items()}
    correlations = {}
    for m in measures:

        def business(year: int, code: str = m.code) -> dict[int, float | None]:
            return {org: by.get(year, {}).get(code) for org, by in values.items()}

        if lagged:
            pairs = statistics.lag_pairs(party_first, business(second_year))
        else:
            pairs = statistics.change_pairs(
                party_first,
                {org: u.party_building for org, u in second.items()},
                business(first_year),
                business(second_year),
            )
        correlations[m.code] = statistics.correlate(pairs, ordinal=m.ordinal)
    return StepPoint(before, after, len(first.keys() & second.keys()), correlations)


# -- as data (the API, the term report) ------------------------------------------------------------


def _interval(interval: statistics.Interval | None) -> list[float] | None:
    return None if interval is None else [interval.low, interval.high]


def correlation_data(correlation: statistics.Correlation) -> dict[str, Any]:
    return {
        "n": correlation.n,
        "too_few": correlation.too_few,
        "headline": correlation.headline_symbol,
        "r": correlation.r,
        "r_interval": _interval(correlation.r_interval),
        "rho": correlation.rho,
        "rho_interval": _interval(correlation.rho_interval),
        "verdict": correlation.verdict,
        "text": wording.describe_correlation(correlation),
    }


def claims_data(c: claims.Claims) -> dict[str, Any]:
    def growth(g: claims.Growth | None) -> dict[str, Any] | None:
        if g is None:
            return None
        return {
            "percent": g.percent,
            "first": g.first,
            "last": g.last,
            "method": g.method,
            "meets_target": g.meets(c.target),
        }

    return {
        "a_years_in_row": c.a_years_in_row,
        "annual_grades": [{"year": y, "grade": g} for y, g in c.annual_grades],
        "term_grades": [{"year": y, "grade": g} for y, g in c.term_grades],
        "terms_a": c.terms_a,
        "revenue_growth": growth(c.revenue_growth),
        "profit_growth": growth(c.profit_growth),
        "growth_target": c.target,
    }


def _steps(steps: list[StepPoint]) -> list[dict[str, Any]]:
    return [
        {
            "from": step.before.start.year,
            "to": step.after.start.year,
            "units": step.units,
            "correlations": {code: correlation_data(c) for code, c in step.correlations.items()},
        }
        for step in steps
    ]


def as_data(data: Effectiveness) -> dict[str, Any]:
    """The whole analysis as JSON-ready data, with the sentences the page shows (the API and
    the term report give this)."""
    return {
        "organization": {"id": data.organization.pk, "code": data.organization.code},
        "year": data.year,
        "period": data.period.pk,
        "levels": [{"code": lv.code, "name": lv.name, "units": lv.units} for lv in data.levels],
        "level": data.level.code if data.level else None,
        "demo": data.demo,
        "min_pairs": statistics.MIN_PAIRS,
        "measures": [
            {"code": m.code, "name": m.name, "unit": m.unit, "ordinal": m.ordinal}
            for m in data.measures
        ],
        "same_year": {
            m.measure.code: {
                **correlation_data(m.correlation),
                "fit": None
                if m.fit is None
                else {"slope": m.fit.slope, "intercept": m.fit.intercept},
            }
            for m in data.correlations
        },
        "years": [
            {
                "year": point.period.start.year,
                "period": point.period.pk,
                "units": point.units,
                "correlations": {
                    code: correlation_data(c) for code, c in point.correlations.items()
                },
            }
            for point in data.trend
        ],
        "lag": _steps(data.lag),
        "change": _steps(data.change),
        "claims": {
            "own": claims_data(data.own_claims),
            "units": [
                {
                    "organization": u.organization_id,
                    "name": u.name,
                    "within": u.within,
                    **claims_data(u.claims),
                }
                for u in data.unit_claims
            ],
        },
        "units": [
            {
                "organization": u.organization_id,
                "code": u.code,
                "name": u.name,
                "within": u.within,
                "party_building": u.party_building,
                "score": u.score,
                "grade": u.grade,
                "figures": u.values,
            }
            for u in data.units
        ],
        "without_party_building": data.without_party_building,
    }
