"""Celery tasks of the reports app: thin wrappers that call the services.

`reports.generate` is idempotent (a finished report is not made again; a retried one starts over
and only the attempt that owns the row stores its file), so it retries by the portal's one policy
(`core.retry`). A report whose worker died is started again or failed by the reaper
(`core.jobs`, `reports.jobs`).
"""

from celery import Task

from core.retry import task

from . import services


class ReportTask(Task):
    """Keeps the report's row in step with its task: a failure for good (the service notes a
    retry itself, while it knows its attempt)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        services.fail(args[0], exc, token=task_id)


# A large tree's PDF with charts; the reaper's sweep of leftover files also waits this long.
@task("reports.generate", bind=True, base=ReportTask, soft_time_limit=1800, time_limit=2000)
def generate(self, report_id: int) -> str:
    """Make report `report_id` into a snapshot (nothing to do when it is one already)."""
    return services.generate(report_id, token=self.request.id or "").status


# Creates and queues reports; their work is in reports.generate.
@task("reports.run_schedules", time_limit=600)
def run_schedules() -> list[int]:
    """Every 15 minutes (beat): the reports the schedules are due, created once and queued."""
    return [report.pk for report in services.run_schedules()]
