"""A real Celery worker process killed in the middle of a full recompute (CI: Redis and
PostgreSQL). The prefork parent sees its child die and puts the chunk's task back (acks_late,
reject_on_worker_lost); a new child runs it again and the run ends with the rows of a clean run.
"""

import json
import os
import signal
from pathlib import Path

import pytest
from django.utils import timezone

from assessment import tasks
from assessment.models import IndicatorValue, ScoreRun, ScoreRunChunk, SubjectScore
from assessment.services import scores
from partybuild.demo import organizations as demo
from tests.builders import recompute
from tests.factories import PeriodFactory
from tests.workers import require_redis_and_postgresql, wait_for, worker_pool

from .test_scores_support import (
    _peer_ranks_at_once,  # noqa: F401  (an autouse fixture)
    snapshot,
)

ROOT = Path(__file__).resolve().parent.parent.parent

pytestmark = [
    pytest.mark.redis,
    # serialized_rollback: a flush would also drop the organization kinds a migration created.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def worker():
    """A prefork worker (one child) on a queue of its own, using this test's database."""
    require_redis_and_postgresql()
    with worker_pool("test-scores", []) as (start, queue):
        yield start(), queue


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()] if path.exists() else []


@pytest.fixture
def big_period(published_framework):
    """Thousands of approved branch submissions: a run of several chunks and a real roll-up."""
    demo.build_synthetic(orgs=6000, seed=1, people_per_branch=0)
    period = PeriodFactory(framework=published_framework, year=2026)
    ids = dict(published_framework.indicators.values_list("code", "pk"))
    now = timezone.now()
    rows = []
    for number, pk in enumerate(period.submissions.values_list("pk", flat=True)):
        rows.append((pk, ids["C1.01"], json.dumps(number % 13), "", now))
        rows.append((pk, ids["C2.01"], json.dumps(number % 3 > 0), "", now))
    demo.insert_rows(
        IndicatorValue,
        ["submission_id", "indicator_id", "value", "review_reason", "updated_at"],
        rows,
    )
    period.submissions.update(state="approved")
    return period


def test_a_worker_killed_mid_run_is_replaced_and_the_run_converges(worker, big_period):
    process, queue = worker
    run = scores.start_full_recompute(big_period, trigger="manual", enqueue=False)
    tasks.recompute_period.apply_async(args=[run.pk], task_id=run.task_id, queue=queue)

    # Kill the worker's child while it scores a chunk, once an earlier chunk is committed.
    running = wait_for(
        lambda: ScoreRunChunk.objects.filter(
            run=run, number__gt=1, attempts=1, done_at__isnull=True
        ).first(),
        120,
        "a chunk being scored after the first",
    )
    (child,) = wait_for(lambda: _children(process.pid), 10, "the worker's child")
    os.kill(child, signal.SIGKILL)
    running.refresh_from_db()
    killed_midway = running.done_at is None

    done = wait_for(
        lambda: ScoreRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).first(),
        180,
        "the redelivered chunk",
    )
    assert killed_midway, "the chunk finished before the kill: make big_period bigger"
    # The run's task had only sent the chunks: the killed chunk's task was delivered again and
    # ran twice, every other chunk once.
    assert (done.status, done.attempts) == ("done", 1)
    attempts = dict(done.chunks.values_list("number", "attempts"))
    assert attempts.pop(running.number) == 2
    assert set(attempts.values()) == {1}
    assert SubjectScore.objects.count() == done.stats["subjects"]
    retried = snapshot()
    SubjectScore.objects.all().delete()
    recompute(big_period)
    assert snapshot() == retried


@pytest.fixture
def worker_groups(settings):
    """Start prefork workers, each in a process group of its own, on one queue that the run's
    tasks go to, with heartbeats every second and a stale limit of three."""
    require_redis_and_postgresql()
    settings.JOB_STALE_AFTER = 3
    with worker_pool(
        "test-scores",
        ["assessment.score_chunk", "assessment.recompute_period"],
        env=lambda queue: {"JOB_HEARTBEAT_EVERY": "1", "JOB_STALE_AFTER": "3"},
    ) as pool:
        yield pool


def test_a_worker_killed_with_its_whole_group_is_recovered_by_the_reaper(worker_groups, big_period):
    """kill -9 of the parent and its child: Redis would give the chunk back only after its
    visibility timeout (an hour); the reaper sends it again once its heartbeat stops."""
    from core import jobs

    start, queue = worker_groups
    first = start()
    run = scores.start_full_recompute(big_period, trigger="manual", enqueue=False)
    tasks.recompute_period.apply_async(args=[run.pk], task_id=run.task_id, queue=queue)
    running = wait_for(
        lambda: ScoreRunChunk.objects.filter(
            run=run, number__gt=1, attempts=1, done_at__isnull=True, heartbeat_at__isnull=False
        ).first(),
        120,
        "a chunk being scored after the first",
    )
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=30)
    running.refresh_from_db()
    assert running.done_at is None, "the chunk finished before the kill: make big_period bigger"
    start()

    def finished():
        jobs.reap()  # every minute from beat; here as often as the test looks
        return ScoreRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).first()

    # Bounded, but generous: a busy 2-core machine runs the second worker slowly.
    done = wait_for(finished, 240, "the reaper and the second worker")
    assert (done.status, done.attempts) == ("done", 1), done.error
    assert ScoreRunChunk.objects.get(pk=running.pk).attempts == 2
    assert SubjectScore.objects.count() == done.stats["subjects"]
    retried = snapshot()
    SubjectScore.objects.all().delete()
    recompute(big_period)
    assert snapshot() == retried
