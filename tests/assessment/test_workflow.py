"""Periods, entering values and the review workflow, at the service level."""

import datetime

import pytest
from django.core import mail
from django.utils import translation

from assessment.choices import PeriodStatus, SubmissionState
from assessment.models import IndicatorValue, Notice, Submission, Transition, ValueChange
from assessment.services import notices, periods, submissions
from assessment.services.submissions import (
    Incomplete,
    InvalidValues,
    NotAllowed,
    StaleVersion,
    WorkflowError,
)
from assessment.validation import EntryError, clean_value
from tests.factories import DepartmentFactory, EvidenceFactory, PeriodFactory, UserFactory

pytestmark = pytest.mark.django_db

COMPLETE = {"C1.01": "10", "C2.01": "yes"}


def attach_evidence(submission, code, user):
    from assessment.models import Indicator

    indicator = Indicator.objects.get(framework=submission.period.framework, code=code)
    EvidenceFactory(submission=submission, indicator=indicator, uploaded_by=user)


def fill_and_submit(submission, alice):
    submissions.save_values(submission, COMPLETE, version=submission.version, acting_user=alice)
    attach_evidence(submission, "C2.01", alice)
    return submissions.submit(submission, acting_user=alice)


def test_opening_a_period_creates_one_submission_per_subject(period, tree):
    # The small framework applies to branches only: A1a, A1b and B1.
    assert set(period.submissions.values_list("organization__code", flat=True)) == {
        "A1a",
        "A1b",
        "B1",
    }
    assert period.status == PeriodStatus.OPEN


def test_opening_twice_is_refused(period):
    with pytest.raises(periods.PeriodError):
        periods.open_period(period)
    assert period.submissions.count() == 3


def test_a_secretary_saves_a_draft_and_the_history_is_kept(submission, alice):
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=alice)
    submissions.save_values(submission, {"C1.01": "9"}, version=2, acting_user=alice)
    submission.refresh_from_db()
    assert submission.version == 3
    assert IndicatorValue.objects.get(submission=submission).value == 9
    history = list(ValueChange.objects.filter(submission=submission).order_by("version"))
    assert [(c.old, c.new, c.changed_by.username) for c in history] == [
        (None, 8, "alice"),
        (8, 9, "alice"),
    ]


def test_a_stale_save_is_refused_and_overwrites_nothing(submission, alice, django_user_model):
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=alice)
    with pytest.raises(StaleVersion) as stale:
        submissions.save_values(submission, {"C1.01": "3"}, version=1, acting_user=alice)
    assert stale.value.current == 2
    assert [(c.indicator.code, c.new) for c in stale.value.changes] == [("C1.01", 8)]
    assert IndicatorValue.objects.get(submission=submission).value == 8


def test_bad_values_save_nothing(submission, alice):
    with pytest.raises(InvalidValues) as invalid:
        submissions.save_values(
            submission, {"C1.01": "3.5", "C2.01": "maybe"}, version=1, acting_user=alice
        )
    assert set(invalid.value.errors) == {"C1.01", "C2.01"}
    assert not IndicatorValue.objects.exists()
    submission.refresh_from_db()
    assert submission.version == 1


def test_a_sibling_secretary_cannot_enter_values(submission, bob):
    with pytest.raises(NotAllowed):
        submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=bob)


def test_submit_lists_what_is_missing(submission, alice):
    submissions.save_values(submission, {"C2.01": "yes"}, version=1, acting_user=alice)
    with pytest.raises(Incomplete) as incomplete:
        submissions.submit(submission, acting_user=alice)
    assert len(incomplete.value.missing) == 2  # C1.01 has no value, C2.01 no evidence
    assert any("C1.01" in m for m in incomplete.value.missing)
    assert any("C2.01" in m for m in incomplete.value.missing)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.DRAFT


def test_the_whole_cycle_is_recorded(submission, alice, carol, tree):
    fill_and_submit(submission, alice)
    submissions.return_submission(submission, reason="请补充会议记录", acting_user=carol)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.RETURNED
    submissions.save_values(
        submission, {"C1.01": "12"}, version=submission.version, acting_user=alice
    )
    submissions.submit(submission, acting_user=alice)
    submissions.approve(submission, acting_user=carol)
    periods.close_period(submission.period, acting_user=carol)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.LOCKED
    steps = list(Transition.objects.filter(submission=submission))
    assert [(t.from_state, t.to_state, t.by.username) for t in steps] == [
        ("draft", "submitted", "alice"),
        ("submitted", "returned", "carol"),
        ("returned", "submitted", "alice"),
        ("submitted", "approved", "carol"),
        ("approved", "locked", "carol"),
    ]
    assert steps[1].reason == "请补充会议记录"


def test_returning_needs_a_reason(submission, alice, carol):
    fill_and_submit(submission, alice)
    with pytest.raises(WorkflowError):
        submissions.return_submission(submission, reason="  ", acting_user=carol)


def test_only_reviewers_of_an_ancestor_review(submission, alice, bob, carol, tree):
    fill_and_submit(submission, alice)
    with pytest.raises(NotAllowed):
        submissions.approve(submission, acting_user=alice)
    with pytest.raises(NotAllowed):
        submissions.approve(submission, acting_user=bob)
    own_reviewer = UserFactory(username="a1a-reviewer")
    from organizations.services import assign_role

    assign_role(user=own_reviewer, organization=tree.a1a, role="reviewer")
    with pytest.raises(NotAllowed):  # an organization never approves itself
        submissions.approve(submission, acting_user=own_reviewer)
    submissions.approve(submission, acting_user=carol)


