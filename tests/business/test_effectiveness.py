"""The effectiveness analysis on business figures (business.selectors.effectiveness) and its API.

Twelve committees under the group, scored in 2025 and 2026 on the insight test framework (their
party building follows a strength); their business figures are entered apart, as the finance side
would. The analysis must read party building from the roll-up (the subtree, without business
results) and business results from the figures — never from the committees' own submissions.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment.models import Rollup
from business.choices import FigureSource
from business.models import BusinessFigure
from business.selectors.effectiveness import effectiveness_of
from tests.dashboards.insight_fixtures import add_committees, business_framework

from .effectiveness_data import STRENGTHS, add_figures, committees_of, figure, score_two_years

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
def figures(committees):
    add_figures(committees, STRENGTHS)


def analysis(user, org, period, **kwargs):
    return effectiveness_of(user, org, period, "en", **kwargs)


def test_the_units_are_the_committees_with_figures(erin, tree, periods, figures):
    data = analysis(erin, tree.group, periods[1])
    assert data.level.code == "committee"
    assert len(data.units) == len(STRENGTHS)
    assert tree.group.pk not in {u.organization_id for u in data.units}
    revenue_growth = next(m for m in data.correlations if m.measure.code == "revenue_growth")
    assert revenue_growth.correlation.n == len(STRENGTHS)
    assert revenue_growth.correlation.verdict == "clear"
    assert revenue_growth.fit is not None
    assert revenue_growth.fit.slope > 0


def test_party_building_is_the_subtrees_roll_up_not_the_own_submission(
    erin, tree, periods, figures
):
    data = analysis(erin, tree.group, periods[1])
    a = next(u for u in data.units if u.organization_id == tree.a.pk)
    row = Rollup.objects.get(period=periods[1], organization=tree.a, dimension="")
    assert a.party_building == row.party_building
    assert a.rollup_id == row.pk
    # A's subtree holds its general branch: its roll-up is not its own submission's share.
    own_only = next(u for u in data.units if u.organization_id == tree.b.pk)
    assert a.party_building != pytest.approx(own_only.party_building)


def test_business_results_are_the_figures_not_the_submissions(erin, tree, periods, figures):
    BusinessFigure.objects.filter(
        organization=tree.a, year=2026, measure__code="revenue_growth"
    ).update(value=Decimal("-42.5"))
    data = analysis(erin, tree.group, periods[1])
    a = next(u for u in data.units if u.organization_id == tree.a.pk)
    assert a.values["revenue_growth"] == -42.5
    assert a.shown["revenue_growth"] == "-42.5"
    assert "B1.01" not in a.values  # the committee's own B1 indicators play no part


def test_a_grade_leads_with_spearman_and_a_figure_with_pearson(erin, tree, periods, figures):
    data = analysis(erin, tree.group, periods[1])
    by_code = {m.measure.code: m for m in data.correlations}
    assert by_code["sasac_grade"].measure.ordinal
    assert by_code["sasac_grade"].correlation.headline_symbol == "ρ"
    assert by_code["revenue_growth"].correlation.headline_symbol == "r"
    a = next(u for u in data.units if u.organization_id == tree.a.pk)
    assert a.values["sasac_grade"] in {1, 2, 3, 4}
    assert a.shown["sasac_grade"] in set("ABCD")


def test_a_level_is_chosen_and_a_small_one_gives_no_coefficient(erin, tree, periods, figures):
    figure(tree.a1, "revenue_growth", 2026, 12.5)
    data = analysis(erin, tree.group, periods[1])
    assert [(lv.code, lv.units) for lv in data.levels] == [
        ("committee", len(STRENGTHS)),
        ("general_branch", 1),
    ]
    assert data.level.code == "committee"  # the most units
    small = analysis(erin, tree.group, periods[1], level="general_branch")
    assert [u.organization_id for u in small.units] == [tree.a1.pk]
    growth = next(m for m in small.correlations if m.measure.code == "revenue_growth")
    assert growth.correlation.too_few
    assert growth.fit is None


def test_lag_is_party_building_then_against_business_the_year_after(
    erin, tree, committees, periods
):
    # Business in 2026 follows party building in 2025; in 2025 it runs the other way.
    for org, strength in zip(committees, STRENGTHS, strict=True):
        figure(org, "revenue_growth", 2025, round(30 * (1 - strength), 1))
        figure(org, "revenue_growth", 2026, round(30 * strength, 1))
    data = analysis(erin, tree.group, periods[1])
    (lag,) = data.lag
    assert (lag.before.start.year, lag.after.start.year) == (2025, 2026)
    assert lag.correlations["revenue_growth"].r > 0.8
    assert lag.correlations["revenue_growth"].verdict == "clear"
    same_2025 = data.trend[0].correlations["revenue_growth"]
    assert same_2025.r < -0.8
    (change,) = data.change
    assert change.correlations["revenue_growth"].r is None  # party building did not change


def test_the_claims_of_the_organization_come_from_its_figures(erin, tree, periods, figures):
    for year, revenue in ((2022, 100), (2023, 120), (2024, 144), (2025, 172.8), (2026, 207.36)):
        figure(tree.group, "revenue", year, revenue)
        figure(tree.group, "sasac_grade", year, grade="A" if year != 2023 else "B")
    figure(tree.group, "sasac_term_grade", 2024, grade="A")
    data = analysis(erin, tree.group, periods[1])
    claims = data.own_claims
    assert claims.a_years_in_row == 3  # 2024, 2025, 2026; 2023 was B
    assert claims.term_grades == ((2024, "A"),)
    assert claims.revenue_growth.percent == pytest.approx(20.0)
    assert claims.revenue_growth.method == "compound"
    assert claims.revenue_growth.meets(20)
    assert len(data.unit_claims) == len(STRENGTHS)


def test_demo_figures_are_flagged(erin, tree, periods, figures):
    assert not analysis(erin, tree.group, periods[1]).demo
    BusinessFigure.objects.filter(organization=tree.b).update(source=FigureSource.DEMO)
    assert analysis(erin, tree.group, periods[1]).demo


def test_a_roll_up_without_party_building_is_counted(erin, tree, periods, figures):
    Rollup.objects.filter(period=periods[1], organization=tree.b).update(party_building=None)
    data = analysis(erin, tree.group, periods[1])
    assert data.without_party_building == 1
    growth = next(m for m in data.correlations if m.measure.code == "revenue_growth")
    assert growth.correlation.n == len(STRENGTHS) - 1


def test_a_reviewer_reads_only_below_their_committee(carol, tree, periods, figures):
    figure(tree.a1, "revenue_growth", 2026, 12.5)
    data = analysis(carol, tree.a, periods[1])
    assert [u.organization_id for u in data.units] == [tree.a1.pk]
    assert {lv.code for lv in data.levels} == {"general_branch"}


def test_the_queries_do_not_grow_with_the_units(erin, tree, committees, periods, figures):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            analysis(erin, tree.group, periods[1])
        return len(queries)

    count()  # the first call reads what is cached afterwards
    few = count()
    more = add_committees(tree.group, 40, prefix="M")
    add_figures(more, [0.5] * 40)
    assert count() == few
    assert few <= 10


# -- the API ---------------------------------------------------------------------------------------


def api_url(org) -> str:
    return reverse("organization-effectiveness", args=[org.pk])


def test_the_api_gives_the_analysis_with_intervals(client_for, erin, tree, periods, figures):
    response = client_for(erin).get(api_url(tree.group), {"period": periods[1].pk})
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2026
    assert body["level"] == "committee"
    growth = body["same_year"]["revenue_growth"]
    assert growth["n"] == len(STRENGTHS)
    assert growth["headline"] == "r"
    low, high = growth["r_interval"]
    assert low <= growth["r"] <= high
    assert growth["verdict"] == "clear"
    assert growth["text"].startswith("r = ")
    assert body["same_year"]["sasac_grade"]["headline"] == "ρ"
    assert [y["year"] for y in body["years"]] == [2025, 2026]
    assert body["lag"][0]["from"] == 2025
    assert len(body["units"]) == len(STRENGTHS)
    assert body["claims"]["own"]["a_years_in_row"] == 0


def test_the_api_keeps_to_the_scope(client_for, carol, tree, periods, figures):
    client = client_for(carol)
    assert client.get(api_url(tree.group)).status_code == 404
    assert client.get(api_url(tree.a)).status_code == 200


@pytest.mark.parametrize("period", ["abc", "999999"])
def test_the_api_answers_a_bad_period_with_404(client_for, erin, tree, periods, period):
    assert client_for(erin).get(api_url(tree.group), {"period": period}).status_code == 404
