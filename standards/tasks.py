"""Celery tasks of the standards app: thin wrappers that call services; they retry by the
portal's one policy (`core.retry`)."""

from core.retry import task

from .services import proposals


# Follows a full recompute over the same period: the recompute's limits.
@task("standards.propose_for_period", soft_time_limit=2700, time_limit=3000)
def propose_for_period(period_id: int) -> dict[str, int]:
    """After a full recompute of a year: propose titles and stars, open appraisals and
    secretaries' reports, recompute terms (idempotent; a long job with a heartbeat)."""
    return proposals.run(period_id)


# Sent on commit after a secretary's report is rated (standards.sources.report_rated): the few
# submissions of one organization in one period, seconds.
@task("standards.recount_report", soft_time_limit=240, time_limit=300)
def recount_report(period_id: int, organization_id: int) -> int:
    """Recount the values an organization's rated report feeds in a period."""
    from .services import reports

    return reports.recount_organization(int(period_id), int(organization_id))
