"""Member points (党员积分): counting the rule lines, awards and deductions with their approval,
and the quarterly publication.

Rule lines are derived: `count_points_all(month)` builds every member's lines of a month from the
framework's points rules in force that month (attendance at meetings, study hours, talks, dues
paid on time or late), each rule capped per month, and replaces the month's rule lines in one
transaction. It is set-based — one grouped query per kind of event, one delete, one insert —
whether it counts one branch (`count_points`, after a change) or every organization (nightly).
A member is counted in the organization that holds them that month (`selectors.ledgers.homes`),
for everything they did that month wherever it happened.

Awards and deductions are entered by the secretary with a reason (and, for an award, optionally
the code of an award rule whose monthly cap then applies); they count once a holder of review
on a strict ancestor approved them, never by the organization itself nor by who entered them.
"""

import datetime
from collections import Counter
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import hooks as audit_trail
from audit.models import AuditKind
from organizations.choices import Action
from organizations.models import Membership, Organization, Person
from organizations.scope import can, can_from_above

from ..choices import PointsKind, PointsState, Presence
from ..config import PointsRule, config_on
from ..models import Attendance, DuesPayment, PointsEntry, PointsPublication, StudyRecord, Talk
from ..selectors.ledgers import (
    PARTY_MEMBERS,
    homes,
    month_end,
    month_members,
    month_start,
    overlapping,
    quarter_months,
)
from ..sources import records_changed
from .dates import NotAllowed, RecordRefused, check_open

TENTH = Decimal("0.1")
POINTS_MAX = Decimal("999.9")
BATCH = 2000
PRESENCE_EVENTS = {
    Presence.PRESENT: "meeting_present",
    Presence.EXCUSED: "meeting_excused",
    Presence.ABSENT: "meeting_absent",
}


# Counting -------------------------------------------------------------------------------------


def rule_points(rule: PointsRule, occurrences: Decimal) -> Decimal:
    """A rule's points for a month's occurrences, within its cap either way (a cap of 5 keeps an
    award rule at most +5 and a deduction rule at least −5)."""
    total = rule.points * occurrences
    if rule.cap is not None:
        total = max(-rule.cap, min(rule.cap, total))
    return total.quantize(TENTH, rounding=ROUND_HALF_UP)


def _occurrences(people, first: datetime.date, last: datetime.date) -> dict[int, Counter]:
    """Per person, how often each countable event happened in the days (grouped queries)."""
    found: dict[int, Counter] = {}

    def add(person_id: int, event: str, amount) -> None:
        found.setdefault(person_id, Counter())[event] += Decimal(amount)

    for person_id, presence, n in (
        Attendance.objects.filter(meeting__date__range=(first, last), person_id__in=people)
        .values("person_id", "presence")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("person_id", "presence", "n")
    ):
        add(person_id, PRESENCE_EVENTS[presence], n)
    for person_id, hours in (
        StudyRecord.objects.filter(date__range=(first, last), person_id__in=people)
        .values("person_id")
        .annotate(hours=Sum("hours"))
        .order_by()
        .values_list("person_id", "hours")
    ):
        add(person_id, "study_hour", hours)
    for side in ("talker_id", "partner_id"):
        for person_id, n in (
            Talk.objects.filter(date__range=(first, last), **{f"{side}__in": people})
            .values(side)
            .annotate(n=Count("id"))
            .order_by()
            .values_list(side, "n")
        ):
            add(person_id, "talk", n)
    today = timezone.localdate()
    for person_id, paid, due, paid_on in DuesPayment.objects.filter(
        month=first, person_id__in=people
    ).values_list("person_id", "paid", "due", "paid_on"):
        on_time = paid is not None and paid >= due and paid_on is not None and paid_on <= last
        if on_time:
            add(person_id, "dues_on_time", 1)
        elif last < today:  # unpaid or short only counts once the month is over
            add(person_id, "dues_late", 1)
    return found


# Two counts of the same month wait for each other on PostgreSQL: each deletes the month's rule
# lines and inserts new ones, and two at once would leave both sets. SQLite has one writer.
ADVISORY_LOCK_BASE = 0x706F696E74 << 20  # "point" in ASCII, then the month


def _serialise(month: datetime.date) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_advisory_xact_lock(%s)",
                [ADVISORY_LOCK_BASE + month.year * 12 + month.month],
            )


