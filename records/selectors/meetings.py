"""Reads of meetings and talks for the pages and the API, each in a fixed number of queries."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from assessment.models import Framework
from organizations.choices import Action
from organizations.models import Organization

from ..choices import Presence
from ..config import MeetingKind, config_on, parse
from ..models import Attendance, Meeting, Talk
from ..services.meetings import expected_people


def meeting_kinds_by_code() -> dict[str, MeetingKind]:
    """Every meeting kind any framework version declares, by code (one query).

    A kind keeps its code across versions (decision 98): where versions name it differently the
    latest published one wins, so a list spanning years shows one name per kind.
    """
    kinds: dict[str, MeetingKind] = {}
    rows = Framework.objects.exclude(records={}).order_by("published_at", "pk")
    for records in rows.values_list("records", flat=True):
        for kind in parse(records).meeting_kinds:
            kinds[kind.code] = kind
    return kinds


def _counted(queryset: QuerySet[Meeting]) -> QuerySet[Meeting]:
    return queryset.annotate(
        present=Count("attendance", filter=Q(attendance__presence=Presence.PRESENT)),
        excused=Count("attendance", filter=Q(attendance__presence=Presence.EXCUSED)),
        absent=Count("attendance", filter=Q(attendance__presence=Presence.ABSENT)),
    )


def meetings(
    user,
    organization: Organization,
    *,
    kind: str | None = None,
    year: int | None = None,
    month: int | None = None,
) -> QuerySet[Meeting]:
    """Meetings of the organization's subtree the user may see, newest first, each with its
    counts of present, excused and absent people."""
    queryset = Meeting.objects.restrict(user, Action.VIEW).within(organization)
    if kind:
        queryset = queryset.filter(kind=kind)
    if year:
        queryset = queryset.filter(date__year=year)
    if month:
        queryset = queryset.filter(date__month=month)
    return _counted(queryset.select_related("organization")).order_by("-date", "-pk")


def meetings_for_api(user) -> QuerySet[Meeting]:
    """Meetings of the user's scope with their roll and attachments (a fixed number of queries
    per page)."""
    return (
        Meeting.objects.restrict(user, Action.VIEW)
        .select_related("organization", "host")
        .prefetch_related(
            Prefetch("attendance", queryset=Attendance.objects.select_related("person")),
            "attachments",
        )
        .order_by("-date", "-pk")
    )


@dataclass
class MeetingDetail:
    meeting: Meeting
    counts: dict[str, int]


def meeting_detail(user, pk: int, action: str = Action.VIEW) -> MeetingDetail:
    """One meeting the user may see (else a 404) with its roll, attachments and counts: present,
    excused and absent from the roll, expected from the membership history of its date."""
    meeting = get_object_or_404(
        Meeting.objects.restrict(user, action)
        .select_related("organization__kind", "host", "created_by")
        .prefetch_related(
            Prefetch(
                "attendance",
                queryset=Attendance.objects.select_related("person").order_by(
                    "person__employee_number"
                ),
            ),
            "attachments",
        ),
        pk=pk,
    )
    counts = dict.fromkeys(Presence.values, 0)
    for row in meeting.attendance.all():
        counts[row.presence] += 1
    kind = config_on(meeting.date).kind(meeting.kind)
    if kind is not None and kind.chosen_roll:  # the list is who was expected
        counts["expected"] = len(meeting.attendance.all())
    else:
        counts["expected"] = expected_people(meeting.organization, meeting.date).count()
    return MeetingDetail(meeting, counts)


def talks(
    user,
    organization: Organization,
    *,
    year: int | None = None,
    month: int | None = None,
) -> QuerySet[Talk]:
    """Talks of the organization's subtree the user may see, newest first, with both people."""
    queryset = Talk.objects.restrict(user, Action.VIEW).within(organization)
    if year:
        queryset = queryset.filter(date__year=year)
    if month:
        queryset = queryset.filter(date__month=month)
    return queryset.select_related("organization", "talker", "partner").order_by("-date", "-pk")
