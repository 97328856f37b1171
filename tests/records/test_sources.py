"""The record-backed sources (records/sources.py, rectification/sources.py) against hand-made
records: each computation through `assessment.sources.count`, as the entry page and the recount
use it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessment import sources
from assessment.scoring.values import NOT_APPLICABLE
from organizations.choices import PersonKind
from organizations.models import Membership
from records.choices import NegativeCategory, PointsKind, PointsState, Presence, Severity
from records.models import PointsEntry
from rectification.models import Rectification
from tests.factories.assessment import FrameworkFactory, PeriodFactory
from tests.factories.organizations import OrganizationFactory, PersonFactory, UserFactory, kind
from tests.factories.records import (
    AttendanceFactory,
    DuesPaymentFactory,
    MeetingFactory,
    NegativeEventFactory,
    StudyRecordFactory,
    TalkFactory,
)
from tests.factories.rectification import RectificationFactory
from tests.sources_data import sourced_framework

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 20)  # every month but December is over


@pytest.fixture
def tree():
    committee = OrganizationFactory(kind=kind("committee"), name="第一党委")
    branch = OrganizationFactory(parent=committee, name="第一支部")
    other = OrganizationFactory(parent=committee, name="第二支部")
    return committee, branch, other


def opened(document=None):
    """The year 2026 of the sourced framework, opened once the test's people exist (opening
    makes their submissions)."""
    return PeriodFactory(framework=FrameworkFactory(document=document or sourced_framework()))


def counted(period, **filters) -> dict:
    """{(subject name, code): value} for the period's submissions (all, or those filtered)."""
    submissions = list(period.submissions.filter(**filters))
    values = sources.count(period, submissions, today=TODAY)
    names = {s.pk: s.subject_name for s in submissions}
    return {(names[sid], code): value for (sid, code), value in values.items()}


def test_meetings_and_months_with_meetings_count_the_kind_in_the_period(tree):
    _committee, branch, other = tree
    for day in ("2026-01-05", "2026-01-20", "2026-03-02", "2025-12-30"):
        MeetingFactory(organization=branch, date=datetime.date.fromisoformat(day))
    MeetingFactory(organization=branch, kind="members_meeting", date=datetime.date(2026, 5, 1))
    MeetingFactory(organization=other, date=datetime.date(2026, 2, 1))
    period = opened()
    values = counted(period, subject_unit="organization")
    assert values[("第一支部", "M1")] == 3  # 2025's meeting and the members' meeting left out
    assert values[("第一支部", "M2")] == 2  # January (twice) and March
    assert values[("第二支部", "M1")] == 1
    # Meetings are counted where they were held: the committee held none itself.
    assert values[("第一党委", "M1")] == 0


def test_months_with_meetings_needs_min_meetings_a_month(tree):
    document = sourced_framework()
    document["indicators"][1]["source"]["min"] = 2
    _committee, branch, _other = tree
    for day in ("2026-01-05", "2026-01-20", "2026-03-02"):
        MeetingFactory(organization=branch, date=datetime.date.fromisoformat(day))
    period = opened(document)
    assert (
        counted(period, organization=branch, subject_unit="organization")[("第一支部", "M2")] == 1
    )


def test_attendance_expects_the_members_on_the_day_and_deducts_excused(tree):
    _committee, branch, _other = tree
    alice, bob, carol = (PersonFactory(organization=branch, name=n) for n in "ABC")
    PersonFactory(organization=branch, kind=PersonKind.STAFF)  # staff are not expected
    meeting = MeetingFactory(organization=branch, kind="members_meeting")
    AttendanceFactory(meeting=meeting, person=alice)
    AttendanceFactory(meeting=meeting, person=bob, presence=Presence.EXCUSED)
    # carol has no row: absent
    period = opened()
    values = counted(period, organization=branch, subject_unit="organization")
    assert values[("第一支部", "A1")] == 2  # 3 members, 1 excused
    assert values[("第一支部", "A2")] == 1
    assert values[("第一支部", "AR")] == 50.0
    person = counted(period, person=carol)
    assert (
        person[(carol.name if False else period.submissions.get(person=carol).subject_name, "P4")]
        == 0.0
    )


