"""Indicator values counted from the records of party life, registered into `assessment.sources`.

Each computation is set-based: one or two grouped queries over the period's records, whatever the
number of subjects (`assessment.sources.Context`). Organization subjects count their own
meetings, and their whole subtree for what is about members (attendance, dues, talks, study) and
for the negative list, rolled up by organization path in Python.

Who was expected at a meeting comes from `organizations.Membership`: the party members (not
staff) whose membership in the meeting's organization covers the meeting's day, so a member
transferred in March is expected in the old branch before and in the new one after. For meeting
kinds whose roll is chosen (`roll: chosen`: a committee's meeting, a party group's — the default
of `party_group: true`), the attendance list is who was expected. Excused absences are deducted
from the expected, as the framework's descriptions say.

`records_changed(organization_id, day)` is what the records services call (inside their
transaction) when a record of that organization and day was written: the submissions it counts
for are recounted in a task once the transaction has committed, and so are the member points of
the month (rule lines read attendance, talks, study and dues), so both follow records the same
day rather than at night.
"""

from __future__ import annotations

import calendar
import datetime
import logging
from collections import defaultdict
from functools import partial, reduce
from operator import add
from typing import Any

from django.db import connection, transaction
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import TruncMonth
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from assessment import sources
from assessment.models import Submission
from assessment.scoring.values import NOT_APPLICABLE
from organizations.choices import PersonKind
from organizations.models import Membership, Organization, Person

from .choices import PointsState, Presence, Severity
from .config import config_for
from .models import (
    Attendance,
    DuesPayment,
    Meeting,
    NegativeEvent,
    PointsEntry,
    StudyRecord,
    Talk,
)

__all__ = ["records_changed", "register_all"]

logger = logging.getLogger(__name__)

ORGANIZATION, PERSON = sources.ORGANIZATION, sources.PERSON
MEMBER = ~Q(person__kind=PersonKind.STAFF)
BEHIND_LIMIT = 50
_SEVERITY_ORDER = [Severity.MINOR, Severity.SERIOUS, Severity.GRAVE]


def _rate(numerator: float, denominator: float) -> Any:
    if denominator <= 0:
        return NOT_APPLICABLE
    return min(100.0, numerator / denominator * 100)


def _by_path(rows) -> dict[str, tuple[float, ...]]:
    out: dict[str, tuple[float, ...]] = {}
    for path, *numbers in rows:
        out[path] = tuple(float(n or 0) for n in numbers)
    return out


def _merge(*maps: dict[str, tuple[float, ...]]) -> dict[str, tuple[float, ...]]:
    """Per-path numbers side by side (a path missing from one map counts 0 there)."""
    out: dict[str, list[float]] = defaultdict(lambda: [0.0] * len(maps))
    for index, numbers in enumerate(maps):
        for path, values in numbers.items():
            out[path][index] = values[0] if values else 0.0
    return {path: tuple(values) for path, values in out.items()}


# -- meetings ---------------------------------------------------------------------------------


def _meetings(ctx: sources.Context, kind: str):
    return Meeting.objects.filter(ctx.own(), kind=kind, date__range=(ctx.start, ctx.end))


def count_meetings(ctx: sources.Context, source) -> dict:
    rows = (
        _meetings(ctx, source.param("meeting_kind"))
        .values("organization_id")
        .annotate(n=Count("id"))
        .values_list("organization_id", "n")
    )
    return ctx.organization_answer(dict(rows))


def count_months_with_meetings(ctx: sources.Context, source) -> dict:
    least = int(source.param("min", 1))
    rows = (
        _meetings(ctx, source.param("meeting_kind"))
        .annotate(month=TruncMonth("date"))
        .values("organization_id", "month")
        .annotate(n=Count("id"))
        .filter(n__gte=least)
        .values_list("organization_id", flat=True)
    )
    months: dict[int, int] = defaultdict(int)
    for org in rows:
        months[org] += 1
    return ctx.organization_answer(months)


# -- attendance -------------------------------------------------------------------------------