@transaction.atomic
def count_points_all(month: datetime.date, *, organization_ids: Iterable[int] | None = None) -> int:
    """Build the rule lines of a month for every member of the organizations (all: None).

    Replaces the month's rule lines of those organizations and of the members counted, so a
    member never keeps lines in two places; refused (RecordRefused) when the month's records are
    shut. Returns how many lines were written.
    """
    first = month_start(month)
    last = month_end(first)
    check_open(first)
    _serialise(first)
    members = Membership.objects.filter(overlapping(first, last), person__kind__in=PARTY_MEMBERS)
    if organization_ids is not None:
        organization_ids = list(organization_ids)
        members = members.filter(
            person_id__in=Membership.objects.filter(
                overlapping(first, last), organization_id__in=organization_ids
            ).values("person_id")
        )
    people = members.values("person_id")
    home = homes(people, first, last)
    happened = _occurrences(people, first, last)
    rules = [rule for rule in config_on(first).points if rule.per != "award"]
    lines = [
        PointsEntry(
            person_id=person_id,
            organization_id=home[person_id],
            month=first,
            kind=PointsKind.RULE,
            rule=rule.code,
            points=rule_points(rule, events[rule.per]),
            reason=f"{events[rule.per].normalize():f} × {rule.points.normalize():f}",
            state=PointsState.APPROVED,
        )
        for person_id, events in happened.items()
        if person_id in home
        for rule in rules
        if events[rule.per]
    ]
    stale = PointsEntry.objects.filter(month=first, kind=PointsKind.RULE)
    if organization_ids is not None:
        stale = stale.filter(Q(organization_id__in=organization_ids) | Q(person_id__in=people))
    stale.delete()
    PointsEntry.objects.bulk_create(lines, batch_size=BATCH)
    return len(lines)


def count_points(organization: Organization, month: datetime.date) -> int:
    """Build the rule lines of the organization's members of a month (after a change)."""
    return count_points_all(month, organization_ids=[organization.pk])


# Awards and deductions ------------------------------------------------------------------------


def _award_rule(month: datetime.date, code: str) -> PointsRule:
    rule = next((r for r in config_on(month).points if r.code == code), None)
    if rule is None or rule.per != "award":
        raise RecordRefused(
            _("“%(code)s” is not an award rule of the framework in force in %(month)s.")
            % {"code": code, "month": f"{month:%Y-%m}"}
        )
    return rule


def _check_cap(entry: PointsEntry, rule: PointsRule, states: Iterable[str]) -> None:
    if rule.cap is None:
        return
    used = PointsEntry.objects.filter(
        person_id=entry.person_id, month=entry.month, rule=rule.code, state__in=list(states)
    ).exclude(kind=PointsKind.RULE)
    if entry.pk:
        used = used.exclude(pk=entry.pk)
    total = used.aggregate(total=Sum("points"))["total"] or Decimal(0)
    if total + entry.points > rule.cap:
        raise RecordRefused(
            _(
                "“%(rule)s” gives at most %(cap)s points a month: this member already has "
                "%(used)s proposed or approved in %(month)s."
            )
            % {
                "rule": rule.display_name,
                "cap": rule.cap,
                "used": total,
                "month": f"{entry.month:%Y-%m}",
            }
        )


def _clean_points(points: Decimal | None, kind: str) -> Decimal:
    if points is None or not (0 < points <= POINTS_MAX) or points != points.quantize(TENTH):
        raise RecordRefused(
            _("Points are more than 0 and at most %(max)s, with one decimal at most.")
            % {"max": POINTS_MAX}
        )
    return -points if kind == PointsKind.DEDUCTION else points


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise RecordRefused(_("Give the reason for the award or deduction."))
    if len(reason) > 300:
        raise RecordRefused(_("The reason is longer than 300 characters."))
    return reason


def _facts(entry: PointsEntry) -> dict:
    return {
        "person": entry.person_id,
        "month": f"{entry.month:%Y-%m}",
        "kind": entry.kind,
        "rule": entry.rule,
        "points": str(entry.points),
        "reason": entry.reason,
        "state": entry.state,
    }


