"""Celery tasks of the rectification app: thin wrappers that call services."""

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from . import services

RETRY = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="rectification.flag_overdue", time_limit=1800, **RETRY)
def flag_overdue() -> int:
    """Daily: notify owners and reviewers of items that became overdue (once per item)."""
    return services.flag_overdue(timezone.localdate())


# Limits below the broker's 1-hour visibility timeout, as every task's (assessment.tasks).
@shared_task(name="rectification.open_for_period", soft_time_limit=2700, time_limit=3000, **RETRY)
def open_for_period(period_id: int) -> int:
    """After a full recompute: open the items the period's new scores call for (idempotent; a
    long job with a heartbeat, see `services.run_opening`)."""
    return services.run_opening(period_id)
