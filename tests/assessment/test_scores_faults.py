"""A worker killed in the middle of a full recompute: the task, delivered again (acks_late), runs
the same run again and leaves exactly the rows a clean run leaves.

The kill is simulated by an exception that is not an `Exception` (as SystemExit), raised inside
the work: the open transaction rolls back, the chunks committed before it stay, the run is left
"running" with its lease, as after a real `kill -9`.
"""

import datetime

import pytest

from assessment import tasks
from assessment.models import Rollup, ScoreRun, SubjectScore
from assessment.scoring.rollup_arrays import Table
from assessment.services import rollup, scores
from tests.builders import recompute

from .test_scores_support import (
    FULL,
    WEAK,
    _peer_ranks_at_once,  # noqa: F401  (an autouse fixture)
    set_values,
    snapshot,
    submission_of,
)

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands for the process dying: nothing in the task catches it."""


def kill_on_call(module, name: str, call: int, monkeypatch) -> None:
    """Make `module.name` kill the worker on its `call`-th call (1-based)."""
    original = getattr(module, name)
    calls = {"n": 0}

    def dying(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            raise WorkerKilled
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, dying)


@pytest.fixture
def changed(period, tree, monkeypatch):
    """A period computed once, then changed: the next run has real work to do."""
    set_values(submission_of(period, tree.a1a), FULL)
    recompute(period)
    before = snapshot()
    set_values(submission_of(period, tree.a1b), WEAK)
    set_values(submission_of(period, tree.b1), FULL)
    sub = submission_of(period, tree.a1a)
    sub.values.filter(indicator__code="C1.01").update(reviewed_value=3)
    monkeypatch.setattr(scores, "CHUNK", 1)  # three chunks of one submission each
    return period, before


def clean_rows(period) -> dict:
    """The rows of a clean run over the same data, from nothing."""
    SubjectScore.objects.all().delete()
    Rollup.objects.all().delete()
    recompute(period)
    return snapshot()


@pytest.mark.parametrize(
    ("module", "name", "call", "where"),
    [
        (scores, "insert_rows", 2, "scoring, second chunk"),
        (rollup, "write_table", 1, "roll-up, after deleting the rows"),
        (Table, "explanations", 2, "roll-up, half-way through the rows"),
    ],
)
def test_a_killed_run_redelivered_converges_to_a_clean_run(
    changed, monkeypatch, module, name, call, where
):
    period, before = changed
    monkeypatch.setattr(rollup, "COPY_ROWS", 3)  # the roll-up's rows written in many chunks
    kill_on_call(module, name, call, monkeypatch)
    run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.MANUAL, enqueue=False)
    with pytest.raises(WorkerKilled):
        tasks.recompute_period.apply(args=[run.pk], task_id=run.task_id)
    run.refresh_from_db()
    assert run.status == ScoreRun.Status.RUNNING, where  # nobody marked it: the worker died
    midway = snapshot()
    assert midway != before, where
    assert midway["rollup"] == before["rollup"], "the roll-up transaction was rolled back"
    monkeypatch.undo()
    monkeypatch.setattr(scores, "CHUNK", 1)

    # The broker delivers the unacknowledged task again: same task id, so same run and lease.
    tasks.recompute_period.apply(args=[run.pk], task_id=run.task_id)

    run.refresh_from_db()
    assert (run.status, run.attempts, run.progress) == ("done", 2, 100)
    retried = snapshot()
    assert retried == clean_rows(period)


def test_a_run_abandoned_midway_is_taken_over_once_its_lease_ran_out(changed, monkeypatch):
    period, _before = changed
    kill_on_call(rollup, "write_table", 1, monkeypatch)
    dead = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.MANUAL, enqueue=False)
    with pytest.raises(WorkerKilled):
        scores.run_full_recompute(dead.pk, token=dead.task_id)
    monkeypatch.undo()
    monkeypatch.setattr(scores, "CHUNK", 1)
    with pytest.raises(scores.AlreadyRunning):  # its lease still runs: it may be alive
        scores.start_full_recompute(period, trigger=ScoreRun.Trigger.NIGHTLY, enqueue=False)
    ScoreRun.objects.filter(pk=dead.pk).update(
        lease_until=datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    )

    fresh = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.NIGHTLY, enqueue=False)
    scores.run_full_recompute(fresh.pk, token=fresh.task_id)

    dead.refresh_from_db()
    assert dead.status == ScoreRun.Status.FAILED
    assert snapshot() == clean_rows(period)
