"""Celery tasks of the reports app: thin wrappers that call the services.

`reports.generate` is idempotent (a finished report is not made again; a retried one starts over
and only the attempt that owns the row stores its file), so it is acknowledged late and retried on
database errors that pass. Every back-off and time limit stays below the Redis visibility
timeout (1 h), or the broker would deliver the task a second time while it runs. A report whose
worker died is started again or failed by the reaper (`partybuild.jobs`, `reports.jobs`).
"""

from celery import Task, shared_task

from . import services


class ReportTask(Task):
    """Keeps the report's row in step with its task: a failure for good (the service notes a
    retry itself, while it knows its attempt)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        services.fail(args[0], exc, token=task_id)


@shared_task(
    bind=True,
    base=ReportTask,
    name="reports.generate",
    acks_late=True,
    ignore_result=True,
    autoretry_for=services.RETRYABLE,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=3,
    soft_time_limit=1800,
    time_limit=2000,
)
def generate(self, report_id: int) -> str:
    """Make report `report_id` into a snapshot (nothing to do when it is one already)."""
    return services.generate(report_id, token=self.request.id or "").status


@shared_task(name="reports.run_schedules", acks_late=True, ignore_result=True, time_limit=600)
def run_schedules() -> list[int]:
    """Every 15 minutes (beat): the reports the schedules are due, created once and queued."""
    return [report.pk for report in services.run_schedules()]
