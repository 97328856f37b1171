"""The demo's year of records (partybuild/demo/records.py), read from one shared seed_demo load.

Every test reads the same demo (`seed_demo --scale 0.1`: the whole tree, fewer people), loaded
once for the module and rolled back at its end (tests/shared_rows.py); a test that changes it is
rolled back to it.
"""

import datetime
import hashlib
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min
from django.utils import timezone

from organizations.choices import PersonKind, PersonStatus
from organizations.models import BELONGING, Membership, Organization, Person
from partybuild.demo import records as demo_records
from partybuild.demo.organizations import DEMO_GROUP_CODE
from records.choices import PointsKind, Presence, StudyKind
from records.config import config_on
from records.models import (
    Attendance,
    DuesPayment,
    Meeting,
    NegativeEvent,
    PointsEntry,
    StudyRecord,
    Talk,
)
from tests.shared_rows import building, shared_rows

MONTHLY = ("committee_meeting", "theme_day")
REASONS = {reason for reason, _weight in demo_records.EXCUSES}


@pytest.fixture(scope="module")
def _demo_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    with shared_rows(django_db_blocker):
        with building(django_db_blocker, tmp_path_factory.mktemp("media")):
            call_command("seed_demo", "--scale", "0.1", verbosity=0)
        yield


@pytest.fixture
def year(_demo_rows, db):
    """The open year of the demo with the days its records cover (up to today)."""
    period = demo_records.open_year()
    last = min(timezone.localdate(), period.end)
    months = demo_records._months(period.start, last)
    ended = [m for m in months if demo_records._month_end(m) < last]
    if not ended:
        pytest.skip("the open year has no month over yet")
    return period, last, months, ended


def branches():
    return list(Organization.objects.filter(kind__code="branch").order_by("code"))


def members_on(org_id: int, day: datetime.date) -> set[int]:
    """The party members expected at a meeting of the organization on the day."""
    return set(
        Membership.objects.on(day)
        .filter(
            organization_id=org_id,
            person__status__in=BELONGING,
            person__party_member_since__lte=day,
        )
        .exclude(person__kind=PersonKind.STAFF)
        .values_list("person_id", flat=True)
    )


def transfers() -> list[tuple[Membership, Membership]]:
    """(closed, opened) membership of every member moved to another branch during the year."""
    return [
        (
            closed,
            Membership.objects.select_related("person").get(
                person_id=closed.person_id, start=closed.end + datetime.timedelta(days=1)
            ),
        )
        for closed in Membership.objects.filter(end__isnull=False).order_by("end")
    ]


def test_records_fall_in_the_open_year_up_to_today(year):
    period, last, _months, _ended = year
    for model in (Meeting, Talk, StudyRecord):
        dates = model.objects.aggregate(first=Min("date"), last=Max("date"))
        assert period.start <= dates["first"], model
        assert dates["last"] <= last, model
    months = DuesPayment.objects.aggregate(first=Min("month"), last=Max("month"))
    assert months == {"first": period.start, "last": last.replace(day=1)}


def test_most_branches_hold_every_monthly_meeting_and_some_miss_months(year):
    _period, _last, _months, ended = year
    held = set(
        Meeting.objects.filter(kind__in=MONTHLY, organization__kind__code="branch")
        .values_list("organization_id", "kind", "date")
        .iterator()
    )
    held = {(org, kind, day.replace(day=1)) for org, kind, day in held}
    slots = [(b.pk, kind, month) for b in branches() for kind in MONTHLY for month in ended]
    missed = [slot for slot in slots if slot not in held]
    assert 0.8 < 1 - len(missed) / len(slots) < 1
    # Gaps are spread over some branches, not one: the calendar and the reminders show them.
    assert len({org for org, _kind, _month in missed}) >= 10
    complete = {b.pk for b in branches()} - {org for org, _kind, _month in missed}
    assert len(complete) > len(branches()) / 2


