"""Project-wide Celery tasks; they retry by the portal's one policy (`core.retry`)."""

from core.retry import task


# The health check waits for its result, so this one task keeps it.
@task("partybuild.ping", time_limit=60, ignore_result=False)
def ping(token: str) -> str:
    """Echo the token back: proves that a worker consumes from the broker (used by health tests)."""
    return f"pong:{token}"


# Well below the one-minute beat interval: two reapers never overlap for long, and if they do
# each job is taken by a compare-and-set, so only one of them acts on it.
@task("partybuild.reap_stale_jobs", soft_time_limit=50, time_limit=55)
def reap_stale_jobs() -> dict[str, dict[str, int]]:
    """Every minute (beat): re-queue or fail the long jobs whose worker died (`core.jobs`)."""
    from core import jobs

    return {kind: dict(counts) for kind, counts in jobs.reap().items() if counts}


# Runs in a second; a heartbeat late past its limit is as stale as a missing one.
@task("partybuild.heartbeat", soft_time_limit=20, time_limit=30)
def heartbeat() -> None:
    """Every minute (beat): the worker that runs it is alive (`partybuild.heartbeats`)."""
    from .heartbeats import record
    from .models import Heartbeat

    record(Heartbeat.Process.WORKER, host=heartbeat.request.hostname or "")
