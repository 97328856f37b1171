"""Reads of terms: the term results a user may see, one term's page, the group's record, and an
organization's results of a period (its secretary's rating, confirmed titles and stars) as the
dashboards and term reports show them beside its term.

Every read starts from the scope restriction or from an organization the caller read through
it; each runs in a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from assessment.models import Period
from organizations.models import Organization

from .. import config
from .. import terms as pure
from ..choices import Decision
from ..models import StarRating, TermResult, Title
from ..services.terms import can_set_business_grade
from .reports import ReportRating, rating_of

__all__ = [
    "OrganizationResults",
    "TermPage",
    "current_term",
    "group_record",
    "organization_results",
    "root_in_scope",
    "term_page",
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
    the scope); None for an organization that is not a root or has no terms yet.

    The years are those of its terms (the newest term's figures where two terms name a year):
    the record starts at the framework's first term.
    """
    if organization.parent_id is not None:
        return None
    terms = list(TermResult.objects.filter(organization=organization).order_by("first_year"))
    if not terms:
        return None
    years: dict[int, pure.YearResult] = {}
    for term in terms:
        for data in term.years:
            year = pure.YearResult.from_dict(data)
            years[year.year] = year
    latest = (terms[-1].details or {}) if terms else {}
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
    """The organization's results of a period, read through the scope (3 queries)."""
    rating = rating_of([organization.pk], period).get(organization.pk)
    names = {s.code: s.title.get(_lang()) for s in config.for_period(period).seven_good}
    titles = [
        TitleLine(t.subject_name, names.get(t.standard, t.standard), t.score)
        for t in Title.objects.restrict(user)
        .filter(period=period, organization=organization, state=Decision.CONFIRMED)
        .order_by("standard", "-score", "subject_name")
    ]
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
