"""The work lists: a secretary's to-do list, the review queue, completeness, notices, periods.

The tree (tests/conftest.py): G → A → A1 → {A1a, A1b}, G → B → B1. alice is secretary of A1a, bob
of its sibling A1b, carol reviewer and dave auditor on A, erin administrator on G, frank has no
role. The small framework assesses branches only, so opening a period creates one submission for
each of A1a, A1b and B1.
"""

import datetime

import pytest
from django.db import connection
from django.test.client import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.choices import PeriodStatus, SubmissionState
from assessment.context_processors import unread_notices
from assessment.models import Notice, Period, Submission
from assessment.selectors import queues
from assessment.services import periods, submissions
from organizations.services import assign_role
from tests.factories import (
    EvidenceFactory,
    FrameworkFactory,
    OrganizationFactory,
    PeriodFactory,
    SubmissionFactory,
    TransitionFactory,
    UserFactory,
)
from tests.html import page, text_of

pytestmark = pytest.mark.django_db

COMPLETE = {"C1.01": "10", "C2.01": "yes"}
MY = reverse("assessment:my_submissions")
QUEUE = reverse("assessment:queue")
COMPLETENESS = reverse("assessment:completeness")
NOTICES = reverse("assessment:notices")
PERIODS = reverse("assessment:period_list")


def fill_and_submit(submission: Submission, secretary) -> Submission:
    """Enter complete values and the required evidence, then submit."""
    submission.refresh_from_db()
    submissions.save_values(submission, COMPLETE, version=submission.version, acting_user=secretary)
    EvidenceFactory(submission=submission, uploaded_by=secretary)  # on C2.01
    return submissions.submit(submission, acting_user=secretary)


def open_period(framework, *, kind: str, start: datetime.date, deadline: datetime.date) -> Period:
    return PeriodFactory(
        framework=framework,
        kind=kind,
        name=f"{kind} {start}",
        name_en=f"{kind} {start}",
        start=start,
        end=deadline,
        deadline=deadline,
    )


def submission_ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(row["data-submission"]) for row in page(response).select("[data-submission]")]


def codes_of(ids: list[int]) -> list[str]:
    by_id = dict(Submission.objects.filter(pk__in=ids).values_list("pk", "organization__code"))
    return [by_id[pk] for pk in ids]


@pytest.fixture
def rita(tree):
    """A reviewer on branch A1a itself: she may not approve A1a's own submission."""
    user = UserFactory(username="rita")
    assign_role(user=user, organization=tree.a1a, role="reviewer")
    return user


# The secretary's to-do list


def test_the_to_do_list_needs_a_sign_in(client):
    response = client.get(MY)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_secretary_sees_only_her_own_submissions(client_for, period, alice, bob):
    assert codes_of(submission_ids(client_for(alice).get(MY))) == ["A1a"]
    assert codes_of(submission_ids(client_for(bob).get(MY))) == ["A1b"]


@pytest.mark.parametrize("username", ["carol", "dave", "frank"])
def test_who_enters_nothing_has_nothing_to_do(client_for, request, period, username):
    user = request.getfixturevalue(username)
    assert submission_ids(client_for(user).get(MY)) == []


def test_returned_submissions_come_first_with_the_reviewers_reason(
    client_for, published_framework, period, submission, alice, carol
):
    later = open_period(
        published_framework,
        kind="quarter",
        start=datetime.date(2026, 10, 1),
        deadline=datetime.date(2099, 1, 15),
    )
    sooner = open_period(
        published_framework,
        kind="month",
        start=datetime.date(2026, 11, 1),
        deadline=datetime.date(2026, 12, 5),
    )
    fill_and_submit(submission, alice)
    submissions.return_submission(submission, reason="请补充会议记录", acting_user=carol)

    response = client_for(alice).get(MY, HTTP_ACCEPT_LANGUAGE="en")

    ids = submission_ids(response)
    expected_sooner = sooner.submissions.get(organization=submission.organization).pk
    expected_later = later.submissions.get(organization=submission.organization).pk
    assert ids == [submission.pk, expected_sooner, expected_later]
    reason = page(response).text(f'tr[data-return-reason="{submission.pk}"]')
    assert "请补充会议记录" in reason
    assert "Returned by carol" in reason