@transaction.atomic
def propose_points(
    person: Person,
    month: datetime.date,
    *,
    kind: str,
    points: Decimal | None,
    reason: str,
    rule: str = "",
    acting_user,
) -> PointsEntry:
    """The secretary proposes an award or a deduction (points given as a positive number); it
    counts once approved from above. An award may name an award rule: its points are the default
    and its monthly cap applies to the member's proposed and approved awards of that rule."""
    month = month_start(month)
    if kind not in (PointsKind.AWARD, PointsKind.DEDUCTION):
        raise RecordRefused(_("Choose an award or a deduction."))
    if person.kind not in PARTY_MEMBERS:
        raise RecordRefused(_("%(name)s is not a party member.") % {"name": person.name})
    found = homes([person.pk], month, month_end(month)).get(person.pk)
    organization = Organization.objects.filter(pk=found).first()
    if organization is None:
        raise RecordRefused(
            _("%(name)s belonged to no organization in %(month)s.")
            % {"name": person.name, "month": f"{month:%Y-%m}"}
        )
    if not can(acting_user, Action.ENTER, organization):
        raise NotAllowed(_("You do not enter data for %(org)s.") % {"org": organization})
    check_open(month)
    award_rule = None
    if rule:
        if kind != PointsKind.AWARD:
            raise RecordRefused(_("Only an award may name an award rule."))
        award_rule = _award_rule(month, rule)
        if points is None:
            points = award_rule.points
    entry = PointsEntry(
        person=person,
        organization=organization,
        month=month,
        kind=kind,
        rule=rule,
        points=_clean_points(points, kind),
        reason=_clean_reason(reason),
        state=PointsState.PROPOSED,
        entered_by=acting_user,
    )
    if award_rule is not None:
        _check_cap(entry, award_rule, [PointsState.PROPOSED, PointsState.APPROVED])
    entry.save()
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        entry,
        summary=f"points {person.employee_number} {month:%Y-%m} {entry.points:+}",
        after=_facts(entry),
        acting_user=acting_user,
    )
    return entry


def _lock(entry: PointsEntry) -> PointsEntry:
    return (
        PointsEntry.objects.select_for_update(of=("self",))
        .select_related("organization", "person")
        .get(pk=entry.pk)
    )


@transaction.atomic
def change_proposal(
    entry: PointsEntry, *, points: Decimal | None, reason: str, acting_user
) -> PointsEntry:
    """Change the points or reason of a proposal not decided yet."""
    entry = _lock(entry)
    if entry.kind == PointsKind.RULE or not can(acting_user, Action.ENTER, entry.organization):
        raise NotAllowed(_("You do not enter data for %(org)s.") % {"org": entry.organization})
    if entry.state != PointsState.PROPOSED:
        raise RecordRefused(_("Only a proposal awaiting approval can be changed."))
    check_open(entry.month)
    before = _facts(entry)
    entry.points = _clean_points(points if points is not None else abs(entry.points), entry.kind)
    entry.reason = _clean_reason(reason if reason is not None else entry.reason)
    if entry.rule:
        _check_cap(
            entry,
            _award_rule(entry.month, entry.rule),
            [PointsState.PROPOSED, PointsState.APPROVED],
        )
    entry.save(update_fields=["points", "reason"])
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        entry,
        summary=f"points {entry.person.employee_number} {entry.month:%Y-%m} {entry.points:+}",
        before=before,
        after=_facts(entry),
        acting_user=acting_user,
    )
    return entry


def can_decide(user, entry: PointsEntry) -> bool:
    """Reviewers above the organization, other than who entered it, decide on a proposal."""
    return (
        entry.state == PointsState.PROPOSED
        and entry.entered_by_id != user.pk
        and can_from_above(user, Action.REVIEW, entry.organization)
    )


