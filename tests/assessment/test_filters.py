"""How the assessment pages read their query strings (`assessment.filters`).

Each FilterSet narrows a queryset already restricted to the user's scope and never widens it; a
garbled value counts as not given, so a query string never makes a page fail. The tree and users
are those of tests/conftest.py; the open `period` has one submission for each of A1a, A1b and B1.
"""

import pytest
from django.test.client import RequestFactory
from django.urls import reverse

from assessment.choices import SubmissionState
from assessment.filters import (
    OrganizationChoiceFilterSet,
    PeriodChoiceForm,
    QueueFilterSet,
    SubjectKindChoiceForm,
)
from assessment.models import Submission
from assessment.selectors import queues
from organizations.models import Organization
from tests.html import page

pytestmark = pytest.mark.django_db

GARBLED_IDS = ["abc", "-1", "0", "1.5", "1e3", "²", str(2**63), str(10**30), " "]


def queue_of(user, **params) -> QueueFilterSet:
    request = RequestFactory().get("/", params)
    request.user = user
    return QueueFilterSet(
        request.GET, queryset=queues.reviewable_submissions(user), request=request
    )


def codes(queryset) -> list[str]:
    return sorted(queryset.values_list("organization__code", flat=True))


@pytest.fixture
def states(period, tree) -> None:
    """A1a submitted, A1b approved, B1 submitted."""
    Submission.objects.filter(organization__in=[tree.a1a, tree.b1]).update(
        state=SubmissionState.SUBMITTED
    )
    Submission.objects.filter(organization=tree.a1b).update(state=SubmissionState.APPROVED)


# The review queue


def test_the_queue_shows_what_waits_for_review_unless_a_state_is_asked_for(states, erin):
    assert codes(queue_of(erin).qs) == ["A1a", "B1"]
    assert codes(queue_of(erin, state="approved").qs) == ["A1b"]
    assert codes(queue_of(erin, state="").qs) == ["A1a", "A1b", "B1"]


def test_an_unknown_state_is_the_default_one(states, erin):
    assert codes(queue_of(erin, state="shredded").qs) == ["A1a", "B1"]


def test_the_state_tabs_count_across_states(states, tree, erin):
    filters = queue_of(erin, state="approved", within=tree.a.pk)
    assert codes(filters.across_states) == ["A1a", "A1b"]
    assert codes(filters.qs) == ["A1b"]


def test_the_queue_narrows_by_period_kind_and_subtree(states, period, tree, erin):
    assert codes(queue_of(erin, state="", within=tree.a1.pk).qs) == ["A1a", "A1b"]
    assert codes(queue_of(erin, state="", period=period.pk).qs) == ["A1a", "A1b", "B1"]
    assert codes(queue_of(erin, state="", period=period.pk + 1).qs) == []
    assert codes(queue_of(erin, state="", subject_kind=" branch ").qs) == ["A1a", "A1b", "B1"]
    assert codes(queue_of(erin, state="", subject_kind="department").qs) == []


def test_a_subtree_outside_the_review_scope_narrows_to_nothing(states, tree, carol):
    filters = queue_of(carol, state="", within=tree.b.pk)
    assert codes(filters.qs) == []
    assert filters.within_unknown
    assert filters.within_organization is None


def test_the_queue_never_widens_the_scope(states, tree, carol):
    assert codes(queue_of(carol, state="", within=tree.group.pk).qs) == []
    assert codes(queue_of(carol, state="").qs) == ["A1a", "A1b"]


@pytest.mark.parametrize("garbled", GARBLED_IDS)
def test_a_garbled_id_in_the_queue_counts_as_not_given(states, erin, garbled):
    filters = queue_of(erin, state="", period=garbled, within=garbled)
    assert codes(filters.qs) == ["A1a", "A1b", "B1"]
    assert not filters.within_unknown


@pytest.mark.parametrize("garbled", GARBLED_IDS)
def test_the_queue_page_ignores_garbled_parameters(client_for, states, erin, garbled):
    query = {"period": garbled, "within": garbled, "state": garbled, "page": garbled}
    response = client_for(erin).get(reverse("assessment:queue"), query)
    assert response.status_code == 200
    assert page(response).count("tr[data-submission]") == 2  # submitted: A1a and B1


# One organization asked for by ``?org=``


def orgs_of(user, **params) -> OrganizationChoiceFilterSet:
    return OrganizationChoiceFilterSet(params, queryset=Organization.objects.restrict(user))


def test_org_narrows_the_organizations_in_scope_to_the_one_asked_for(tree, carol):
    chosen = orgs_of(carol, org=tree.a1.pk)
    assert chosen.asked
    assert list(chosen.qs) == [tree.a1]


def test_org_outside_the_scope_narrows_to_nothing(tree, carol):
    chosen = orgs_of(carol, org=tree.b.pk)
    assert chosen.asked
    assert not chosen.qs.exists()


def test_without_org_nothing_is_asked(tree, carol):
    assert not orgs_of(carol).asked
    assert not orgs_of(carol, org="").asked


@pytest.mark.parametrize("garbled", GARBLED_IDS)
def test_a_garbled_org_is_not_a_question(tree, carol, garbled):
    assert not orgs_of(carol, org=garbled).asked


@pytest.mark.parametrize("garbled", GARBLED_IDS)
def test_the_completeness_page_ignores_a_garbled_org_and_period(
    client_for, tree, period, carol, garbled
):
    url = reverse("assessment:completeness")
    response = client_for(carol).get(url, {"org": garbled, "period": garbled})
    assert response.status_code == 200
    assert page(response).attr('select[name="period"] option[selected]', "value") == str(period.pk)


@pytest.mark.parametrize("garbled", [*GARBLED_IDS[:-1], "999999"])
def test_the_committee_template_answers_a_garbled_org_with_404(client_for, period, alice, garbled):
    url = reverse("assessment:excel_bulk_template", args=[period.pk])
    assert client_for(alice).get(url, {"org": garbled}).status_code == 404


def test_the_committee_template_under_an_org_in_the_enter_scope(client_for, tree, period, alice):
    url = reverse("assessment:excel_bulk_template", args=[period.pk])
    assert client_for(alice).get(url, {"org": tree.a1a.pk}).status_code == 200
    assert client_for(alice).get(url, {"org": tree.a1b.pk}).status_code == 404


# Choices a page marks: the period, the subject kind


def test_the_period_asked_for_is_read_as_an_id():
    assert PeriodChoiceForm({"period": "12"}).chosen_id() == 12
    assert PeriodChoiceForm({}).chosen_id() is None


@pytest.mark.parametrize("garbled", GARBLED_IDS)
def test_a_garbled_period_is_none(garbled):
    assert PeriodChoiceForm({"period": garbled}).chosen_id() is None


@pytest.mark.parametrize(
    ("asked", "chosen"),
    [
        ("staff", "staff"),
        ("branch", "branch"),
        ("nope", "branch"),
        ("", "branch"),
        (None, "branch"),
    ],
)
def test_the_subject_kind_is_one_of_the_frameworks_else_the_first(asked, chosen):
    data = {} if asked is None else {"kind": asked}
    assert SubjectKindChoiceForm(data, kinds=["branch", "staff"]).chosen() == chosen


def test_a_framework_without_subject_kinds_has_no_kind():
    assert SubjectKindChoiceForm({"kind": "branch"}, kinds=[]).chosen() is None


def test_the_framework_page_ignores_an_unknown_kind(client_for, published_framework, erin):
    url = reverse("assessment:framework_detail", args=[published_framework.pk])
    assert client_for(erin).get(url, {"kind": "nope\u2028"}).status_code == 200
