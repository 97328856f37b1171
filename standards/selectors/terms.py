"""Reads of terms: the term results a user may see, one term's page, the group's record, and an
organization's results of a period (its secretary's rating, confirmed titles and stars) as the
dashboards and term reports show them beside its term.

Every read starts from the scope restriction or from an organization the caller read through
it; each runs in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from assessment.models import Period
from organizations.models import Organization

from .. import config
from .. import terms as pure
from ..choices import Decision, ReportState
from ..models import SecretaryReport, StarRating, TermResult, Title
from ..ratings import rating_named
from ..services.terms import can_set_business_grade
from .reports import ReportRating, rating_of

__all__ = [
    "OrganizationResults",
    "TermPage",
    "current_term",
    "group_record",
    "organization_results",
    "record_of",
    "root_in_scope",
    "term_page",
    "term_report",
    "visible_terms",
]


def _lang() -> str:
    return get_language() or "zh-hans"


def visible_terms(
    user,
    *,
    kind: str | None = None,
    first_year: int | None = None,
    organization: Organization | None = None,
) -> QuerySet[TermResult]:
    """The term results the user may see, with their organizations: each organization's latest
    term unless `first_year` picks one; narrowed to an organization kind's code and to an
    organization's subtree (an organization the caller read through the scope)."""
    rows = TermResult.objects.restrict(user).select_related("organization", "organization__kind")
    if first_year is not None:
        rows = rows.filter(first_year=first_year)
    else:
        latest = (
            TermResult.objects.filter(organization=OuterRef("organization"))
            .order_by("-first_year")
            .values("first_year")[:1]
        )
        rows = rows.filter(first_year=Subquery(latest))
    if kind:
        rows = rows.filter(organization__kind__code=kind)
    if organization is not None:
        rows = rows.filter(organization__path__startswith=organization.path)
    return rows.order_by("organization__path", "-first_year")


def term_years(user) -> list[int]:
    """The first years of the terms the user may see, newest first (for the list's filter)."""
    return list(
        TermResult.objects.restrict(user)
        .order_by("-first_year")
        .values_list("first_year", flat=True)
        .distinct()
    )


def scoped_term(user, pk: int) -> TermResult:
    """One term result in the user's scope, else 404."""
    return get_object_or_404(
        TermResult.objects.restrict(user).select_related(
            "organization", "organization__kind", "business_grade_by"
        ),
        pk=pk,
    )


@dataclass
class TermPage:
    """One term as its page shows it."""

    term: TermResult
    years: list[pure.YearResult]
    missing_years: list[int]
    growth_target: float
    revenue_meets: bool | None
    profit_meets: bool | None
    vetoed_years: list[int]
    may_set_business_grade: bool
    business_choices: tuple[str, ...] = pure.BUSINESS_CHOICES


def term_page(user, term: TermResult) -> TermPage:
    """The page of a term read through `scoped_term`: its years, figures and what the user may
    enter (no query beyond the user's grants)."""
    years = [pure.YearResult.from_dict(y) for y in term.years]
    target = float((term.details or {}).get("growth_target", 20))
    seen = {y.year for y in years}
    return TermPage(
        term=term,
        years=years,
        missing_years=[y for y in range(term.first_year, term.last_year + 1) if y not in seen],
        growth_target=target,
        revenue_meets=pure.meets_target(term.revenue_growth, target),
        profit_meets=pure.meets_target(term.profit_growth, target),
        vetoed_years=[y.year for y in years if y.vetoed],
        may_set_business_grade=can_set_business_grade(user, term),
    )


def current_term(organization: Organization) -> TermResult | None:
    """The organization's latest term (an organization the caller read through the scope)."""
    return TermResult.objects.filter(organization=organization).order_by("-first_year").first()


def root_in_scope(user) -> Organization | None:
    """The root organization (the group) if the user may see it."""
    return Organization.objects.restrict(user).filter(parent__isnull=True).order_by("pk").first()


def group_record(organization: Organization) -> pure.GroupRecord | None:
    """The group's record from every term of a root organization (one the caller read through
    the scope); None for an organization that is not a root or has no terms yet."""
    if organization.parent_id is not None:
        return None
    return record_of(TermResult.objects.filter(organization=organization).order_by("first_year"))


def record_of(terms) -> pure.GroupRecord | None:
    """The record from a root organization's terms (oldest first). The years are those of its
    terms (the newest term's figures where two name a year): the record starts at the
    framework's first term."""
    terms = list(terms)
    if not terms:
        return None
    years: dict[int, pure.YearResult] = {}
    for term in terms:
        for data in term.years:
            year = pure.YearResult.from_dict(data)
            years[year.year] = year
    latest = terms[-1].details or {}
    return pure.group_record(
        years.values(),
        [
            pure.TermLine(t.first_year, t.last_year, t.grade, t.business_grade, t.complete)
            for t in terms
        ],
        top=latest.get("top_grade") or "A",
        growth_target=float(latest.get("growth_target", 20)),
    )


