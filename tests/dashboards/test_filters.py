"""The dashboard's query strings: the drill-down FilterSet narrows the subtree's scores in the
reader's scope; the period and switch forms pick without narrowing; nothing garbled fails a page."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from assessment.selectors import engine_framework
from dashboards.filters import BoardForm, DrillFilterSet, PeriodForm, WhatIfForm
from dashboards.selectors import subtree

pytestmark = pytest.mark.django_db


def drill(user, scored, organization, query: str) -> DrillFilterSet:
    spec = engine_framework(scored.current.framework)
    return DrillFilterSet(
        QueryDict(query),
        queryset=subtree.subtree_scores(user, scored.current, organization),
        spec=spec,
        kinds=[(kind.code, kind.code) for kind in spec.subject_kinds],
        grades=[band.grade for band in spec.grade_bands],
    )


def subjects(filterset: DrillFilterSet) -> list[str]:
    return [line.subject for line in subtree.subject_lines(filterset.qs, "zh")]


def test_the_drill_down_narrows_the_subtree_scores(erin, alice, tree, scored):
    """GIVEN the scored tree
    WHEN the drill-down asks for a grade, or for an indicator
    THEN only those subjects are listed, and only within the reader's scope."""
    everyone = drill(erin, scored, tree.group, "").qs.count()
    by_grade = drill(erin, scored, tree.group, "kind=branch&grade=D")
    assert subjects(by_grade) == ["甲一第二支部"]
    assert by_grade.qs.count() < everyone
    assert subjects(drill(erin, scored, tree.group, "indicator=C1.01"))[0] == "甲一第三支部"
    assert subjects(drill(alice, scored, tree.a1a, "indicator=C1.01")) == ["甲一第一支部"]
    assert subjects(drill(alice, scored, tree.group, "kind=branch&grade=D")) == []


@pytest.mark.parametrize(
    "query", ["indicator=X9.99", "kind=nope&grade=D", "kind=branch&grade=Z", "kind=branch"]
)
def test_a_drill_down_the_framework_does_not_know_lists_nothing(erin, tree, scored, query):
    filterset = drill(erin, scored, tree.group, query)
    assert filterset.asked("indicator", "kind", "grade")
    assert not filterset.given("indicator")
    assert not filterset.given("kind", "grade")


@pytest.mark.parametrize(
    "params",
    [
        {"period": "abc"},
        {"period": str(2**64)},
        {"submitted": "yes", "indicator": "' OR 1=1 --"},
        {"kind": "x" * 1000, "grade": ""},
    ],
)
def test_a_garbled_query_never_fails_the_dashboard(client_for, erin, tree, scored, params):
    url = reverse("dashboards:organization", args=[tree.group.pk])
    response = client_for(erin).get(url, params)
    assert response.status_code == 200
    assert response.context["period"] == scored.current
    assert response.context["drill"] is None


def test_the_period_and_switch_forms_keep_each_field_alone():
    form = BoardForm(QueryDict("period=7&submitted=yes"))
    assert (form.chosen_id(), form.asked(), form.with_submitted()) == (7, True, False)
    assert BoardForm(QueryDict("period=x&submitted=1")).with_submitted()
    garbled = PeriodForm(QueryDict(f"period={2**63}"))
    assert (garbled.chosen_id(), garbled.asked()) == (None, True)
    assert not PeriodForm(QueryDict("period=")).asked()
    assert WhatIfForm(QueryDict("apply=suggestions")).applies_suggestions()
    assert not WhatIfForm(QueryDict("apply=everything")).applies_suggestions()


def test_the_effectiveness_page_answers_a_period_that_cannot_exist_with_404(
    client_for, erin, tree, scored
):
    url = reverse("dashboards:effectiveness", args=[tree.group.pk])
    for asked in ("abc", "-1", str(2**64)):
        assert client_for(erin).get(url, {"period": asked}).status_code == 404
