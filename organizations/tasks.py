"""Celery tasks of the organizations app: checking and applying uploaded import files.

Both are idempotent (a batch is taken only in the state the task is for, and imported once), so
they retry by the portal's one policy (`core.retry`); a worker that dies is noticed by its
silent heartbeat (`organizations.jobs`).
"""

from core.retry import task

from .services import imports

# A whole import file, row by row: half an hour, well below the 1-hour visibility timeout.
LIMITS = {"soft_time_limit": 1500, "time_limit": 1800}


@task("organizations.check_import", **LIMITS)
def check_import(batch_id: int) -> None:
    """The dry run of an uploaded import file, for its preview."""
    imports.check_batch(batch_id)


@task("organizations.import_batch", **LIMITS)
def import_batch(batch_id: int) -> None:
    """Apply a confirmed import file (all rows or none)."""
    imports.import_batch(batch_id)
