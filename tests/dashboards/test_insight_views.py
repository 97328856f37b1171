"""The insight pages: the explain panels of a score and of a roll-up, what-if (the effectiveness
page is tested in test_effectiveness_page.py).

The explain panels say how a score and a roll-up were made; what-if suggests and tries values
without storing anything.
"""

import pytest
from django.urls import reverse

from assessment.models import IndicatorValue, Rollup, SubjectScore
from dashboards.selectors.insight import score_inputs
from tests.builders import scored_period
from tests.dashboards.insight_fixtures import (
    add_committees,
    business_framework,
    committee_values,
)
from tests.html import page

pytestmark = pytest.mark.django_db

# Twelve committees: the page gives a coefficient from 10 units on (MIN_PAIRS).
STRENGTHS = (0.9, 0.5, 0.7, 0.3, 0.95, 0.6, 0.8, 0.4, 0.65, 0.85, 0.55, 0.75)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def framework(tree):
    return business_framework()


@pytest.fixture
def committees(tree):
    return [tree.a, tree.b, *add_committees(tree.group, len(STRENGTHS) - 2)]


@pytest.fixture
def values(tree, committees):
    out = {org.pk: committee_values(s) for org, s in zip(committees, STRENGTHS, strict=True)}
    out[tree.a1a.pk] = {"C1.01": 8, "C2.01": True, "C2.02": True}  # a branch: no business results
    return out


@pytest.fixture
def periods(framework, values):
    return scored_period(framework, 2025, values), scored_period(framework, 2026, values)


@pytest.fixture
def period(periods):
    return periods[1]


# -- explain a score ---------------------------------------------------------------------------


def _score(period, org) -> SubjectScore:
    return SubjectScore.objects.get(period=period, organization=org)


def test_explain_score_as_a_page_and_as_a_fragment(client_for, erin, tree, period):
    score = _score(period, tree.a)
    url = reverse("dashboards:explain_score", args=[score.pk])
    client = client_for(erin)
    whole = client.get(url)
    assert whole.status_code == 200
    assert page(whole).has("html > body #explain-panel")
    fragment = client.get(url, **HTMX)
    assert fragment.status_code == 200
    assert not page(fragment).has("html")
    assert page(fragment).has('tr[data-indicator="B1.01"]')
    assert response_sentences(fragment)


def response_sentences(response) -> list[str]:
    return response.context["x"].sentences


def test_explain_score_names_what_was_missing(client_for, framework, tree, erin):
    period = scored_period(framework, 2026, {tree.a.pk: {"C1.01": 5, "C2.01": True}})
    score = _score(period, tree.a)
    response = client_for(erin).get(reverse("dashboards:explain_score", args=[score.pk]), **HTMX)
    x = response.context["x"]
    assert [line.code for line in x.missing] == ["C2.03", "B1.01", "B1.02", "B1.03"]
    assert [line.code for line in x.unrecorded] == ["B1.04"]  # a text: no points
    assert page(response).text('li[data-missing="B1.01"]').startswith("B1.01 ")
    assert response.context["x"].matches_stored


def test_explain_score_reads_its_inputs_through_one_function(tree, period):
    score = _score(period, tree.a)
    assert score_inputs(score) == score.inputs


def test_explain_score_queries_are_bounded(
    client_for, erin, tree, period, django_assert_max_num_queries
):
    score = _score(period, tree.a)
    url = reverse("dashboards:explain_score", args=[score.pk])
    client = client_for(erin)
    client.get(url, **HTMX)
    with django_assert_max_num_queries(6):
        client.get(url, **HTMX)


def test_a_secretary_cannot_explain_a_sibling_score(client_for, alice, tree, period):
    score = _score(period, tree.b)
    assert (
        client_for(alice).get(reverse("dashboards:explain_score", args=[score.pk])).status_code
        == 404
    )


# -- explain a roll-up -------------------------------------------------------------------------


def test_explain_rollup_lists_the_children_with_their_shares(
    client_for, erin, tree, period, committees
):
    row = Rollup.objects.get(period=period, organization=tree.group, dimension="")
    response = client_for(erin).get(reverse("dashboards:explain_rollup", args=[row.pk]), **HTMX)
    assert response.status_code == 200
    x = response.context["x"]
    assert {c.organization_id for c in x.children} == {o.pk for o in committees}
    assert sum(c.share for c in x.children) == pytest.approx(1.0)
    assert sum(c.contribution for c in x.children) == pytest.approx(row.score, abs=0.01)
    assert all(c.rollup_id for c in x.children)
    assert x.own_status == "not_expected"  # the group kind is not in this framework


