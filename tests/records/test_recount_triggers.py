"""Records written through the services move what is counted from them once they commit: the
values of source-backed indicators (`records.sources.records_changed`) and the members' points of
the month (`records.services.recount`), the same day rather than at night.

The tree of tests/conftest.py: alice is the secretary of branch A1a, erin administers the group
(she records talks of A1 and negative events). The year 2026 is open under the sourced test
framework (tests/sources_data.py) with the records section of the real one (its meeting kinds and
points rules: attending a meeting +2, a talk +1).
"""

import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.db import transaction

from assessment.choices import PeriodStatus
from assessment.models import IndicatorValue, Period
from records.choices import PointsKind, PointsState
from records.models import PointsEntry
from records.services import meetings, negative, recount, talks
from records.sources import records_changed
from records.tasks import count_points_after_change
from tests.factories import FrameworkFactory, PeriodFactory, PersonFactory
from tests.factories.records import PointsEntryFactory, framework_with_records
from tests.sources_data import sourced_framework

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)
MARCH = datetime.date(2026, 3, 1)


def framework_document() -> dict:
    document = sourced_framework()
    document["records"] = framework_with_records()["records"]
    return document


@pytest.fixture
def member(tree):
    """A second party member of A1a, made before the year opens (so she has a submission)."""
    return PersonFactory(organization=tree.a1a, name="党员乙")


@pytest.fixture
def period(tree, member):
    return PeriodFactory(framework=FrameworkFactory(document=framework_document()), year=2026)


@pytest.fixture
def next_year(period):
    return PeriodFactory(framework=period.framework, year=2027)


def counted(organization, code, period=None):
    """The counted value stored on the organization's own submission (None: never counted)."""
    rows = IndicatorValue.objects.filter(
        submission__organization=organization,
        submission__subject_unit="organization",
        indicator__code=code,
    )
    if period is not None:
        rows = rows.filter(submission__period=period)
    return rows.values_list("counted", flat=True).first()


def counted_for(person, code):
    return (
        IndicatorValue.objects.filter(submission__person=person, indicator__code=code)
        .values_list("counted", flat=True)
        .first()
    )


def rule_points(person, month=MARCH) -> dict[str, Decimal]:
    return dict(
        PointsEntry.objects.filter(person=person, month=month, kind=PointsKind.RULE).values_list(
            "rule", "points"
        )
    )


def roll(organization, day=DAY, presence="present"):
    return {p.pk: (presence, "") for p in meetings.expected_people(organization, day)}


def a_meeting(tree, alice, kind="committee_meeting", day=DAY, presence="present"):
    return meetings.record_meeting(
        tree.a1a,
        kind=kind,
        date=day,
        topic="学习党章",
        attendance=roll(tree.a1a, day, presence),
        acting_user=alice,
    )


