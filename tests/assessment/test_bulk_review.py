"""Deciding several submissions at once from the review queue: each is still checked, moved,
logged and scored on its own; one refused never stops the others; outside the scope is refused.

See tests/assessment/queue_support.py for the framework and the tree.
"""

import pytest
from django.urls import reverse

from assessment.choices import SubmissionState
from assessment.models import Notice, SubjectScore, Submission, Transition
from assessment.services import bulk_review, submissions
from audit.models import AuditEntry, AuditKind
from organizations.services import assign_role
from tests.factories import UserFactory
from tests.html import page

from .queue_support import departments, queue_framework, submit_with

pytestmark = pytest.mark.django_db

QUEUE = reverse("assessment:queue")
DECIDE = reverse("assessment:queue_decide")


@pytest.fixture
def framework_doc() -> dict:
    return queue_framework()


@pytest.fixture
def waiting(period, tree, alice):
    """Three departments of A1a, submitted."""
    return departments(period, tree.a1a, 3, alice)


@pytest.fixture
def b1(period, tree):
    """B1's submission, submitted: outside carol's committee A."""
    secretary = UserFactory(username="bea")
    assign_role(user=secretary, organization=tree.b1, role="secretary")
    return submit_with(period.submissions.get(organization=tree.b1), secretary)


def states(rows) -> list[str]:
    return list(
        Submission.objects.filter(pk__in=[r.pk for r in rows])
        .order_by("pk")
        .values_list("state", flat=True)
    )


# The service


