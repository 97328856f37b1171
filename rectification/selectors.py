"""Reads of rectification items, each in a fixed number of queries whatever the volume.

Everything starts from `Rectification.objects.restrict(user)`: a caller only ever sees the items
of their own subtrees. One read takes no reader, `subtree_summary`: the dashboard's summary of an
organization its caller read through the scope, whose whole subtree every such reader sees.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from assessment.models import Indicator, Period, SubjectScore, Submission
from organizations.models import Organization
from organizations.scope import scope_prefixes

from .models import Rectification, RectificationEvent, RectificationEvidence

DASHBOARD_ITEMS = 10


def _shown(items):
    return items.select_related("organization", "period__framework", "owner", "submission")


def visible(user, action: str = "view"):
    """The items the user may see (or act on), with what lists and details show."""
    return _shown(Rectification.objects.restrict(user, action))


def dashboard_summary(user, organization, period=None) -> dict:
    """Counts and the most urgent items of an organization's subtree, within the user's scope.

    `period` None counts every period (overdue items of earlier periods stay relevant). Keys:
    "open" (not closed yet, whatever the step), "in_progress", "closure_requested", "overdue",
    "closed", "total", and "items": up to ten items not closed, by due date (so overdue ones
    first), each with `indicator` and `indicator_name`. Three queries: counts, items, indicator
    names.
    """
    return _summary(visible(user).within(organization), period)


def subtree_summary(organization, period=None) -> dict:
    """`dashboard_summary` of the organization's whole subtree, for a caller that read the
    organization through the scope: a grant covers whole subtrees, so every reader who may open
    the organization sees all of its subtree's items, and the summary is the same for all of
    them (the dashboard computes it once for every reader, ahead of them)."""
    return _summary(_shown(Rectification.objects.within(organization)), period)


def _summary(items, period) -> dict:
    if period is not None:
        items = items.filter(period=period)
    today = timezone.localdate()
    active = ~Q(state=Rectification.State.CLOSED)
    counts = items.aggregate(
        total=Count("pk"),
        open=Count("pk", filter=active),
        in_progress=Count("pk", filter=Q(state=Rectification.State.IN_PROGRESS)),
        closure_requested=Count("pk", filter=Q(state=Rectification.State.CLOSURE_REQUESTED)),
        closed=Count("pk", filter=Q(state=Rectification.State.CLOSED)),
        overdue=Count("pk", filter=active & Q(due_date__lt=today)),
    )
    urgent = []
    if counts["open"]:
        urgent = list(items.filter(active).order_by("due_date", "id")[:DASHBOARD_ITEMS])
        attach_indicator_names(urgent)
    return {**counts, "items": urgent}


def attach_indicator_names(items: list[Rectification]) -> None:
    """Set `indicator` (or None) on each item, from its period's framework: one query."""
    framework_ids = {item.period.framework_id for item in items}
    codes = {item.indicator_code for item in items}
    if not items:
        return
    by_key = {
        (ind.framework_id, ind.code): ind
        for ind in Indicator.objects.filter(framework_id__in=framework_ids, code__in=codes).only(
            "framework_id", "code", "name", "name_en", "dimension_id"
        )
    }
    for item in items:
        item.indicator = by_key.get((item.period.framework_id, item.indicator_code))
        item.indicator_name = item.indicator.display_name if item.indicator else item.indicator_code


@dataclass(frozen=True)
class NextResult:
    """How the indicator did in the next period of the same kind."""

    IMPROVED = "improved"
    NOT_IMPROVED = "not_improved"
    NOT_SCORED = "not_scored"
    NO_NEXT_PERIOD = "no_next_period"

    outcome: str
    period: Period | None = None
    fraction: float | None = None

    @property
    def improved(self) -> bool:
        return self.outcome == self.IMPROVED

    @property
    def percent(self) -> int | None:
        return None if self.fraction is None else round(self.fraction * 100)


def next_period_results(items: Iterable[Rectification]) -> dict[int, NextResult]:
    """For each item, the same indicator's share of points in the next period of the same kind.

    "Improved" means the share rose and is no longer below the threshold (and no veto or
    deduction fired). Two queries for any number of items: the periods of the items' kinds,
    then the organization-level scores of those organizations in the next periods.
    """
    items = list(items)
    if not items:
        return {}
    kinds = {item.period.kind for item in items}
    framework_codes = _framework_codes(items)
    periods = list(
        Period.objects.filter(kind__in=kinds, framework__code__in=framework_codes)
        .select_related("framework")
        .order_by("start", "pk")
    )
    following = _next_periods(periods)
    wanted: dict[int, Period] = {}
    for item in items:
        nxt = following.get(item.period_id)
        if nxt is not None:
            wanted[item.pk] = nxt
    scores = {}
    if wanted:
        org_ids = {item.organization_id for item in items if item.pk in wanted}
        period_ids = {p.pk for p in wanted.values()}
        for row in SubjectScore.objects.filter(
            period_id__in=period_ids, organization_id__in=org_ids
        ).values_list("period_id", *_SUBJECT, "indicators"):
            scores[(row[0], *row[1:-1])] = row[-1]
    subjects = _subjects([item.submission_id for item in items if item.pk in wanted])
    results = {}
    for item in items:
        nxt = wanted.get(item.pk)
        if nxt is None:
            results[item.pk] = NextResult(NextResult.NO_NEXT_PERIOD)
            continue
        subject = subjects.get(item.submission_id, (item.organization_id, None, None, None))
        indicators = scores.get((nxt.pk, *subject))
        packed = indicators.get(item.indicator_code) if indicators else None
        if packed is None:
            results[item.pk] = NextResult(NextResult.NOT_SCORED, nxt)
            continue
        results[item.pk] = _compare(item, nxt, packed)
    return results


