"""The long-job machinery (core.jobs): heartbeats in the background, the reaper's beat
entry, and time limits that agree with the broker's visibility timeout and the stale limit."""

import threading
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils.module_loading import autodiscover_modules

from core import jobs
from partybuild.celery import app

from .test_settings import run_manage

LONG_JOBS = [
    "reports.generate",
    "assessment.recompute_period",
    "assessment.score_chunk",
    "rectification.open_for_period",
]


def test_a_heartbeat_beats_while_the_block_runs_and_stops_with_it():
    beats = threading.Semaphore(0)

    def touch() -> bool:
        beats.release()
        return True

    with jobs.beating(touch, every=0.01):
        assert beats.acquire(timeout=5)
        assert beats.acquire(timeout=5)
    while beats.acquire(blocking=False):  # drain what beat before the block ended
        pass
    assert not beats.acquire(timeout=0.1)


def test_a_heartbeat_stops_once_the_job_is_no_longer_its_own():
    calls = []

    def touch() -> bool:
        calls.append(1)
        return False

    with jobs.beating(touch, every=0.01):
        threading.Event().wait(0.2)
    assert calls == [1]


def test_a_failing_heartbeat_is_tried_again():
    calls = []
    again = threading.Event()

    def touch() -> bool:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("database is locked")
        again.set()
        return True

    with jobs.beating(touch, every=0.01):
        assert again.wait(5)


@pytest.fixture(scope="module")
def tasks():
    autodiscover_modules("tasks")
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_the_reaper_runs_every_minute(tasks):
    entry = settings.CELERY_BEAT_SCHEDULE["reap-stale-jobs"]
    assert (entry["task"], entry["schedule"]) == ("partybuild.reap_stale_jobs", 60.0)
    assert tasks["partybuild.reap_stale_jobs"].time_limit < 60


def test_every_task_ends_before_the_broker_would_deliver_it_again(tasks):
    timeout = settings.BROKER_VISIBILITY_TIMEOUT
    assert set(LONG_JOBS) <= set(tasks)
    for name, task in tasks.items():
        assert task.time_limit, f"{name} has no hard time limit"
        assert task.time_limit < timeout, name
        if task.soft_time_limit:
            assert task.soft_time_limit < task.time_limit, name
        # A retry waits in the worker, unacknowledged, for its countdown.
        assert (getattr(task, "retry_backoff_max", 0) or 0) < timeout, name
    assert timeout > settings.SCORES_PEER_RANK_DELAY
    # A job presumed dead is one that cannot still be running: it missed several heartbeats.
    assert settings.JOB_STALE_AFTER >= 3 * settings.JOB_HEARTBEAT_EVERY


def test_every_long_job_has_a_kind_the_reaper_watches():
    kinds = set(jobs.autodiscover())
    assert {
        "reports",
        "score-chunks",
        "score-runs",
        "rectification-openings",
        "standards-proposals",
        "draft-trials",
    } <= kinds


@pytest.mark.parametrize(
    "env",
    [
        {"JOB_STALE_AFTER": "60", "JOB_HEARTBEAT_EVERY": "30"},  # fewer than three beats
        {"JOB_STALE_AFTER": "7200"},  # past the visibility timeout
        {"JOB_MAX_ATTEMPTS": "0"},
    ],
)
def test_job_settings_that_cannot_work_are_refused(env):
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "JOB_" in result.stderr


class _Broken(jobs.JobKind):
    name = "broken"

    def stale(self, *, now, cutoff):
        raise RuntimeError("table missing")


class _Silent(jobs.JobKind):
    """One silent job, kept in memory."""

    name = "silent"

    def __init__(self) -> None:
        self.job = SimpleNamespace(pk=1, attempts=1)
        self.requeued: list[str] = []

    def stale(self, *, now, cutoff):
        return [self.job]

    def requeue(self, job, reason):
        self.requeued.append(reason)
        return True


@pytest.mark.django_db
def test_one_kind_that_fails_does_not_keep_the_others_stuck(monkeypatch):
    silent = _Silent()
    monkeypatch.setattr(jobs, "REGISTRY", {"broken": _Broken(), "silent": silent})
    monkeypatch.setattr(jobs, "autodiscover", lambda: jobs.REGISTRY)

    done = jobs.reap()

    assert done["broken"]["errors"] == 1
    assert done["silent"]["requeued"] == 1
    assert "attempt 2 of 3" in silent.requeued[0]
