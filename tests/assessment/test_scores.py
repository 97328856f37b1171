"""Stored scores and roll-ups of a period on the small tree, through the services.

A1a is approved with full marks (100), A1b with weak values (20), B1 is still a draft. With the
default settings (own weight 0.3, children equally, missing counts as zero): A1 = A = 60,
B1 = B = 0, G = 30.
"""

import pytest

from assessment.choices import SubmissionState
from assessment.models import Rollup, ScoreRun, SubjectScore
from assessment.services import scores
from tests.builders import recompute
from tests.factories import PeriodFactory, PersonFactory, RollupSettingsFactory

from .test_scores_support import (
    FULL,
    WEAK,
    _peer_ranks_at_once,  # noqa: F401  (an autouse fixture)
    set_values,
    snapshot,
    submission_of,
    totals,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def filled(period, tree):
    set_values(submission_of(period, tree.a1a), FULL)
    set_values(submission_of(period, tree.a1b), WEAK)
    set_values(submission_of(period, tree.b1), {"C1.01": 3}, state=SubmissionState.DRAFT)
    return period


def test_a_full_recompute_scores_every_counted_subject(filled, tree):
    run = recompute(filled)
    assert (run.status, run.progress) == (ScoreRun.Status.DONE, 100)
    stored = {s.organization.code: s for s in SubjectScore.objects.select_related("organization")}
    assert set(stored) == {"A1a", "A1b"}  # B1 is a draft: not scored
    assert (stored["A1a"].total, stored["A1a"].grade, stored["A1a"].stars) == (100, "A", 5)
    assert (stored["A1b"].total, stored["A1b"].grade, stored["A1b"].stars) == (20, "D", 1)
    assert stored["A1b"].dimensions["C1"] == [20, 40, 0, 0, 0, 0.5]
    assert stored["A1b"].dimensions["G1"] == [0, 0, 20, 40, 0, 0.5]  # C1.01 also counts in G1
    assert stored["A1b"].rectify == 2


def test_indicator_results_and_their_inputs_are_kept(filled, tree):
    recompute(filled)
    score = SubjectScore.objects.get(organization=tree.a1b)
    assert score.indicators == {
        "C1.01": [20, 40, 0.5, "scored", True, False],
        "C2.01": [0, 60, 0, "scored", True, False],
    }
    assert score.inputs == {"C1.01": 6, "C2.01": False}


def test_the_provenance_is_the_engine_run_again_on_the_inputs(filled, tree):
    from assessment.selectors import scores as selectors

    recompute(filled)
    score = SubjectScore.objects.select_related("period__framework").get(organization=tree.a1b)
    c101 = selectors.indicator_results(score)[0]
    assert (c101["code"], c101["points"], c101["value"], c101["status"]) == (
        "C1.01",
        20,
        6,
        "scored",
    )
    assert c101["provenance"] == {
        "inputs": {"C1.01": 6.0},
        "rule": "clamp((v - floor) / (target - floor), 0, 1)",
        "rubric": {"kind": "linear", "floor": 0.0},
        "weight": 40.0,
        "factor": 1.0,
        "intermediates": {"floor": 0.0, "target": 12.0, "fraction": 0.5},
    }


def test_the_reviewers_assessment_counts_over_the_entered_value(filled, tree):
    sub = submission_of(filled, tree.a1b)
    sub.values.filter(indicator__code="C1.01").update(reviewed_value=12)
    recompute(filled)
    assert SubjectScore.objects.get(submission=sub).total == 40


def test_roll_ups_follow_the_tree(filled):
    run = recompute(filled)
    assert totals(filled) == {"G": 30, "A": 60, "A1": 60, "A1a": 100, "A1b": 20, "B": 0, "B1": 0}
    assert run.stats["organizations"] == 7


def test_completeness_counts_approved_over_expected(filled, tree):
    recompute(filled)
    rows = {
        code: (approved, expected, completeness)
        for code, approved, expected, completeness in Rollup.objects.filter(
            period=filled, dimension=""
        ).values_list("organization__code", "approved", "expected", "completeness")
    }
    assert rows["G"] == (2, 3, pytest.approx(2 / 3, abs=1e-6))
    assert rows["A"] == (2, 2, 1)
    assert rows["B"] == (0, 1, 0)


def test_dimensions_roll_up_on_the_scale_of_the_total(filled):
    recompute(filled)
    c1 = dict(
        Rollup.objects.filter(period=filled, dimension="C1").values_list(
            "organization__code", "score"
        )
    )
    assert (c1["A1a"], c1["A1b"]) == (100, 50)  # shares 1 and 0.5 of 100 points
    assert c1["A1"] == 75
    assert c1["G"] == 37.5


def test_ranks_among_siblings_and_peers(filled):
    recompute(filled)
    ranks = {
        code: (siblings, peers)
        for code, siblings, peers in Rollup.objects.filter(period=filled, dimension="").values_list(
            "organization__code", "rank_siblings", "rank_peers"
        )
    }
    assert ranks["A1a"] == (1, 1)
    assert ranks["A1b"] == (2, 2)
    assert ranks["B1"] == (1, 1)  # the only branch two levels down
    assert ranks["A"] == (1, 1)
    assert ranks["B"] == (2, 2)


def test_members_weighting_and_flagging_follow_the_framework_settings(filled, tree):
    PersonFactory.create_batch(3, organization=tree.a1a)  # A1a: 4 members, every other org 1
    RollupSettingsFactory(framework_code=filled.framework.code, children="members", missing="flag")
    recompute(filled)
    rows = {r.organization.code: r for r in Rollup.objects.filter(period=filled, dimension="")}
    assert rows["A1"].score == pytest.approx((100 * 4 + 20 * 1) / 5)
    assert rows["A1"].members == 6
    assert (rows["B1"].score, rows["B1"].flagged) == (None, True)
    assert (rows["B"].score, rows["B"].flagged) == (None, True)
    assert rows["G"].score == rows["A"].score
    assert rows["G"].explanation["settings"] == {
        "own_weight": 0.3,
        "children": "members",
        "missing": "flag",
    }


def test_change_since_the_previous_period_of_the_same_kind(filled, tree, published_framework):
    before = PeriodFactory(framework=published_framework, year=2025)
    set_values(submission_of(before, tree.a1a), WEAK)
    recompute(before)
    recompute(filled)
    change = dict(
        Rollup.objects.filter(period=filled, dimension="").values_list(
            "organization__code", "change"
        )
    )
    assert change["A1a"] == 80  # 20 → 100
    assert change["A1b"] == 20  # missing last year, so counted as 0 then


def test_a_full_recompute_is_idempotent(filled):
    recompute(filled)
    first = snapshot()
    recompute(filled)
    assert snapshot() == first
    assert ScoreRun.objects.filter(status=ScoreRun.Status.DONE).count() == 2


def test_a_reopened_submission_loses_its_score_on_the_next_recompute(filled, tree):
    recompute(filled)
    sub = submission_of(filled, tree.a1a)
    sub.state = SubmissionState.RETURNED
    sub.save()
    recompute(filled)
    assert not SubjectScore.objects.filter(submission=sub).exists()
    assert totals(filled)["A1a"] == 0


def test_progress_is_recorded_per_chunk(filled, monkeypatch):
    seen = []
    heartbeat = scores._heartbeat

    def spy(run, token, *, progress, step):
        seen.append((step, progress))
        heartbeat(run, token, progress=progress, step=step)

    write_full = scores.rollup.write_full

    def rolling_up(period):  # what an administrator sees while the roll-up runs
        seen.extend(ScoreRun.objects.filter(period=period).values_list("step", "progress"))
        return write_full(period)

    monkeypatch.setattr(scores, "CHUNK", 1)
    monkeypatch.setattr(scores, "_heartbeat", spy)
    monkeypatch.setattr(scores.rollup, "write_full", rolling_up)
    run = recompute(filled)
    assert seen == [("scoring", 0), ("scoring", 28), ("scoring", 56), ("rollup", 85)]
    assert run.progress == 100
    assert run.stats["chunks"] == 3
