"""What follows a year's scores: titles and stars proposed, member appraisals and secretaries'
reports opened, terms recomputed.

One approval's subjects are looked at in the approval's scoring task (`propose_for_subjects`);
a whole period, after a full recompute, in a long job of its own (`ProposalRun`, watched by the
reaper) so that a recompute of 10,000 units is not held up by them. Every step is idempotent:
running it again, or after a failure, proposes nothing twice and never touches a decision.
"""

import contextlib
import logging
from functools import partial

from django.db.models import F
from django.utils import timezone

from assessment.choices import PeriodKind
from assessment.models import Period
from assessment.services.scores import PUBLISH_RETRY
from core import jobs
from core.retry import RETRYABLE

from ..models import ProposalRun

logger = logging.getLogger(__name__)
Status = ProposalRun.Status


def _steps():
    """The steps, in order: each takes the period and, for one approval, its submissions."""
    from . import appraisals, reports, stars, terms, titles

    return (
        ("reports", reports.open_for_period),
        ("titles", titles.propose),
        ("stars", stars.propose),
        ("appraisals", appraisals.open_for_period),
        ("terms", lambda period, submission_ids=None: terms.compute_for_period(period)),
    )


def propose_for_period(period: Period) -> dict[str, int]:
    """Every step over the whole period (a year); what each one did."""
    if period.kind != PeriodKind.YEAR:
        return {}
    return {name: step(period) for name, step in _steps()}


def propose_for_subjects(period: Period, submission_ids: list[int]) -> dict[str, int]:
    """The steps that follow one approval, for its subjects only (terms follow the nightly run:
    they read every year of a term)."""
    if period.kind != PeriodKind.YEAR:
        return {}
    return {
        name: step(period, submission_ids=submission_ids)
        for name, step in _steps()
        if name != "terms"
    }


def _proposes(period: Period | None) -> bool:
    """Whether anything follows the period's scores: a year of a framework with standards."""
    return (
        period is not None and period.kind == PeriodKind.YEAR and bool(period.framework.standards)
    )


def on_scores_written(sender, *, period_id: int, submission_ids=None, **kwargs) -> None:
    """Receiver of `assessment.signals.scores_written`. A failure here must not fail the
    scoring that already committed: it is logged, and the next full recompute (nightly for open
    periods) proposes what was missed."""
    try:
        period = Period.objects.select_related("framework").filter(pk=period_id).first()
        if not _proposes(period):
            return
        if submission_ids is None:
            send(ProposalRun.objects.create(period=period))
        else:
            propose_for_subjects(period, submission_ids)
    except Exception:
        logger.exception("Proposing results for period %s failed", period_id)


def on_period_closed(sender, *, period_id: int, **kwargs) -> None:
    """Receiver of `assessment.signals.period_closed`: a closed year now counts in its terms,
    and its proposals are brought up to date, in a run of their own."""
    try:
        period = Period.objects.select_related("framework").filter(pk=period_id).first()
        if _proposes(period):
            send(ProposalRun.objects.create(period=period))
    except Exception:
        logger.exception("Proposing results for closed period %s failed", period_id)


def send(run: ProposalRun) -> None:
    """Queue the run's task; with the queue down, the run fails at once (the nightly recompute
    queues a new one)."""
    from .. import tasks

    try:
        tasks.propose_for_period.apply_async(
            args=[run.period_id], retry=True, retry_policy=PUBLISH_RETRY
        )
    except Exception as error:
        logger.exception("Proposing results for period %s failed", run.period_id)
        ProposalRun.objects.filter(pk=run.pk, status=Status.QUEUED).update(
            status=Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )


def _owned(run: ProposalRun):
    return ProposalRun.objects.filter(pk=run.pk, status=Status.RUNNING, attempts=run.attempts)


def _beat(run: ProposalRun) -> bool:
    return bool(_owned(run).update(heartbeat_at=timezone.now()))


def run(period_id: int) -> dict[str, int]:
    """What the task does: claim the period's oldest queued run and propose while beating.

    With a run already running (a late copy of the message) it does nothing; with none queued
    (a direct call) it proposes untracked, which is idempotent.
    """
    period = Period.objects.select_related("framework").get(pk=period_id)
    queued = ProposalRun.objects.filter(period=period, status=Status.QUEUED).order_by("pk")
    claimed = queued.first()
    if claimed is None or not ProposalRun.objects.filter(
        pk=claimed.pk, status=Status.QUEUED
    ).update(status=Status.RUNNING, attempts=F("attempts") + 1, heartbeat_at=timezone.now()):
        if ProposalRun.objects.filter(period=period, status=Status.RUNNING).exists():
            return {}
        return propose_for_period(period)
    claimed.refresh_from_db(fields=["attempts"])
    try:
        with jobs.beating(partial(_beat, claimed)):
            counts = propose_for_period(period)
    except RETRYABLE as error:  # the task retries: queued again
        with contextlib.suppress(*RETRYABLE):
            _owned(claimed).update(status=Status.QUEUED, heartbeat_at=None, error=str(error)[:2000])
        raise
    except Exception as error:
        _owned(claimed).update(
            status=Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    _owned(claimed).update(
        status=Status.DONE, counts=counts, error="", heartbeat_at=None, finished_at=timezone.now()
    )
    return counts
