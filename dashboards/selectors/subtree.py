"""Reads over an organization's whole subtree for the dashboard: timeliness of submissions,
the grade distribution of the subjects, the weakest indicators, and the drill-down lists behind
them (the subjects of a grade, the subjects weakest on an indicator).

Each is one query whatever the size of the subtree. The weakest indicators are averaged by the
database from the indicator results packed in each stored subject score (JSON): `json_each` on
SQLite, `jsonb_each` on PostgreSQL — the only raw SQL here, because the ORM has no way to
unnest a JSON object.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, QuerySet
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast
from django.utils import timezone

from assessment.choices import SubmissionState
from assessment.models import Period, SubjectScore, Submission, Transition
from assessment.scoring import Framework as EngineFramework
from organizations.models import Organization

if TYPE_CHECKING:
    from .submitted import Provisional

WEAK_SHOWN = 10
DRILL_SHOWN = 50
SUBMITTED_OR_LATER = (SubmissionState.SUBMITTED, SubmissionState.APPROVED, SubmissionState.LOCKED)
# Positions in a stored score's indicator entry (SubjectScore.INDICATOR_FIELDS).
FRACTION, RECTIFY = 2, 4


@dataclass
class Timeliness:
    """The subtree's submissions of the period: how many are expected, were submitted by the
    deadline, and wait for review now."""

    expected: int = 0
    on_time: int = 0
    submitted: int = 0
    waiting: int = 0
    deadline_passed: bool = False

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.expected if self.expected else None


def _deadline_end(period: Period) -> datetime.datetime:
    """The first moment after the deadline day, in the portal's time zone."""
    day = period.deadline + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def timeliness(user, period: Period, organization: Organization, *, now) -> Timeliness:
    """On time means first submitted (a transition to "submitted") on or before the deadline
    day; a submission returned and resubmitted later still counts as on time. One query."""
    end = _deadline_end(period)
    first_in_time = Transition.objects.filter(
        submission=OuterRef("pk"), to_state=SubmissionState.SUBMITTED, at__lt=end
    )
    counts = (
        Submission.objects.restrict(user)
        .within(organization)
        .filter(period=period)
        .aggregate(
            expected=Count("pk"),
            on_time=Count("pk", filter=Q(Exists(first_in_time))),
            submitted=Count("pk", filter=Q(state__in=SUBMITTED_OR_LATER)),
            waiting=Count("pk", filter=Q(state=SubmissionState.SUBMITTED)),
        )
    )
    return Timeliness(**counts, deadline_passed=now >= end)


@dataclass
class GradeDistribution:
    """How many subjects of each kind earned each grade, in band and framework order."""

    grades: list[str]
    kinds: list[tuple[str, str]]  # (code, name)
    counts: dict[tuple[str, str], int] = field(default_factory=dict)

    def count(self, kind: str, grade: str) -> int:
        return self.counts.get((kind, grade), 0)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def rows(self) -> list[tuple[str, str, list[tuple[str, int]]]]:
        """(kind code, kind name, (grade, count) per grade) for the kinds that have any."""
        out = []
        for code, name in self.kinds:
            cells = [(grade, self.count(code, grade)) for grade in self.grades]
            if any(count for _grade, count in cells):
                out.append((code, name, cells))
        return out


def subtree_scores(user, period: Period, organization: Organization) -> QuerySet[SubjectScore]:
    """The subject scores of the organization's subtree in the period, in the reader's scope:
    what the drill-down lists narrow (`dashboards.filters`)."""
    return SubjectScore.objects.restrict(user).within(organization).filter(period=period)


GradeCounts = dict[tuple[str, str], int]


def grade_counts(period: Period, organization: Organization) -> GradeCounts:
    """How many subjects of the subtree have each (kind, grade): one query.

    No reader here: the organization was read through the scope, and a grant covers a whole
    subtree, so every reader who may open the organization sees all of its subtree's scores
    (`ScopedQuerySet.restrict(user).within(organization)` keeps every row of `within`). The
    counts are therefore the same for all of them, and cached once per organization.
    """
    rows = (
        SubjectScore.objects.within(organization)
        .filter(period=period)
        .order_by()
        .values_list("subject_kind", "grade")
        .annotate(n=Count("pk"))
    )
    return {(kind, grade): n for kind, grade, n in rows if grade}


def grade_distribution(spec: EngineFramework, lang: str, counts: GradeCounts) -> GradeDistribution:
    """The counts in the framework's bands and kinds, named in the language."""
    return GradeDistribution(
        grades=[band.grade for band in spec.grade_bands],
        kinds=[(kind.code, kind.name.get(lang)) for kind in spec.subject_kinds],
        counts=dict(counts),
    )


@dataclass
class WeakIndicator:
    """An indicator's average share of its points over the subtree's scored subjects."""

    code: str
    name: str
    average: float
    subjects: int
    to_rectify: int
    threshold: float
    # With the switch on: the average with the submitted subjects in view, and how many.
    with_submitted: float | None = None
    submitted: int = 0


