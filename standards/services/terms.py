"""Writes of terms: the term results recomputed after a year's roll-up, and the regulator's
business grade of a term entered by a reviewer above the organization.

`compute_for_period` is derived data (like the roll-ups it reads): it replaces the computed
fields of every term result the year touches, in a fixed number of queries whatever the size of
the tree, and running it again gives the same rows. The business grade is the only thing people
enter on a term; recomputing keeps it.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import CharField, Value
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.choices import PeriodKind, PeriodStatus, SubjectUnit
from assessment.models import Framework, Period, Rollup, SubjectScore
from audit.hooks import record_event
from audit.models import AuditKind
from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import can_from_above, is_group_administrator

from .. import config
from .. import terms as pure
from ..models import TermResult
from .refusals import NotAllowed, Refused, StaleVersion

__all__ = [
    "NotAllowed",
    "StaleVersion",
    "TermRefused",
    "bands_of",
    "can_set_business_grade",
    "compute_for_period",
    "rules_of",
    "set_business_grade",
]

COMPUTED_FIELDS = [
    "last_year",
    "years",
    "average",
    "a_grades",
    "trend",
    "revenue_growth",
    "profit_growth",
    "grade",
    "complete",
    "computed_at",
    "details",
]
BATCH = 1000
# A term counts the years that are over: an open year's roll-up is provisional (missing
# submissions count as zero), so a term would sink while its units are still entering data.
COUNTED = (PeriodStatus.CLOSED, PeriodStatus.LOCKED)


TermRefused = Refused


def bands_of(framework: Framework) -> tuple[tuple[str, float], ...]:
    """The framework's grade bands, best first, as (grade, min)."""
    bands = [(str(b["grade"]), float(b["min"])) for b in framework.grade_bands or ()]
    return tuple(sorted(bands, key=lambda band: band[1], reverse=True))


def rules_of(shape: Any) -> list[pure.TermRule]:
    """The term rules of a framework's standards section (none without a terms part)."""
    if shape.terms is None:
        return []
    return [pure.TermRule(tuple(k.applies_to), k.years, k.first_year) for k in shape.terms.kinds]


def _year_periods(code: str, years: set[int]) -> dict[int, int]:
    """The closed year period of each year among `years` for the framework code: by year, its id
    (the newest framework version's where two versions have the same year)."""
    rows = Period.objects.filter(
        framework__code=code,
        kind=PeriodKind.YEAR,
        start__year__in=sorted(years),
        status__in=COUNTED,
    ).values_list("pk", "start")
    out: dict[int, int] = {}
    for pk, start in sorted(rows, key=lambda row: row[0]):
        out[start.year] = pk
    return out


def _text(path: str | None):
    """The text of one input of a score (`inputs -> code`), or NULL when the framework has no
    such indicator."""
    if not path:
        return Value(None, output_field=CharField())
    return KeyTextTransform(path, "inputs")


