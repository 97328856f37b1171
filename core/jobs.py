"""Long jobs whose worker may die: heartbeats, and the reaper that retries or fails them.

A long job is a row (a report, a score run, a chunk of one) that its task marks running and keeps
alive with a heartbeat: a cheap UPDATE of the row when it records progress, and a background
thread (`beating`) that repeats it every `JOB_HEARTBEAT_EVERY` seconds while a long step runs.
Every heartbeat and every write of the job's outcome is conditional on the row still being this
attempt's (its attempt number or token): an attempt that lost the row stops (`JobLost`).

Every minute a beat task (`partybuild.reap_stale_jobs`) asks each registered kind of job for the
running ones whose heartbeat is older than `JOB_STALE_AFTER` seconds: their worker died (kill -9,
an out-of-memory kill, a lost machine) or was stopped by its hard time limit. Each is taken by a
compare-and-set on what the reaper read, so a live attempt that beat in between keeps it; then it
is re-queued while it has had fewer than `JOB_MAX_ATTEMPTS` attempts (every job is idempotent) or
failed with the reason in both languages; its temporary files are removed and its lease released.

Nothing here relies on the broker delivering a message again: Redis does so only after its
visibility timeout, kombu's file-system transport never. A late copy of the original message
finds the job done, failed or owned by a newer attempt and does nothing.

A kind of job registers itself in its app's `jobs.py` (found like admin.py, by
`autodiscover`): subclass `RowJob` (a row with status, attempts, heartbeat_at, error and
finished_at columns) or `JobKind`, and pass an instance to `register`.
"""

import datetime
import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

STALE_AFTER = 180  # seconds without a heartbeat after which a running job is presumed dead
HEARTBEAT_EVERY = 30  # seconds between a running job's background heartbeats
MAX_ATTEMPTS = 3


class JobLost(Exception):
    """The job's row is no longer this attempt's (the reaper or a newer attempt took it)."""


def stale_after() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "JOB_STALE_AFTER", STALE_AFTER))


def heartbeat_every() -> float:
    return float(getattr(settings, "JOB_HEARTBEAT_EVERY", HEARTBEAT_EVERY))


def max_attempts() -> int:
    return int(getattr(settings, "JOB_MAX_ATTEMPTS", MAX_ATTEMPTS))


def both_languages(message: Promise, **params: Any) -> str:
    """A stored reason in Chinese and English: rows keep text, read by users of either language."""
    texts = []
    for code in ("zh-hans", "en"):
        with translation.override(code):
            text = str(message) % params if params else str(message)
        if text not in texts:
            texts.append(text)
    return " / ".join(texts)


# -- heartbeats -----------------------------------------------------------------------------------