def test_the_secretarys_branch_missed_only_last_months_themed_day(year):
    _period, _last, months, _ended = year
    if len(months) < 2:
        pytest.skip("the year is in its first month")
    branch = Organization.objects.get(code="CETC14-01-01")
    theme_months = {
        d.replace(day=1)
        for d in Meeting.objects.filter(organization=branch, kind="theme_day").values_list(
            "date", flat=True
        )
    }
    committee_months = {
        d.replace(day=1)
        for d in Meeting.objects.filter(organization=branch, kind="committee_meeting").values_list(
            "date", flat=True
        )
    }
    assert months[-2] not in theme_months
    assert set(months[:-2]) <= theme_months
    assert set(months[:-1]) <= committee_months


def test_every_required_kind_is_held_by_the_organizations_it_applies_to(year):
    period, _last, _months, ended = year
    config = config_on(period.start)
    kinds_by_org = dict(
        Meeting.objects.values("organization__kind__code")
        .annotate(n=Count("kind", distinct=True))
        .values_list("organization__kind__code", "n")
    )
    for org_kind in ("branch", "general_branch", "committee"):
        assert kinds_by_org[org_kind] == len(config.kinds_for(org_kind)), org_kind
    assert "group" not in kinds_by_org  # the group leadership holds none of these kinds
    # Quarterly meetings: most branches held their members' meeting in every quarter over.
    quarters = {(m.month - 1) // 3 for m in ended if (m.month % 3 == 0)}
    if quarters:
        by_branch = defaultdict(set)
        for org, day in Meeting.objects.filter(
            kind="members_meeting", organization__kind__code="branch"
        ).values_list("organization_id", "date"):
            by_branch[org].add((day.month - 1) // 3)
        complete = [b for b in branches() if quarters <= by_branch[b.pk]]
        assert len(complete) > 0.7 * len(branches())
    yearly = Meeting.objects.filter(kind="life_meeting", organization__kind__code="branch")
    assert yearly.values("organization").distinct().count() > 0.8 * len(branches())


def test_attendance_lists_the_members_expected_on_the_day(year):
    meetings = list(
        Meeting.objects.filter(organization__kind__code="branch")
        .exclude(kind__in=["group_meeting", "committee_meeting"])  # chosen rolls: below
        .order_by("pk")[::40]
    )
    rolls = defaultdict(set)
    for meeting_id, person_id in Attendance.objects.filter(meeting__in=meetings).values_list(
        "meeting_id", "person_id"
    ):
        rolls[meeting_id].add(person_id)
    assert len(meetings) > 100
    for meeting in meetings:
        assert rolls[meeting.pk] == members_on(meeting.organization_id, meeting.date), meeting


def test_a_party_groups_meeting_lists_its_own_members(year):
    meetings = Meeting.objects.filter(kind="group_meeting")
    assert meetings.exists()
    assert not meetings.filter(party_group="").exists()
    for meeting in meetings.order_by("pk")[::100]:
        roll = set(Attendance.objects.filter(meeting=meeting).values_list("person_id", flat=True))
        assert roll
        assert roll <= members_on(meeting.organization_id, meeting.date)
    # General branches and committees have no members of their own: no roll.
    assert not Attendance.objects.exclude(meeting__organization__kind__code="branch").exists()


def test_a_committee_meeting_lists_three_to_seven_of_the_branchs_members(year):
    meetings = Meeting.objects.filter(kind="committee_meeting", organization__kind__code="branch")
    assert meetings.exists()
    for meeting in meetings.order_by("pk")[::50]:
        roll = set(Attendance.objects.filter(meeting=meeting).values_list("person_id", flat=True))
        members = members_on(meeting.organization_id, meeting.date)
        assert roll <= members
        assert min(3, len(members)) <= len(roll) <= 7


def test_most_attend_a_few_are_excused_with_a_reason_and_rarely_absent(year):
    counts = Counter(Attendance.objects.values_list("presence", flat=True).iterator())
    total = sum(counts.values())
    assert counts[Presence.PRESENT] / total > 0.85
    assert 0.02 < counts[Presence.EXCUSED] / total < 0.12
    assert 0 < counts[Presence.ABSENT] / total < 0.02
    reasons = Counter(
        Attendance.objects.filter(presence=Presence.EXCUSED).values_list("reason", flat=True)
    )
    assert set(reasons) <= REASONS
    assert reasons.most_common(1)[0][0] == "出差"
    assert not Attendance.objects.exclude(presence=Presence.EXCUSED).exclude(reason="").exists()


def test_transferred_members_are_expected_in_the_old_branch_before_and_the_new_one_after(year):
    moved = transfers()
    assert len(moved) >= 2
    for closed, opened in moved:
        assert closed.organization_id != opened.organization_id
        assert opened.person.organization_id == opened.organization_id
        attended = Attendance.objects.filter(person=opened.person).values_list(
            "meeting__organization_id", "meeting__date"
        )
        assert attended
        for org, day in attended:
            assert org == (closed.organization_id if day < opened.start else opened.organization_id)


def test_members_who_joined_this_year_belong_to_their_branch_from_that_day(year):
    period, _last, _months, _ended = year
    joined = Person.objects.filter(
        party_member_since__gt=period.start, status__in=BELONGING
    ).exclude(kind=PersonKind.STAFF)
    if not joined.exists():
        pytest.skip("no member of this scaled-down demo joined the party this year")
    for person in joined:
        membership = Membership.objects.get(person=person)
        assert membership.start == person.party_member_since
        assert not Attendance.objects.filter(
            person=person, meeting__date__lt=person.party_member_since
        ).exists()


def test_every_member_has_dues_for_every_month_so_far(year):
    period, last, months, _ended = year
    config = config_on(period.start)
    rows = defaultdict(dict)
    for payment in DuesPayment.objects.all():
        rows[payment.person_id][payment.month] = payment
    members = Person.objects.filter(status__in=BELONGING).exclude(kind=PersonKind.STAFF)
    assert members.count() > 300
    assert members.filter(status=PersonStatus.RETIRED).exists()
    for person in members:
        # From the month they joined the party (probationary members too).
        owed = {m for m in months if person.party_member_since <= demo_records._month_end(m)}
        assert set(rows[person.pk]) == owed, person
    payments = [p for by_month in rows.values() for p in by_month.values()]
    retired = set(members.filter(status=PersonStatus.RETIRED).values_list("pk", flat=True))
    for payment in payments[::25]:
        assert Decimal(4_000) <= payment.base <= Decimal(25_000)
        group = "retired" if payment.person_id in retired else "regular"
        assert payment.rate == config.rate_for(payment.base, group)
        expected = max((payment.base * payment.rate).quantize(Decimal("0.01")), config.dues_minimum)
        assert payment.due == expected
    past = [p for p in payments if demo_records._month_end(p.month) < last]
    on_time = sum(p.on_time for p in past)
    assert 0.85 < on_time / len(past) < 1
    assert any(p.paid is not None and p.paid < p.due for p in past)  # short
    assert any(p.paid_on and p.paid_on > demo_records._month_end(p.month) for p in past)  # late


def test_dues_are_counted_where_the_member_belonged_at_the_months_end(year):
    moved = transfers()
    assert moved
    for closed, opened in moved:
        for payment in DuesPayment.objects.filter(person_id=opened.person_id):
            home = opened if demo_records._month_end(payment.month) >= opened.start else closed
            assert payment.organization_id == home.organization_id, payment.month


def test_branches_hold_talks_between_two_of_their_members(year):
    talks = list(Talk.objects.all())
    assert len({t.organization_id for t in talks}) > 0.9 * len(branches())
    for talk in talks[::10]:
        assert talk.talker_id != talk.partner_id
        expected = members_on(talk.organization_id, talk.date)
        assert {talk.talker_id, talk.partner_id} <= expected


def test_members_study_online_in_sessions_and_on_courses(year):
    members = Person.objects.filter(status__in=BELONGING).exclude(kind=PersonKind.STAFF)
    studied = set(StudyRecord.objects.values_list("person_id", flat=True))
    assert len(studied) > 0.9 * members.count()
    kinds = set(StudyRecord.objects.values_list("kind", flat=True))
    assert kinds == set(StudyKind.values)
    assert not StudyRecord.objects.filter(hours__lte=0).exists()


def test_points_are_counted_for_every_month_so_far(year):
    period, _last, months, ended = year
    rule_months = set(
        PointsEntry.objects.filter(kind=PointsKind.RULE).values_list("month", flat=True)
    )
    assert rule_months == set(months)
    attend = next(rule for rule in config_on(period.start).points if rule.code == "attend")
    month = ended[-1]
    present = Counter(
        Attendance.objects.filter(
            presence=Presence.PRESENT,
            meeting__date__gte=month,
            meeting__date__lte=demo_records._month_end(month),
        ).values_list("person_id", flat=True)
    )
    lines = dict(
        PointsEntry.objects.filter(month=month, kind=PointsKind.RULE, rule="attend").values_list(
            "person_id", "points"
        )
    )
    assert lines
    assert lines == {p: attend.points * n for p, n in present.items()}
    assert PointsEntry.objects.filter(kind=PointsKind.AWARD).exists()


def test_negative_events_are_entered_by_the_inspector_below_the_group(year):
    period, last, _months, _ended = year
    events = list(NegativeEvent.objects.select_related("entered_by", "organization"))
    assert len(events) >= 3
    assert {e.entered_by.username for e in events} == {"inspector"}
    assert all(e.organization.code != DEMO_GROUP_CODE for e in events)
    assert all(period.start <= e.date <= last for e in events)
    assert len({e.category for e in events}) >= 3


def test_events_with_a_decision_number_have_their_decision_as_a_pdf(year):
    numbered = NegativeEvent.objects.exclude(decision_number="").prefetch_related("documents")
    assert numbered.exists()
    for event in numbered:
        (document,) = event.documents.all()
        # Stored by its hash like an upload (the content lies in the media of the demo's build).
        assert document.file.name == f"records/{document.sha256[:2]}/{document.sha256}"
        assert (document.content_type, document.original_name) == (
            "application/pdf",
            f"{event.decision_number}.pdf",
        )
        assert document.size > 1000
        assert document.uploaded_by.username == "inspector"


def digest() -> str:
    """The demo's records by what they say (codes, employee numbers, dates), not by their ids."""
    rows = [
        sorted(
            Meeting.objects.values_list(
                "organization__code",
                "kind",
                "party_group",
                "date",
                "topic",
                "host__employee_number",
            )
        ),
        sorted(
            Attendance.objects.values_list(
                "meeting__organization__code",
                "meeting__kind",
                "meeting__party_group",
                "meeting__date",
                "person__employee_number",
                "presence",
                "reason",
            )
        ),
        sorted(
            Talk.objects.values_list(
                "organization__code",
                "talker__employee_number",
                "partner__employee_number",
                "date",
                "topic",
            )
        ),
        sorted(
            DuesPayment.objects.values_list(
                "person__employee_number",
                "organization__code",
                "month",
                "base",
                "rate",
                "due",
                "paid",
                "paid_on",
            )
        ),
        sorted(
            StudyRecord.objects.values_list(
                "person__employee_number", "organization__code", "date", "kind", "title", "hours"
            )
        ),
        sorted(
            PointsEntry.objects.values_list(
                "person__employee_number", "organization__code", "month", "kind", "rule", "points"
            )
        ),
        sorted(NegativeEvent.objects.values_list("organization__code", "date", "title")),
        sorted(
            Membership.objects.exclude(start=None, end=None).values_list(
                "person__employee_number", "organization__code", "start", "end"
            )
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_the_records_are_loaded_once_and_the_same_every_time(year):
    """GIVEN the demo with its records, WHEN they are loaded again, THEN nothing changes; WHEN
    they and the transfers are undone and loaded afresh, THEN they come back the same."""
    first = digest()
    assert demo_records.load_demo_records() == {}
    assert digest() == first

    for model in (PointsEntry, Attendance, Meeting, Talk, DuesPayment, StudyRecord, NegativeEvent):
        model.objects.all().delete()
    for closed, opened in transfers():
        Person.objects.filter(pk=opened.person_id).update(organization=closed.organization_id)
        Membership.objects.filter(pk=closed.pk).update(end=None)
        opened.delete()
    assert digest() != first

    counts = demo_records.load_demo_records()

    assert counts["meetings"]
    assert counts["transfers"] >= 2
    assert digest() == first