def _meeting_kinds(ctx: sources.Context, source) -> tuple[list[str], list[str]]:
    """The meeting kinds counted, split into those whose expected are the members on the day
    and those with a chosen roll (expected: the attendance list)."""
    config = config_for(ctx.period.framework)
    wanted = list(source.param("meeting_kinds", ())) or [k.code for k in config.meeting_kinds]
    grouped = {k.code for k in config.meeting_kinds if k.chosen_roll}
    return [k for k in wanted if k not in grouped], [k for k in wanted if k in grouped]


def _in(column: str, values) -> tuple[str, list]:
    values = list(values)
    if not values:
        return "1 = 0", []
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def _attendance(ctx: sources.Context, source, by: str) -> dict[Any, tuple[float, float, float]]:
    """(expected, present, excused) attendances by organization path (`by` "path") or by person
    (`by` "person"), in one or two grouped queries, read once per count for the same kinds."""
    member_kinds, group_kinds = _meeting_kinds(ctx, source)
    return ctx.memo(
        ("attendance", by, tuple(member_kinds), tuple(group_kinds)),
        partial(_read_attendance, ctx, member_kinds, group_kinds, by),
    )


def _read_attendance(
    ctx: sources.Context, member_kinds: list[str], group_kinds: list[str], by: str
) -> dict[Any, tuple[float, float, float]]:
    q = connection.ops.quote_name
    meeting, attendance = q(Meeting._meta.db_table), q(Attendance._meta.db_table)
    membership, person = q(Membership._meta.db_table), q(Person._meta.db_table)
    organization = q(Organization._meta.db_table)
    start, end = q("start"), q("end")
    out: dict[Any, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])

    def subjects(person_column: str) -> tuple[str, list]:
        if ctx.everything:
            return "1 = 1", []
        if by == "person":
            return _in(person_column, sorted(ctx.people))
        paths = sorted(set(ctx.paths.values()))
        if not paths:
            return "1 = 0", []
        return "(" + " OR ".join(["o.path LIKE %s"] * len(paths)) + ")", [f"{p}%" for p in paths]

    key = "o.path" if by == "path" else "{person}"
    tallies = (
        "COUNT(*), "
        "SUM(CASE WHEN a.presence = %s THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN a.presence = %s THEN 1 ELSE 0 END)"
    )
    presences = [Presence.PRESENT.value, Presence.EXCUSED.value]
    statements = []
    if member_kinds:
        kinds_sql, kinds_params = _in("m.kind", member_kinds)
        who_sql, who_params = subjects("ms.person_id")
        group = key.format(person="ms.person_id")
        statements.append(
            (
                f"SELECT {group}, {tallies} FROM {meeting} m "
                f"JOIN {organization} o ON o.id = m.organization_id "
                f"JOIN {membership} ms ON ms.organization_id = m.organization_id "
                f"AND (ms.{start} IS NULL OR ms.{start} <= m.date) "
                f"AND (ms.{end} IS NULL OR ms.{end} >= m.date) "
                f"JOIN {person} p ON p.id = ms.person_id AND p.kind <> %s "
                f"LEFT JOIN {attendance} a ON a.meeting_id = m.id AND a.person_id = ms.person_id "
                f"WHERE m.date >= %s AND m.date <= %s AND {kinds_sql} AND {who_sql} "
                f"GROUP BY {group}",
                [
                    *presences,
                    PersonKind.STAFF.value,
                    ctx.start,
                    ctx.end,
                    *kinds_params,
                    *who_params,
                ],
            )
        )
    if group_kinds:
        kinds_sql, kinds_params = _in("m.kind", group_kinds)
        who_sql, who_params = subjects("a.person_id")
        group = key.format(person="a.person_id")
        statements.append(
            (
                f"SELECT {group}, {tallies} FROM {meeting} m "
                f"JOIN {organization} o ON o.id = m.organization_id "
                f"JOIN {attendance} a ON a.meeting_id = m.id "
                f"WHERE m.date >= %s AND m.date <= %s AND {kinds_sql} AND {who_sql} "
                f"GROUP BY {group}",
                [*presences, ctx.start, ctx.end, *kinds_params, *who_params],
            )
        )
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            for group_key, expected, present, excused in cursor.fetchall():
                totals = out[group_key]
                totals[0] += float(expected or 0)
                totals[1] += float(present or 0)
                totals[2] += float(excused or 0)
    return {k: (v[0], v[1], v[2]) for k, v in out.items()}


