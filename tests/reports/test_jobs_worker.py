"""A real worker killed with SIGKILL (its whole process group) while it makes a report (CI:
Redis and PostgreSQL). Redis would deliver the task again only after its visibility timeout
(an hour), kombu's file-system transport never: the reaper notices the silent report within
seconds here (a short stale limit) and queues it again, a new worker makes it, and the
temporary file the killed attempt left is gone."""

import datetime
import os
import signal
from pathlib import Path

import pytest

from core import jobs
from reports import services
from reports.models import Report
from tests.workers import require_redis_and_postgresql, wait_for, worker_pool

# Seconds for each step, a ceiling for a busy 2-core machine; the whole test takes about 20.
WAIT = 120

pytestmark = [
    pytest.mark.redis,
    # serialized_rollback: a flush would also drop the organization kinds a migration created.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def workers(settings):
    """Start workers (each in a process group of its own) on a queue that reports go to."""
    require_redis_and_postgresql()
    with worker_pool(
        "test-jobs",
        ["reports.generate"],
        module="tests.reports.slow_worker",
        env=lambda queue: {
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "CELERY_REPORTS_QUEUE": queue,
            "JOB_HEARTBEAT_EVERY": "1",
            "JOB_STALE_AFTER": "3",
        },
    ) as (start, _queue):
        yield start


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
    running = wait_for(
        lambda: Report.objects.filter(pk=report.pk, status="running").first(),
        WAIT,
        "the report to run",
    )
    leftovers = wait_for(
        lambda: list(folder.glob(f"report-{report.pk}-*")), WAIT, "its temporary file"
    )
    # The background heartbeat beats while the long step runs.
    wait_for(
        lambda: Report.objects.get(pk=report.pk).heartbeat_at > running.heartbeat_at,
        WAIT,
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

    done = wait_for(finished, WAIT, "the reaper and the second worker")
    assert (done.status, done.attempts) == ("done", 2), done.error
    assert done.size
    assert Path(done.file.path).exists()
    assert [p for p in leftovers if p.exists()] == []
    assert list(folder.iterdir()) == []