# Meetings -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("period")
def test_recording_a_meeting_counts_it_and_deleting_it_takes_it_back(
    tree, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = a_meeting(tree, alice)
    assert counted(tree.a1a, "M1") == 1
    assert counted(tree.a1a, "M2") == 1

    with django_capture_on_commit_callbacks(execute=True):
        meetings.delete_meeting(meeting, version=meeting.version, acting_user=alice)
    assert counted(tree.a1a, "M1") == 0
    assert counted(tree.a1a, "M2") == 0


@pytest.mark.usefixtures("period")
def test_changing_the_attendance_recounts_the_branch_and_the_committees_above(
    tree, alice, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = a_meeting(tree, alice, kind="members_meeting")
    assert counted(tree.a1a, "A2") == 2
    assert counted(tree.a, "A2") == 2  # the committee's attendance includes its branches

    with django_capture_on_commit_callbacks(execute=True):
        meetings.change_meeting(
            meeting,
            version=meeting.version,
            attendance=roll(tree.a1a, presence="absent"),
            acting_user=alice,
        )
    assert counted(tree.a1a, "A2") == 0
    assert counted(tree.a, "A2") == 0


def test_moving_a_meeting_to_another_year_recounts_both(
    tree, alice, period, next_year, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = a_meeting(tree, alice)
    assert counted(tree.a1a, "M1", period) == 1

    with django_capture_on_commit_callbacks(execute=True):
        meetings.change_meeting(
            meeting,
            version=meeting.version,
            date=datetime.date(2027, 2, 1),
            acting_user=alice,
        )
    assert counted(tree.a1a, "M1", period) == 0
    assert counted(tree.a1a, "M1", next_year) == 1


@pytest.mark.usefixtures("period")
def test_a_refused_meeting_sends_nothing(tree, alice, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(meetings.RecordRefused),
    ):
        meetings.record_meeting(
            tree.a1a, kind="committee_meeting", date=DAY, topic="", attendance={}, acting_user=alice
        )
    assert callbacks == []


# Talks ----------------------------------------------------------------------------------------


@pytest.mark.usefixtures("period")
def test_recording_a_talk_counts_the_coverage_and_deleting_it_takes_it_back(
    tree, alice, member, django_capture_on_commit_callbacks
):
    secretary = tree.a1a.people.exclude(pk=member.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        talk = talks.record_talk(
            tree.a1a,
            talker=secretary,
            partner=member,
            date=DAY,
            topic="思想动态",
            acting_user=alice,
        )
    assert counted(tree.a1a, "T1") == 100

    with django_capture_on_commit_callbacks(execute=True):
        talks.delete_talk(talk, version=talk.version, acting_user=alice)
    assert counted(tree.a1a, "T1") == 0


@pytest.mark.usefixtures("period")
def test_a_talk_held_above_counts_in_the_branch_of_the_member_talked_with(
    tree, erin, member, django_capture_on_commit_callbacks
):
    above = tree.a1.people.get()
    with django_capture_on_commit_callbacks(execute=True):
        talks.record_talk(
            tree.a1, talker=above, partner=member, date=DAY, topic="谈心", acting_user=erin
        )
    assert counted(tree.a1a, "T1") == 50  # one of A1a's two members
    assert rule_points(member) == {"talk": Decimal("1.0")}


@pytest.mark.usefixtures("period")
def test_changing_a_talk_to_someone_else_recounts_both(
    tree, alice, member, django_capture_on_commit_callbacks
):
    secretary = tree.a1a.people.exclude(pk=member.pk).get()
    with django_capture_on_commit_callbacks(execute=True):
        talk = talks.record_talk(
            tree.a1a, talker=secretary, partner=member, date=DAY, topic="谈心", acting_user=alice
        )
    assert rule_points(member) == {"talk": Decimal("1.0")}
    newcomer = PersonFactory(organization=tree.a1a, name="党员丙")

    with django_capture_on_commit_callbacks(execute=True):
        talks.change_talk(
            talk,
            version=talk.version,
            talker=secretary,
            partner=newcomer,
            date=DAY,
            topic="谈心",
            acting_user=alice,
        )
    assert rule_points(member) == {}
    assert rule_points(newcomer) == {"talk": Decimal("1.0")}
    # The secretary and the newcomer of three members; the member no longer.
    assert counted(tree.a1a, "T1") == pytest.approx(200 / 3, abs=0.01)


# Negative events ------------------------------------------------------------------------------


def test_a_negative_event_is_counted_moved_and_taken_back(
    tree, erin, period, next_year, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        event = negative.record_negative_event(
            tree.a1a,
            category="discipline",
            severity="serious",
            date=DAY,
            title="违反工作纪律",
            acting_user=erin,
        )
    assert counted(tree.a1a, "N1", period) == 1
    assert counted(tree.a, "N1", period) == 1

    with django_capture_on_commit_callbacks(execute=True):
        event = negative.change_negative_event(
            event, version=event.version, date=datetime.date(2027, 1, 5), acting_user=erin
        )
    assert counted(tree.a1a, "N1", period) == 0
    assert counted(tree.a1a, "N1", next_year) == 1

    with django_capture_on_commit_callbacks(execute=True):
        negative.delete_negative_event(event, version=event.version, acting_user=erin)
    assert counted(tree.a1a, "N1", next_year) == 0


@pytest.mark.usefixtures("period")
def test_a_negative_event_leaves_the_points_alone(tree, erin, django_capture_on_commit_callbacks):
    with (
        mock.patch.object(count_points_after_change, "apply_async") as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        negative.record_negative_event(
            tree.a1a,
            category="discipline",
            severity="minor",
            date=DAY,
            title="迟到",
            acting_user=erin,
        )
    sent.assert_not_called()


# Points ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("period")
def test_a_meeting_gives_the_members_present_their_points_after_commit(
    tree, alice, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        meeting = a_meeting(tree, alice)
    assert rule_points(member) == {"attend": Decimal("2.0")}
    # The values counted from points read the new lines, not those of before.
    assert counted_for(member, "P3") == 2

    with django_capture_on_commit_callbacks(execute=True):
        meetings.change_meeting(
            meeting,
            version=meeting.version,
            attendance=roll(tree.a1a, presence="absent"),
            acting_user=alice,
        )
    assert rule_points(member) == {"absent": Decimal("-3.0")}
    assert counted_for(member, "P3") == -3


@pytest.mark.usefixtures("period")
def test_nothing_is_counted_before_the_commit(
    tree, alice, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        a_meeting(tree, alice)
    assert callbacks  # waiting for the commit
    assert rule_points(member) == {}


@pytest.mark.usefixtures("period")
def test_one_transaction_sends_one_points_task_per_month(tree, django_capture_on_commit_callbacks):
    april = datetime.date(2026, 4, 2)
    with (
        mock.patch.object(count_points_after_change, "apply_async") as sent,
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        records_changed(tree.a1b.pk, DAY)
        records_changed(tree.a1a.pk, april)
        records_changed(tree.a1a.pk, datetime.date(2026, 3, 28))
    assert sorted(call.kwargs["args"] for call in sent.call_args_list) == [
        ["2026-03-01", sorted([tree.a1a.pk, tree.a1b.pk])],
        ["2026-04-01", [tree.a1a.pk]],
    ]


def rolled_back(organization) -> None:
    with transaction.atomic():
        records_changed(organization.pk, DAY)
        raise ZeroDivisionError


@pytest.mark.usefixtures("period")
def test_a_rolled_back_change_sends_no_points_and_leaves_none_for_the_next(
    tree, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(count_points_after_change, "apply_async") as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        with pytest.raises(ZeroDivisionError):
            rolled_back(tree.b1)
        records_changed(tree.a1a.pk, DAY)
    assert [call.kwargs["args"] for call in sent.call_args_list] == [["2026-03-01", [tree.a1a.pk]]]


@pytest.mark.usefixtures("period")
def test_a_queue_that_is_down_leaves_the_points_to_the_night(
    tree, alice, member, django_capture_on_commit_callbacks, caplog
):
    with (
        mock.patch.object(count_points_after_change, "apply_async", side_effect=OSError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        a_meeting(tree, alice)  # saved all the same
    assert rule_points(member) == {}
    assert "nightly count" in caplog.text


def test_a_month_whose_period_closed_is_not_counted_again(tree, member, period):
    PointsEntryFactory(
        person=member,
        month=MARCH,
        kind=PointsKind.RULE,
        rule="attend",
        points=Decimal("2.0"),
        state=PointsState.APPROVED,
    )
    before = rule_points(member)
    Period.objects.filter(pk=period.pk).update(status=PeriodStatus.CLOSED)

    assert recount.count_points_after_change(DAY, [tree.a1a.pk]) == 0
    assert rule_points(member) == before != {}
