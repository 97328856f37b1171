"""dashboard_summary and the next-period check: scoped, and in a fixed number of queries."""

import datetime

import pytest

from rectification import selectors
from rectification.models import Rectification
from tests.builders import recompute
from tests.factories import PeriodFactory, RectificationFactory

from .conftest import GOOD, WEAK, set_values

pytestmark = pytest.mark.django_db


def make_items(period, org, n: int, *, state="open", due=None):
    today = datetime.date.today()
    return Rectification.objects.bulk_create(
        [
            Rectification(
                organization=org,
                period=period,
                indicator_code=f"X{org.code}.{i:03d}",
                source="threshold",
                state=state,
                due_date=due or today + datetime.timedelta(days=i - n // 2),
            )
            for i in range(n)
        ]
    )


def test_counts_and_the_most_urgent_items(period, tree, carol):
    today = datetime.date.today()
    make_items(period, tree.a1a, 4)  # due -2, -1, 0, +1 days: two overdue
    make_items(period, tree.a1b, 1, state="closure_requested", due=today)
    make_items(period, tree.b1, 3, state="in_progress")  # outside carol's scope
    RectificationFactory(
        organization=tree.a1b,
        period=period,
        indicator_code="C",
        source="veto",
        state="closed",
        due_date=today - datetime.timedelta(days=30),
    )
    summary = selectors.dashboard_summary(carol, tree.a, period)
    assert {k: v for k, v in summary.items() if k != "items"} == {
        "total": 6,
        "open": 5,
        "in_progress": 0,
        "closure_requested": 1,
        "closed": 1,
        "overdue": 2,
    }
    dues = [item.due_date for item in summary["items"]]
    assert dues == sorted(dues)
    assert len(dues) == 5
    assert summary["items"][0].is_overdue
    assert summary["items"][0].indicator_name == summary["items"][0].indicator_code  # not found


def test_scoped_to_the_subtree_and_to_the_user(period, tree, alice, erin):
    make_items(period, tree.a1a, 2)
    make_items(period, tree.a1b, 3)
    assert selectors.dashboard_summary(alice, tree.a1, period)["total"] == 2  # her branch only
    assert selectors.dashboard_summary(alice, tree.a1b, period)["total"] == 0
    assert selectors.dashboard_summary(erin, tree.a1, period)["total"] == 5
    assert selectors.dashboard_summary(erin, tree.a1, None)["total"] == 5


@pytest.mark.parametrize("n", [5, 60])
def test_three_queries_whatever_the_volume(period, tree, erin, n, django_assert_max_num_queries):
    make_items(period, tree.a1a, n)
    selectors.dashboard_summary(erin, tree.group, period)  # grants cached on the user
    with django_assert_max_num_queries(3):
        summary = selectors.dashboard_summary(erin, tree.group, period)
    assert len(summary["items"]) == min(n, 10)


def test_indicator_names_come_from_the_period_framework(weak_item, erin, tree):
    summary = selectors.dashboard_summary(erin, tree.group)
    assert summary["items"][0].indicator_name == "理论学习次数"


def test_next_period_improved_not_improved_or_not_scored(framework, tree):
    first = PeriodFactory(framework=framework, year=2025)
    set_values(first, tree.a1a, WEAK)
    set_values(first, tree.a1b, WEAK)
    set_values(first, tree.b1, WEAK)
    recompute(first)
    later = PeriodFactory(framework=framework, year=2026)
    set_values(later, tree.a1a, GOOD)
    set_values(later, tree.a1b, {**WEAK, "C1.01": 2})
    set_values(later, tree.b1, GOOD, state="draft")
    recompute(later)
    olds = list(selectors.visible_all().filter(period=first).order_by("organization__code"))
    results = selectors.next_period_results(olds)
    assert [results[i.pk].outcome for i in olds] == ["improved", "not_improved", "not_scored"]
    assert results[olds[0].pk].fraction == pytest.approx(1.0)
    assert results[olds[0].pk].period == later
    news = list(selectors.visible_all().filter(period=later))
    assert {results.get(i.pk) for i in news} == {None}
    assert {r.outcome for r in selectors.next_period_results(news).values()} == {"no_next_period"}