def test_the_reason_shown_is_that_of_the_latest_return(client_for, submission, alice, carol):
    fill_and_submit(submission, alice)
    submissions.return_submission(submission, reason="第一次退回", acting_user=carol)
    submission.refresh_from_db()
    submissions.submit(submission, acting_user=alice)
    submissions.return_submission(submission, reason="第二次退回", acting_user=carol)

    shown = page(client_for(alice).get(MY))

    assert "第二次退回" in shown.text(f'tr[data-return-reason="{submission.pk}"]')
    assert "第一次退回" not in shown.text()


def test_approved_and_locked_submissions_leave_the_list(client_for, submission, alice, carol):
    fill_and_submit(submission, alice)
    assert submission_ids(client_for(alice).get(MY)) == [submission.pk]  # waiting for review
    submissions.approve(submission, acting_user=carol)
    assert submission_ids(client_for(alice).get(MY)) == []


def test_closed_periods_are_not_on_the_list(client_for, period, alice, erin):
    periods.close_period(period, acting_user=erin)
    assert submission_ids(client_for(alice).get(MY)) == []


def test_an_overdue_deadline_is_marked(client_for, published_framework, tree, alice):
    open_period(
        published_framework,
        kind="month",
        start=datetime.date(2020, 1, 1),
        deadline=datetime.date(2020, 2, 5),
    )
    assert page(client_for(alice).get(MY)).has("tr[data-submission] [data-overdue]")


def test_a_deadline_to_come_is_not_marked(client_for, period, alice):
    assert not page(client_for(alice).get(MY)).has("[data-overdue]")


def _extra_submissions(period: Period, org, count: int, *, returned_by=None) -> None:
    """Department-like subjects of one organization, some of them returned with a reason."""
    for n in range(count):
        returned = bool(returned_by and n % 2)
        extra = SubmissionFactory(
            period=period,
            organization=org,
            for_department=True,
            subject_name=f"部门 {n}",
            state=SubmissionState.RETURNED if returned else SubmissionState.DRAFT,
        )
        if returned:
            TransitionFactory(submission=extra, by=returned_by, reason=f"理由 {n}")


def test_the_to_do_list_costs_the_same_queries_for_few_and_many_rows(
    client_for, period, tree, alice, carol, django_assert_max_num_queries
):
    client = client_for(alice)
    _extra_submissions(period, tree.a1a, 2, returned_by=carol)
    client.get(MY)
    with CaptureQueriesContext(connection) as few:
        assert len(submission_ids(client.get(MY))) == 3
    baseline = len(few)
    _extra_submissions(period, tree.a1a, 40, returned_by=carol)
    with django_assert_max_num_queries(baseline):
        assert len(submission_ids(client.get(MY))) == 43


def test_alice_never_sees_her_sibling_branchs_submission_anywhere(
    client_for, submitted, tree, alice, carol
):
    _a1a, a1b = submitted
    submissions.return_submission(a1b, reason="乙支部的理由", acting_user=carol)
    client = client_for(alice)
    pages = [
        client.get(MY),
        client.get(QUEUE, {"state": ""}),
        client.get(QUEUE, {"state": "", "within": tree.a1b.pk}),
        client.get(COMPLETENESS),
        client.get(NOTICES),
        client.get(PERIODS),
    ]
    for response in pages:
        assert response.status_code == 200
        shown = page(response)
        assert not shown.mentions(tree.a1b.name)
        assert not shown.mentions("乙支部的理由")
        assert not shown.has(f'[data-submission="{a1b.pk}"]')
    assert client.get(COMPLETENESS, {"org": tree.a1b.pk}).status_code == 404


# The landing page


def test_a_secretary_lands_on_her_to_do_list(client_for, alice):
    assert client_for(alice).get(reverse("home"))["Location"] == MY


def test_a_reviewer_lands_on_the_queue(client_for, carol):
    assert client_for(carol).get(reverse("home"))["Location"] == QUEUE


def test_an_administrator_still_lands_on_the_tree(client_for, erin):
    response = client_for(erin).get(reverse("home"))
    assert response["Location"] == reverse("organizations:tree")


def test_a_user_without_a_role_still_gets_the_friendly_page(client_for, frank):
    response = client_for(frank).get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Your account has no role yet" in page(response).text("main")


# The review queue


@pytest.fixture
def submitted(period, tree, alice, bob):
    """A1a and A1b submitted; B1 (outside carol's committee) still a draft."""
    a1a = period.submissions.get(organization=tree.a1a)
    a1b = period.submissions.get(organization=tree.a1b)
    fill_and_submit(a1a, alice)
    fill_and_submit(a1b, bob)
    return a1a, a1b


