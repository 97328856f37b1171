"""A real worker killed with SIGKILL (its whole process group) while it makes a report (CI:
Redis and PostgreSQL). Redis would deliver the task again only after its visibility timeout
(an hour), kombu's file-system transport never: the reaper notices the silent report within
seconds here (a short stale limit) and queues it again, a new worker makes it, and the
temporary file the killed attempt left is gone."""

import datetime
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from partybuild import jobs
from reports import services
from reports.models import Report

ROOT = Path(__file__).resolve().parent.parent.parent
WAIT = 40  # seconds, for each step; the whole test takes about 20

pytestmark = [
    pytest.mark.redis,
    # serialized_rollback: a flush would also drop the organization kinds a migration created.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture
def workers(settings):
    """Start workers (each in a process group of its own) on a queue that reports go to."""
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must set REDIS_URL and DATABASE_URL so the worker test runs")
        pytest.skip("needs REDIS_URL and PostgreSQL (DATABASE_URL), as .ci/run sets them")
    from partybuild.celery import app

    queue = f"test-jobs-{uuid.uuid4().hex[:8]}"
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.reports.slow_worker",
                "-A",
                "partybuild",
                "worker",
                "--pool=prefork",
                "--concurrency=1",
                "-Q",
                queue,
                "--loglevel=WARNING",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "partybuild.settings",
                "DATABASE_URL": _database_url(),
                "MEDIA_ROOT": str(settings.MEDIA_ROOT),
                "CELERY_REPORTS_QUEUE": queue,
                "JOB_HEARTBEAT_EVERY": "1",
                "JOB_STALE_AFTER": "3",
            },
            start_new_session=True,  # a group of its own: the parent and its child die together
        )
        started.append(process)
        return process

    eager, routes = app.conf.task_always_eager, app.conf.task_routes
    app.conf.task_always_eager = False
    app.conf.task_routes = {"reports.generate": {"queue": queue}}
    try:
        yield start
    finally:
        app.conf.task_always_eager, app.conf.task_routes = eager, routes
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=30)


def test_a_report_whose_worker_was_killed_is_made_by_the_next_worker(
    workers, scored, tree, dave, settings
):
    settings.JOB_STALE_AFTER = 3
    folder = settings.MEDIA_ROOT / "reports" / "tmp"
    first = workers()
    report = services.request_report(
        acting_user=dave,
        organization=tree.a,
        format="csv",
        period_kind="year",
        start=datetime.date(2025, 1, 1),
        end=datetime.date(2026, 12, 31),
    )
    running = _wait_for(
        lambda: Report.objects.filter(pk=report.pk, status="running").first(), "the report to run"
    )
    leftovers = _wait_for(lambda: list(folder.glob(f"report-{report.pk}-*")), "its temporary file")
    # The background heartbeat beats while the long step runs.
    _wait_for(
        lambda: Report.objects.get(pk=report.pk).heartbeat_at > running.heartbeat_at,
        "a heartbeat",
    )

    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=WAIT)
    workers()
    killed = Report.objects.get(pk=report.pk)
    assert (killed.status, killed.progress) == ("running", 1)

    # The reaper runs every minute (beat); here as often as the test looks.
    def finished():
        jobs.reap()
        return Report.objects.filter(pk=report.pk, status__in=["done", "failed"]).first()

    done = _wait_for(finished, "the reaper and the second worker")
    assert (done.status, done.attempts) == ("done", 2), done.error
    assert done.size
    assert Path(done.file.path).exists()
    assert [p for p in leftovers if p.exists()] == []
    assert list(folder.iterdir()) == []
