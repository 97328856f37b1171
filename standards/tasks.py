"""Celery tasks of the standards app: thin wrappers that call services; they retry by the portal's
one policy (`core.retry`)."""

from core.retry import task


# Sent on commit after a secretary's report is rated (standards.sources.report_rated): the few
# submissions of one organization in one period, seconds.
@task("standards.recount_report", soft_time_limit=240, time_limit=300)
def recount_report(period_id: int, organization_id: int) -> int:
    """Recount the values an organization's rated report feeds in a period."""
    from .services import reports

    return reports.recount_organization(int(period_id), int(organization_id))