def test_the_queue_needs_a_sign_in(client):
    assert client.get(QUEUE).status_code == 302


def test_a_reviewer_sees_her_committees_submitted_ones(client_for, submitted, carol):
    assert sorted(codes_of(submission_ids(client_for(carol).get(QUEUE)))) == ["A1a", "A1b"]


@pytest.mark.parametrize("username", ["alice", "bob", "dave", "frank"])
def test_who_does_not_review_has_an_empty_queue(client_for, request, submitted, username):
    user = request.getfixturevalue(username)
    assert submission_ids(client_for(user).get(QUEUE, {"state": ""})) == []


def test_a_reviewer_never_sees_her_own_organizations_submission(client_for, submitted, rita):
    assert submission_ids(client_for(rita).get(QUEUE, {"state": ""})) == []


@pytest.mark.parametrize("username", ["alice", "bob", "carol", "dave", "erin", "frank", "rita"])
def test_the_queue_holds_exactly_what_can_review_allows(request, submitted, username):
    user = request.getfixturevalue(username)
    everything = Submission.objects.select_related("organization")
    expected = {s.pk for s in everything if submissions.can_review(user, s)}
    assert set(queues.reviewable_submissions(user).values_list("pk", flat=True)) == expected


def test_the_queue_filters_by_state(client_for, submitted, tree, alice, carol):
    a1a, a1b = submitted
    submissions.approve(a1a, acting_user=carol)
    client = client_for(carol)
    assert submission_ids(client.get(QUEUE)) == [a1b.pk]
    assert submission_ids(client.get(QUEUE, {"state": "approved"})) == [a1a.pk]
    assert sorted(submission_ids(client.get(QUEUE, {"state": ""}))) == sorted([a1a.pk, a1b.pk])


def test_the_queue_counts_each_state(client_for, submitted, carol):
    submissions.approve(submitted[0], acting_user=carol)
    shown = page(client_for(carol).get(QUEUE))

    def count(state: str) -> int:
        return int(shown.text(f'[data-count-state="{state}"] .badge'))

    assert (count("submitted"), count("approved"), count("draft"), count("all")) == (1, 1, 0, 2)


def test_the_queue_filters_by_subtree(client_for, submitted, tree, erin):
    client = client_for(erin)
    assert codes_of(submission_ids(client.get(QUEUE, {"within": tree.a1b.pk}))) == ["A1b"]
    assert sorted(codes_of(submission_ids(client.get(QUEUE, {"within": tree.a1.pk})))) == [
        "A1a",
        "A1b",
    ]


def test_a_subtree_outside_the_scope_gives_an_empty_queue(client_for, submitted, tree, carol):
    response = client_for(carol).get(QUEUE, {"within": tree.b.pk, "state": ""})
    assert submission_ids(response) == []
    missing = client_for(carol).get(QUEUE, {"within": 999_999, "state": ""})
    assert submission_ids(missing) == []


def test_the_queue_filters_by_period_and_unit_kind(
    client_for, published_framework, submitted, carol
):
    other = open_period(
        published_framework,
        kind="month",
        start=datetime.date(2026, 11, 1),
        deadline=datetime.date(2026, 12, 5),
    )
    client = client_for(carol)
    in_other = submission_ids(client.get(QUEUE, {"period": other.pk, "state": ""}))
    assert sorted(in_other) == sorted(
        other.submissions.exclude(organization__code="B1").values_list("pk", flat=True)
    )
    assert len(submission_ids(client.get(QUEUE, {"subject_kind": "branch"}))) == 2
    assert submission_ids(client.get(QUEUE, {"subject_kind": "department"})) == []


def test_queue_rows_link_to_the_submission_page(client_for, submitted, carol):
    shown = page(client_for(carol).get(QUEUE))
    for one in submitted:
        assert shown.has(
            f'tr[data-submission="{one.pk}"] '
            f'a[href="{reverse("assessment:submission", args=[one.pk])}"]'
        )


def test_the_queue_is_paginated(client_for, period, tree, carol):
    _extra_submissions(period, tree.a1, 60)
    client = client_for(carol)
    first = submission_ids(client.get(QUEUE, {"state": "draft"}))
    second = submission_ids(client.get(QUEUE, {"state": "draft", "page": 2}))
    assert (len(first), len(second)) == (50, 12)
    assert not set(first) & set(second)


