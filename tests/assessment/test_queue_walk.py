"""Working through the queue from the submission pages: the review bar, the next submission after
a decision (with the queue's filters), the veto named, the changes since the last decision on top.

See tests/assessment/queue_support.py for the framework and the tree.
"""

import pytest
from django.urls import reverse

from assessment.choices import SubmissionState
from assessment.services import submissions
from tests.html import page

from .queue_support import CLEAN, departments, queue_framework, submit_with

pytestmark = pytest.mark.django_db

QUEUE = reverse("assessment:queue")


@pytest.fixture
def framework_doc() -> dict:
    return queue_framework()


def url(submission) -> str:
    return reverse("assessment:submission", args=[submission.pk])


def approve(client, submission, **extra):
    return client.post(
        reverse("assessment:submission_approve", args=[submission.pk]), {"next": "queue", **extra}
    )


@pytest.fixture
def three(period, tree, alice):
    """Departments 00, 01, 02 of A1a, submitted (the review order: by name, as they tie)."""
    return departments(period, tree.a1a, 3, alice)


def test_after_an_approval_the_next_submission_of_the_queue_opens(client_for, three, carol):
    client = client_for(carol)
    client.get(QUEUE)
    response = approve(client, three[0])
    assert response.status_code == 302
    assert response["Location"] == url(three[1])
    three[0].refresh_from_db()
    assert three[0].state == SubmissionState.APPROVED


def test_the_next_one_follows_the_queues_filters_and_order(client_for, three, carol):
    client = client_for(carol)
    client.get(QUEUE, {"sort": "-name"})  # 02, 01, 00
    assert approve(client, three[2])["Location"] == url(three[1])
    assert approve(client, three[1])["Location"] == url(three[0])


def test_after_the_last_one_the_queue_opens_with_its_filters(client_for, three, carol):
    client = client_for(carol)
    client.get(QUEUE, {"sort": "name", "per_page": 25})
    response = approve(client, three[2])
    assert response["Location"] == f"{QUEUE}?sort=name&per_page=25"


def test_a_return_from_the_bar_opens_the_next_one_too(client_for, three, carol):
    client = client_for(carol)
    client.get(QUEUE)
    response = client.post(
        reverse("assessment:submission_return", args=[three[0].pk]),
        {"next": "queue", "reason": "请补充"},
    )
    assert response["Location"] == url(three[1])
    three[0].refresh_from_db()
    assert three[0].state == SubmissionState.RETURNED


def test_a_refused_decision_stays_on_the_page(client_for, three, carol):
    client = client_for(carol)
    client.get(QUEUE)
    no_reason = client.post(
        reverse("assessment:submission_return", args=[three[0].pk]),
        {"next": "queue", "reason": ""},
    )
    assert no_reason["Location"] == url(three[0])
    submissions.approve(three[1], acting_user=carol)
    again = approve(client, three[1])  # already approved: refused, not skipped past
    assert again["Location"] == url(three[1])


def test_without_asking_for_the_next_the_page_comes_back(client_for, three, carol):
    response = client_for(carol).post(reverse("assessment:submission_approve", args=[three[0].pk]))
    assert response["Location"] == url(three[0])


def test_the_next_one_is_never_outside_the_scope(client_for, period, tree, three, carol):
    b1 = period.submissions.get(organization=tree.b1)
    b1.state = SubmissionState.SUBMITTED
    b1.save()
    client = client_for(carol)
    client.get(QUEUE, {"sort": "-name", "state": ""})
    seen = set()
    for submission in three:
        location = approve(client, submission)["Location"]
        seen.add(location)
    assert url(b1) not in seen


def test_the_review_bar_is_the_reviewers_with_the_veto_named(
    client_for, period, tree, alice, bob, carol
):
    vetoed = submit_with(
        period.submissions.get(organization=tree.a1a), alice, {**CLEAN, "C1.09": "yes"}
    )
    shown = page(client_for(carol).get(url(vetoed), HTTP_ACCEPT_LANGUAGE="en"))
    assert shown.has("[data-review-bar] [data-bar-approve]")
    assert shown.has("[data-review-bar] [data-bar-return] textarea[name=reason]")
    assert "C1.09 Grave violation (veto)" in shown.text('[data-review-bar] [data-veto="C1.09"]')
    for user in (alice, bob):
        assert not page(client_for(user).get(url(vetoed))).has("[data-review-bar]")


def test_the_total_names_the_veto_for_everyone_who_sees_it(client_for, period, tree, alice, carol):
    vetoed = submit_with(
        period.submissions.get(organization=tree.a1a), alice, {**CLEAN, "C1.09": "yes"}
    )
    for user in (alice, carol):
        shown = page(client_for(user).get(url(vetoed), HTTP_ACCEPT_LANGUAGE="en"))
        assert "C1.09 Grave violation (veto)" in shown.text('[data-total-veto="C1.09"]')


def test_the_bar_links_each_flagged_value(client_for, period, tree, alice, carol):
    warned = submit_with(
        period.submissions.get(organization=tree.a1a), alice, {**CLEAN, "C1.01": "60"}
    )
    shown = page(client_for(carol).get(url(warned)))
    assert shown.has('[data-review-bar] [data-flagged="C1.01"]')


def test_a_resubmission_shows_what_changed_since_the_return_on_top(
    client_for, period, tree, alice, carol
):
    submission = submit_with(period.submissions.get(organization=tree.a1a), alice)
    submissions.return_submission(submission, reason="请核实学习次数", acting_user=carol)
    submit_with(submission, alice, {**CLEAN, "C1.01": "9"}, evidence=0)
    shown = page(client_for(carol).get(url(submission)))
    changes = shown.one("[data-review-changes]")
    assert "请核实学习次数" in shown.text("[data-review-changes] [data-review-reason]")
    row = shown.text('[data-review-changes] tr[data-code="C1.01"]')
    assert "12" in row
    assert "9" in row
    # On top: before the indicators; and once: not again at the foot.
    html = str(changes.find_parent("html"))
    assert html.index("data-review-changes") < html.index("entry-row")
    assert shown.count("[data-since]") == 1
    assert not shown.has("#since-heading")  # the foot's panel of the same changes


def test_a_first_submission_has_no_changes_panel(client_for, period, tree, alice, carol):
    submission = submit_with(period.submissions.get(organization=tree.a1a), alice)
    assert not page(client_for(carol).get(url(submission))).has("[data-review-changes]")
