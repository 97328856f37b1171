"""Reads of member appraisals and follow-ups for pages and the API, from the scope restriction,
each in a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from assessment.models import Period
from organizations.choices import Action

from .. import appraisal as rules
from ..models import FollowUp, MemberAppraisal, MemberGrade
from ..services.appraisals import Scale, can_approve, can_grade, cap_use, scale_for


def appraisals(user, *, period: Period | None = None, state: str = "") -> QuerySet:
    """The appraisals the user may see, with their number of members."""
    queryset = (
        MemberAppraisal.objects.restrict(user, Action.VIEW)
        .select_related("organization__kind", "period__framework")
        .annotate(members=Count("grades"))
        .order_by("-period__start", "organization__path")
    )
    if period is not None:
        queryset = queryset.filter(period=period)
    if state:
        queryset = queryset.filter(state=state)
    return queryset


@dataclass
class ListRow:
    appraisal: MemberAppraisal
    members: int
    top: int
    limit: int

    @property
    def over(self) -> bool:
        return self.top > self.limit


def list_rows(items: list[MemberAppraisal]) -> list[ListRow]:
    """Each appraisal with its top-grade count against the cap: one query for the counts,
    the scales read once per period."""
    scales: dict[int, Scale | None] = {}
    for item in items:
        if item.period_id not in scales:
            scales[item.period_id] = scale_for(item.period)
    counts: dict[tuple[int, str], int] = {}
    for appraisal_id, grade, n in (
        MemberGrade.objects.filter(appraisal__in=[i.pk for i in items])
        .values_list("appraisal_id", "grade")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        counts[(appraisal_id, grade)] = n
    rows = []
    for item in items:
        scale = scales[item.period_id]
        top = counts.get((item.pk, scale.top_grade), 0) if scale else 0
        rows.append(ListRow(item, item.members, top, rules.cap_size(item.top_share, item.members)))
    return rows


def appraisal_periods(user) -> list[Period]:
    """The periods with appraisals the user may see, the latest first."""
    ids = MemberAppraisal.objects.restrict(user, Action.VIEW).values("period_id")
    return list(Period.objects.filter(pk__in=ids).order_by("-start"))


def scoped_appraisal(user, pk: int) -> MemberAppraisal | None:
    return (
        MemberAppraisal.objects.restrict(user, Action.VIEW)
        .select_related("organization__kind", "period__framework", "approved_by")
        .filter(pk=pk)
        .first()
    )


@dataclass
class GradeRow:
    grade: MemberGrade
    top_votes: int
    voters: int
    top_vote_share: float | None
    proposed_name: str
    grade_name: str
    differs: bool


@dataclass
class AppraisalView:
    """One appraisal as its page shows it: the ranking, the cap's use, who may do what."""

    appraisal: MemberAppraisal
    scale: Scale | None
    rows: list[GradeRow]
    cap: rules.CapUse | None
    cap_message: str
    can_grade: bool
    can_approve: bool
    grade_choices: list[tuple[str, str]] = field(default_factory=list)
    follow_ups: int = 0


def appraisal_view(user, appraisal: MemberAppraisal, language: str = "") -> AppraisalView:
    """The ranking table (rank, member, score, votes and the top-vote share, proposed, decided,
    reason) and the cap's use: two queries after the appraisal."""
    scale = scale_for(appraisal.period)
    grades = list(
        MemberGrade.objects.filter(appraisal=appraisal)
        .select_related("person")
        .annotate(follow_up_count=Count("follow_ups"))
        .order_by("rank", "person__name")
    )
    rows = []
    for g in grades:
        votes = g.votes or {}
        voters = int(votes.get(rules.VOTERS) or 0)
        top_votes = int(votes.get(rules.TOP_VOTE) or 0)
        rows.append(
            GradeRow(
                grade=g,
                top_votes=top_votes,
                voters=voters,
                top_vote_share=(top_votes / voters) if voters else None,
                proposed_name=scale.name(g.proposed) if scale else g.proposed,
                grade_name=scale.name(g.grade) if scale else g.grade,
                differs=g.grade != g.proposed,
            )
        )
    cap = cap_use(scale, [g.grade for g in grades], appraisal.top_share) if scale else None
    is_open = appraisal.state == "open"
    return AppraisalView(
        appraisal=appraisal,
        scale=scale,
        rows=rows,
        cap=cap,
        cap_message=cap.message.get(language) if cap and cap.message else "",
        can_grade=is_open and can_grade(user, appraisal),
        can_approve=is_open and can_approve(user, appraisal),
        grade_choices=[(code, scale.name(code)) for code in scale.grades] if scale else [],
        follow_ups=sum(g.follow_up_count for g in grades),
    )


FOLLOW_UP_STATES = ("open", "overdue", "done")


def follow_ups(
    user,
    *,
    period: Period | None = None,
    state: str = "",
    organization=None,
    today: datetime.date | None = None,
) -> QuerySet:
    """The follow-up steps the user may see (members needing follow-up), the most urgent first:
    `state` open (not done), overdue (not done and past due) or done; `organization` narrows to
    its subtree."""
    today = today or timezone.localdate()
    queryset = (
        FollowUp.objects.restrict(user, Action.VIEW)
        .select_related("organization", "person", "owner", "grade__appraisal__period")
        .order_by("done_on", "due", "person__name", "step")
    )
    if period is not None:
        queryset = queryset.filter(grade__appraisal__period=period)
    if organization is not None:
        queryset = queryset.within(organization)
    if state == "open":
        queryset = queryset.filter(done_on__isnull=True)
    elif state == "overdue":
        queryset = queryset.filter(Q(done_on__isnull=True) & Q(due__lt=today))
    elif state == "done":
        queryset = queryset.filter(done_on__isnull=False)
    return queryset


def scoped_follow_up(user, pk: int) -> FollowUp | None:
    return (
        FollowUp.objects.restrict(user, Action.VIEW)
        .select_related("organization__kind", "person", "owner", "grade__appraisal__period")
        .filter(pk=pk)
        .first()
    )


def follow_up_periods(user) -> list[Period]:
    ids = FollowUp.objects.restrict(user, Action.VIEW).values("grade__appraisal__period_id")
    return list(Period.objects.filter(pk__in=ids).order_by("-start"))