def test_explain_rollup_links_the_own_score(client_for, erin, tree, period):
    row = Rollup.objects.get(period=period, organization=tree.a, dimension="")
    response = client_for(erin).get(reverse("dashboards:explain_rollup", args=[row.pk]), **HTMX)
    x = response.context["x"]
    assert x.own_status == "approved"
    assert x.own_score_id == _score(period, tree.a).pk
    assert page(response).links(reverse("dashboards:explain_score", args=[x.own_score_id]))


def test_explain_rollup_names_the_missing_submissions(client_for, erin, tree, period):
    row = Rollup.objects.get(period=period, organization=tree.a1, dimension="")
    response = client_for(erin).get(reverse("dashboards:explain_rollup", args=[row.pk]), **HTMX)
    x = response.context["x"]
    assert x.missing_count == 1  # A1b's submission is a draft
    assert x.missing == [tree.a1b.display_name]


def test_explain_rollup_queries_are_bounded(
    client_for, erin, tree, period, django_assert_max_num_queries
):
    row = Rollup.objects.get(period=period, organization=tree.group, dimension="")
    url = reverse("dashboards:explain_rollup", args=[row.pk])
    client = client_for(erin)
    client.get(url, **HTMX)
    with django_assert_max_num_queries(7):
        client.get(url, **HTMX)


# -- what if -----------------------------------------------------------------------------------


def test_what_if_suggests_how_to_reach_the_next_grade(client_for, erin, tree, period):
    score = _score(period, tree.b)  # strength 0.5
    response = client_for(erin).get(reverse("dashboards:what_if", args=[score.pk]), **HTMX)
    assert response.status_code == 200
    plan = response.context["plan"]
    assert plan.next_grade is not None
    assert plan.suggestions
    assert plan.reaches_next
    assert plan.suggestions[-1].total_after >= plan.next_grade_min


def test_what_if_at_the_top_grade_says_so(client_for, erin, framework, tree):
    period = scored_period(framework, 2026, {tree.a.pk: committee_values(1.0)})
    score = _score(period, tree.a)
    response = client_for(erin).get(reverse("dashboards:what_if", args=[score.pk]), **HTMX)
    assert response.context["plan"].next_grade is None
    assert page(response).text("[data-top-grade]")


def test_what_if_with_own_values_scores_them_and_stores_nothing(client_for, erin, tree, period):
    score = _score(period, tree.b)
    before = (
        score.total,
        list(IndicatorValue.objects.values_list("pk", "value", "reviewed_value")),
    )
    url = reverse("dashboards:what_if", args=[score.pk])
    fields = client_for(erin).get(url).context["fields"]
    data = {f["name_attr"]: f["value"] for f in fields} | {"v-C1.01": "10", "v-B1.01": "15"}
    response = client_for(erin).post(url, data, **HTMX)
    assert response.status_code == 200
    trial = response.context["trial"]
    assert trial.result.total > score.total
    assert {ind.code for ind, *_rest in trial.changed} == {"C1.01", "B1.01"}
    score.refresh_from_db()
    after = (score.total, list(IndicatorValue.objects.values_list("pk", "value", "reviewed_value")))
    assert after == before


def test_what_if_refuses_a_value_it_cannot_score(client_for, erin, tree, period):
    score = _score(period, tree.b)
    url = reverse("dashboards:what_if", args=[score.pk])
    response = client_for(erin).post(url, {"v-C1.01": "lots"}, **HTMX)
    assert response.status_code == 400
    assert response.context["trial"].errors.keys() == {"C1.01"}
    assert "is-invalid" in page(response).field("v-C1.01")["class"]


def test_what_if_without_a_change_asks_for_one(client_for, erin, tree, period):
    score = _score(period, tree.b)
    response = client_for(erin).post(reverse("dashboards:what_if", args=[score.pk]), {})
    assert response.status_code == 400
    assert response.context["error"]


def test_what_if_can_fill_the_form_with_the_suggestions(client_for, erin, tree, period):
    score = _score(period, tree.b)
    url = reverse("dashboards:what_if", args=[score.pk])
    response = client_for(erin).get(f"{url}?apply=suggestions", **HTMX)
    changed = [f for f in response.context["fields"] if f["changed"]]
    suggested = {s.code for s in response.context["plan"].suggestions}
    assert {f["indicator"].code for f in changed} == suggested
