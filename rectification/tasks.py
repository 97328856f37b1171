"""Celery tasks of the rectification app: thin wrappers that call services; they retry by the
portal's one policy (`core.retry`)."""

from django.utils import timezone

from core.retry import task

from . import services


# One pass over every open item, once a day.
@task("rectification.flag_overdue", time_limit=1800)
def flag_overdue() -> int:
    """Daily: notify owners and reviewers of items that became overdue (once per item)."""
    return services.flag_overdue(timezone.localdate())


# Follows a full recompute over the same period: the recompute's limits.
@task("rectification.open_for_period", soft_time_limit=2700, time_limit=3000)
def open_for_period(period_id: int) -> int:
    """After a full recompute: open the items the period's new scores call for (idempotent; a
    long job with a heartbeat, see `services.run_opening`)."""
    return services.run_opening(period_id)
