"""The Content-Security-Policy in a real browser: the pages still work under it and Chromium
reports no violation ("Refused to …" on the console) while the charts draw, a panel opens
through htmx and Swagger UI renders the API."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from organizations.services import assign_role
from tests.builders import build_scored, scored_period
from tests.business.effectiveness_data import add_figures
from tests.dashboards.insight_fixtures import (
    add_committees,
    business_framework,
    committee_values,
)
from tests.factories import PASSWORD, UserFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHARTS = ("ranking", "heatmap", "radar", "trend", "grades", "weak")


@pytest.fixture
def violations(page) -> list[str]:
    """Every CSP violation Chromium reports while the test runs."""
    seen: list[str] = []
    page.on(
        "console",
        lambda message: (
            seen.append(message.text)
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    return seen


@pytest.fixture
def scored(live_server, tree, erin):
    reviewer = UserFactory(username="greta")
    assign_role(user=reviewer, organization=tree.group, role="reviewer")
    return build_scored(tree, erin)


def test_the_dashboard_draws_every_chart_with_no_violation(
    page, live_server, tree, scored, violations
):
    login(page, live_server.url, "greta", PASSWORD)
    response = page.goto(live_server.url + reverse("dashboards:organization", args=[tree.group.pk]))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    for chart in CHARTS:  # drawn after load: wait until each holds more than a few shapes
        page.wait_for_function(
            "(shapes) => document.querySelectorAll(shapes).length > 3",
            arg=f"#chart-{chart} svg :is(path, rect)",
        )
    # A tooltip is HTML that ECharts writes with inline style attributes.
    box = page.locator("#chart-ranking").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_load_state("networkidle")

    assert violations == []


@pytest.fixture
def effective(live_server, tree, erin):
    framework = business_framework()
    committees = [tree.a, tree.b, *add_committees(tree.group, 2)]
    values = {
        org.pk: committee_values(share)
        for org, share in zip(committees, (0.9, 0.5, 0.7, 0.3), strict=True)
    }
    scored_period(framework, 2025, values)
    scored_period(framework, 2026, values)
    add_figures(committees, (0.9, 0.5, 0.7, 0.3))
    return tree.group


def test_effectiveness_and_its_htmx_panel_work_with_no_violation(
    page, live_server, effective, violations
):
    login(page, live_server.url, "erin", PASSWORD)
    page.goto(live_server.url + reverse("dashboards:effectiveness", args=[effective.pk]))
    page.wait_for_load_state("networkidle")  # insight.js is deferred
    expect(page.locator(".insight-chart[data-drawn] svg")).to_have_count(4)
    page.locator("[data-units-table] a[data-explain-url]").first.click()
    page.locator("#explain-panel [data-insight=explain-rollup]").wait_for()
    page.wait_for_load_state("networkidle")

    assert violations == []


def test_swagger_ui_renders_the_api_with_no_violation(page, live_server, tree, erin, violations):
    login(page, live_server.url, "erin", PASSWORD)
    page.goto(live_server.url + reverse("api-docs"))

    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert violations == []
