"""The review queue at scale: search, the warnings filter, the engine's columns, sorting, page size.

See tests/assessment/queue_support.py for the framework and the tree.
"""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.selectors import entry as entry_selectors
from assessment.selectors import queues
from assessment.services import submissions
from tests.factories import EvidenceFactory
from tests.html import page

from .queue_support import CLEAN, departments, queue_framework, submit_with, waited

pytestmark = pytest.mark.django_db

QUEUE = reverse("assessment:queue")


@pytest.fixture
def framework_doc() -> dict:
    return queue_framework()


@pytest.fixture
def a1a(period, tree):
    return period.submissions.get(organization=tree.a1a)


@pytest.fixture
def a1b(period, tree):
    return period.submissions.get(organization=tree.a1b)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [int(row["data-submission"]) for row in page(response).select("tr[data-submission]")]


def cell(response, submission, column: str) -> str:
    return page(response).text(f'tr[data-submission="{submission.pk}"] [data-col="{column}"]')


# The engine's columns


def test_the_score_column_is_the_engines_score_of_the_stored_values(
    client_for, a1a, a1b, alice, bob, carol
):
    submit_with(a1a, alice)  # 40 + 60
    submit_with(a1b, bob, {**CLEAN, "C1.01": "6"})  # 20 + 60
    response = client_for(carol).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en")
    assert cell(response, a1a, "score").startswith("100/100")
    assert "Excellent" in cell(response, a1a, "score")
    assert cell(response, a1b, "score").startswith("80/100")
    assert "Good" in cell(response, a1b, "score")


def test_a_veto_badge_names_the_indicator_that_fired(client_for, a1a, a1b, alice, bob, carol):
    submit_with(a1a, alice, {**CLEAN, "C1.09": "yes"})
    submit_with(a1b, bob)
    response = client_for(carol).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en")
    shown = page(response)
    veto = shown.text(f'tr[data-submission="{a1a.pk}"] [data-veto]')
    assert "C1.09" in veto
    assert "Grave violation (veto)" in veto
    assert not shown.has(f'tr[data-submission="{a1b.pk}"] [data-veto]')
    assert shown.attr(f'tr[data-submission="{a1a.pk}"] [data-grade]', "data-grade") == "C"


def test_warnings_are_counted_as_the_submission_page_flags_them(
    client_for, a1a, a1b, alice, bob, carol
):
    submit_with(a1a, alice, {**CLEAN, "C1.01": "60"})  # outside the plausible 0–50
    submit_with(a1b, bob)
    response = client_for(carol).get(QUEUE)
    shown = page(response)
    assert shown.attr(f'tr[data-submission="{a1a.pk}"] [data-warnings]', "data-warnings") == "1"
    assert shown.attr(f'tr[data-submission="{a1b.pk}"] [data-warnings]', "data-warnings") == "0"
    on_the_page = entry_selectors.entry_page(a1a, carol)
    assert sum(len(row.flags) for row in on_the_page.rows) == 1


def test_evidence_and_days_waiting_are_shown(client_for, a1a, alice, carol):
    submit_with(a1a, alice, evidence=2)
    EvidenceFactory(submission=a1a, uploaded_by=alice)
    waited(a1a, 3)
    response = client_for(carol).get(QUEUE, HTTP_ACCEPT_LANGUAGE="en")
    assert cell(response, a1a, "evidence") == "3"
    assert cell(response, a1a, "waiting") == "3 days"


def test_a_changed_value_changes_the_column_at_once(client_for, a1a, alice, carol):
    submit_with(a1a, alice)
    client = client_for(carol)
    assert cell(client.get(QUEUE), a1a, "score").startswith("100/100")
    submissions.return_submission(a1a, reason="再看看", acting_user=carol)
    submit_with(a1a, alice, {**CLEAN, "C1.01": "3"}, evidence=0)
    assert cell(client.get(QUEUE), a1a, "score").startswith("70/100")


# Search and filters


def test_search_finds_a_unit_by_words_of_its_name_or_its_code(
    client_for, a1a, a1b, alice, bob, carol
):
    submit_with(a1a, alice)
    submit_with(a1b, bob)
    client = client_for(carol)
    assert ids(client.get(QUEUE, {"q": "第二"})) == [a1b.pk]
    assert ids(client.get(QUEUE, {"q": "a1A"})) == [a1a.pk]
    assert ids(client.get(QUEUE, {"q": "没有这个单位"})) == []


def test_search_never_reaches_outside_the_scope(client_for, period, tree, alice, carol):
    b1 = period.submissions.get(organization=tree.b1)
    assert ids(client_for(carol).get(QUEUE, {"q": "乙一", "state": ""})) == []
    assert b1.pk not in set(queues.reviewable_submissions(carol).values_list("pk", flat=True))


