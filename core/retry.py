"""The one retry policy of the portal's Celery tasks, and `task`, the decorator that applies it.

Every task takes ids and is idempotent (its service replaces derived rows, claims its job row by
attempt or token, or finds its work done), so every task is acknowledged late and retried with
exponential back-off and jitter on the database errors that pass: a lost connection, a
deadlock, a locked SQLite file. Any other error fails the task at once.

Outcomes are kept in the database (job rows, score rows, notices), never in the result backend:
without a result to wait for, sending a task does not touch the result backend, so an
unreachable Redis fails the send at once instead of after the backend's twenty reconnections.

Each task keeps its own time limits (they differ with its work); all of them, and every retry's
countdown, stay below the broker's visibility timeout (`settings.BROKER_VISIBILITY_TIMEOUT`,
1 h), or Redis would deliver a task a second time while it still runs (`tests/test_jobs.py`).
"""

from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import InterfaceError, OperationalError

# Database errors that pass: worth a retry.
RETRYABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError)

# 5 s doubling (5, 10, 20, 40, 80 s, each with jitter): about two and a half minutes of database
# trouble (a restart, a failover) is ridden out. The cap is never reached with five retries; it
# bounds a countdown should the retries grow, and stays below the visibility timeout.
POLICY: dict[str, Any] = {
    "autoretry_for": RETRYABLE,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}

# How tasks are delivered; a task may change these for a reason it states (`partybuild.ping`
# keeps its result: the health check waits for it).
DELIVERY: dict[str, Any] = {
    "acks_late": True,
    "ignore_result": True,
}


def task(
    name: str, *, time_limit: int, soft_time_limit: int | None = None, **options: Any
) -> Callable[[Callable[..., Any]], Any]:
    """`shared_task` with the portal's retry policy; every task names its hard time limit.

    `options` are passed to Celery (`bind`, `base`, delivery options); the retry policy itself
    cannot be changed by a task.
    """
    overridden = sorted(set(options) & set(POLICY))
    if overridden:
        raise TypeError(f"{name}: the retry policy is core.retry.POLICY, not {overridden}")
    return shared_task(
        name=name,
        time_limit=time_limit,
        soft_time_limit=soft_time_limit,
        **POLICY,
        **{**DELIVERY, **options},
    )