def compute_for_period(period: Period) -> int:
    """Recompute the term result of every organization of the term kinds whose term contains the
    year of `period` (a year period; others change nothing). Reads the stored total roll-ups of
    the term's year periods of the same framework code and the organizations' own scores (veto,
    the veto-capped grade, the growth and business grade indicators' approved values); writes
    every term result in bulk. Returns how many were written.
    """
    if period.kind != PeriodKind.YEAR:
        return 0
    framework = period.framework
    shape = config.for_framework(framework)
    rules = rules_of(shape)
    if not rules:
        return 0
    year = period.start.year
    windows: dict[str, pure.Window] = {}
    for rule in rules:
        term = pure.window(year, first_year=rule.first_year, years=rule.years)
        for kind in rule.applies_to:
            if term is not None and kind not in windows:
                windows[kind] = term
    if not windows:
        return 0
    kinds = sorted(windows)
    organizations = dict(
        Organization.objects.filter(kind__code__in=kinds, is_active=True).values_list(
            "pk", "kind__code"
        )
    )
    if not organizations:
        return 0
    periods = _year_periods(framework.code, {y for t in windows.values() for y in t.years})
    year_of = {pk: y for y, pk in periods.items()}
    terms_shape = shape.terms
    bands = bands_of(framework)

    totals: dict[tuple[int, int], tuple[float | None, str]] = {}
    for org, period_id, score, grade in Rollup.objects.filter(
        period_id__in=list(year_of), dimension="", organization__kind__code__in=kinds
    ).values_list("organization_id", "period_id", "score", "grade"):
        totals[(org, year_of[period_id])] = (score, grade or "")
    own: dict[tuple[int, int], dict[str, Any]] = {}
    for row in (
        SubjectScore.objects.filter(
            period_id__in=list(year_of),
            subject_unit=SubjectUnit.ORGANIZATION,
            organization__kind__code__in=kinds,
        )
        .annotate(
            revenue=_text(terms_shape.revenue_growth),
            profit=_text(terms_shape.profit_growth),
            business=_text(terms_shape.business_grade),
        )
        .values("organization_id", "period_id", "vetoes", "grade", "revenue", "profit", "business")
    ):
        own[(row["organization_id"], year_of[row["period_id"]])] = row

    now = timezone.now()
    results: list[TermResult] = []
    for org, kind in organizations.items():
        term = windows[kind]
        years = []
        for y in term.years:
            total, mine = totals.get((org, y)), own.get((org, y))
            if total is None and mine is None:
                continue
            score, grade = total if total is not None else (None, "")
            vetoed = bool(mine and mine["vetoes"])
            if vetoed:
                # The roll-up's grade is its score's band; a veto caps the own score's grade.
                grade = pure.worse(grade, mine["grade"] or "", bands)
            years.append(
                pure.YearResult(
                    year=y,
                    score=score,
                    grade=grade,
                    vetoed=vetoed,
                    revenue_growth=pure.rate(mine["revenue"]) if mine else None,
                    profit_growth=pure.rate(mine["profit"]) if mine else None,
                    business=pure.business_grade(mine["business"]) if mine else "",
                )
            )
        if not years:
            continue  # no year of this term is over yet: the previous term stays the latest
        figures = pure.aggregate(term, years, bands)
        results.append(
            TermResult(
                organization_id=org,
                first_year=term.first_year,
                last_year=term.last_year,
                years=[r.to_dict() for r in years],
                average=figures.average,
                a_grades=figures.a_grades,
                trend=figures.trend,
                revenue_growth=figures.revenue_growth,
                profit_growth=figures.profit_growth,
                grade=figures.grade,
                complete=figures.complete,
                computed_at=now,
                details={
                    "framework_code": framework.code,
                    "growth_target": terms_shape.growth_target,
                    "vetoed_years": list(figures.vetoed_years),
                    "top_grade": bands[0][0] if bands else "",
                },
            )
        )
    with transaction.atomic():
        TermResult.objects.bulk_create(
            results,
            batch_size=BATCH,
            update_conflicts=True,
            unique_fields=["organization", "first_year"],
            update_fields=COMPUTED_FIELDS,
        )
    return len(results)


def can_set_business_grade(user, term: TermResult) -> bool:
    """A reviewer above the organization, or a group administrator."""
    return can_from_above(user, Action.REVIEW, term.organization) or is_group_administrator(user)


@transaction.atomic
def set_business_grade(term: TermResult, *, grade: str, version: int, acting_user) -> TermResult:
    """Enter the regulator's business grade of the term (A–D). Refused for anyone but a reviewer
    above the organization or a group administrator, for a grade off the scale, and for a form
    based on an older version of the term; a change of an entered grade is allowed and audited
    like the first entry."""
    if not can_set_business_grade(acting_user, term):
        raise NotAllowed(_("Only a reviewer above this organization may enter its term grade."))
    grade = (grade or "").strip().upper()
    if grade not in pure.BUSINESS_CHOICES:
        raise TermRefused(
            _("The business term grade is one of %(grades)s.")
            % {"grades": ", ".join(pure.BUSINESS_CHOICES)}
        )
    locked = TermResult.objects.select_for_update().get(pk=term.pk)
    if locked.version != version:
        raise StaleVersion(
            _(
                "Someone changed this term after you opened it (now version %(version)s). "
                "Reload the page and enter the grade again."
            )
            % {"version": locked.version},
            locked.version,
        )
    before = locked.business_grade
    locked.business_grade = grade
    locked.business_grade_by = acting_user
    locked.business_grade_at = timezone.now()
    locked.version += 1
    locked.save(
        update_fields=["business_grade", "business_grade_by", "business_grade_at", "version"]
    )
    record_event(
        AuditKind.TERM_SAVED,
        locked,
        summary=_("Business term grade %(first)s–%(last)s: %(grade)s")
        % {"first": locked.first_year, "last": locked.last_year, "grade": grade},
        before={"business_grade": before} if before else None,
        after={"business_grade": grade},
        acting_user=acting_user,
    )
    return locked