def _attendance_answer(ctx: sources.Context, source, finish) -> dict:
    answer: dict = {}
    if ctx.organizations:
        rolled = ctx.roll_up(_attendance(ctx, source, "path"), 3)
        answer.update({(ORGANIZATION, org): finish(*numbers) for org, numbers in rolled.items()})
    if ctx.people:
        own = _attendance(ctx, source, "person")
        answer.update({(PERSON, p): finish(*own.get(p, (0.0, 0.0, 0.0))) for p in ctx.people})
    return answer


def count_attendance_rate(ctx: sources.Context, source) -> dict:
    return _attendance_answer(
        ctx, source, lambda expected, present, excused: _rate(present, expected - excused)
    )


def count_attendance_expected(ctx: sources.Context, source) -> dict:
    return _attendance_answer(ctx, source, lambda expected, present, excused: expected - excused)


def count_attendance_present(ctx: sources.Context, source) -> dict:
    return _attendance_answer(ctx, source, lambda expected, present, excused: present)


# -- dues -------------------------------------------------------------------------------------


def _months(start: datetime.date, end: datetime.date) -> list[tuple[datetime.date, datetime.date]]:
    """(first day, last day) of every month of the period that lies wholly inside it."""
    out = []
    day = start.replace(day=1)
    while day <= end:
        last = day.replace(day=calendar.monthrange(day.year, day.month)[1])
        if day >= start.replace(day=1) and last <= end:
            out.append((day, last))
        day = last + datetime.timedelta(days=1)
    return out


def _ended_months(ctx: sources.Context) -> list[tuple[datetime.date, datetime.date]]:
    """The months of the period that are over: dues of a month are late only once it ends."""
    return [(first, last) for first, last in _months(ctx.start, ctx.end) if last < ctx.today]


def _on_time(months) -> Q:
    query = Q(pk__in=[])
    for first, last in months:
        query |= Q(month=first, paid_on__lte=last)
    return query & Q(paid__isnull=False, paid__gte=F("due"))


def count_dues_on_time_rate(ctx: sources.Context, source) -> dict:
    months = _ended_months(ctx)
    if not months:
        return ctx.organization_answer({}, default=NOT_APPLICABLE)
    covers = [
        Case(
            When(
                (Q(start__isnull=True) | Q(start__lte=last))
                & (Q(end__isnull=True) | Q(end__gte=last)),
                then=Value(1),
            ),
            default=Value(0),
            output_field=IntegerField(),
        )
        for _first, last in months
    ]
    due = _by_path(
        Membership.objects.filter(MEMBER, ctx.subtree())
        .filter(Q(start__isnull=True) | Q(start__lte=months[-1][1]))
        .filter(Q(end__isnull=True) | Q(end__gte=months[0][1]))
        .values("organization__path")
        .annotate(n=Sum(reduce(add, covers)))
        .values_list("organization__path", "n")
    )
    paid = _by_path(
        DuesPayment.objects.filter(ctx.subtree(), _on_time(months))
        .values("organization__path")
        .annotate(n=Count("id"))
        .values_list("organization__path", "n")
    )
    rolled = ctx.roll_up(_merge(paid, due), 2)
    return {(ORGANIZATION, org): _rate(p, d) for org, (p, d) in rolled.items()}


def count_dues_on_time_months(ctx: sources.Context, source) -> dict:
    months = _months(ctx.start, ctx.end)
    rows = (
        DuesPayment.objects.filter(ctx.of_people(), _on_time(months))
        .values("person_id")
        .annotate(n=Count("id"))
        .values_list("person_id", "n")
    )
    return ctx.person_answer(dict(rows))


# -- talks and study --------------------------------------------------------------------------


def _members_on(ctx: sources.Context, day: datetime.date):
    return Membership.objects.on(day).filter(MEMBER, ctx.subtree())


