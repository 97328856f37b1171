"""A full recompute whose worker died (kill -9, simulated as in test_scores_faults): the reaper
sends a silent chunk again or starts a silent run again under a new token, and after the last
attempt fails the run and releases its lease, so a new run can start at once."""

import datetime

import pytest
from django.utils import timezone

from assessment.models import ScoreRun, ScoreRunChunk
from assessment.services import scores
from core import jobs

from .test_scores_faults import WorkerKilled, changed, clean_rows, kill_on_call  # noqa: F401
from .test_scores_support import _peer_ranks_at_once, snapshot  # noqa: F401

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(minutes=10)


@pytest.fixture
def killed_chunk(changed, monkeypatch):  # noqa: F811
    """A run of three chunks sent to workers; the worker scoring chunk 2 died half-way."""
    period, _before = changed
    run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.MANUAL, enqueue=False)
    sent: list[int] = []
    scores.run_full_recompute(run.pk, token=run.task_id, dispatch=sent.append)
    kill_on_call(scores, "insert_rows", 1, monkeypatch)
    with pytest.raises(WorkerKilled):
        scores.score_chunk(run.pk, token=run.task_id, number=2)
    monkeypatch.undo()
    monkeypatch.setattr(scores, "CHUNK", 1)
    ScoreRunChunk.objects.filter(run=run, number=2).update(heartbeat_at=timezone.now() - LONG_AGO)
    return period, ScoreRun.objects.get(pk=run.pk)


def test_a_chunk_whose_worker_died_is_sent_again_and_the_run_converges(
    killed_chunk, django_capture_on_commit_callbacks
):
    period, run = killed_chunk

    with django_capture_on_commit_callbacks(execute=True):  # tasks run eagerly: chunk 2 again
        done = jobs.reap()

    assert done["score-chunks"]["requeued"] == 1
    chunk = ScoreRunChunk.objects.get(run=run, number=2)
    assert (chunk.attempts, chunk.done_at is not None) == (2, True)
    for number in (1, 3):  # the other chunks, still in the queue
        scores.score_chunk(run.pk, token=run.task_id, number=number)
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 1)
    assert snapshot() == clean_rows(period)


def test_a_chunk_that_keeps_dying_fails_the_run_and_releases_its_lease(killed_chunk, settings):
    period, run = killed_chunk
    settings.JOB_MAX_ATTEMPTS = 1

    done = jobs.reap()

    assert done["score-chunks"]["failed"] == 1
    run.refresh_from_db()
    assert (run.status, run.lease_until) == ("failed", None)
    assert "(1 of 1); given up" in run.error
    assert "已放弃" in run.error
    # Nothing blocks the next run.
    fresh = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.MANUAL, enqueue=False)
    assert scores.run_full_recompute(fresh.pk, token=fresh.task_id).status == "done"


def test_a_chunk_with_a_recent_heartbeat_is_left_alone(killed_chunk):
    _period, run = killed_chunk
    ScoreRunChunk.objects.filter(run=run, number=2).update(heartbeat_at=timezone.now())

    assert not jobs.reap()["score-chunks"]

    assert ScoreRunChunk.objects.get(run=run, number=2).heartbeat_at is not None


@pytest.fixture
def dead_planner(changed, monkeypatch):  # noqa: F811
    """A run whose task died while planning: running, its lease run out."""
    period, _before = changed
    run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.MANUAL, enqueue=False)
    kill_on_call(scores, "_id_ranges", 1, monkeypatch)
    with pytest.raises(WorkerKilled):
        scores.run_full_recompute(run.pk, token=run.task_id, dispatch=lambda number: None)
    monkeypatch.undo()
    monkeypatch.setattr(scores, "CHUNK", 1)
    ScoreRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - datetime.timedelta(1))
    return period, ScoreRun.objects.get(pk=run.pk)


def test_a_run_whose_planner_died_starts_again_under_a_new_token(
    dead_planner, django_capture_on_commit_callbacks
):
    period, dead = dead_planner

    with django_capture_on_commit_callbacks(execute=True):  # its task runs eagerly
        done = jobs.reap()

    assert done["score-runs"]["requeued"] == 1
    run = ScoreRun.objects.get(pk=dead.pk)
    assert (run.status, run.attempts) == ("done", 2)
    assert run.task_id != dead.task_id
    # A chunk message of the dead attempt, delivered late, finds the run no longer its own.
    assert scores.score_chunk(run.pk, token=dead.task_id, number=1) == "stale"
    assert snapshot() == clean_rows(period)


def test_a_run_whose_last_attempt_died_fails_and_frees_the_period(dead_planner, settings):
    period, dead = dead_planner
    settings.JOB_MAX_ATTEMPTS = 1

    assert jobs.reap()["score-runs"]["failed"] == 1

    dead.refresh_from_db()
    assert (dead.status, dead.lease_until) == ("failed", None)
    fresh = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.MANUAL, enqueue=False)
    assert fresh.pk != dead.pk