@transaction.atomic
def decide_points(entry: PointsEntry, *, approve: bool, acting_user, note: str = "") -> PointsEntry:
    """Approve or refuse a proposed award or deduction (a reviewer of a strict ancestor)."""
    entry = _lock(entry)
    if not can_from_above(acting_user, Action.REVIEW, entry.organization):
        raise NotAllowed(
            _("Awards and deductions are approved by a reviewer above %(org)s.")
            % {"org": entry.organization}
        )
    if entry.entered_by_id == acting_user.pk:
        raise NotAllowed(_("You entered this proposal: another reviewer must decide on it."))
    if entry.state != PointsState.PROPOSED:
        raise RecordRefused(
            _("This proposal was decided already (%(state)s).")
            % {"state": entry.get_state_display()}
        )
    check_open(entry.month)
    if approve and entry.rule:
        _check_cap(entry, _award_rule(entry.month, entry.rule), [PointsState.APPROVED])
    before = _facts(entry)
    entry.state = PointsState.APPROVED if approve else PointsState.REFUSED
    entry.decided_by = acting_user
    entry.decided_at = timezone.now()
    entry.save(update_fields=["state", "decided_by", "decided_at"])
    if approve:
        records_changed(entry.organization_id, entry.month)
    audit_trail.record_event(
        AuditKind.POINTS_DECIDED,
        entry,
        summary=f"points {entry.person.employee_number} {entry.month:%Y-%m} {entry.state}",
        before=before,
        after={**_facts(entry), "note": note.strip()},
        acting_user=acting_user,
    )
    return entry


# Publication ----------------------------------------------------------------------------------


def quarter_totals(organization: Organization, year: int, quarter: int) -> list[dict]:
    """Each member's approved points of the quarter by month and in all, highest first: the
    members the organization held in any month of it, and whoever has lines there."""
    months = quarter_months(year, quarter)
    people: dict[int, dict[datetime.date, Decimal]] = {}
    for month in months:
        for person in month_members(organization, month):
            people.setdefault(person.pk, {})
    for person_id, month, total in (
        PointsEntry.objects.filter(
            organization=organization, month__in=months, state=PointsState.APPROVED
        )
        .values("person_id", "month")
        .annotate(total=Sum("points"))
        .order_by()
        .values_list("person_id", "month", "total")
    ):
        people.setdefault(person_id, {})[month] = Decimal(total).quantize(TENTH)
    named = Person.objects.in_bulk(list(people))
    rows = [
        {
            "person": pk,
            "employee_number": named[pk].employee_number,
            "name": named[pk].name,
            "months": [str(by_month.get(m, Decimal("0.0"))) for m in months],
            "total": str(sum(by_month.values(), Decimal("0.0"))),
        }
        for pk, by_month in people.items()
    ]
    return sorted(rows, key=lambda r: (-Decimal(r["total"]), r["employee_number"]))


@transaction.atomic
def publish_quarter(
    organization: Organization, year: int, quarter: int, *, acting_user
) -> PointsPublication:
    """Publish a quarter's totals to the branch (公示), once the quarter is over and no award or
    deduction of it awaits a decision. Kept as they stood: later changes do not alter it."""
    if not can(acting_user, Action.ENTER, organization):
        raise NotAllowed(_("You do not enter data for %(org)s.") % {"org": organization})
    if quarter not in (1, 2, 3, 4) or not 2000 <= year <= 2999:  # years far off are typing errors
        raise RecordRefused(_("Choose a quarter from 1 to 4 of a year."))
    months = quarter_months(year, quarter)
    if month_end(months[-1]) >= timezone.localdate():
        raise RecordRefused(_("A quarter is published once it is over."))
    Organization.objects.select_for_update().filter(pk=organization.pk).first()
    if PointsPublication.objects.filter(organization=organization, year=year, quarter=quarter):
        raise RecordRefused(
            _("The points of %(year)s Q%(quarter)s are published already.")
            % {"year": year, "quarter": quarter}
        )
    waiting = PointsEntry.objects.filter(
        organization=organization, month__in=months, state=PointsState.PROPOSED
    ).count()
    if waiting:
        raise RecordRefused(
            _("%(count)s awards or deductions of the quarter await a decision: publish after.")
            % {"count": waiting}
        )
    publication = PointsPublication.objects.create(
        organization=organization,
        year=year,
        quarter=quarter,
        totals=quarter_totals(organization, year, quarter),
        published_by=acting_user,
    )
    audit_trail.record_event(
        AuditKind.POINTS_PUBLISHED,
        publication,
        summary=f"points {year} Q{quarter}",
        after={"members": len(publication.totals)},
        acting_user=acting_user,
    )
    return publication


def months_to_count(today: datetime.date) -> list[datetime.date]:
    """What the nightly count covers: this month and the last (late dues show after its end)."""
    this = month_start(today)
    return [month_start(this - datetime.timedelta(days=1)), this]
