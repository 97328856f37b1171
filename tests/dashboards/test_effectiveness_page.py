"""The effectiveness page: party building (the subtree's roll-up without business results)
against the business figures, the same year, a year later and change against change, with the
claims, in the reader's scope and language, in a fixed number of queries.

The analysis itself is tested in tests/business/test_effectiveness.py; here, what the page says.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from business.choices import FigureSource
from business.models import BusinessFigure
from tests.builders import scored_period
from tests.business.effectiveness_data import (
    STRENGTHS,
    add_figures,
    committees_of,
    figure,
    score_two_years,
)
from tests.dashboards.insight_fixtures import add_committees, business_framework, committee_values
from tests.html import page

pytestmark = pytest.mark.django_db


@pytest.fixture
def committees(tree):
    return committees_of(tree)


@pytest.fixture
def framework(tree):
    return business_framework()


@pytest.fixture
def periods(tree, committees, framework):
    return score_two_years(tree, committees, framework)


@pytest.fixture
def period(periods, committees):
    add_figures(committees, STRENGTHS)
    return periods[1]


def url(org, period=None, **query) -> str:
    address = reverse("dashboards:effectiveness", args=[org.pk])
    params = {"period": period.pk} if period else {}
    params.update(query)
    return address + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def english(client):
    client.cookies["django_language"] = "en"
    return client


def test_each_measure_has_a_scatter_a_sentence_and_a_fitted_line(client_for, erin, tree, period):
    response = english(client_for(erin)).get(url(tree.group, period))
    assert response.status_code == 200
    html = page(response)
    assert html.has('.card[data-measure="revenue_growth"] [data-insight-chart="scatter"]')
    growth = html.text('.card[data-measure="revenue_growth"] [data-correlation]')
    assert growth.startswith("r = ")
    assert f"n = {len(STRENGTHS)}" in growth
    assert "95% interval" in growth
    assert html.text('.card[data-measure="sasac_grade"] [data-correlation]').startswith("ρ = ")
    chart = response.context["chart"]
    scatter = next(s for s in chart["scatter"] if s["code"] == "revenue_growth")
    assert len(scatter["points"]) == len(STRENGTHS)
    assert scatter["fit"]["slope"] > 0
    low_end = scatter["fit"]["band"][0]
    assert low_end[2] <= low_end[1] <= low_end[3]


def test_the_years_chart_has_each_coefficient_with_its_interval(client_for, erin, tree, period):
    response = client_for(erin).get(url(tree.group, period))
    years = response.context["chart"]["years"]
    assert years["labels"] == ["2025", "2026"]
    growth = next(s for s in years["series"] if s["code"] == "revenue_growth")
    latest = growth["values"][-1]
    assert latest["low"] <= latest["value"] <= latest["high"]
    assert latest["n"] == len(STRENGTHS)
    rows = page(response).select("[data-trend-table] tbody tr")
    assert len(rows) == 2


def test_lag_and_change_steps_are_listed(client_for, erin, tree, period):
    html = page(english(client_for(erin)).get(url(tree.group, period)))
    assert html.has('[data-steps-table="lag"]')
    assert html.has('[data-steps-table="change"]')
    assert "2025" in html.text('[data-section="lag"] h3')


def test_the_claims_table_puts_the_organization_first(client_for, erin, tree, period):
    for year in range(2020, 2027):
        figure(tree.group, "revenue", year, round(100 * 1.2 ** (year - 2020), 4))
        if year >= 2024:
            figure(tree.group, "sasac_grade", year, grade="A")
    response = english(client_for(erin)).get(url(tree.group, period))
    rows = page(response).select("[data-claims-row]")
    assert "Group" in rows[0].get_text()
    assert rows[0].select("td")[0].get_text(strip=True) == "3"
    assert "20.0% a year" in rows[0].get_text()
    assert len(rows) == 1 + len(STRENGTHS)
    assert len(page(response).select("[data-claims-units] [data-claims-row]")) == len(STRENGTHS)


def test_a_level_can_be_chosen_and_too_few_units_are_said_so(client_for, erin, tree, period):
    figure(tree.a1, "revenue_growth", 2026, 12.5)
    response = english(client_for(erin)).get(url(tree.group, period, level="general_branch"))
    assert response.context["data"].level.code == "general_branch"
    said = page(response).texts("[data-correlation]")
    assert said
    assert all("n = 1" in s or "n = 0" in s for s in said)
    assert all("at least 10" in s for s in said)
    options = page(response).select("#effectiveness-level option")
    assert [o["value"] for o in options] == ["committee", "general_branch"]


def test_demo_figures_are_never_shown_as_evidence(client_for, erin, tree, period):
    assert not page(client_for(erin).get(url(tree.group, period))).has("[data-demo-warning]")
    BusinessFigure.objects.update(source=FigureSource.DEMO)
    html = page(english(client_for(erin)).get(url(tree.group, period)))
    assert "not evidence" in html.text("[data-demo-warning]")


def test_correlation_is_not_causation_is_said_in_both_languages(client_for, erin, tree, period):
    en = page(english(client_for(erin)).get(url(tree.group, period)))
    assert "Correlation is not causation" in en.text('.alert[role="note"]')
    client = client_for(erin)
    client.cookies["django_language"] = "zh-hans"
    zh = page(client.get(url(tree.group, period)))
    assert "相关不等于因果" in zh.text('.alert[role="note"]')


def test_without_figures_the_page_says_where_they_come_from(client_for, erin, tree, periods):
    html = page(english(client_for(erin)).get(url(tree.group, periods[1])))
    assert "Business figures" in html.text("[data-no-figures]")


def test_the_default_year_is_the_latest_closed_one(client_for, erin, tree, period, periods):
    periods[0].status = "closed"
    periods[0].save(update_fields=["status"])
    response = client_for(erin).get(url(tree.group))
    assert response.context["period"].pk == periods[0].pk


def test_a_reviewer_sees_only_the_subtree(client_for, carol, tree, period):
    client = client_for(carol)
    assert client.get(url(tree.group, period)).status_code == 404
    response = client.get(url(tree.a, period))
    assert response.status_code == 200
    assert response.context["data"].units == []


@pytest.mark.parametrize("bad", ["abc", "999999"])
def test_a_bad_period_is_404(client_for, erin, tree, period, bad):
    address = reverse("dashboards:effectiveness", args=[tree.group.pk])
    assert client_for(erin).get(f"{address}?period={bad}").status_code == 404


def test_a_garbled_level_falls_back_to_the_default(client_for, erin, tree, period):
    response = client_for(erin).get(url(tree.group, period, level="no-such-kind!"))
    assert response.status_code == 200
    assert response.context["data"].level.code == "committee"


def _count_queries(client, address) -> int:
    client.get(address)  # warm the framework cache
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_page_reads_as_many_queries_for_500_units_as_for_12(
    client_for, erin, tree, framework, period, committees
):
    client = client_for(erin)
    few = _count_queries(client, url(tree.group, period))
    many = add_committees(tree.group, 488, prefix="M")
    year = scored_period(
        framework, 2027, {o.pk: committee_values((i % 50) / 50) for i, o in enumerate(many)}
    )
    add_figures(many, [(i % 50) / 50 for i in range(len(many))], years=(2027,))
    response = client.get(url(tree.group, year))
    assert len(response.context["data"].units) == 500
    assert _count_queries(client, url(tree.group, year)) == few
    assert few <= 16


def test_lag_and_change_need_two_years(client_for, erin, tree, framework, committees):
    values = {org.pk: committee_values(0.5 + i / 40) for i, org in enumerate(committees)}
    only = scored_period(framework, 2026, values)
    add_figures(committees, STRENGTHS, years=(2026,))
    response = client_for(erin).get(url(tree.group, only))
    assert response.context["data"].lag == []
    assert page(response).has('[data-section="lag"] [data-no-steps]')
    assert page(response).has('[data-section="change"] [data-no-steps]')
