"""A draft tried on the last period as a worker job (`DraftTrial`, watched by the reaper).

The request only creates the row and queues the task on commit; the worker claims the row, scores
the period with the draft while beating (`core.jobs`), and stores the summary and the changes as
`selectors.trial.try_draft` computes them. The page polls the row until it is done or failed.
"""

import contextlib
import dataclasses
import logging
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import jobs
from core.retry import RETRYABLE

from ..models import DraftTrial, Framework, Period
from ..selectors import trial as trials
from .scores import PUBLISH_RETRY

logger = logging.getLogger(__name__)

Status = DraftTrial.Status


def start(framework: Framework, period: Period, *, user, language: str) -> DraftTrial:
    """Create the trial's row and queue its task once the row is committed."""
    job = DraftTrial.objects.create(
        framework=framework, period=period, requested_by=user, language=language or "zh-hans"
    )
    transaction.on_commit(partial(send, job))
    return job


def send(job: DraftTrial) -> None:
    """Queue the trial's task; with the queue down, the trial fails at once (its page says why)."""
    from .. import tasks

    try:
        tasks.try_draft.apply_async(args=[job.pk], retry=True, retry_policy=PUBLISH_RETRY)
    except Exception as error:
        logger.exception("Trial %s of a draft could not be queued", job.pk)
        DraftTrial.objects.filter(pk=job.pk, status=Status.QUEUED).update(
            status=Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )


def as_result(trial: trials.Trial) -> dict[str, Any]:
    """The summary and the changes of a trial, as stored (JSON)."""
    summary = dataclasses.asdict(trial)
    summary.pop("period")
    return summary


def _owned(job: DraftTrial):
    return DraftTrial.objects.filter(pk=job.pk, status=Status.RUNNING, attempts=job.attempts)


def _beat(job: DraftTrial) -> bool:
    return bool(_owned(job).update(heartbeat_at=timezone.now()))


def run(trial_id: int) -> int:
    """What the task does: claim the queued trial, score the period with the draft while
    beating, store the result. A trial not queued (done, failed, or running in another attempt:
    a late copy of the message) is left alone. Returns the number of grade changes."""
    if not DraftTrial.objects.filter(pk=trial_id, status=Status.QUEUED).update(
        status=Status.RUNNING, attempts=F("attempts") + 1, heartbeat_at=timezone.now()
    ):
        return 0
    job = DraftTrial.objects.select_related("framework", "period__framework").get(pk=trial_id)
    try:
        with jobs.beating(partial(_beat, job)):
            result = trials.try_draft(job.framework, job.period, job.language)
    except RETRYABLE as error:  # the task retries: queued again
        with contextlib.suppress(*RETRYABLE):
            _owned(job).update(status=Status.QUEUED, heartbeat_at=None, error=str(error)[:2000])
        raise
    except Exception as error:
        _owned(job).update(
            status=Status.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    if not _owned(job).update(
        status=Status.DONE,
        result=as_result(result),
        error="",
        heartbeat_at=None,
        finished_at=timezone.now(),
    ):
        raise jobs.JobLost(f"draft trial {trial_id}")
    return len(result.changes)
