"""The dashboard's reads, one behaviour each, on the scored periods of conftest.py."""

import datetime

import pytest
from django.utils import timezone

from assessment.models import Transition
from assessment.selectors import engine_framework
from dashboards.selectors import board as selectors
from dashboards.selectors import subtree
from dashboards.selectors.submitted import provisional_scores
from tests.builders import build_scored

pytestmark = pytest.mark.django_db


def test_a_sparkline_needs_two_points():
    assert selectors.sparkline_points([None, 80.0]) == ""


def test_a_steady_sparkline_stays_flat_in_the_middle():
    points = selectors.sparkline_points([80.0, 80.0, 80.0])
    assert points == "0.0,12.0 50.0,12.0 100.0,12.0"


def test_a_sparkline_skips_missing_periods():
    points = selectors.sparkline_points([50.0, None, 100.0])
    assert points == "0.0,22.0 100.0,2.0"


def test_a_sparkline_near_the_top_keeps_within_what_can_be_reached():
    """100 then 101 (a bonus point) where 102 can be reached: the line's box ends at 102, so
    the higher point sits near the top edge, not in the middle of a scale up to 105.5."""
    points = selectors.sparkline_points([100.0, 101.0], reach=102.0)
    assert points == "0.0,6.0 100.0,4.0"


def test_a_sparkline_near_zero_does_not_go_below_it():
    points = selectors.sparkline_points([0.0, 1.0])
    assert points == "0.0,22.0 100.0,20.0"


def test_the_default_period_is_the_latest_with_roll_ups(tree, erin, scored):
    periods = selectors.rolled_up_periods(tree.group)
    assert periods == [scored.current, scored.previous]
    assert selectors.pick_period(periods, None) == scored.current
    assert selectors.pick_period(periods, scored.previous.pk) == scored.previous
    assert selectors.pick_period(periods, 10**9) == scored.current


def test_the_heatmap_shows_the_constructions_and_the_guarantees(tree, erin, scored):
    spec = engine_framework(scored.current.framework)
    dims = selectors.heat_dimensions(spec, "en")
    assert [(d.code, d.axis) for d in dims] == [
        ("C1", "construction"),
        ("C2", "construction"),
        ("G1", "guarantee"),
    ]


def test_on_time_means_first_submitted_by_the_deadline_day(tree, erin, scored):
    period = scored.current
    late = Transition.objects.filter(
        submission__period=period, submission__organization=tree.b1, to_state="submitted"
    )
    end_of_deadline = timezone.make_aware(
        datetime.datetime.combine(period.deadline, datetime.time(23, 59))
    )
    late.update(at=end_of_deadline + datetime.timedelta(minutes=2))
    own = Transition.objects.filter(
        submission__period=period, submission__organization=tree.a1a, to_state="submitted"
    )
    own.update(at=end_of_deadline)  # the last minute of the deadline day still counts
    timing = subtree.timeliness(erin, period, tree.group, now=timezone.now())
    assert (timing.expected, timing.on_time, timing.submitted) == (4, 3, 4)
    assert timing.on_time_rate == 0.75


def test_timeliness_counts_only_the_readers_subtree(tree, erin, alice, scored):
    timing = subtree.timeliness(alice, scored.current, tree.a1a, now=timezone.now())
    assert timing.expected == 1


def test_weak_indicators_are_averaged_over_the_subtree(tree, erin, scored):
    spec = engine_framework(scored.current.framework)
    weak = subtree.weak_indicators(scored.current, tree.a1, spec, "zh")
    assert [(w.code, round(w.average, 4), w.subjects, w.to_rectify) for w in weak] == [
        ("C1.01", 0.5833, 3, 2),  # 0.5, 1.0, 0.25; A1a and A1c below 0.6
        ("C2.01", 0.6667, 3, 1),  # A1b held none
    ]


def test_provisional_scores_cover_the_submitted_subjects_in_view_only(tree, erin):
    scored = build_scored(tree, erin, leave_submitted=("A1c", "B1"))
    spec = engine_framework(scored.current.framework)
    in_a1 = provisional_scores(erin, scored.current, tree.a1, spec)
    assert list(in_a1) == [scored.a1c.pk]
    assert in_a1[scored.a1c.pk].total == 70.0
    assert in_a1[scored.a1c.pk].fractions == {"C1.01": 0.25, "C2.01": 1.0}
    # B1 is a grandchild of the group: out of view there.
    assert provisional_scores(erin, scored.current, tree.group, spec) == {}


def test_provisional_scores_respect_the_scope(tree, erin, alice):
    scored = build_scored(tree, erin, leave_submitted=("A1c",))
    spec = engine_framework(scored.current.framework)
    assert provisional_scores(alice, scored.current, tree.a1, spec) == {}


def test_the_peers_are_the_level_with_the_organization_taken_out(tree, erin, scored):
    """Each organization's peer averages, from its level's totals, are those of the other
    organizations of its kind and depth under its root, for every dimension."""
    from django.db.models import Avg, Count

    from assessment.models import Rollup
    from organizations.models import Organization

    for organization in Organization.objects.all():
        rows = Rollup.objects.filter(period=scored.current, organization=organization)
        own = {row.dimension: row for row in rows}
        peers = selectors.peers_from(selectors.level_totals(scored.current, organization), own)
        others = (
            Rollup.objects.filter(
                period=scored.current,
                organization__kind_id=organization.kind_id,
                organization__depth=organization.depth,
            )
            .exclude(organization=organization)
            .values("dimension")
            .annotate(average=Avg("score"), count=Count("score"))
        )
        expected = {
            row["dimension"]: (
                row["average"] if row["count"] >= selectors.MIN_PEERS else None,
                row["count"],
            )
            for row in others
        }
        got = {d: (p.average, p.count) for d, p in peers.items()}
        assert got.keys() == expected.keys(), organization.code
        for dimension, (average, count) in expected.items():
            assert got[dimension][1] == count
            assert got[dimension][0] == pytest.approx(average)