def test_each_is_approved_logged_and_scored_on_its_own(
    waiting, carol, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as scorings:
        outcome = bulk_review.approve_many([s.pk for s in waiting], acting_user=carol, comment="好")
    assert len(scorings) >= 3  # each approval queued its own scoring
    assert [d.pk for d in outcome.done] == [s.pk for s in waiting]
    assert outcome.refused == []
    assert states(waiting) == ["approved"] * 3
    for submission in waiting:
        step = Transition.objects.get(submission=submission, to_state=SubmissionState.APPROVED)
        assert (step.by, step.reason) == (carol, "好")
        assert AuditEntry.objects.filter(
            kind=AuditKind.SUBMISSION_TRANSITION,
            target=f"submission:{submission.pk}",
            after__state="approved",
        ).exists()
    assert SubjectScore.objects.filter(submission__in=waiting).count() == 3


def test_one_refused_does_not_stop_the_others(waiting, carol):
    first, second, third = waiting
    submissions.approve(second, acting_user=carol)  # decided already
    outcome = bulk_review.approve_many([first.pk, second.pk, third.pk], acting_user=carol)
    assert [d.pk for d in outcome.done] == [first.pk, third.pk]
    (refused,) = outcome.refused
    assert refused.pk == second.pk
    assert "submitted" in refused.reason or "已提交" in refused.reason


def test_a_submission_outside_the_scope_is_refused_and_left_alone(waiting, b1, carol):
    outcome = bulk_review.approve_many([waiting[0].pk, b1.pk], acting_user=carol)
    assert [d.pk for d in outcome.done] == [waiting[0].pk]
    (refused,) = outcome.refused
    assert refused.pk == b1.pk
    assert "乙一" not in refused.name  # nothing of it is revealed
    b1.refresh_from_db()
    assert b1.state == SubmissionState.SUBMITTED
    assert not Transition.objects.filter(submission=b1, by=carol).exists()


def test_an_id_outside_the_scope_reads_as_one_that_does_not_exist(waiting, b1, carol):
    outcome = bulk_review.return_many([b1.pk, 999_999], reason="补充", acting_user=carol)
    outside, missing = outcome.refused
    assert outside.reason == missing.reason
    assert outcome.done == []


def test_a_reviewer_never_approves_her_own_organizations_submission(period, tree, alice):
    rita = UserFactory(username="rita")
    assign_role(user=rita, organization=tree.a1a, role="reviewer")
    own = submit_with(period.submissions.get(organization=tree.a1a), alice)
    outcome = bulk_review.approve_many([own.pk], acting_user=rita)
    assert outcome.done == []
    assert states([own]) == ["submitted"]


def test_returning_several_sends_the_one_reason_to_each(waiting, carol):
    outcome = bulk_review.return_many(
        [s.pk for s in waiting[:2]], reason="请补充会议记录", acting_user=carol
    )
    assert len(outcome.done) == 2
    assert states(waiting) == ["returned", "returned", "submitted"]
    for submission in waiting[:2]:
        step = Transition.objects.get(submission=submission, to_state=SubmissionState.RETURNED)
        assert step.reason == "请补充会议记录"
    assert Notice.objects.filter(submission__in=waiting[:2]).exists()


def test_returning_needs_a_reason(waiting, carol):
    with pytest.raises(submissions.WorkflowError):
        bulk_review.return_many([waiting[0].pk], reason="  ", acting_user=carol)
    assert states(waiting) == ["submitted"] * 3


def test_a_failure_in_one_is_rolled_back_alone(waiting, carol, monkeypatch):
    first, second, third = waiting
    approve = submissions.approve

    def breaks_on_the_second(submission, **kwargs):
        result = approve(submission, **kwargs)
        if submission.pk == second.pk:
            raise RuntimeError("disk full")
        return result

    monkeypatch.setattr(submissions, "approve", breaks_on_the_second)
    outcome = bulk_review.approve_many([s.pk for s in waiting], acting_user=carol)
    assert [d.pk for d in outcome.done] == [first.pk, third.pk]
    assert [r.pk for r in outcome.refused] == [second.pk]
    assert states(waiting) == ["approved", "submitted", "approved"]
    assert not Transition.objects.filter(submission=second, to_state="approved").exists()


def test_too_many_at_once_is_refused_whole(carol):
    with pytest.raises(bulk_review.TooMany):
        bulk_review.approve_many(range(1, bulk_review.MAX_AT_ONCE + 2), acting_user=carol)


# The page


def test_the_queue_approves_the_chosen_ones_and_shows_a_summary_once(
    client_for, waiting, b1, carol
):
    client = client_for(carol)
    response = client.post(
        DECIDE,
        {
            "ids": [waiting[0].pk, waiting[1].pk, b1.pk, "garbled"],
            "action": "approve",
            "queue": "sort=-score",
        },
        HTTP_ACCEPT_LANGUAGE="en",  # the refusals are worded when decided
    )
    assert response.status_code == 302
    assert response["Location"] == f"{QUEUE}?sort=-score"
    assert states(waiting) == ["approved", "approved", "submitted"]
    shown = page(client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en"))
    assert shown.has('[data-outcome="approve"]')
    assert "2 submissions approved" in shown.text("#outcome-heading")
    assert shown.count("[data-refused] li") == 1
    assert "Not in your review queue." in shown.text("[data-refused]")
    assert shown.count("[data-done] li") == 2
    assert not page(client.get(QUEUE)).has("[data-outcome]")  # shown once


def test_the_queue_returns_the_chosen_ones_with_one_reason(client_for, waiting, carol):
    response = client_for(carol).post(
        DECIDE,
        {"ids": [s.pk for s in waiting], "action": "return", "reason": "请补充", "queue": ""},
    )
    assert response.status_code == 302
    assert states(waiting) == ["returned"] * 3


def test_returning_from_the_queue_without_a_reason_returns_nothing(client_for, waiting, carol):
    client_for(carol).post(DECIDE, {"ids": [waiting[0].pk], "action": "return", "reason": ""})
    assert states(waiting) == ["submitted"] * 3


def test_nothing_chosen_or_no_action_decides_nothing(client_for, waiting, carol):
    client = client_for(carol)
    assert client.post(DECIDE, {"action": "approve"}).status_code == 302
    assert client.post(DECIDE, {"ids": [waiting[0].pk], "action": "delete"}).status_code == 302
    assert states(waiting) == ["submitted"] * 3


def test_deciding_needs_a_sign_in_and_a_post(client, client_for, waiting, carol):
    assert client.post(DECIDE, {"ids": [waiting[0].pk], "action": "approve"}).status_code == 302
    assert states(waiting) == ["submitted"] * 3
    assert client_for(carol).get(DECIDE).status_code == 405


def test_who_reviews_nothing_approves_nothing(client_for, waiting, alice, dave):
    for user in (alice, dave):
        client_for(user).post(DECIDE, {"ids": [s.pk for s in waiting], "action": "approve"})
    assert states(waiting) == ["submitted"] * 3


def test_only_waiting_rows_can_be_chosen(client_for, waiting, carol):
    submissions.approve(waiting[0], acting_user=carol)
    shown = page(client_for(carol).get(QUEUE, {"state": ""}))
    assert not shown.has(f'tr[data-submission="{waiting[0].pk}"] input[name=ids]')
    assert shown.has(f'tr[data-submission="{waiting[1].pk}"] input[name=ids]')