def test_an_approved_submission_cannot_be_edited(submission, alice, carol):
    fill_and_submit(submission, alice)
    submissions.approve(submission, acting_user=carol)
    submission.refresh_from_db()
    with pytest.raises(WorkflowError):
        submissions.save_values(
            submission, {"C1.01": "1"}, version=submission.version, acting_user=alice
        )


def test_an_administrator_reopens_with_a_reason(submission, alice, carol, erin):
    fill_and_submit(submission, alice)
    submissions.approve(submission, acting_user=carol)
    with pytest.raises(NotAllowed):
        submissions.reopen(submission, reason="x", acting_user=carol)
    submissions.reopen(submission, reason="数据有误", acting_user=erin)
    submission.refresh_from_db()
    assert submission.state == SubmissionState.RETURNED


def test_return_and_approval_notify_the_secretary(
    submission, alice, carol, django_capture_on_commit_callbacks
):
    fill_and_submit(submission, alice)
    with django_capture_on_commit_callbacks(execute=True):
        submissions.return_submission(submission, reason="缺少附件", acting_user=carol)
    notice = Notice.objects.get(user=alice)
    assert notice.kind == "returned"
    assert "缺少附件" in notices.notice_text(notice)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [alice.email]


def test_reminders_are_sent_once_a_day(submission, alice, period):
    day = period.deadline - datetime.timedelta(days=1)
    first = notices.send_deadline_reminders(day)
    second = notices.send_deadline_reminders(day)
    assert first == 3  # every open submission is near its deadline
    assert second == 0
    assert Notice.objects.filter(user=alice, kind="reminder").count() == 1
    assert notices.send_deadline_reminders(day + datetime.timedelta(days=1)) == 3


def test_no_reminder_far_from_the_deadline(period):
    assert notices.send_deadline_reminders(period.deadline - datetime.timedelta(days=30)) == 0


def test_submitted_submissions_get_no_reminder(submission, alice, period):
    fill_and_submit(submission, alice)
    assert notices.send_deadline_reminders(period.deadline) == 2


@pytest.mark.parametrize(
    ("value_type", "raw", "expected"),
    [
        ("number", "1,234.5", 1234.5),
        ("percentage", "95%", 95.0),
        ("count", "12", 12),
        ("boolean", "是", True),
        ("boolean", "no", False),
        ("text", "  小结 ", "小结"),
        ("number", "n/a", "n/a"),
        ("number", "", None),
    ],
)
def test_values_are_cleaned_by_type(value_type, raw, expected):
    from types import SimpleNamespace

    assert clean_value(SimpleNamespace(value_type=value_type), raw) == expected


@pytest.mark.parametrize(
    ("value_type", "raw"),
    [
        ("number", "abc"),
        ("number", "inf"),
        ("percentage", "101"),
        ("percentage", "-1"),
        ("count", "2.5"),
        ("count", "-3"),
        ("boolean", "maybe"),
        ("appraisal", {"voters": 10, "excellent": 5, "competent": 4, "basic": 0, "incompetent": 0}),
        ("appraisal", {"voters": 0}),
        ("appraisal", {"voters": 3, "excellent": -1, "competent": 4}),
        ("appraisal", "10"),
        ("text", "x" * 2001),
    ],
)
def test_bad_values_are_refused_with_a_message(value_type, raw):
    from types import SimpleNamespace

    with pytest.raises(EntryError) as error:
        clean_value(SimpleNamespace(value_type=value_type), raw)
    assert str(error.value)


def test_appraisal_votes_that_add_up_are_kept():
    from types import SimpleNamespace

    votes = {"voters": 10, "excellent": 6, "competent": 3, "basic": 1, "incompetent": 0}
    assert clean_value(SimpleNamespace(value_type="appraisal"), votes) == votes


def test_departments_become_subjects_when_the_framework_assesses_them(
    published_framework, tree, framework_doc
):
    # The small framework has no department indicators, so no department submissions appear.
    DepartmentFactory(organization=tree.a1a)
    period = PeriodFactory(
        framework=published_framework,
        kind="quarter",
        name="Q1",
        name_en="Q1",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 3, 31),
        deadline=datetime.date(2026, 4, 10),
        opened=False,
    )
    periods.open_period(period)
    assert not Submission.objects.filter(period=period, subject_unit="department").exists()


def test_reminders_cost_a_bounded_number_of_queries(
    published_framework, tree, django_assert_max_num_queries
):
    from organizations.services import assign_role
    from tests.factories import OrganizationFactory

    for n in range(12):
        branch = OrganizationFactory(code=f"A1x{n}", parent=tree.a1)
        assign_role(user=UserFactory(username=f"sec{n}"), organization=branch, role="secretary")
    period = PeriodFactory(framework=published_framework, year=2027)
    with django_assert_max_num_queries(8):
        sent = notices.send_deadline_reminders(period.deadline)
    assert sent == 15
    assert Notice.objects.filter(kind="reminder", user__username="sec3").count() == 1


def test_the_closing_reason_reads_in_the_readers_language_whoever_closed(submission, alice, carol):
    fill_and_submit(submission, alice)
    submissions.approve(submission, acting_user=carol)
    with translation.override("en"):  # an English-speaking reviewer closes the period
        periods.close_period(submission.period, acting_user=carol)

    closing = Transition.objects.filter(submission=submission).last()
    with translation.override("zh-hans"):
        assert closing.shown_reason == "考核周期已关闭"
    with translation.override("en"):
        assert closing.shown_reason == "Period closed"
    assert Transition(reason="请补充会议记录").shown_reason == "请补充会议记录"