# Who a score is of, the same from year to year: the organization and, for a unit, the person,
# department or leading group (a submission is per period).
_SUBJECT = (
    "organization_id",
    "submission__person_id",
    "submission__department_id",
    "submission__leading_group_id",
)


def _subjects(submission_ids: list[int | None]) -> dict[int, tuple]:
    ids = [pk for pk in submission_ids if pk is not None]
    if not ids:
        return {}
    fields = [name.removeprefix("submission__") for name in _SUBJECT]
    return {
        row[0]: row[1:] for row in Submission.objects.filter(pk__in=ids).values_list("pk", *fields)
    }


def _framework_codes(items: list[Rectification]) -> set[str]:
    # Periods of a later year use a later version of the same framework (same code).
    return {item.period.framework.code for item in items}


def _next_periods(periods: list[Period]) -> dict[int, Period]:
    """Each period's successor: the next by start among periods of its kind and framework code."""
    following: dict[int, Period] = {}
    last: dict[tuple[str, str], Period] = {}
    for period in periods:
        key = (period.kind, period.framework.code)
        if key in last:
            following[last[key].pk] = period
        last[key] = period
    return following


def _compare(item: Rectification, period: Period, packed: list) -> NextResult:
    fields = dict(zip(SubjectScore.INDICATOR_FIELDS, packed, strict=False))
    fraction = fields.get("fraction")
    if fields.get("status") != SubjectScore.Status.SCORED or fraction is None:
        return NextResult(NextResult.NOT_SCORED, period)
    better = (
        not fields.get("rectify")
        and not fields.get("triggered")
        and (item.fraction_at_opening is None or fraction > item.fraction_at_opening)
    )
    outcome = NextResult.IMPROVED if better else NextResult.NOT_IMPROVED
    return NextResult(outcome, period, fraction)


def visible_all():
    """Every item, with what lists show (for services and tests that are not per user)."""
    return Rectification.objects.select_related("organization", "period__framework", "owner")


ACTIVE = "active"  # the list's default: every item not closed yet


def state_counts(items) -> dict[str, int]:
    """How many of the items are in each state, and "active" (not closed), "overdue" and "all":
    one aggregate query. The list's tabs count the items its other filters leave."""
    today = timezone.localdate()
    active = ~Q(state=Rectification.State.CLOSED)
    return items.aggregate(
        all=Count("pk"),
        active=Count("pk", filter=active),
        overdue=Count("pk", filter=active & Q(due_date__lt=today)),
        **{state: Count("pk", filter=Q(state=state)) for state in Rectification.State.values},
    )


def decorate(items: list[Rectification]) -> dict[int, NextResult]:
    """Indicator names on the items and their next-period results: three queries for a page."""
    attach_indicator_names(items)
    return next_period_results(items)


def subtree_choices(user):
    """The top of the user's scope and the level below: the list's "within" choices."""
    prefixes = scope_prefixes(user)
    queryset = Organization.objects.restrict(user)
    if prefixes is None:
        queryset = queryset.filter(Q(parent__isnull=True) | Q(parent__parent__isnull=True))
    else:
        queryset = queryset.filter(Q(path__in=prefixes) | Q(parent__path__in=prefixes))
    return queryset.order_by("path")


def periods_with_items():
    """Periods that have items (few: open periods and the latest closed ones), newest first."""
    return (
        Period.objects.filter(rectifications__isnull=False)
        .distinct()
        .select_related("framework")
        .order_by("-start", "kind", "pk")
    )


def detail(user, pk: int) -> Rectification:
    """One visible item with its indicator, history and evidence (404 outside the scope)."""
    item = get_object_or_404(
        visible(user)
        .select_related("submission", "closure_requested_by", "confirmed_by")
        .prefetch_related(
            Prefetch(
                "events",
                queryset=RectificationEvent.objects.select_related("by").order_by("at", "pk"),
            ),
            Prefetch(
                "evidence",
                queryset=RectificationEvidence.objects.select_related("uploaded_by"),
            ),
        ),
        pk=pk,
    )
    attach_indicator_names([item])
    return item


def scoped_evidence(user):
    return RectificationEvidence.objects.restrict(user).select_related("rectification")