@contextmanager
def beating(touch: Callable[[], bool], every: float | None = None) -> Iterator[None]:
    """Call `touch()` every `every` seconds in a background thread while the block runs.

    `touch` renews the job's heartbeat and returns False once the row is no longer this attempt's;
    the thread then stops (the attempt finds out at its next conditional write). The thread dies
    with the process, which is the point: a killed worker's jobs go silent.
    """
    interval = heartbeat_every() if every is None else every
    stop = threading.Event()

    def run() -> None:
        try:
            while not stop.wait(interval):
                try:
                    if not touch():
                        return
                except Exception as error:  # a locked SQLite file, a lost connection: try again
                    logger.info("heartbeat skipped: %s", error)
        finally:
            connection.close()  # the thread's own connection

    thread = threading.Thread(target=run, name="job-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=interval + 5)


# -- the reaper -----------------------------------------------------------------------------------


class JobKind:
    """How the reaper finds and recovers one kind of job. Each method that changes a job is a
    compare-and-set on the job as `stale` read it, and returns whether it changed it."""

    name = ""

    def stale(self, *, now: datetime.datetime, cutoff: datetime.datetime) -> Iterable[Any]:
        """Running jobs silent since `cutoff` (no heartbeat after it)."""
        raise NotImplementedError

    def attempts(self, job: Any) -> int:
        return job.attempts

    def requeue(self, job: Any, reason: str) -> bool:
        """Put the job back in the queue; send its task with `transaction.on_commit`."""
        raise NotImplementedError

    def fail(self, job: Any, reason: str) -> bool:
        raise NotImplementedError

    def cleanup(self, job: Any) -> None:
        """Remove what the dead attempt left (temporary files); the job is no longer its."""

    def sweep(self, now: datetime.datetime) -> int:
        """Remove leftovers no job owns any more (e.g. files older than any attempt can live)."""
        return 0

    def resend(self, now: datetime.datetime) -> int:
        """Send again the jobs left queued so long that their message may be lost (a broker
        restarted without persistence); a copy that arrives after another does nothing."""
        return 0


class RowJob(JobKind):
    """A job kept on one row with status, attempts, heartbeat_at, error and finished_at columns.

    Subclasses name the model and the status values and say how the job's task is sent (`send`);
    `requeue_fields` adds columns to reset when the job goes back to the queue.
    """

    model: type[models.Model]
    running = "running"
    queued = "queued"
    failed = "failed"

    def stale(self, *, now: datetime.datetime, cutoff: datetime.datetime) -> Iterable[Any]:
        # A running row with no heartbeat at all was started before heartbeats existed.
        silent = models.Q(heartbeat_at__lt=cutoff) | models.Q(heartbeat_at__isnull=True)
        return self.model.objects.filter(silent, status=self.running).order_by("pk")

    def _taken(self, job: Any) -> models.QuerySet:
        return self.model.objects.filter(
            pk=job.pk,
            status=self.running,
            attempts=job.attempts,
            heartbeat_at=job.heartbeat_at,
        )

    def send(self, job: Any) -> None:
        """Send the job's task (once the re-queueing has committed)."""
        raise NotImplementedError

    def requeue_fields(self, job: Any) -> dict[str, Any]:
        return {}

    def requeue(self, job: Any, reason: str) -> bool:
        changed = self._taken(job).update(
            status=self.queued, heartbeat_at=None, error=reason, **self.requeue_fields(job)
        )
        if changed:
            transaction.on_commit(lambda: self.send(job))
        return bool(changed)

    def fail(self, job: Any, reason: str) -> bool:
        return bool(
            self._taken(job).update(status=self.failed, error=reason, finished_at=timezone.now())
        )


REGISTRY: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    """Let the reaper watch this kind of job (called from the app's `jobs.py`)."""
    REGISTRY[kind.name] = kind
    return kind


def autodiscover() -> dict[str, JobKind]:
    """Import every installed app's `jobs` module, which registers its kinds of job."""
    autodiscover_modules("jobs")
    return REGISTRY


RETRYING = _(
    "Its worker stopped (no sign of life for %(seconds)d s); started again "
    "(attempt %(attempt)d of %(max)d)."
)
GIVEN_UP = _(
    "Its worker stopped (no sign of life for %(seconds)d s) on its last attempt "
    "(%(attempts)d of %(max)d); given up. Start it again once the workers are running."
)


def _recover(kind: JobKind, job: Any, *, seconds: int, most: int) -> str:
    """Queue one silent job again, or fail it after its last attempt; "alive" when it beat (or
    was claimed) after the reaper read it."""
    attempts = kind.attempts(job)
    with transaction.atomic():
        if attempts < most:
            reason = both_languages(RETRYING, seconds=seconds, attempt=attempts + 1, max=most)
            outcome = "requeued" if kind.requeue(job, reason) else "alive"
        else:
            reason = both_languages(GIVEN_UP, seconds=seconds, attempts=attempts, max=most)
            outcome = "failed" if kind.fail(job, reason) else "alive"
        if outcome != "alive":
            kind.cleanup(job)
    log = logger.warning if outcome != "alive" else logger.info
    log("stale %s %s (attempt %s): %s", kind.name, job.pk, attempts, outcome)
    return outcome


def reap(now: datetime.datetime | None = None) -> dict[str, Counter]:
    """Re-queue or fail every registered job whose worker died; returns what was done, by kind."""
    now = now or timezone.now()
    limit = stale_after()
    cutoff = now - limit
    most = max_attempts()
    seconds = int(limit.total_seconds())
    done: dict[str, Counter] = {}
    for kind in autodiscover().values():
        counts = done.setdefault(kind.name, Counter())
        try:
            silent = list(kind.stale(now=now, cutoff=cutoff))
        except Exception:  # one kind's failure must not keep the others' jobs stuck
            logger.exception("reaper: %s could not be read", kind.name)
            counts["errors"] += 1
            continue
        for job in silent:
            try:
                outcome = _recover(kind, job, seconds=seconds, most=most)
            except Exception:
                logger.exception("reaper: %s %s could not be recovered", kind.name, job.pk)
                outcome = "errors"
            counts[outcome] += 1
        try:
            swept = kind.sweep(now)
        except Exception:
            logger.exception("reaper: %s could not sweep", kind.name)
            swept = 0
        if swept:
            counts["swept"] += swept
        try:
            resent = kind.resend(now)
        except Exception:
            logger.exception("reaper: %s could not send queued jobs again", kind.name)
            resent = 0
        if resent:
            counts["resent"] += resent
    return done
