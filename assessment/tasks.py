"""Celery tasks of the assessment app: thin wrappers that call services.

Tasks take ids and are idempotent (their services replace derived rows), so they are
acknowledged late and retried with back-off on database errors that pass (a lost connection, a
deadlock, a locked SQLite file). Every countdown, back-off and time limit stays below the Redis
visibility timeout (1 h), or the broker would deliver a task a second time while it runs.
"""

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from .services import notices, scores

RETRYABLE = (OperationalError, InterfaceError)
RETRY = {
    "acks_late": True,
    # Outcomes are recorded in the database (ScoreRun, the score rows). Without a result to
    # wait for, sending does not touch the result backend, so an unreachable Redis fails the
    # send at once instead of after the result backend's twenty reconnection attempts.
    "ignore_result": True,
    "autoretry_for": RETRYABLE,
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(name="assessment.send_deadline_reminders", acks_late=True, time_limit=1800)
def send_deadline_reminders() -> int:
    """Daily: remind secretaries of open submissions near or past their deadline."""
    return notices.send_deadline_reminders(timezone.localdate())


class ScoreRunTask(Task):
    """Keeps a run's row in step with its task: why it is retried, and a failure for good."""

    def on_retry(self, exc, task_id, args, kwargs, einfo) -> None:
        scores.note_retry(args[0], exc)

    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        # Another executor holds the run: it is not this task's to fail.
        if not isinstance(exc, scores.AlreadyRunning | scores.LeaseLost):
            scores.fail_run(args[0], exc)


@shared_task(
    bind=True,
    base=ScoreRunTask,
    name="assessment.recompute_period",
    soft_time_limit=2700,
    time_limit=3000,
    **RETRY,
)
def recompute_period(self, run_id: int) -> dict:
    """A period's full recompute, as recorded in ScoreRun `run_id`: plans the chunks and sends
    each to `score_chunk` on this task's queue; the last chunk rolls the period up."""
    queue = (self.request.delivery_info or {}).get("routing_key")

    def dispatch(number: int) -> None:
        score_chunk.apply_async(
            args=[run_id, self.request.id, number],
            queue=queue,
            retry=True,
            retry_policy=scores.PUBLISH_RETRY,
        )

    run = scores.run_full_recompute(run_id, token=self.request.id, dispatch=dispatch)
    return {"run": run.pk, "status": run.status}


@shared_task(
    bind=True,
    base=ScoreRunTask,
    name="assessment.score_chunk",
    soft_time_limit=2700,
    time_limit=3000,
    **RETRY,
)
def score_chunk(self, run_id: int, token: str, number: int) -> str:
    """One chunk of a full recompute; the run's last chunk to finish also does the roll-up."""
    return scores.score_chunk(run_id, token=token, number=number)


@shared_task(name="assessment.score_submission", soft_time_limit=240, time_limit=300, **RETRY)
def score_submission(submission_id: int) -> str:
    """After an approval or a reopening: the subject's score and its ancestors' roll-ups."""
    return scores.rescore_submission(submission_id)


@shared_task(name="assessment.refresh_peer_ranks", soft_time_limit=540, time_limit=600, **RETRY)
def refresh_peer_ranks(period_id: int) -> int:
    """The ranks among peers of a period's roll-ups (debounced after approvals)."""
    return scores.refresh_peer_ranks(period_id)


@shared_task(
    name="assessment.recompute_open_periods", acks_late=True, ignore_result=True, time_limit=600
)
def recompute_open_periods() -> list[int]:
    """Nightly: a full recompute of every open period and every period marked for one."""
    return [run.pk for run in scores.recompute_due_periods()]