def count_talk_coverage(ctx: sources.Context, source) -> dict:
    """Members on the last day counted who took part in a talk (either side) in the period."""
    from django.db.models import Exists, OuterRef

    members = _members_on(ctx, ctx.until)
    talked = Talk.objects.filter(
        Q(partner_id=OuterRef("person_id")) | Q(talker_id=OuterRef("person_id")),
        date__range=(ctx.start, ctx.until),
    )
    total = _by_path(
        members.values("organization__path")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("organization__path", "n")
    )
    covered = _by_path(
        members.filter(Exists(talked))
        .values("organization__path")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("organization__path", "n")
    )
    rolled = ctx.roll_up(_merge(covered, total), 2)
    return {(ORGANIZATION, org): _rate(c, t) for org, (c, t) in rolled.items()}


def count_study_hours_per_member(ctx: sources.Context, source) -> dict:
    hours = _by_path(
        StudyRecord.objects.filter(MEMBER, ctx.subtree(), date__range=(ctx.start, ctx.end))
        .values("organization__path")
        .annotate(n=Sum("hours"))
        .values_list("organization__path", "n")
    )
    members = _by_path(
        _members_on(ctx, ctx.until)
        .values("organization__path")
        .annotate(n=Count("person_id", distinct=True))
        .values_list("organization__path", "n")
    )
    rolled = ctx.roll_up(_merge(hours, members), 2)
    return {
        (ORGANIZATION, org): (h / m if m > 0 else NOT_APPLICABLE) for org, (h, m) in rolled.items()
    }


def count_study_hours(ctx: sources.Context, source) -> dict:
    rows = (
        StudyRecord.objects.filter(ctx.of_people(), date__range=(ctx.start, ctx.end))
        .values("person_id")
        .annotate(n=Sum("hours"))
        .values_list("person_id", "n")
    )
    return ctx.person_answer({p: float(n or 0) for p, n in rows})


# -- points and the negative list -------------------------------------------------------------


def _ledger_points(ctx: sources.Context) -> dict[int, float] | None:
    """The points helper's totals (`records.selectors.ledgers.member_points`) when it exists and
    the period is a calendar year; None to count here."""
    start, end = ctx.start, ctx.end
    if not (start.month == 1 and start.day == 1 and end == start.replace(month=12, day=31)):
        return None
    try:
        from .selectors.ledgers import member_points  # written by the points helper
    except ImportError:
        return None
    people = None if ctx.everything else sorted(ctx.people)
    if people is None:
        return None  # the helper takes a list of people; counted here for the whole period
    totals = member_points(people, start.year)
    if not hasattr(totals, "items"):
        return None
    return {int(p): float(v or 0) for p, v in totals.items()}


def count_points(ctx: sources.Context, source) -> dict:
    ledger = _ledger_points(ctx)
    if ledger is not None:
        return ctx.person_answer(ledger)
    rows = (
        PointsEntry.objects.filter(
            ctx.of_people(),
            state=PointsState.APPROVED,
            month__gte=ctx.start.replace(day=1),
            month__lte=ctx.end,
        )
        .values("person_id")
        .annotate(n=Sum("points"))
        .values_list("person_id", "n")
    )
    return ctx.person_answer({p: float(n or 0) for p, n in rows})


def _negative_events(start: datetime.date, end: datetime.date, source):
    least = source.param("min_severity", Severity.MINOR)
    severities = _SEVERITY_ORDER[_SEVERITY_ORDER.index(least) :]
    events = NegativeEvent.objects.filter(date__range=(start, end), severity__in=severities)
    if source.param("category"):
        events = events.filter(category=source.param("category"))
    return events


def count_negative_events(ctx: sources.Context, source) -> dict:
    own = _by_path(
        _negative_events(ctx.start, ctx.end, source)
        .filter(ctx.subtree())
        .values("organization__path")
        .annotate(n=Count("id"))
        .values_list("organization__path", "n")
    )
    rolled = ctx.roll_up(own, 1)
    return {(ORGANIZATION, org): numbers[0] for org, numbers in rolled.items()}


# -- the records behind a value ---------------------------------------------------------------