@dataclass
class TitleLine:
    subject: str
    title: str
    score: float


@dataclass
class OrganizationResults:
    """What an organization earned in a period: its secretary's rating, its confirmed titles
    (its own and its members', departments' and leading group's) and its confirmed stars."""

    rating: ReportRating | None = None
    rating_label: str = ""
    titles: list[TitleLine] = field(default_factory=list)
    stars: int | None = None

    @property
    def empty(self) -> bool:
        return self.rating is None and not self.titles and self.stars is None


def organization_results(user, organization: Organization, period: Period) -> OrganizationResults:
    """The organization's results of a period, read through the scope: one query for each part
    the period's framework has (secretaries' reports, seven-good titles, stars), none for the
    others."""
    shape = config.for_period(period)
    rating = rating_of([organization.pk], period).get(organization.pk)
    titles: list[TitleLine] = []
    if shape.seven_good:
        names = {s.code: s.title.get(_lang()) for s in shape.seven_good}
        titles = [
            TitleLine(t.subject_name, names.get(t.standard, t.standard), t.score)
            for t in Title.objects.restrict(user)
            .filter(period=period, organization=organization, state=Decision.CONFIRMED)
            .order_by("standard", "-score", "subject_name")
        ]
    stars = None
    if shape.stars is not None:
        stars = (
            StarRating.objects.restrict(user)
            .filter(period=period, organization=organization, state=Decision.CONFIRMED)
            .values_list("stars", flat=True)
            .first()
        )
    return OrganizationResults(
        rating=rating,
        rating_label=rating.label(_lang()) if rating else "",
        titles=titles,
        stars=stars,
    )


def term_report(organization: Organization, periods: list[Period]) -> dict[str, Any]:
    """What a term report shows of the organization's terms and results, as JSON-able data:
    its terms overlapping the report's years, per period its secretary's rating, confirmed
    stars and titles, and for a root organization the group's record.

    The report's organization was chosen within the requester's scope and everything here hangs
    from it. Set-based: one query for the terms, one for each part (ratings, titles, stars) some
    period's framework has, one for a root's record.
    """
    lang = _lang()
    shapes = {p.pk: config.for_period(p) for p in periods}
    years = [p.start.year for p in periods]
    root = organization.parent_id is None
    every: list[TermResult] = []
    if years and any(s.terms for s in shapes.values()):
        every = list(TermResult.objects.filter(organization=organization).order_by("first_year"))
    terms = [t for t in every if t.first_year <= max(years) and t.last_year >= min(years)]
    ids = [p.pk for p in periods]
    ratings_by: dict[int, str] = {}
    if any(s.secretary_reports for s in shapes.values()):
        for period_id, code in (
            SecretaryReport.objects.filter(
                period_id__in=ids, organization=organization, state=ReportState.RATED
            )
            .exclude(rating="")
            .values_list("period_id", "rating")
        ):
            shape = shapes[period_id].secretary_reports
            rating = rating_named(shape.ratings, code) if shape else None
            ratings_by[period_id] = rating.name.get(lang) if rating else code
    titles_by: dict[int, list[dict[str, Any]]] = {}
    if any(s.seven_good for s in shapes.values()):
        for t in Title.objects.filter(
            period_id__in=ids, organization=organization, state=Decision.CONFIRMED
        ).order_by("standard", "-score", "subject_name"):
            names = {s.code: s.title.get(lang) for s in shapes[t.period_id].seven_good}
            titles_by.setdefault(t.period_id, []).append(
                {"subject": t.subject_name, "title": names.get(t.standard, t.standard)}
            )
    stars_by: dict[int, int | None] = {}
    if any(s.stars for s in shapes.values()):
        stars_by = dict(
            StarRating.objects.filter(
                period_id__in=ids, organization=organization, state=Decision.CONFIRMED
            ).values_list("period_id", "stars")
        )
    record = record_of(every) if root else None
    return {
        "terms": [
            {
                "first_year": t.first_year,
                "last_year": t.last_year,
                "years": t.years,
                "average": t.average,
                "a_grades": t.a_grades,
                "trend": t.trend,
                "grade": t.grade,
                "complete": t.complete,
                "revenue_growth": t.revenue_growth,
                "profit_growth": t.profit_growth,
                "growth_target": float((t.details or {}).get("growth_target", 20)),
                "business_grade": t.business_grade,
            }
            for t in terms
        ],
        "results": [
            {
                "period": p.pk,
                "rating": ratings_by.get(p.pk, ""),
                "stars": stars_by.get(p.pk),
                "titles": titles_by.get(p.pk, []),
            }
            for p in periods
        ],
        "record": asdict(record) if record is not None else None,
    }