def test_the_queue_costs_the_same_queries_for_few_and_many_rows(
    client_for, period, tree, carol, django_assert_max_num_queries
):
    client = client_for(carol)
    _extra_submissions(period, tree.a1, 2)
    client.get(QUEUE, {"state": "draft", "within": tree.a.pk})
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE, {"state": "draft", "within": tree.a.pk})
    baseline = len(few)
    _extra_submissions(period, tree.a1, 45)
    with django_assert_max_num_queries(baseline):
        response = client.get(QUEUE, {"state": "draft", "within": tree.a.pk})
    assert len(submission_ids(response)) == 49


# Completeness


def rows_of(response) -> dict[str, tuple[int, int, int, int]]:
    """Row key (organization code, "own" or "total") → expected, submitted, approved, overdue."""
    assert response.status_code == 200, response.content
    rows = {}
    for row in page(response).select("tr[data-row]"):
        cells = {cell["data-col"]: text_of(cell) for cell in row.select("[data-col]")}
        rows[row["data-row"]] = tuple(
            int(cells[c]) for c in ("expected", "submitted", "approved", "overdue")
        )
    return rows


@pytest.fixture
def late_period(published_framework, tree):
    """A period whose deadline has passed."""
    return open_period(
        published_framework,
        kind="month",
        start=datetime.date(2020, 1, 1),
        deadline=datetime.date(2020, 2, 5),
    )


@pytest.fixture
def progress(late_period, tree, alice, bob, carol):
    """A1a submitted and approved, A1b submitted, B1 still a draft (and overdue)."""
    a1a = late_period.submissions.get(organization=tree.a1a)
    a1b = late_period.submissions.get(organization=tree.a1b)
    # The period is past its deadline but still open: entering is still allowed.
    fill_and_submit(a1a, alice)
    fill_and_submit(a1b, bob)
    submissions.approve(a1a, acting_user=carol)
    return late_period


def test_completeness_at_the_root_counts_each_committee(client_for, tree, progress, erin):
    rows = rows_of(client_for(erin).get(COMPLETENESS, {"period": progress.pk}))
    assert rows == {"A": (2, 2, 1, 0), "B": (1, 0, 0, 1), "total": (3, 2, 1, 1)}


def test_completeness_drills_down_to_the_branches(client_for, tree, progress, carol):
    response = client_for(carol).get(COMPLETENESS, {"period": progress.pk, "org": tree.a1.pk})
    assert rows_of(response) == {"A1a": (1, 1, 1, 0), "A1b": (1, 1, 0, 0), "total": (2, 2, 1, 0)}


def test_completeness_starts_at_the_top_of_the_scope(client_for, tree, progress, carol):
    response = client_for(carol).get(COMPLETENESS, {"period": progress.pk})
    assert rows_of(response) == {"A1": (2, 2, 1, 0), "total": (2, 2, 1, 0)}
    drill_down = page(response).one('tr[data-row="A1"] a')["href"]
    assert drill_down.endswith(f"?org={tree.a1.pk}&period={progress.pk}")


def test_a_branch_sees_its_own_subjects(client_for, tree, progress, alice):
    rows = rows_of(client_for(alice).get(COMPLETENESS, {"period": progress.pk}))
    assert rows == {"own": (1, 1, 1, 0), "total": (1, 1, 1, 0)}


def test_nothing_is_overdue_before_the_deadline(client_for, tree, period, erin):
    rows = rows_of(client_for(erin).get(COMPLETENESS, {"period": period.pk}))
    assert rows["total"] == (3, 0, 0, 0)


def test_completeness_defaults_to_the_open_period(client_for, tree, period, erin):
    response = client_for(erin).get(COMPLETENESS)
    assert rows_of(response)["total"] == (3, 0, 0, 0)
    assert page(response).attr('select[name="period"] option[selected]', "value") == str(period.pk)


def test_completeness_outside_the_scope_is_404(client_for, tree, period, alice, carol):
    assert client_for(alice).get(COMPLETENESS, {"org": tree.a1b.pk}).status_code == 404
    assert client_for(carol).get(COMPLETENESS, {"org": tree.b.pk}).status_code == 404


def test_completeness_without_any_role_is_404(client_for, period, frank):
    assert client_for(frank).get(COMPLETENESS).status_code == 404


