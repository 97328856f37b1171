"""Values counted from records: the registry, the set-based count, storing counted values and
overriding them (assessment/sources.py, assessment/services/counted.py).

The tree of tests/conftest.py with the sourced framework (tests/sources_data.py): branch A1a's
submission is alice's, carol reviews it from committee A.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessment import sources
from assessment.choices import PeriodStatus, SubmissionState
from assessment.models import IndicatorValue, Submission
from assessment.services import counted, submissions
from assessment.services.submissions import InvalidValues
from audit.models import AuditEntry, AuditKind
from tests.factories import FrameworkFactory, PeriodFactory
from tests.factories.organizations import OrganizationFactory, PersonFactory, kind
from tests.factories.records import AttendanceFactory, MeetingFactory
from tests.sources_data import sourced_framework

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 20)


@pytest.fixture
def framework_doc() -> dict:
    document = sourced_framework()
    document["indicators"][0]["evidence_required"] = True  # M1
    return document


@pytest.fixture
def submission(period, tree):
    """Branch A1a's own submission (its member has one too)."""
    return period.submissions.get(organization=tree.a1a, subject_unit="organization")


def value_row(submission, code) -> IndicatorValue:
    return IndicatorValue.objects.get(submission=submission, indicator__code=code)


def fresh(submission) -> Submission:
    return Submission.objects.get(pk=submission.pk)


# -- the registry ------------------------------------------------------------------------------


def test_a_kind_the_spec_does_not_know_cannot_be_registered():
    with pytest.raises(ValueError, match="not a source kind"):
        sources.register("coffee_breaks", lambda ctx, source: {})


def test_the_records_and_rectification_apps_register_every_kind_of_the_spec():
    from assessment.scoring.spec import SOURCE_KINDS

    assert sources.registered() == frozenset(SOURCE_KINDS)


# -- set-based: the same queries for 3 and for 30 organizations --------------------------------


def _branches(count: int) -> None:
    committee = OrganizationFactory(kind=kind("committee"))
    for _ in range(count):
        branch = OrganizationFactory(parent=committee)
        member = PersonFactory(organization=branch)
        meeting = MeetingFactory(organization=branch, kind="members_meeting")
        AttendanceFactory(meeting=meeting, person=member)
        MeetingFactory(organization=branch)


def _queries_of_count_all(branches: int, version: str) -> tuple[int, dict]:
    _branches(branches)
    document = sourced_framework()
    document["version"] = version
    period = PeriodFactory(framework=FrameworkFactory(document=document))
    with CaptureQueriesContext(connection) as queries:
        values = sources.count_all(period, today=TODAY)
    return len(queries), values


def test_count_all_takes_as_many_queries_for_30_organizations_as_for_3():
    few, few_values = _queries_of_count_all(3, "v3")
    many, many_values = _queries_of_count_all(30, "v30")
    assert len(many_values) > len(few_values) > 0
    assert many == few


# -- storing counted values --------------------------------------------------------------------


def test_a_recount_stores_the_count_and_the_value_follows_it(submission, tree):
    MeetingFactory(organization=tree.a1a)
    MeetingFactory(organization=tree.a1a, date=datetime.date(2026, 4, 2))
    counted.recount(submission.period, [submission], today=TODAY)
    row = value_row(submission, "M1")
    assert (row.counted, row.value, row.override_reason) == (2, 2, "")
    assert row.counted_at is not None
    assert fresh(submission).version == submission.version  # a recount is no edit


def test_an_override_needs_a_reason_and_nothing_is_saved_without_one(submission, tree, alice):
    MeetingFactory(organization=tree.a1a)
    counted.recount(submission.period, [submission], today=TODAY)
    with pytest.raises(InvalidValues) as refused, translation.override("en"):
        submissions.save_values(
            submission, {"M1": "5"}, version=submission.version, acting_user=alice
        )
    assert refused.value.errors["M1"] == "Give a reason for overriding the counted value."
    row = value_row(submission, "M1")
    assert (row.value, row.override_reason) == (1, "")
    assert fresh(submission).version == submission.version
    assert not AuditEntry.objects.filter(kind=AuditKind.COUNTED_OVERRIDDEN).exists()


def test_an_override_with_a_reason_stands_until_cleared_and_is_audited(submission, tree, alice):
    MeetingFactory(organization=tree.a1a)
    counted.recount(submission.period, [submission], today=TODAY)
    submissions.save_values(
        submission,
        {"M1": "5"},
        version=submission.version,
        acting_user=alice,
        overrides={"M1": "四次会议记录在纸质台账中"},
    )
    row = value_row(submission, "M1")
    assert (row.counted, row.value, row.override_reason) == (1, 5, "四次会议记录在纸质台账中")
    entry = AuditEntry.objects.get(kind=AuditKind.COUNTED_OVERRIDDEN)
    assert entry.before["M1"] == {"value": 1, "counted": 1, "reason": ""}
    assert entry.after["M1"] == {"value": 5, "counted": 1, "reason": "四次会议记录在纸质台账中"}

    # A recount keeps the override; a blank value lets it follow the count again.
    MeetingFactory(organization=tree.a1a, date=datetime.date(2026, 5, 5))
    counted.recount(submission.period, [submission], today=TODAY)
    row = value_row(submission, "M1")
    assert (row.counted, row.value) == (2, 5)
    submissions.save_values(
        fresh(submission), {"M1": ""}, version=fresh(submission).version, acting_user=alice
    )
    row = value_row(submission, "M1")
    assert (row.value, row.override_reason) == (2, "")
    assert AuditEntry.objects.filter(kind=AuditKind.COUNTED_OVERRIDDEN).count() == 2


