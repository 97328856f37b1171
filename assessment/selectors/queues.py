"""Reads behind the work lists: a secretary's to-do list, a reviewer's queue, completeness per
subtree, a user's notices and the periods list.

Every function starts from a queryset restricted to the user's scope and costs a fixed number of
queries whatever the number of rows or organizations.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Concat, StrIndex, Substr

from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import scope_prefixes

from ..choices import PeriodStatus, SubjectUnit, SubmissionState
from ..models import Notice, Period, Submission, Transition

EDITABLE = (SubmissionState.DRAFT, SubmissionState.RETURNED)
SUBMITTED_OR_LATER = (SubmissionState.SUBMITTED, SubmissionState.APPROVED, SubmissionState.LOCKED)
APPROVED_OR_LATER = (SubmissionState.APPROVED, SubmissionState.LOCKED)


def _last_return() -> QuerySet[Transition]:
    """The latest step back to "returned" (a reviewer's return or an administrator's reopen)."""
    return Transition.objects.filter(
        submission=OuterRef("pk"), to_state=SubmissionState.RETURNED
    ).order_by("-at", "-id")


def my_open_submissions(user) -> QuerySet[Submission]:
    """What a secretary still has to do: submissions they can enter in open periods.

    Approved and locked ones are done and left out. Returned ones come first, with the reason and
    the reviewer of their latest return (correlated subqueries: no query per row), then the rest
    by deadline; submitted ones (waiting for review) come last.
    """
    last_return = _last_return()
    return (
        Submission.objects.restrict(user, Action.ENTER)
        .filter(period__status=PeriodStatus.OPEN)
        .exclude(state__in=APPROVED_OR_LATER)
        .select_related("period", "organization")
        .annotate(
            return_reason=Subquery(last_return.values("reason")[:1]),
            returned_by=Subquery(last_return.values("by__username")[:1]),
            returned_at=Subquery(last_return.values("at")[:1]),
            state_rank=Case(
                When(state=SubmissionState.RETURNED, then=Value(0)),
                When(state=SubmissionState.DRAFT, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
        )
        .order_by("state_rank", "period__deadline", "organization__path", "subject_name", "pk")
    )


def reviewable_submissions(user) -> QuerySet[Submission]:
    """Submissions the user may return or approve: `services.submissions.can_review` as a query.

    A reviewer acts on their grant roots' subtrees, except on the organization subjects of those
    roots themselves (an organization never approves its own submission).
    """
    prefixes = scope_prefixes(user, Action.REVIEW)
    queryset = Submission.objects.restrict(user, Action.REVIEW)
    if prefixes:
        queryset = queryset.exclude(
            subject_unit=SubjectUnit.ORGANIZATION, organization__path__in=prefixes
        )
    return queryset


def state_counts(queryset: QuerySet[Submission]) -> dict[str, int]:
    """How many submissions of `queryset` are in each state, every state present (one query)."""
    counts = dict.fromkeys(SubmissionState.values, 0)
    counts.update(
        queryset.order_by().values_list("state").annotate(n=Count("pk")).values_list("state", "n")
    )
    return counts


def queue_rows(queryset: QuerySet[Submission]) -> QuerySet[Submission]:
    """The review queue's rows in the order to review them: the nearest deadline first."""
    return queryset.select_related("period", "organization").order_by(
        "period__deadline", "submitted_at", "organization__path", "subject_name", "pk"
    )


def review_scope_organizations(user) -> QuerySet[Organization]:
    """The top of the user's review scope and the level below: the queue's subtree choices."""
    prefixes = scope_prefixes(user, Action.REVIEW)
    queryset = Organization.objects.restrict(user, Action.REVIEW)
    if prefixes is None:
        queryset = queryset.filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
    else:
        queryset = queryset.filter(Q(path__in=prefixes) | Q(parent__path__in=prefixes))
    return queryset.order_by("path")


def visible_periods() -> QuerySet[Period]:
    """Periods that have submissions (opened at least once), newest first."""
    return (
        Period.objects.exclude(status=PeriodStatus.PLANNED)
        .select_related("framework")
        .order_by("-start", "kind", "pk")
    )


def pick_period(periods: list[Period], period_id: int | None) -> Period | None:
    """The period asked for if it is among `periods`, else the latest open one, else the latest."""
    chosen = next((p for p in periods if p.pk == period_id), None)
    if chosen is None:
        chosen = next((p for p in periods if p.status == PeriodStatus.OPEN), None)
    if chosen is None and periods:
        chosen = periods[0]
    return chosen


def scope_roots(user) -> QuerySet[Organization]:
    """The top organizations of the user's scope (the roots of the tree for superusers)."""
    prefixes = scope_prefixes(user, Action.VIEW)
    queryset = Organization.objects.restrict(user).select_related("kind").order_by("path")
    if prefixes is None:
        return queryset.filter(parent__isnull=True)
    return queryset.filter(path__in=prefixes)


