"""The insight pages: effectiveness, the explain panels of a score and of a roll-up, what-if.

Given a group with committees whose business results follow their party building, a reviewer
or administrator sees the scatter's numbers and correlations; the explain panels say how a score
and a roll-up were made; what-if suggests and tries values without storing anything.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
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


def effectiveness_url(org, period=None) -> str:
    url = reverse("dashboards:effectiveness", args=[org.pk])
    return f"{url}?period={period.pk}" if period else url


# -- effectiveness -------------------------------------------------------------------------------


def test_the_scatter_has_one_point_per_committee_below(client_for, erin, tree, period):
    response = client_for(erin).get(effectiveness_url(tree.group, period))
    assert response.status_code == 200
    data = response.context["data"]
    assert len(data.units) == len(STRENGTHS)  # not the branch, not the group itself
    assert [m.code for m in data.measures] == ["B1.01", "B1.02", "B1.03"]
    assert all(u.values["B1.01"] is not None for u in data.units)


def test_the_party_building_score_leaves_the_business_points_out(client_for, erin, tree, period):
    response = client_for(erin).get(effectiveness_url(tree.group, period))
    unit = next(u for u in response.context["data"].units if u.organization_id == tree.a.pk)
    score = SubjectScore.objects.get(period=period, organization=tree.a)
    business, business_max = score.dimensions["B1"][0], score.dimensions["B1"][1]
    assert business_max == 15
    assert unit.party_building == pytest.approx((score.total - business) / 85 * 100, abs=0.01)


def test_the_correlation_is_said_in_words_with_n(client_for, erin, tree, period):
    response = client_for(erin).get(effectiveness_url(tree.group, period))
    first = response.context["data"].correlations[0]
    assert first.correlation.n == len(STRENGTHS)
    assert first.correlation.direction == "positive"
    assert first.correlation.strength in ("strong", "very strong")
    assert first.correlation.verdict == "clear"
    said = page(response).texts("[data-correlation]")[0]  # the first measure's
    assert "明显" in said or "clear" in said
    assert "正相关" in said or "positive correlation" in said
    assert "n = 12" in said
    low, high = first.correlation.r_interval
    assert 0 < low <= first.correlation.r <= high <= 1


def test_a_grade_leads_with_spearman_and_a_growth_rate_with_pearson(client_for, erin, tree, period):
    client = client_for(erin)
    client.cookies["django_language"] = "en"
    response = client.get(effectiveness_url(tree.group, period), HTTP_ACCEPT_LANGUAGE="en")
    by_code = {m.measure.code: m for m in response.context["data"].correlations}
    assert not by_code["B1.01"].measure.ordinal
    assert by_code["B1.03"].measure.ordinal  # unit "grade"
    grade = by_code["B1.03"].correlation
    assert grade.headline == grade.rho
    said = page(response).text('[data-section="same"] [data-measure="B1.03"] [data-correlation]')
    assert said.startswith(f"ρ = {grade.rho:.2f} (95% interval ")
    assert "n = 12" in said
    assert "Pearson's r" in page(response).text(
        '[data-section="same"] [data-measure="B1.03"] [data-other]'
    )
    assert (
        page(response)
        .text('[data-section="same"] [data-measure="B1.01"] [data-correlation]')
        .startswith("r = ")
    )


def test_the_table_per_period_shows_the_interval(client_for, erin, tree, periods):
    response = client_for(erin).get(effectiveness_url(tree.group, periods[1]))
    cells = page(response).texts("[data-trend-table] tbody td[data-verdict]")
    assert len(cells) == 2 * 3  # two periods, three measures
    assert all("[" in cell and "(12)" in cell for cell in cells)


def test_lag_and_change_compare_consecutive_periods(client_for, erin, tree, periods):
    response = client_for(erin).get(effectiveness_url(tree.group, periods[1]))
    data = response.context["data"]
    (lag,) = data.lag
    assert (lag.before.pk, lag.after.pk, lag.units) == (periods[0].pk, periods[1].pk, 12)
    # the same values in both years: last year's party building predicts this year's business
    assert lag.correlations["B1.01"].verdict == "clear"
    (change,) = data.change
    # ... and nothing changed, so change against change has nothing to say
    assert change.correlations["B1.01"].n == 12
    assert change.correlations["B1.01"].headline is None
    assert page(response).texts('[data-section="lag"] [data-correlation]')
    assert page(response).has('[data-steps-table="change"]')


def test_lag_and_change_need_two_periods(client_for, erin, tree, framework, values):
    period = scored_period(framework, 2026, values)
    response = client_for(erin).get(effectiveness_url(tree.group, period))
    assert response.context["data"].lag == []
    assert page(response).has('[data-section="lag"] [data-no-steps]')
    assert page(response).has('[data-section="change"] [data-no-steps]')


def test_the_same_over_time_has_a_correlation_per_period(client_for, erin, tree, periods):
    response = client_for(erin).get(effectiveness_url(tree.group, periods[1]))
    trend = response.context["data"].trend
    assert [t.period.pk for t in trend] == [p.pk for p in periods]
    assert all(t.correlations["B1.01"].n == len(STRENGTHS) for t in trend)
    chart = response.context["chart"]
    assert len(chart["trend"]["series"]) == 3
    assert len(chart["scatter"][0]["points"]) == len(STRENGTHS)


def test_without_a_period_the_latest_scored_one_is_shown(client_for, erin, tree, periods):
    response = client_for(erin).get(effectiveness_url(tree.group))
    assert response.context["period"].pk == periods[1].pk


def test_too_few_units_are_said_so(client_for, framework, tree, erin):
    period = scored_period(framework, 2026, {tree.a.pk: committee_values(0.8)})
    response = client_for(erin).get(effectiveness_url(tree.group, period))
    assert response.status_code == 200
    assert response.context["data"].correlations[0].correlation.r is None
    said = page(response).texts("[data-correlation]")
    assert said
    assert all("n = 1" in sentence and "10" in sentence for sentence in said)  # at least 10


def test_correlation_is_not_causation_is_said(client_for, erin, tree, period):
    client = client_for(erin)
    client.cookies["django_language"] = "en"
    response = client.get(effectiveness_url(tree.group, period), HTTP_ACCEPT_LANGUAGE="en")
    assert "Correlation is not causation" in page(response).text('.alert[role="note"]')


def test_a_reviewer_sees_only_the_subtree(client_for, carol, tree, period):
    client = client_for(carol)
    assert client.get(effectiveness_url(tree.group, period)).status_code == 404
    response = client.get(effectiveness_url(tree.a, period))
    assert response.status_code == 200
    assert response.context["data"].units == []


def test_a_bad_period_is_404(client_for, erin, tree, period):
    url = reverse("dashboards:effectiveness", args=[tree.group.pk])
    assert client_for(erin).get(f"{url}?period=abc").status_code == 404
    assert client_for(erin).get(f"{url}?period=999999").status_code == 404


def _count_queries(client, url) -> int:
    client.get(url)  # warm the engine's framework cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_page_reads_as_many_queries_for_2000_units_as_for_10(client_for, erin, tree, framework):
    client = client_for(erin)
    few = add_committees(tree.group, 10, prefix="F")
    small = scored_period(
        framework, 2024, {o.pk: committee_values(0.5 + i / 40) for i, o in enumerate(few)}
    )
    small_count = _count_queries(client, effectiveness_url(tree.group, small))

    many = add_committees(tree.group, 1990, prefix="M")
    every = [*few, *many]
    big = scored_period(
        framework, 2025, {o.pk: committee_values((i % 50) / 50) for i, o in enumerate(every)}
    )
    response = client.get(effectiveness_url(tree.group, big))
    assert len(response.context["data"].units) == 2000
    assert _count_queries(client, effectiveness_url(tree.group, big)) == small_count
    assert small_count <= 12


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
