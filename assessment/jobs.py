"""Full recomputes as long jobs watched by the reaper (`core.jobs`).

Two kinds: a chunk whose heartbeat stopped (its worker died while scoring it) is sent again on
its own, the rest of the run going on; a run whose lease ran out (its planner or its roll-up
died, or its messages were lost) is started again under a new token, so the dead attempt's late
messages find it no longer theirs. Either is failed, releasing its lease, after the last attempt.
"""

import datetime
import logging
import uuid
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from core import jobs

from .choices import PeriodStatus
from .models import DraftTrial, ScoreRun, ScoreRunChunk, Submission
from .services import scores

logger = logging.getLogger(__name__)


def _fail_run(run_id: int, token: str, reason: str) -> bool:
    return bool(
        ScoreRun.objects.filter(pk=run_id, task_id=token, status__in=ScoreRun.ACTIVE).update(
            status=ScoreRun.Status.FAILED,
            finished_at=timezone.now(),
            lease_until=None,
            error=reason,
        )
    )


class ScoreChunkJobs(jobs.JobKind):
    name = "score-chunks"

    def stale(self, *, now: datetime.datetime, cutoff: datetime.datetime) -> Any:
        return (
            ScoreRunChunk.objects.filter(
                run__status=ScoreRun.Status.RUNNING,
                done_at__isnull=True,
                heartbeat_at__lt=cutoff,
            )
            .select_related("run")
            .order_by("pk")
        )

    def _taken(self, chunk: ScoreRunChunk):
        return ScoreRunChunk.objects.filter(
            pk=chunk.pk,
            done_at__isnull=True,
            heartbeat_at=chunk.heartbeat_at,
            run__task_id=chunk.run.task_id,
            run__status=ScoreRun.Status.RUNNING,
        )

    def requeue(self, chunk: ScoreRunChunk, reason: str) -> bool:
        if not self._taken(chunk).update(heartbeat_at=None):
            return False
        run, token, number = chunk.run, chunk.run.task_id, chunk.number
        ScoreRun.objects.filter(pk=run.pk, task_id=token).update(error=reason)
        scores._chunks_queued(run.pk, token)  # the chunk waits in the queue again

        def send() -> None:
            from . import tasks

            try:
                tasks.score_chunk.apply_async(
                    args=[run.pk, token, number], retry=True, retry_policy=scores.PUBLISH_RETRY
                )
            except scores.BROKER_ERRORS as error:  # the run's lease runs out: the run restarts
                logger.warning("score run %s chunk %s not sent again (%s)", run.pk, number, error)

        transaction.on_commit(send)
        return True

    def fail(self, chunk: ScoreRunChunk, reason: str) -> bool:
        if not self._taken(chunk).update(heartbeat_at=None):
            return False
        return _fail_run(chunk.run_id, chunk.run.task_id, reason)


class ScoreRunJobs(jobs.JobKind):
    name = "score-runs"

    def stale(self, *, now: datetime.datetime, cutoff: datetime.datetime) -> Any:
        # The lease carries its own margin: the stale limit while a task runs, the queued lease
        # while the run's work waits in the queue.
        return (
            ScoreRun.objects.filter(status__in=ScoreRun.ACTIVE, lease_until__lt=now)
            .exclude(task_id="")
            .order_by("pk")
        )

    def _taken(self, run: ScoreRun):
        return ScoreRun.objects.filter(
            pk=run.pk,
            task_id=run.task_id,
            status__in=ScoreRun.ACTIVE,
            lease_until=run.lease_until,
        )

    def requeue(self, run: ScoreRun, reason: str) -> bool:
        token = str(uuid.uuid4())
        changed = self._taken(run).update(
            status=ScoreRun.Status.PENDING,
            task_id=token,
            lease_until=timezone.now() + scores.QUEUED_LEASE,
            progress=0,
            step="",
            error=reason,
        )
        if changed:
            transaction.on_commit(lambda: scores._send_run(run.pk, token))
        return bool(changed)

    def fail(self, run: ScoreRun, reason: str) -> bool:
        return bool(
            self._taken(run).update(
                status=ScoreRun.Status.FAILED,
                finished_at=timezone.now(),
                lease_until=None,
                error=reason,
            )
        )


jobs.register(ScoreChunkJobs())
jobs.register(ScoreRunJobs())


class LostScoring(jobs.JobKind):
    """Approvals whose scoring task was lost: sent after the commit, it can vanish with a Redis
    restart (the queue is not persisted) or with a worker killed holding it (Redis delivers an
    unacknowledged message again only after an hour). Every minute, an approval older than
    JOB_STALE_AFTER whose subject has no score from after it is scored again; the nightly
    recompute would fix it too, but a day late."""

    name = "lost-scoring"
    BATCH = 200  # a bound per minute; the rest follow on the next ticks

    def stale(self, *, now: datetime.datetime, cutoff: datetime.datetime) -> list:
        return []  # no job rows: `sweep` does the work

    def sweep(self, now: datetime.datetime) -> int:
        cutoff = now - jobs.stale_after()
        # A running or queued full recompute scores them all anyway.
        busy = ScoreRun.objects.filter(status__in=ScoreRun.ACTIVE).exclude(
            status=ScoreRun.Status.PENDING, task_id=""
        )
        lost = list(
            Submission.objects.filter(
                period__status=PeriodStatus.OPEN,
                state__in=scores.COUNTED_STATES,
                approved_at__lt=cutoff,
            )
            .filter(Q(score__isnull=True) | Q(score__computed_at__lt=F("approved_at")))
            .exclude(period__in=busy.values("period"))
            .order_by("approved_at", "pk")
            .values_list("pk", "period_id")[: self.BATCH]
        )
        for submission_id, period_id in lost:
            scores.submission_changed(submission_id, period_id)
        if lost:
            logger.warning("reaper: %s approvals had no score after them; sent again", len(lost))
        return len(lost)


jobs.register(LostScoring())


class DraftTrialJobs(jobs.RowJob):
    """A draft tried on the last period (`services.trials`): sent again, or failed."""

    name = "draft-trials"
    model = DraftTrial
    running = DraftTrial.Status.RUNNING
    queued = DraftTrial.Status.QUEUED
    failed = DraftTrial.Status.FAILED

    def send(self, job: DraftTrial) -> None:
        from .services import trials

        trials.send(job)


jobs.register(DraftTrialJobs())
