"""The secretary's report rating as an indicator source (kind `secretary_report`), registered into
`assessment.sources` from `StandardsConfig.ready`.

An organization's value for a period is the `value` (0–100) of the rating the committee above
gave its secretary's report of that period (`standards.secretary_reports.ratings` of the
period's framework). A report not rated yet, or no report at all, is not counted: None, so the
indicator stays empty until the committee decides. One query for every subject at once.

`report_rated(report)` is what the reports service calls inside its transaction after a rating:
the organization's submissions of the period are recounted in a task once it commits.
"""

from __future__ import annotations

import logging
from functools import partial

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from assessment import sources

from . import config
from .choices import ReportState
from .models import SecretaryReport

__all__ = ["register_all", "report_rated"]

logger = logging.getLogger(__name__)


def _values(period) -> dict[str, float]:
    shape = config.for_period(period).secretary_reports
    if shape is None:
        return {}
    return {rating.code: float(rating.value) for rating in shape.ratings}


def count_report_rating(ctx: sources.Context, source) -> dict:
    values = ctx.memo(("secretary_report_values",), partial(_values, ctx.period))
    rows = (
        SecretaryReport.objects.filter(ctx.own(), period=ctx.period, state=ReportState.RATED)
        .exclude(rating="")
        .values_list("organization_id", "rating")
    )
    rated = {org: values[rating] for org, rating in rows if rating in values}
    return ctx.organization_answer(rated, default=None)


def behind_report(submission, source) -> list[sources.RecordLink]:
    report = (
        SecretaryReport.objects.filter(
            period_id=submission.period_id, organization_id=submission.organization_id
        )
        .only("pk", "state", "rating", "secretary_name", "rated_at")
        .first()
    )
    if report is None:
        return []
    label = _("Secretary's report of %(name)s · %(state)s") % {
        "name": report.secretary_name or "—",
        "state": report.get_state_display(),
    }
    day = report.rated_at.date() if report.rated_at else None
    return [sources.RecordLink(label, reverse("standards:secretary_report", args=[report.pk]), day)]


def register_all() -> None:
    """Register the `secretary_report` source (called from `StandardsConfig.ready`)."""
    sources.register("secretary_report", count_report_rating, behind=behind_report)


def _send(period_id: int, organization_id: int) -> None:
    from assessment.services.scores import BROKER_ERRORS, PUBLISH_RETRY

    from .tasks import recount_report  # the tasks module imports the services

    try:
        recount_report.apply_async(
            args=[period_id, organization_id], retry=True, retry_policy=PUBLISH_RETRY
        )
    except BROKER_ERRORS as error:
        # Nothing is lost: the submission is recounted when its page is opened, and every night.
        logger.warning(
            "secretary's report of organization %s in period %s: the task queue is unavailable "
            "(%s); the counted value follows when the submission is next opened",
            organization_id,
            period_id,
            error,
        )


def report_rated(report: SecretaryReport) -> None:
    """The report's rating changed: recount its organization's submissions of the period once
    the caller's transaction commits (a few rows; never in the request)."""
    transaction.on_commit(partial(_send, report.period_id, report.organization_id))