def subject_kind_names(periods, lang: str) -> dict[str, str]:
    """Subject kind code → its name in the language, from the periods' frameworks (no query)."""
    names: dict[str, str] = {}
    for period in periods:
        for kind in period.framework.subject_kinds:
            name = kind.get("name") or {}
            names.setdefault(kind["code"], name.get(lang) or name.get("zh") or kind["code"])
    return names


@dataclass
class CompletenessRow:
    """Counts for one organization's subtree (or its own subjects) in one period."""

    organization: Organization | None
    expected: int = 0
    submitted: int = 0
    approved: int = 0
    overdue: int = 0

    @property
    def percent_submitted(self) -> int | None:
        return round(100 * self.submitted / self.expected) if self.expected else None

    def add(self, other: "CompletenessRow") -> None:
        self.expected += other.expected
        self.submitted += other.submitted
        self.approved += other.approved
        self.overdue += other.overdue


@dataclass
class Completeness:
    """One organization, its own subjects, each direct child's subtree, and the total."""

    organization: Organization
    period: Period
    own: CompletenessRow
    children: list[CompletenessRow] = field(default_factory=list)
    total: CompletenessRow = field(default_factory=lambda: CompletenessRow(None))


def _child_segment(parent_path: str):
    """The id (as text) of the child of `parent_path` an organization path lies under.

    ``/1/5/23/40/`` under ``/1/5/`` → ``"23"``; the parent's own path → ``""``. A "/" is appended
    before looking for the first one, so the length is never negative on any database.
    """
    rest = Concat(Substr("organization__path", len(parent_path) + 1), Value("/"))
    return Substr(rest, 1, StrIndex(rest, Value("/")) - Value(1))


def completeness(
    user, period: Period, organization: Organization, *, today: datetime.date
) -> Completeness:
    """Expected, submitted, approved and overdue submissions per direct child of an organization.

    Two queries whatever the number of children: the children, and one aggregate grouped by the
    child each submission's organization lies under. Overdue means not submitted (a draft or
    returned) once the period's deadline has passed.
    """
    children = list(
        Organization.objects.restrict(user)
        .filter(parent=organization)
        .select_related("kind")
        .order_by("code")
    )
    groups = (
        Submission.objects.restrict(user)
        .filter(period=period, organization__path__startswith=organization.path)
        .order_by()
        .values(child=_child_segment(organization.path))
        .annotate(
            expected=Count("pk"),
            submitted=Count("pk", filter=Q(state__in=SUBMITTED_OR_LATER)),
            approved=Count("pk", filter=Q(state__in=APPROVED_OR_LATER)),
            pending=Count("pk", filter=Q(state__in=EDITABLE)),
        )
    )
    late = period.deadline < today
    by_key = {
        group["child"]: CompletenessRow(
            None,
            expected=group["expected"],
            submitted=group["submitted"],
            approved=group["approved"],
            overdue=group["pending"] if late else 0,
        )
        for group in groups
    }
    own = by_key.get("", CompletenessRow(None))
    own.organization = organization
    rows = []
    for child in children:
        row = by_key.get(str(child.pk), CompletenessRow(None))
        row.organization = child
        rows.append(row)
    result = Completeness(organization=organization, period=period, own=own, children=rows)
    result.total.add(own)
    for row in rows:
        result.total.add(row)
    return result


def notices_of(user) -> QuerySet[Notice]:
    """The user's notices, newest first, with what `notice_text` reads already joined."""
    return (
        Notice.objects.filter(user=user)
        .select_related("submission__period")
        .order_by("-created_at", "-id")
    )


def unread_notice_count(user) -> int:
    return Notice.objects.filter(user=user, read_at__isnull=True).count()


@dataclass
class PeriodCounts:
    """How many submissions of a period lie in the user's scope, by progress."""

    total: int = 0
    submitted: int = 0
    approved: int = 0


def period_counts(user, period_ids: list[int]) -> dict[int, PeriodCounts]:
    """Scoped submission counts for some periods, in one grouped query."""
    rows = (
        Submission.objects.restrict(user)
        .filter(period_id__in=period_ids)
        .order_by()
        .values("period_id")
        .annotate(
            total=Count("pk"),
            submitted=Count("pk", filter=Q(state__in=SUBMITTED_OR_LATER)),
            approved=Count("pk", filter=Q(state__in=APPROVED_OR_LATER)),
        )
    )
    return {
        row["period_id"]: PeriodCounts(row["total"], row["submitted"], row["approved"])
        for row in rows
    }


def all_periods() -> QuerySet[Period]:
    """Every period, planned ones included, newest first (the periods administration list)."""
    return Period.objects.select_related("framework").order_by("-start", "kind", "pk")