def test_attendance_follows_transfers(tree):
    _committee, branch, other = tree
    mover = PersonFactory(organization=other, name="调动")
    stayer = PersonFactory(organization=branch, name="留任")
    # mover belonged to branch until the end of March, then to other
    Membership.objects.filter(person=mover).delete()
    Membership.objects.create(
        person=mover, organization=branch, start=None, end=datetime.date(2026, 3, 31)
    )
    Membership.objects.create(person=mover, organization=other, start=datetime.date(2026, 4, 1))
    before = MeetingFactory(
        organization=branch, kind="members_meeting", date=datetime.date(2026, 3, 10)
    )
    after = MeetingFactory(
        organization=branch, kind="members_meeting", date=datetime.date(2026, 6, 10)
    )
    there = MeetingFactory(
        organization=other, kind="members_meeting", date=datetime.date(2026, 6, 11)
    )
    for meeting in (before, after):
        AttendanceFactory(meeting=meeting, person=stayer)
    AttendanceFactory(meeting=before, person=mover)
    AttendanceFactory(meeting=there, person=mover)
    period = opened()
    values = counted(period, subject_unit="organization")
    assert values[("第一支部", "A1")] == 3  # both in March, only stayer in June
    assert values[("第一支部", "A2")] == 3
    assert values[("第二支部", "A1")] == 1
    # The committee's rate is its subtree's: 4 present of 4 expected.
    assert values[("第一党委", "A1")] == 4
    assert values[("第一党委", "AR")] == 100.0
    mine = counted(period, person=mover)
    assert list(mine.items())
    assert all(v == 100.0 for (name, code), v in mine.items() if code == "P4")


def test_party_group_meetings_expect_their_sign_in_list(tree):
    _committee, branch, _other = tree
    alice, bob, _carol = (PersonFactory(organization=branch) for _ in range(3))
    meeting = MeetingFactory(organization=branch, kind="group_meeting")
    AttendanceFactory(meeting=meeting, person=alice)
    AttendanceFactory(meeting=meeting, person=bob, presence=Presence.ABSENT)
    period = opened()
    values = counted(period, organization=branch, subject_unit="organization")
    assert values[("第一支部", "A1")] == 2
    assert values[("第一支部", "A2")] == 1


def test_a_committee_meetings_rate_counts_only_the_listed(tree):
    """Committee meetings have a chosen roll: of five members, the two on the list were expected."""
    _committee, branch, _other = tree
    people = [PersonFactory(organization=branch) for _ in range(5)]
    meeting = MeetingFactory(organization=branch, kind="committee_meeting")
    AttendanceFactory(meeting=meeting, person=people[0])
    AttendanceFactory(meeting=meeting, person=people[1], presence=Presence.ABSENT)
    period = opened()
    values = counted(period, organization=branch, subject_unit="organization")
    assert values[("第一支部", "AR")] == 50.0  # 1 present of 2 expected, not of 5


def test_dues_rate_counts_member_months_of_ended_months(tree):
    _committee, branch, _other = tree
    alice = PersonFactory(organization=branch)
    bob = PersonFactory(organization=branch)
    # Within 2026 up to TODAY: 11 months each, 22 member-months.
    for month in range(1, 12):
        DuesPaymentFactory(
            person=alice,
            month=datetime.date(2026, month, 1),
            paid_on=datetime.date(2026, month, 20),
        )
    DuesPaymentFactory(
        person=bob, month=datetime.date(2026, 1, 1), paid_on=datetime.date(2026, 2, 3)
    )  # late
    DuesPaymentFactory(
        person=bob,
        month=datetime.date(2026, 2, 1),
        paid=Decimal("1.00"),
        paid_on=datetime.date(2026, 2, 3),
    )  # short
    DuesPaymentFactory(
        person=bob, month=datetime.date(2026, 3, 1), paid_on=datetime.date(2026, 3, 3)
    )
    period = opened()
    values = counted(period, organization=branch)
    assert values[("第一支部", "D1")] == round(12 / 22 * 100, 2)
    names = {p.pk: period.submissions.get(person=p).subject_name for p in (alice, bob)}
    assert values[(names[alice.pk], "P2")] == 11
    assert values[(names[bob.pk], "P2")] == 1


def test_dues_rate_is_not_applicable_before_a_month_ends(tree):
    _committee, branch, _other = tree
    PersonFactory(organization=branch)
    period = opened()
    submissions = list(period.submissions.filter(organization=branch, subject_unit="organization"))
    values = sources.count(period, submissions, today=datetime.date(2026, 1, 15))
    assert values[(submissions[0].pk, "D1")] == NOT_APPLICABLE