def test_completeness_costs_the_same_queries_for_few_and_many_children(
    client_for, published_framework, tree, erin, django_assert_max_num_queries
):
    for n in range(30):
        OrganizationFactory(code=f"B1-{n}", parent=tree.b1)
    period = open_period(
        published_framework,
        kind="quarter",
        start=datetime.date(2026, 7, 1),
        deadline=datetime.date(2026, 10, 15),
    )
    client = client_for(erin)
    client.get(COMPLETENESS, {"period": period.pk, "org": tree.a1.pk})
    with CaptureQueriesContext(connection) as few:
        assert len(rows_of(client.get(COMPLETENESS, {"period": period.pk, "org": tree.a1.pk})))
    baseline = len(few)
    with django_assert_max_num_queries(baseline):
        response = client.get(COMPLETENESS, {"period": period.pk, "org": tree.b1.pk})
    rows = rows_of(response)
    assert rows["own"] == (1, 0, 0, 1)
    assert rows["total"] == (31, 0, 0, 31)
    assert len(rows) == 32


# Notices


def test_notices_list_mine_newest_first_with_unread_highlighted(
    client_for, submitted, alice, bob, carol
):
    a1a, _a1b = submitted
    submissions.return_submission(a1a, reason="缺少附件", acting_user=carol)
    older = Notice.objects.get(user=alice)
    older.read_at = older.created_at
    older.save()
    a1a.refresh_from_db()
    submissions.submit(a1a, acting_user=alice)
    submissions.approve(a1a, acting_user=carol)
    newer = Notice.objects.get(user=alice, kind="approved")

    response = client_for(alice).get(NOTICES, HTTP_ACCEPT_LANGUAGE="en")

    shown = page(response)
    notices = shown.select("[data-notice]")
    assert [(notice["data-notice"], notice["data-read"]) for notice in notices] == [
        (str(newer.pk), "no"),
        (str(older.pk), "yes"),
    ]
    approved, returned = (shown.within(f'[data-notice="{notice.pk}"]') for notice in (newer, older))
    assert "缺少附件" in returned.text("a")
    assert "was approved" in approved.text("a")
    link = reverse("assessment:submission", args=[a1a.pk])
    assert (approved.attr("a", "href"), returned.attr("a", "href")) == (link, link)
    assert not page(client_for(bob).get(NOTICES)).has("[data-notice]")


def test_mark_all_read(client_for, submitted, alice, carol):
    submissions.return_submission(submitted[0], reason="缺少附件", acting_user=carol)
    client = client_for(alice)
    assert page(client.get(NOTICES)).text("h1 [data-unread]").startswith("1 ")  # one unread

    response = client.post(reverse("assessment:notices_mark_read"))

    assert response.status_code == 302
    assert not Notice.objects.filter(user=alice, read_at__isnull=True).exists()
    assert not page(client.get(NOTICES)).has("[data-unread]")


def test_mark_all_read_needs_a_post(client_for, alice):
    assert client_for(alice).get(reverse("assessment:notices_mark_read")).status_code == 405


def test_marking_read_touches_only_my_notices(client_for, submitted, alice, bob, carol):
    submissions.return_submission(submitted[0], reason="甲", acting_user=carol)
    submissions.return_submission(submitted[1], reason="乙", acting_user=carol)
    client_for(alice).post(reverse("assessment:notices_mark_read"))
    assert Notice.objects.filter(user=bob, read_at__isnull=True).count() == 1


def test_the_unread_badge_counts_lazily(submitted, alice, carol, django_assert_num_queries):
    submissions.return_submission(submitted[0], reason="甲", acting_user=carol)
    request = RequestFactory().get("/")
    request.user = alice
    with django_assert_num_queries(0):
        context = unread_notices(request)
    with django_assert_num_queries(1):
        assert str(context["unread_notices"]) == "1"
        assert bool(context["unread_notices"])


def test_the_notices_page_costs_the_same_queries_for_few_and_many(
    client_for, period, alice, django_assert_max_num_queries
):
    subs = list(period.submissions.all())

    def add(count: int) -> None:
        Notice.objects.bulk_create(
            Notice(user=alice, kind="reminder", submission=subs[n % len(subs)])
            for n in range(count)
        )

    add(2)
    client = client_for(alice)
    client.get(NOTICES)
    with CaptureQueriesContext(connection) as few:
        client.get(NOTICES)
    baseline = len(few)
    add(45)
    with django_assert_max_num_queries(baseline):
        response = client.get(NOTICES)
    assert page(response).count("[data-notice]") == 47


# Periods administration


def test_anyone_with_a_role_sees_the_periods(client_for, period, alice, carol):
    for user in (alice, carol):
        response = client_for(user).get(PERIODS)
        assert response.status_code == 200
        shown = page(response)
        assert shown.has(f'tr[data-period="{period.pk}"]')
        assert not shown.refers_to(reverse("assessment:period_create"))