def test_typing_the_counted_value_needs_no_reason(submission, tree, alice):
    MeetingFactory(organization=tree.a1a)
    counted.recount(submission.period, [submission], today=TODAY)
    submissions.save_values(submission, {"M1": "1"}, version=submission.version, acting_user=alice)
    assert value_row(submission, "M1").override_reason == ""


def test_a_submitted_value_stays_while_the_count_moves(submission, tree):
    MeetingFactory(organization=tree.a1a)
    counted.recount(submission.period, [submission], today=TODAY)
    Submission.objects.filter(pk=submission.pk).update(state=SubmissionState.SUBMITTED)
    MeetingFactory(organization=tree.a1a, date=datetime.date(2026, 6, 6))
    counted.recount(submission.period, [fresh(submission)], today=TODAY)
    row = value_row(submission, "M1")
    assert (row.counted, row.value) == (2, 1)


def test_a_locked_period_is_not_recounted(submission, tree):
    MeetingFactory(organization=tree.a1a)
    counted.recount(submission.period, [submission], today=TODAY)
    period = submission.period
    type(period).objects.filter(pk=period.pk).update(status=PeriodStatus.LOCKED)
    period.refresh_from_db()
    MeetingFactory(organization=tree.a1a, date=datetime.date(2026, 6, 6))
    assert counted.recount(period, today=TODAY) == 0
    assert counted.recount_submission(fresh(submission)) == 0
    assert value_row(submission, "M1").counted == 1


def test_a_whole_period_is_recounted_at_once(period, tree):
    MeetingFactory(organization=tree.a1a)
    MeetingFactory(organization=tree.b1)
    written = counted.recount(period, today=TODAY)
    assert written > 0
    a1a = period.submissions.get(organization=tree.a1a, subject_unit="organization")
    b1 = period.submissions.get(organization=tree.b1, subject_unit="organization")
    assert value_row(a1a, "M1").counted == 1
    assert value_row(b1, "M1").counted == 1
    assert counted.recount(period, today=TODAY) == 0  # nothing changed: nothing written


def test_the_nightly_recount_counts_every_open_period_and_leaves_closed_ones(period, tree):
    from assessment.tasks import recount_open_periods

    closed = PeriodFactory(framework=period.framework, year=2025)
    type(closed).objects.filter(pk=closed.pk).update(status=PeriodStatus.CLOSED)
    MeetingFactory(organization=tree.a1a)
    MeetingFactory(organization=tree.a1a, date=datetime.date(2025, 5, 5))

    assert recount_open_periods.apply().get() > 0

    assert (
        value_row(
            period.submissions.get(organization=tree.a1a, subject_unit="organization"), "M1"
        ).counted
        == 1
    )
    in_closed = closed.submissions.get(organization=tree.a1a, subject_unit="organization")
    assert not IndicatorValue.objects.filter(submission=in_closed, counted__isnull=False).exists()


def test_records_changed_recounts_the_organization_and_its_ancestors_on_commit(
    period, tree, django_capture_on_commit_callbacks
):
    from records.sources import records_changed

    a1a = period.submissions.get(organization=tree.a1a, subject_unit="organization")
    committee = period.submissions.get(organization=tree.a, subject_unit="organization")
    meeting = MeetingFactory(organization=tree.a1a, kind="members_meeting")
    member = tree.a1a.people.first()
    AttendanceFactory(meeting=meeting, person=member)
    with django_capture_on_commit_callbacks(execute=True):
        records_changed(tree.a1a.pk, meeting.date)
    assert value_row(a1a, "A2").counted == 1
    assert value_row(committee, "A2").counted == 1
    assert not IndicatorValue.objects.filter(
        submission__organization=tree.b1, indicator__code="A2"
    ).exists()


def test_a_counted_value_needs_no_file_but_an_override_does(submission, tree, alice):
    MeetingFactory(organization=tree.a1a)
    counted.recount(submission.period, [submission], today=TODAY)
    assert not any("M1" in line for line in submissions.missing_for_submission(submission))
    submissions.save_values(
        submission,
        {"M1": "4"},
        version=submission.version,
        acting_user=alice,
        overrides={"M1": "另有三次会议在上级党委召开"},
    )
    with translation.override("en"):
        missing = submissions.missing_for_submission(fresh(submission))
    assert [line for line in missing if line.startswith("M1 ")] == [
        "M1 Indicator M1: evidence required"
    ]
