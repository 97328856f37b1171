"""Celery tasks of the organizations app: checking and applying uploaded import files.

Both are idempotent (a batch is taken only in the state the task is for, and imported once), so
they are acknowledged late and retried on database errors that pass; a worker that dies is
noticed by its silent heartbeat (`organizations.jobs`).
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import import_services

RETRY = {
    "acks_late": True,
    "ignore_result": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 300,
    "retry_jitter": True,
    "max_retries": 3,
    "soft_time_limit": 1500,
    "time_limit": 1800,
}


@shared_task(name="organizations.check_import", **RETRY)
def check_import(batch_id: int) -> None:
    """The dry run of an uploaded import file, for its preview."""
    import_services.check_batch(batch_id)


@shared_task(name="organizations.import_batch", **RETRY)
def import_batch(batch_id: int) -> None:
    """Apply a confirmed import file (all rows or none)."""
    import_services.import_batch(batch_id)