def _weak_sql() -> str:
    quote = connection.ops.quote_name
    scores, orgs = (quote(SubjectScore._meta.db_table), quote(Organization._meta.db_table))
    if connection.vendor == "postgresql":
        fraction = f"(j.value->>{FRACTION})::float"
        rectify = f"CASE WHEN (j.value->>{RECTIFY})::boolean THEN 1 ELSE 0 END"
        unnest = "CROSS JOIN LATERAL jsonb_each(s.indicators) j"
    else:
        fraction = f"json_extract(j.value, '$[{FRACTION}]')"
        rectify = f"json_extract(j.value, '$[{RECTIFY}]')"
        unnest = ", json_each(s.indicators) j"
    return (
        f"SELECT j.key, AVG({fraction}), COUNT({fraction}), SUM({rectify}) "
        f"FROM {scores} s JOIN {orgs} o ON o.id = s.organization_id {unnest} "
        "WHERE s.period_id = %s AND o.path LIKE %s "
        "GROUP BY j.key"
    )


# (indicator code, average share, subjects scored on it, subjects below its threshold)
WeakRow = tuple[str, float | None, int, int]


def weak_rows(period: Period, organization: Organization) -> list[WeakRow]:
    """Every indicator's average share of its points over the subtree's scored subjects: one
    query. The subtree is that of an organization the caller read through the scope (whose
    whole subtree its readers see, as for `grade_counts`)."""
    with connection.cursor() as cursor:
        # Paths hold digits and "/" only: nothing to escape in the LIKE pattern.
        cursor.execute(_weak_sql(), [period.pk, f"{organization.path}%"])
        return [
            (code, average, int(subjects), int(to_rectify or 0))
            for code, average, subjects, to_rectify in cursor.fetchall()
        ]


def weakest(spec: EngineFramework, lang: str, rows: Iterable[WeakRow]) -> list[WeakIndicator]:
    """The scored indicators of `rows` with the lowest average share, named in the language.

    Bonus, veto and record-only indicators are left out: a low share there is no weakness.
    """
    weak = []
    for code, average, subjects, to_rectify in rows:
        try:
            indicator = spec.indicator(code)
        except KeyError:
            continue
        if not indicator.scored or average is None:
            continue
        weak.append(
            WeakIndicator(
                code=code,
                name=indicator.name.get(lang),
                average=float(average),
                subjects=subjects,
                to_rectify=to_rectify,
                threshold=spec.rectify_threshold(indicator),
            )
        )
    weak.sort(key=lambda w: (w.average, -w.to_rectify, w.code))
    return weak[:WEAK_SHOWN]


def weak_indicators(
    period: Period, organization: Organization, spec: EngineFramework, lang: str
) -> list[WeakIndicator]:
    """The scored indicators with the lowest average share of their points over the subtree."""
    return weakest(spec, lang, weak_rows(period, organization))


def add_provisional(weak: list[WeakIndicator], provisional: Iterable[Provisional]) -> None:
    """Fold the submitted subjects in view into the weak indicators' averages (marked apart)."""
    fractions: dict[str, list[float]] = {}
    for score in provisional:
        for code, fraction in score.fractions.items():
            if fraction is not None:
                fractions.setdefault(code, []).append(fraction)
    for item in weak:
        extra = fractions.get(item.code, [])
        item.submitted = len(extra)
        if extra:
            total = item.average * item.subjects + sum(extra)
            item.with_submitted = total / (item.subjects + len(extra))


@dataclass
class SubjectLine:
    """One subject in a drill-down list, pointing at its submission."""

    submission_id: int
    subject: str
    organization: str
    total: float
    grade: str
    fraction: float | None = None


def subject_lines(queryset: QuerySet[SubjectScore], lang: str) -> list[SubjectLine]:
    """The first 50 subjects of a drill-down list, in its order (one query)."""
    names = ("organization__name", "organization__name_en")
    rows = queryset.values_list(
        "submission_id", "submission__subject_name", *names, "total", "grade", "fraction"
    )[:DRILL_SHOWN]
    return [
        SubjectLine(pk, subject, (en if lang == "en" and en else zh), total, grade, fraction)
        for pk, subject, zh, en, total, grade, fraction in rows
    ]


def lowest_totals(queryset: QuerySet[SubjectScore]) -> QuerySet[SubjectScore]:
    """The subjects lowest total first (a grade's drill-down list)."""
    return queryset.annotate(fraction=Cast(None, FloatField())).order_by("total", "submission_id")


def weakest_on(queryset: QuerySet[SubjectScore], code: str) -> QuerySet[SubjectScore]:
    """The subjects scored on an indicator, lowest share of its points first."""
    entry = KeyTransform(code, "indicators")
    return (
        queryset.annotate(fraction=Cast(KeyTextTransform(str(FRACTION), entry), FloatField()))
        .filter(fraction__isnull=False)
        .order_by(F("fraction").asc(), "total", "submission_id")
    )
