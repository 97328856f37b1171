"""Celery tasks of the assessment app: thin wrappers that call services.

Tasks take ids and are idempotent (their services replace derived rows), so they retry by the
portal's one policy (`core.retry`); their outcomes are recorded in the database (ScoreRun,
the score rows), never as task results. Each keeps the time limits its work needs.
"""

from celery import Task
from django.utils import timezone

from core.retry import task

from .services import counted, notices, scores


# One set-based pass over every open period's due submissions, once a day.
@task("assessment.send_deadline_reminders", time_limit=1800)
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


# A whole period: the longest work there is, kept below the 1-hour visibility timeout.
@task(
    "assessment.recompute_period",
    bind=True,
    base=ScoreRunTask,
    soft_time_limit=2700,
    time_limit=3000,
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


# The last chunk also rolls the whole period up: a recompute's limits.
@task(
    "assessment.score_chunk",
    bind=True,
    base=ScoreRunTask,
    soft_time_limit=2700,
    time_limit=3000,
)
def score_chunk(self, run_id: int, token: str, number: int) -> str:
    """One chunk of a full recompute; the run's last chunk to finish also does the roll-up."""
    return scores.score_chunk(run_id, token=token, number=number)


# One subject and its ancestors' roll-ups: minutes would mean something is wrong.
@task("assessment.score_submission", soft_time_limit=240, time_limit=300)
def score_submission(submission_id: int) -> str:
    """After an approval or a reopening: the subject's score and its ancestors' roll-ups."""
    return scores.rescore_submission(submission_id)


# The ranks of one period's roll-ups, in a few set-based updates.
@task("assessment.refresh_peer_ranks", soft_time_limit=540, time_limit=600)
def refresh_peer_ranks(period_id: int) -> int:
    """The ranks among peers of a period's roll-ups (debounced after approvals)."""
    return scores.refresh_peer_ranks(period_id)


# Every open period's counted values, set-based, before the nightly recompute scores them.
@task("assessment.recount_open_periods", soft_time_limit=1500, time_limit=1800)
def recount_open_periods() -> int:
    """Nightly: recount the values counted from records of every open period."""
    return counted.recount_open_periods()


# Only starts the runs; their work is in recompute_period's own tasks.
@task("assessment.recompute_open_periods", time_limit=600)
def recompute_open_periods() -> list[int]:
    """Nightly: a full recompute of every open period and every period marked for one."""
    return [run.pk for run in scores.recompute_due_periods()]


# A draft scored on one period's stored scores: seconds on the demo, under a minute at 25,000
# submissions on a busy machine.
@task("assessment.try_draft", soft_time_limit=540, time_limit=600)
def try_draft(trial_id: int) -> int:
    """Try a draft framework on the last period (a `DraftTrial`, with a heartbeat)."""
    from .services import trials

    return trials.run(int(trial_id))
