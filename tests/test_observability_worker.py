"""A real Celery worker over Redis: its JSON log lines of a task carry the request id that sent it,
and it records its heartbeat for /healthz (runs in CI, with PostgreSQL and Redis)."""

import json
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from core import request_ids
from partybuild.celery import app
from partybuild.models import Heartbeat
from partybuild.tasks import heartbeat
from tests.observability_probe import log_in_task
from tests.workers import database_url, require_redis_and_postgresql, wait_for

ROOT = Path(__file__).resolve().parent.parent

pytestmark = [
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def json_worker(tmp_path):
    """A worker logging JSON lines to a file, on a queue of its own, using this test's database."""
    require_redis_and_postgresql()
    queue = f"test-observe-{uuid.uuid4().hex[:8]}"
    log = tmp_path / "worker.log"
    with log.open("w") as stream:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "celery", "-A", "partybuild", "worker", "--pool=prefork"),
                *("--concurrency=1", "-Q", queue, "--loglevel=WARNING"),
                *("--without-gossip", "--without-mingle", "--without-heartbeat"),
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "partybuild.settings",
                "DATABASE_URL": database_url(),
                "LOG_FORMAT": "json",
                "CELERY_IMPORTS": "tests.observability_probe",
            },
            stdout=stream,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    eager = app.conf.task_always_eager
    app.conf.update(task_always_eager=False)
    try:
        yield queue, log
    finally:
        app.conf.update(task_always_eager=eager)
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _json_lines(log: Path) -> list[dict]:
    lines = []
    for text in log.read_text().splitlines():
        try:
            lines.append(json.loads(text))
        except json.JSONDecodeError:
            continue  # Celery's start-up banner is printed, not logged
    return lines


def test_a_worker_logs_the_task_of_a_request_with_the_request_s_id(json_worker):
    queue, log = json_worker
    token = request_ids._request_id.set("req-worker-0123456789")
    try:
        sent = log_in_task.apply_async(args=["over redis"], queue=queue)
    finally:
        request_ids._request_id.reset(token)

    def task_line():
        return next(
            (line for line in _json_lines(log) if line.get("message") == "in the task: over redis"),
            None,
        )

    line = wait_for(task_line, 60, "the worker's log line of the task")
    assert line["request_id"] == "req-worker-0123456789"
    assert line["task_id"] == sent.id
    assert line["task_name"] == "tests.probe_log"
    assert line["level"] == "WARNING"


def test_a_worker_records_its_heartbeat(json_worker):
    queue, _log = json_worker

    heartbeat.apply_async(queue=queue)

    row = wait_for(
        lambda: Heartbeat.objects.filter(process="worker").first(), 60, "the worker's heartbeat"
    )
    assert row.host.startswith("celery@")
    assert Heartbeat.objects.filter(process="beat").exists()  # sending it was the beat's tick
