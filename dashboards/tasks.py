"""Celery tasks of the dashboards app: thin wrappers that call `dashboards.warming`; they retry
by the portal's one policy (`core.retry`)."""

from core.retry import task

from . import warming


# The aggregates of the top dashboards: seconds at 10,000 organizations.
@task("dashboards.warm", soft_time_limit=240, time_limit=300)
def warm_dashboards(period_id: int) -> int:
    """After a roll-up: the period's top dashboards computed into the shared cache."""
    return warming.run_period(period_id)


# The rectification summaries of the same dashboards: seconds.
@task("dashboards.warm_rectifications", soft_time_limit=240, time_limit=300)
def warm_rectifications() -> int:
    """After rectification items changed: the top dashboards' summaries, into the cache."""
    return warming.run_rectifications()