def test_the_periods_list_counts_only_submissions_in_scope(client_for, period, alice, erin):
    def total(user) -> int:
        return int(page(client_for(user).get(PERIODS)).text('tr[data-period] [data-col="total"]'))

    assert (total(alice), total(erin)) == (1, 3)


def test_the_periods_list_is_404_without_a_role(client_for, period, frank):
    assert client_for(frank).get(PERIODS).status_code == 404


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("assessment:period_create", "get"),
        ("assessment:period_create", "post"),
        ("assessment:period_open", "post"),
        ("assessment:period_close", "post"),
    ],
)
def test_period_changes_are_404_to_everyone_but_group_administrators(
    client_for, period, alice, carol, dave, name, method
):
    args = [] if name == "assessment:period_create" else [period.pk]
    for user in (alice, carol, dave):
        assert getattr(client_for(user), method)(reverse(name, args=args)).status_code == 404
    period.refresh_from_db()
    assert period.status == PeriodStatus.OPEN


def _form(framework, **changes) -> dict:
    return {
        "framework": framework.pk,
        "kind": "quarter",
        "name": "2026年第四季度",
        "name_en": "2026 Q4",
        "start": "2026-10-01",
        "end": "2026-12-31",
        "deadline": "2027-01-10",
        **changes,
    }


def test_an_administrator_creates_opens_and_closes_a_period(
    client_for, published_framework, tree, alice, carol, erin
):
    client = client_for(erin)
    assert client.get(reverse("assessment:period_create")).status_code == 200

    response = client.post(reverse("assessment:period_create"), _form(published_framework))

    assert response.status_code == 302
    period = Period.objects.get(name_en="2026 Q4")
    assert period.status == PeriodStatus.PLANNED

    response = client.post(
        reverse("assessment:period_open", args=[period.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert "3 submissions were created" in page(response).messages()[-1]
    assert period.submissions.count() == 3
    fill_and_submit(period.submissions.get(organization=tree.a1a), alice)
    submissions.approve(period.submissions.get(organization=tree.a1a), acting_user=carol)

    response = client.post(
        reverse("assessment:period_close", args=[period.pk]),
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "1 approved submission was locked" in page(response).messages()[-1]
    period.refresh_from_db()
    assert period.status == PeriodStatus.CLOSED
    assert period.submissions.get(organization=tree.a1a).state == SubmissionState.LOCKED
    assert period.submissions.get(organization=tree.a1b).state == SubmissionState.DRAFT


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"end": "2026-09-01"}, "end"),
        ({"deadline": "2026-09-01"}, "deadline"),
        ({"start": "not a date"}, "start"),
        ({"name": ""}, "name"),
        ({"kind": "decade"}, "kind"),
    ],
)
def test_invalid_periods_are_refused_with_the_reason(
    client_for, published_framework, erin, changes, field
):
    response = client_for(erin).post(
        reverse("assessment:period_create"), _form(published_framework, **changes)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    beside_the_field = page(response).field(field).parent.select(".invalid-feedback")
    assert [text_of(error) for error in beside_the_field] == response.context["form"].errors[field]
    assert not Period.objects.exists()


def test_a_draft_framework_is_not_offered(client_for, framework_doc, erin):
    draft = FrameworkFactory(document=framework_doc, published=False)
    response = client_for(erin).post(reverse("assessment:period_create"), _form(draft))
    assert "framework" in response.context["form"].errors
    assert not Period.objects.exists()


def test_the_same_period_twice_is_refused(client_for, published_framework, erin):
    client = client_for(erin)
    client.post(reverse("assessment:period_create"), _form(published_framework))
    response = client.post(reverse("assessment:period_create"), _form(published_framework))
    assert "start" in response.context["form"].errors
    assert Period.objects.count() == 1


def test_opening_twice_says_why(client_for, period, erin):
    response = client_for(erin).post(
        reverse("assessment:period_open", args=[period.pk]), follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "Only a planned period can be opened." in page(response).messages()
    assert period.submissions.count() == 3


def test_opening_and_closing_need_a_post(client_for, period, erin):
    client = client_for(erin)
    assert client.get(reverse("assessment:period_open", args=[period.pk])).status_code == 405
    assert client.get(reverse("assessment:period_close", args=[period.pk])).status_code == 405


def test_an_unknown_period_is_404(client_for, erin, tree):
    assert client_for(erin).post(reverse("assessment:period_open", args=[999])).status_code == 404