def _url(name: str, *args) -> str | None:
    """The page of a record, when the records app has that page (routes are added by area)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _meeting_links(meetings) -> list[sources.RecordLink]:
    return [
        sources.RecordLink(
            f"{m.date:%Y-%m-%d} {m.topic}", _url("records:meeting_detail", m.pk), m.date
        )
        for m in meetings.order_by("-date", "-id")[:BEHIND_LIMIT]
    ]


def _subject_filter(submission: Submission, field: str = "organization") -> Q:
    """The records of the subject: a person's own, an organization's subtree."""
    if submission.person_id:
        return Q(person_id=submission.person_id)
    return Q(**{f"{field}__path__startswith": submission.organization.path})


def _period(submission: Submission) -> tuple[datetime.date, datetime.date]:
    return submission.period.start, submission.period.end


def behind_meetings(submission: Submission, source) -> list[sources.RecordLink]:
    start, end = _period(submission)
    return _meeting_links(
        Meeting.objects.filter(
            organization_id=submission.organization_id,
            kind=source.param("meeting_kind"),
            date__range=(start, end),
        )
    )


def behind_attendance(submission: Submission, source) -> list[sources.RecordLink]:
    start, end = _period(submission)
    kinds = list(source.param("meeting_kinds", ()))
    meetings = Meeting.objects.filter(date__range=(start, end))
    if kinds:
        meetings = meetings.filter(kind__in=kinds)
    if submission.person_id:
        orgs = Membership.objects.filter(person_id=submission.person_id).values("organization_id")
        meetings = meetings.filter(organization_id__in=orgs)
    else:
        meetings = meetings.filter(organization__path__startswith=submission.organization.path)
    return _meeting_links(meetings)


def behind_dues(submission: Submission, source) -> list[sources.RecordLink]:
    start, end = _period(submission)
    rows = DuesPayment.objects.filter(
        _subject_filter(submission), month__range=(start.replace(day=1), end)
    ).select_related("person")
    return [
        sources.RecordLink(
            _("%(month)s %(name)s: due %(due)s, paid %(paid)s")
            % {
                "month": f"{row.month:%Y-%m}",
                "name": row.person.name,
                "due": row.due,
                "paid": row.paid if row.paid is not None else "—",
            },
            _url("records:dues_sheet", row.organization_id),
            row.month,
        )
        for row in rows.order_by("-month", "person__employee_number")[:BEHIND_LIMIT]
    ]


def behind_talks(submission: Submission, source) -> list[sources.RecordLink]:
    start, end = _period(submission)
    talks = Talk.objects.filter(
        organization__path__startswith=submission.organization.path, date__range=(start, end)
    ).select_related("talker", "partner")
    return [
        sources.RecordLink(
            f"{t.date:%Y-%m-%d} {t.talker.name} — {t.partner.name}: {t.topic}",
            _url("records:talk_list", t.organization_id),
            t.date,
        )
        for t in talks.order_by("-date", "-id")[:BEHIND_LIMIT]
    ]


def behind_study(submission: Submission, source) -> list[sources.RecordLink]:
    start, end = _period(submission)
    rows = StudyRecord.objects.filter(
        _subject_filter(submission), date__range=(start, end)
    ).select_related("person")
    return [
        sources.RecordLink(
            f"{r.date:%Y-%m-%d} {r.person.name}: {r.title} ({r.hours:g})",
            _url("records:study_list", r.organization_id),
            r.date,
        )
        for r in rows.order_by("-date", "-id")[:BEHIND_LIMIT]
    ]


def behind_points(submission: Submission, source) -> list[sources.RecordLink]:
    start, end = _period(submission)
    rows = PointsEntry.objects.filter(
        _subject_filter(submission),
        state=PointsState.APPROVED,
        month__range=(start.replace(day=1), end),
    )
    return [
        sources.RecordLink(
            f"{r.month:%Y-%m} {r.points:+} {r.reason or r.rule}",
            _url("records:points_ledger", r.organization_id),
            r.month,
        )
        for r in rows.order_by("-month", "id")[:BEHIND_LIMIT]
    ]


def behind_negative_events(submission: Submission, source) -> list[sources.RecordLink]:
    events = _negative_events(*_period(submission), source).filter(
        organization__path__startswith=submission.organization.path
    )
    return [
        sources.RecordLink(
            f"{e.date:%Y-%m-%d} {e.title}", _url("records:negative_detail", e.pk), e.date
        )
        for e in events.order_by("-date", "-id")[:BEHIND_LIMIT]
    ]


# -- registration and recounting --------------------------------------------------------------


def register_all() -> None:
    """Register every records-backed source kind (called from `RecordsConfig.ready`)."""
    register = sources.register
    register("meetings", count_meetings, behind=behind_meetings)
    register("months_with_meetings", count_months_with_meetings, behind=behind_meetings)
    register("attendance_rate", count_attendance_rate, behind=behind_attendance)
    register("attendance_expected", count_attendance_expected, behind=behind_attendance)
    register("attendance_present", count_attendance_present, behind=behind_attendance)
    register("dues_on_time_rate", count_dues_on_time_rate, behind=behind_dues)
    register("dues_on_time_months", count_dues_on_time_months, behind=behind_dues)
    register("talk_coverage", count_talk_coverage, behind=behind_talks)
    register("study_hours_per_member", count_study_hours_per_member, behind=behind_study)
    register("study_hours", count_study_hours, behind=behind_study)
    register("points", count_points, behind=behind_points)
    register("negative_events", count_negative_events, behind=behind_negative_events)


def _send(organization_id: int, day: datetime.date) -> None:
    from assessment.services.scores import BROKER_ERRORS, PUBLISH_RETRY

    from .tasks import recount  # imported here: the tasks module imports the services

    try:
        recount.apply_async(
            args=[organization_id, day.isoformat()], retry=True, retry_policy=PUBLISH_RETRY
        )
    except BROKER_ERRORS as error:
        # Nothing is lost: a submission is recounted whenever its page is opened.
        logger.warning(
            "records of organization %s on %s: the task queue is unavailable (%s); "
            "counted values follow when the submission is next opened",
            organization_id,
            day,
            error,
        )


class _PointsBatch:
    """The months and organizations whose members' points one transaction touched: sent as one
    task per month when it commits (an import touching 300 branches counts them in one go)."""

    def __init__(self) -> None:
        self.months: dict[datetime.date, set[int]] = defaultdict(set)
        self.sent = False

    def __call__(self) -> None:
        self.sent = True
        for month, organization_ids in sorted(self.months.items()):
            _send_points(month, sorted(organization_ids))


_BATCH = "records_points_batch"


def _registered(connection, batch: _PointsBatch) -> bool:
    """Whether the batch still waits for this transaction's commit: not sent, and not dropped by a
    rollback (of the transaction, or of the savepoint it was registered in)."""
    return not batch.sent and any(entry[1] is batch for entry in connection.run_on_commit)


def _points_changed(organization_id: int, day: datetime.date) -> None:
    month = day.replace(day=1)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _send_points(month, [organization_id])
        return
    batch = getattr(connection, _BATCH, None)
    if batch is None or not _registered(connection, batch):
        batch = _PointsBatch()
        setattr(connection, _BATCH, batch)
        transaction.on_commit(batch)
    batch.months[month].add(organization_id)


def _send_points(month: datetime.date, organization_ids: list[int]) -> None:
    from assessment.services.scores import BROKER_ERRORS, PUBLISH_RETRY

    from .tasks import count_points_after_change

    try:
        count_points_after_change.apply_async(
            args=[month.isoformat(), organization_ids], retry=True, retry_policy=PUBLISH_RETRY
        )
    except BROKER_ERRORS as error:
        # Nothing is lost: the nightly count (records.count_points) counts the month again.
        logger.warning(
            "points of %s in organizations %s: the task queue is unavailable (%s); they follow "
            "with the nightly count",
            f"{month:%Y-%m}",
            organization_ids,
            error,
        )


def records_changed(organization_id: int, day: datetime.date, *, points: bool = True) -> None:
    """A record of the organization dated `day` was written, changed or removed: recount the
    submissions it counts for once the caller's transaction commits, and (unless `points` is
    False: a record no points rule reads, such as a negative event) the member points of its
    month in that organization.

    The records services call this inside their transaction (one call per organization and day
    touched; a record moved to another date or organization calls it for both). The points of a
    transaction are gathered by month and counted in one task per month after the commit,
    set-based over every organization touched (`services.recount.count_points_after_change`); a
    month whose period is closed or locked is left as it is.
    """
    transaction.on_commit(partial(_send, organization_id, day))
    if points:
        _points_changed(organization_id, day)
