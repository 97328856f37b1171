"""Reports as long jobs watched by the reaper (`core.jobs`): a report whose worker died is
queued again, or failed after the last attempt, and the temporary files it left are removed; a
report left queued (its message lost) is sent again."""

import datetime
from typing import Any

from core import jobs

from . import services
from .choices import ReportStatus
from .models import Report


class ReportJobs(jobs.RowJob):
    name = "reports"
    model = Report
    running = ReportStatus.RUNNING
    queued = ReportStatus.QUEUED
    failed = ReportStatus.FAILED

    def send(self, job: Report) -> None:
        services.enqueue(job.pk)

    def requeue_fields(self, job: Report) -> dict[str, Any]:
        # No task owns it until the next attempt claims it.
        return {"task_id": "", "progress": 0, "step": ""}

    def cleanup(self, job: Report) -> None:
        services.remove_temporary_files(job.pk)

    def sweep(self, now: datetime.datetime) -> int:
        from .tasks import generate

        # No attempt lives longer than its hard time limit; the margin covers clock skew.
        return services.sweep_temporary_files(
            datetime.timedelta(seconds=generate.time_limit) + jobs.stale_after()
        )

    def resend(self, now: datetime.datetime) -> int:
        return services.resend_queued(now)


jobs.register(ReportJobs())