@pytest.mark.parametrize(
    ("warnings", "expected"),
    [
        ("", {"clean", "warned", "vetoed"}),
        ("clean", {"clean"}),
        ("warned", {"warned"}),
        ("vetoed", {"vetoed"}),
        ("garbled", {"clean", "warned", "vetoed"}),
    ],
)
def test_the_warnings_filter(client_for, period, tree, alice, carol, warnings, expected):
    (clean,) = departments(period, tree.a1a, 1, alice)
    (warned,) = departments(period, tree.a1a, 1, alice, {**CLEAN, "C1.01": "60"})
    (vetoed,) = departments(period, tree.a1a, 1, alice, {**CLEAN, "C1.09": "yes"})
    names = {clean.pk: "clean", warned.pk: "warned", vetoed.pk: "vetoed"}
    shown = ids(client_for(carol).get(QUEUE, {"warnings": warnings, "within": tree.a1a.pk}))
    assert {names[pk] for pk in shown} == expected


# Sorting and page size


def test_sorting_by_score_both_ways(client_for, a1a, a1b, alice, bob, carol):
    submit_with(a1a, alice)  # 100
    submit_with(a1b, bob, {**CLEAN, "C1.01": "6"})  # 80
    client = client_for(carol)
    assert ids(client.get(QUEUE, {"sort": "score"})) == [a1b.pk, a1a.pk]
    assert ids(client.get(QUEUE, {"sort": "-score"})) == [a1a.pk, a1b.pk]


def test_sorting_by_warnings_evidence_and_days_waiting(client_for, a1a, a1b, alice, bob, carol):
    submit_with(a1a, alice, {**CLEAN, "C1.01": "60"}, evidence=1)
    submit_with(a1b, bob, evidence=2)
    waited(a1a, 5)
    waited(a1b, 1)
    client = client_for(carol)
    assert ids(client.get(QUEUE, {"sort": "-warnings"})) == [a1a.pk, a1b.pk]
    assert ids(client.get(QUEUE, {"sort": "warnings"})) == [a1b.pk, a1a.pk]
    assert ids(client.get(QUEUE, {"sort": "-evidence"})) == [a1b.pk, a1a.pk]
    assert ids(client.get(QUEUE, {"sort": "-waiting"})) == [a1a.pk, a1b.pk]
    assert ids(client.get(QUEUE, {"sort": "waiting"})) == [a1b.pk, a1a.pk]
    assert ids(client.get(QUEUE, {"sort": "-name"})) == [a1b.pk, a1a.pk]


def test_a_sorted_column_says_so_and_its_link_turns_the_order(client_for, a1a, alice, carol):
    submit_with(a1a, alice)
    shown = page(client_for(carol).get(QUEUE, {"sort": "score", "period": a1a.period_id}))
    header = shown.one('[data-sort="score"]').find_parent("th")
    assert header["aria-sort"] == "ascending"
    assert "sort=-score" in shown.attr('[data-sort="score"]', "href")
    assert f"period={a1a.period_id}" in shown.attr('[data-sort="score"]', "href")


@pytest.mark.parametrize("sort", ["", "nonsense", "-", "--score", "score;drop"])
def test_a_garbled_sort_keeps_the_review_order(client_for, a1a, a1b, alice, bob, carol, sort):
    submit_with(a1a, alice)
    submit_with(a1b, bob)
    assert len(ids(client_for(carol).get(QUEUE, {"sort": sort}))) == 2


def test_the_page_size_is_chosen(client_for, period, tree, alice, carol):
    departments(period, tree.a1a, 30, alice)
    client = client_for(carol)
    assert len(ids(client.get(QUEUE, {"per_page": 25}))) == 25
    assert len(ids(client.get(QUEUE, {"per_page": 25, "page": 2}))) == 5
    assert len(ids(client.get(QUEUE, {"per_page": 25, "sort": "-score", "page": 2}))) == 5
    assert len(ids(client.get(QUEUE, {"per_page": 7}))) == 30  # not offered: the default, 50


# Bounded queries


@pytest.mark.parametrize("sort", ["", "name", "-score", "warnings"])
def test_the_queue_costs_the_same_queries_for_few_and_many_rows(
    client_for, period, tree, alice, carol, django_assert_max_num_queries, sort
):
    """The engine's columns worked out afresh (nothing cached) for 2 rows and for 32."""
    client = client_for(carol)
    departments(period, tree.a1a, 2, alice)
    client.get(QUEUE, {"sort": sort})
    cache.clear()
    with CaptureQueriesContext(connection) as few:
        client.get(QUEUE, {"sort": sort, "warnings": "clean"})
    departments(period, tree.a1a, 30, alice)
    cache.clear()
    with django_assert_max_num_queries(len(few)):
        response = client.get(QUEUE, {"sort": sort, "warnings": "clean"})
    assert len(ids(response)) == 32


def test_facts_are_worked_out_once_then_read_from_the_cache(period, tree, alice, carol):
    departments(period, tree.a1a, 3, alice)
    queryset = queues.reviewable_submissions(carol)
    first = queues.queue_facts(queryset)
    with CaptureQueriesContext(connection) as again:
        assert queues.queue_facts(queryset) == first
    assert len(again) == 2  # the submissions and their periods: no values, no history