def test_talk_coverage_counts_members_who_took_part(tree):
    _committee, branch, _other = tree
    secretary, a, b, _c = (PersonFactory(organization=branch) for _ in range(4))
    TalkFactory(organization=branch, talker=secretary, partner=a)
    TalkFactory(organization=branch, talker=secretary, partner=b, date=datetime.date(2025, 6, 1))
    period = opened()
    values = counted(period, organization=branch, subject_unit="organization")
    assert values[("第一支部", "T1")] == 50.0  # secretary and a of four


def test_study_hours_per_member_and_per_person(tree):
    _committee, branch, _other = tree
    alice, bob = PersonFactory(organization=branch), PersonFactory(organization=branch)
    staff = PersonFactory(organization=branch, kind=PersonKind.STAFF)
    StudyRecordFactory(person=alice, hours=Decimal("10.5"))
    StudyRecordFactory(person=alice, hours=Decimal("2"))
    StudyRecordFactory(person=bob, hours=Decimal("3"), date=datetime.date(2025, 12, 31))
    StudyRecordFactory(person=staff, hours=Decimal("40"))
    period = opened()
    values = counted(period, organization=branch)
    assert values[("第一支部", "S1")] == 6.25  # 12.5 hours over two members
    name = period.submissions.get(person=alice).subject_name
    assert values[(name, "P1")] == 12.5
    assert values[(period.submissions.get(person=bob).subject_name, "P1")] == 0


def test_points_sum_approved_lines_of_the_period(tree):
    _committee, branch, _other = tree
    alice = PersonFactory(organization=branch)
    user = UserFactory()
    for month, points, state in (
        (1, "5", PointsState.APPROVED),
        (2, "-2", PointsState.APPROVED),
        (3, "9", PointsState.PROPOSED),
        (3, "7", PointsState.REFUSED),
    ):
        PointsEntry.objects.create(
            person=alice,
            organization=branch,
            month=datetime.date(2026, month, 1),
            kind=PointsKind.AWARD,
            points=Decimal(points),
            reason="志愿服务",
            state=state,
            entered_by=user,
        )
    period = opened()
    values = counted(period, person=alice)
    assert list(values.values())
    assert values[(period.submissions.get(person=alice).subject_name, "P3")] == 3.0


def test_negative_events_by_category_and_severity_over_the_subtree(tree):
    _committee, branch, other = tree
    NegativeEventFactory(organization=branch, severity=Severity.SERIOUS)
    NegativeEventFactory(organization=branch, severity=Severity.MINOR)  # below serious
    NegativeEventFactory(organization=other, severity=Severity.GRAVE)
    NegativeEventFactory(
        organization=other, category=NegativeCategory.SAFETY, severity=Severity.GRAVE
    )  # another category
    period = opened()
    values = counted(period, subject_unit="organization")
    assert values[("第一支部", "N1")] == 1
    assert values[("第二支部", "N1")] == 1
    assert values[("第一党委", "N1")] == 2
    assert values[("第一支部", "N2")] is False
    assert values[("第二支部", "N2")] is True
    assert values[("第一党委", "N2")] is True


def test_rectification_closure_rate_counts_items_due_in_the_period(tree):
    _committee, branch, _other = tree
    period = opened()
    earlier = PeriodFactory(framework=period.framework, year=2025, opened=False)

    def item(code, due, *, closed_on=None):
        row = RectificationFactory(
            organization=branch, period=earlier, indicator_code=code, due_date=due
        )
        if closed_on:
            Rectification.objects.filter(pk=row.pk).update(
                state=Rectification.State.CLOSED,
                confirmed_at=timezone.make_aware(
                    datetime.datetime.combine(closed_on, datetime.time(12))
                ),
            )

    item("C1", datetime.date(2026, 3, 1), closed_on=datetime.date(2026, 2, 20))
    item("C2", datetime.date(2026, 4, 1), closed_on=datetime.date(2026, 4, 10))  # late
    item("C3", datetime.date(2026, 5, 1))  # not closed
    item("C4", datetime.date(2027, 1, 31))  # due after the period
    values = counted(period, subject_unit="organization")
    assert values[("第一支部", "R1")] == round(100 / 3, 2)
    assert values[("第二支部", "R1")] == NOT_APPLICABLE  # nothing due
