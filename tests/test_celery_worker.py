"""A task travels through Redis to a real Celery worker process and back (runs in CI)."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from partybuild.celery import app
from partybuild.tasks import ping

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.redis


@pytest.fixture
def worker_queue():
    if not os.environ.get("REDIS_URL"):
        if os.environ.get("CI"):
            pytest.fail("CI must set REDIS_URL so the worker test runs")
        pytest.skip("needs REDIS_URL (set by .ci/run)")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "partybuild",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "-Q",
            queue,
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "partybuild.settings"},
    )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield queue
    finally:
        app.conf.task_always_eager = eager
        worker.terminate()
        worker.wait(timeout=30)


def test_a_task_runs_in_a_real_worker_over_redis(worker_queue):
    token = uuid.uuid4().hex
    result = ping.apply_async(args=[token], queue=worker_queue)
    assert result.get(timeout=60) == f"pong:{token}"
