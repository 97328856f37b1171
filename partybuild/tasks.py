"""Project-wide Celery tasks."""

from celery import shared_task


@shared_task(name="partybuild.ping")
def ping(token: str) -> str:
    """Echo the token back: proves that a worker consumes from the broker (used by health tests)."""
    return f"pong:{token}"
