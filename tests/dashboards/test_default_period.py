"""The dashboard and the effectiveness page open on the same period (the latest closed one).

Given a closed year scored for every committee and an open year in which one committee has been
scored so far, both pages open on the closed year (decision 45): the open one would show n = 1.
"""

import pytest
from django.urls import reverse

from assessment.services import periods as period_services
from dashboards.selectors import board as selectors
from tests.builders import scored_period
from tests.dashboards.insight_fixtures import (
    add_committees,
    business_framework,
    committee_values,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed_and_open(tree, erin):
    committees = [tree.a, tree.b, *add_committees(tree.group, 3)]
    framework = business_framework()
    strengths = (0.9, 0.5, 0.7, 0.3, 0.6)
    closed = scored_period(
        framework,
        2025,
        {org.pk: committee_values(s) for org, s in zip(committees, strengths, strict=True)},
    )
    period_services.close_period(closed, acting_user=erin)
    closed.refresh_from_db()
    current = scored_period(framework, 2026, {tree.a.pk: committee_values(0.8)})
    return closed, current


def test_the_default_period_is_the_latest_closed_one_with_scores(tree, closed_and_open):
    closed, _current = closed_and_open
    assert selectors.default_period(tree.group) == closed


def test_without_a_closed_period_the_latest_scored_one_is_the_default(tree, erin):
    framework = business_framework()
    scored_period(framework, 2025, {tree.a.pk: committee_values(0.5)})
    latest = scored_period(framework, 2026, {tree.a.pk: committee_values(0.8)})
    assert selectors.default_period(tree.group) == latest


def test_dashboard_and_effectiveness_open_on_the_same_period(
    client_for, erin, tree, closed_and_open
):
    closed, _current = closed_and_open
    client = client_for(erin)
    dashboard = client.get(reverse("dashboards:organization", args=[tree.group.pk]))
    effectiveness = client.get(reverse("dashboards:effectiveness", args=[tree.group.pk]))
    assert dashboard.status_code == effectiveness.status_code == 200
    assert dashboard.context["period"] == closed
    assert effectiveness.context["period"] == closed
    assert effectiveness.context["data"].year == closed.start.year
