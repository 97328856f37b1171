"""The insight pages in a real browser: the effectiveness charts, the explain panel, what-if.

An administrator opens the group's effectiveness page (the charts draw, the tables hold the
numbers), clicks a unit's party building (the roll-up's explanation slides in), follows it to the
own score, asks what would lift it, and tries values in the panel, one of them wrong.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.builders import scored_period
from tests.business.effectiveness_data import add_figures
from tests.dashboards.insight_fixtures import (
    add_committees,
    business_framework,
    committee_values,
)
from tests.factories import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def group(live_server, tree, erin):
    framework = business_framework()
    committees = [tree.a, tree.b, *add_committees(tree.group, 4)]
    strengths = (0.9, 0.5, 0.7, 0.3, 0.95, 0.6)
    values = {org.pk: committee_values(s) for org, s in zip(committees, strengths, strict=True)}
    scored_period(framework, 2025, values)
    scored_period(framework, 2026, values)
    add_figures(committees, strengths)
    return tree.group


# The charts: a scatter for each measure the committees have figures of (revenue, its growth, the
# regulator's grade: tests.business.test_effectiveness.add_figures) and the years' chart.
CHARTS = 4


def test_effectiveness_draws_its_charts_beside_their_tables(page, live_server, group):
    login(page, live_server.url, "erin", PASSWORD)
    page.goto(live_server.url + reverse("dashboards:effectiveness", args=[group.pk]))
    page.wait_for_selector(".insight-chart[data-drawn] svg")
    expect(page.locator(".insight-chart[data-drawn]")).to_have_count(CHARTS)
    expect(page.locator("[data-units-table] tbody tr")).to_have_count(6)
    expect(page.locator("[data-trend-table] tbody tr")).to_have_count(2)
    expect(page.locator("[data-correlation]").first).to_contain_text("n = 6")


def test_the_explain_panel_and_what_if(page, live_server, group):
    login(page, live_server.url, "erin", PASSWORD)
    page.goto(live_server.url + reverse("dashboards:effectiveness", args=[group.pk]))
    # insight.js (deferred) has run once it has drawn its charts; its click handler opens the panel.
    expect(page.locator(".insight-chart[data-drawn]")).to_have_count(CHARTS)
    page.locator("[data-units-table] a[data-explain-url]").nth(1).click()
    panel = page.locator("#explain-panel")
    panel.locator("[data-insight=explain-rollup]").wait_for()
    panel.locator("a[href*='explain/scores']").first.click()
    panel.locator("[data-insight=explain-score]").wait_for()
    expect(panel).to_be_visible()
    expect(panel.locator("[data-indicator]").first).to_be_visible()

    panel.locator("a[href*='what-if']").first.click()
    panel.locator("[data-insight=what-if]").wait_for()
    panel.locator("input[name='v-C1.01']").fill("10")
    panel.locator("button[type=submit]").click()
    panel.locator("[data-trial]").wait_for()

    panel.locator("input[name='v-C1.01']").fill("lots")
    panel.locator("button[type=submit]").click()
    panel.locator("[data-error]").wait_for()
    expect(panel.locator("input[name='v-C1.01'].is-invalid")).to_have_count(1)
