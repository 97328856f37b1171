"""A draft tried on the last period's scored submissions before it is published.

The shared tree's four branches were scored in 2025 and 2026 with the small framework (C1.01
linear from 0 to 12 for 40 points, C2.01 yes/no for 60; see tests/builders.py SCORED_VALUES).
In 2026: A1a 6 and yes (80, B), A1b 12 and no (40, D), A1c 3 and yes (70, C), B1 9 and yes (90, A).
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessment import services
from assessment.models import Indicator
from assessment.selectors.frameworks import _ENGINE_CACHE
from assessment.selectors.trial import affected_kinds, trial_period, try_draft
from tests.builders import build_scored
from tests.html import page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_engine_cache():
    _ENGINE_CACHE.clear()
    yield
    _ENGINE_CACHE.clear()


@pytest.fixture
def scored(tree, erin):
    return build_scored(tree, erin)


@pytest.fixture
def draft(scored):
    return services.clone_framework(scored.current.framework, version="2027")


def floor_of_c101(draft, floor: float) -> None:
    row = Indicator.objects.get(framework=draft, code="C1.01")
    services.update_indicator(row, {"rubric": {"kind": "linear", "floor": floor}})


def trial_url(framework) -> str:
    return reverse("assessment:framework_trial", args=[framework.pk])


def test_the_trial_takes_the_last_period_with_scores(scored, draft):
    assert trial_period(draft) == scored.current


def test_an_unchanged_draft_scores_nothing_again(scored, draft):
    trial = try_draft(draft, scored.current)

    assert (trial.subjects, trial.unaffected, trial.changes) == (0, 4, [])


def test_a_higher_floor_lists_the_branches_that_would_lose_a_grade(scored, draft):
    """GIVEN the draft's C1.01 earning nothing below 6 (instead of 0), WHEN tried on 2026, THEN
    A1a (80 → 60, B → C) and B1 (90 → 80, A → B) change grade, A1c only its total (70 → 60)."""
    floor_of_c101(draft, 6)

    trial = try_draft(draft, scored.current, lang="en")

    assert (trial.subjects, trial.totals_changed, trial.up, trial.down) == (4, 3, 0, 2)
    changes = {(c.old_grade, c.new_grade, c.old_total, c.new_total) for c in trial.changes}
    assert changes == {("B Good", "C Qualified", 80, 60), ("A Excellent", "B Good", 90, 80)}
    assert all(c.subject_kind == "Branch" and not c.better for c in trial.changes)


def test_only_the_kinds_an_edit_touches_are_scored_again(scored, draft):
    floor_of_c101(draft, 6)

    assert affected_kinds(scored.current.framework, draft) == {"branch"}


def test_erin_sees_the_changes_listed(client_for, erin, scored, draft):
    floor_of_c101(draft, 6)
    client = client_for(erin)

    shown = page(client.get(trial_url(draft), HTTP_ACCEPT_LANGUAGE="en"))
    assert shown.has(f'#trial-results[hx-get="{trial_url(draft)}"]')
    results = page(client.get(trial_url(draft), HTTP_ACCEPT_LANGUAGE="en", HTTP_HX_REQUEST="true"))

    assert results.attr("[data-grade-changes]", "data-grade-changes") == "2"
    rows = results.rows("#trial-changes tbody")
    assert sorted(row[2] for row in rows) == ["A Excellent → B Good", "B Good → C Qualified"]
    assert sorted(row[3] for row in rows) == ["80.00 → 60.00", "90.00 → 80.00"]


def test_the_results_cost_the_same_few_queries(client_for, erin, scored, draft):
    floor_of_c101(draft, 6)
    client = client_for(erin)
    client.get(trial_url(draft), HTTP_HX_REQUEST="true")
    _ENGINE_CACHE.clear()

    with CaptureQueriesContext(connection) as queries:
        client.get(trial_url(draft), HTTP_HX_REQUEST="true")

    assert len(queries) == 22, [q["sql"] for q in queries]  # 8 read the two frameworks


def test_the_trial_is_only_for_administrators_and_drafts(client_for, alice, erin, scored, draft):
    assert client_for(alice).get(trial_url(draft)).status_code == 404
    assert client_for(erin).get(trial_url(scored.current.framework)).status_code == 404
