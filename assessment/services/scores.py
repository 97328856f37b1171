"""Stored scores: scoring subjects into `SubjectScore` rows, the full recompute of a period as
a `ScoreRun`, the incremental update after an approval, and what happens when the task queue
cannot be reached.

Only counted submissions (approved or locked) are scored. The pure engines do the scoring: a
full run's chunks read their values as typed columns and go through the batch engine
(`scoring.batch`), one approval's subject through `score_subject`; both write the same rows.
This module replaces a chunk's rows with one delete and one bulk insert (COPY on PostgreSQL).
Everything is derived data, so running anything twice gives the same rows.

A full recompute scores the period in chunks of `CHUNK` submissions, each its own transaction
and, from the task, its own task (so the workers score chunks side by side, progress shows and a
killed worker loses one chunk), then replaces the roll-ups in one transaction. Every write of
a period's scores holds the period's row lock, so a full run and the incremental updates of
approvals never interleave.

A run's lease says how long it is presumed alive without news: the stale limit
(`JOB_STALE_AFTER`) while a task plans, scores or rolls up, renewed by heartbeats, and
`QUEUED_LEASE` while its task or chunks wait in the queue. A chunk being scored has a heartbeat
of its own. The reaper (`assessment.jobs`) sends a chunk whose heartbeat stopped again, and
starts a run whose lease ran out again under a new token, so that the dead attempt's late
messages find the run no longer theirs.
"""

import contextlib
import logging
import math
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, DateTimeField, F, Max, Min, Q, Value
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from kombu.exceptions import OperationalError as BrokerError

from core import jobs
from core.bulk import insert_rows
from core.fastjson import dumps, loads

from .. import signals
from ..choices import PeriodStatus, SubjectUnit, SubmissionState
from ..models import (
    Indicator,
    IndicatorValue,
    Period,
    ScoreRun,
    ScoreRunChunk,
    SubjectScore,
    Submission,
)
from ..scoring import Framework as EngineFramework
from ..scoring import SubjectScore as EngineScore
from ..scoring import batch, score_subject
from ..scoring.values import DIGITS, rounded
from ..selectors import engine_framework
from ..selectors.cells import read_cells
from . import rollup

logger = logging.getLogger(__name__)

COUNTED_STATES = (SubmissionState.APPROVED, SubmissionState.LOCKED)
CHUNK = 1000  # submissions per transaction (and per task) of a full run
# While a run's work waits in the queue: delivered well within the broker's visibility timeout
# (1 h). While a task executes it, the lease is the stale limit (`jobs.stale_after()`).
QUEUED_LEASE = timedelta(minutes=55)
SCORING_SHARE = 85  # per cent of a run's progress given to scoring; the roll-up gets the rest
PEER_RANK_DELAY = 60  # seconds; settings.SCORES_PEER_RANK_DELAY overrides (0: no debounce)
# Publishing gives up after about a second when the broker is down: an approval must not hang.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
BROKER_ERRORS = (BrokerError, OSError)

SUBJECT_FIELDS = (
    "submission",
    "period",
    "organization",
    "subject_kind",
    "subject_unit",
    "state",
    "total",
    "base",
    "bonus",
    "max",
    "grade",
    "stars",
    "vetoes",
    "dimensions",
    "indicators",
    "inputs",
    "missing",
    "rectify",
    "computed_at",
)


class AlreadyRunning(Exception):
    """A full recompute of the period is pending or running; the message is for the user."""

    def __init__(self, run: ScoreRun | None) -> None:
        self.run = run
        if run is None:
            super().__init__(_("A recompute of this period is already under way."))
        else:
            super().__init__(
                _(
                    "A recompute of %(period)s is already under way (run %(id)d: %(status)s, "
                    "%(progress)d%%)."
                )
                % {
                    "period": run.period.display_name,
                    "id": run.pk,
                    "status": run.get_status_display(),
                    "progress": run.progress,
                }
            )


class LeaseLost(Exception):
    """Another executor took the run over (this one was presumed dead); stop without writing."""


def _columns(model, names: Iterable[str]) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


@dataclass
class _Context:
    """What scoring a period needs, read once per run."""

    period: Period
    spec: EngineFramework


def _context(period: Period) -> _Context:
    return _Context(period=period, spec=engine_framework(period.framework))


def _read_values(context: _Context, lo: int, hi: int) -> dict[int, dict[str, Any]]:
    """Effective values (the reviewer's where set) of the counted submissions in [lo, hi), by
    submission and indicator code: one query, one JSON object per submission made by the
    database (parsing 120 small objects separately costs Python several times more)."""
    quote = connection.ops.quote_name
    value_table = quote(IndicatorValue._meta.db_table)
    submission_table = quote(Submission._meta.db_table)
    indicator_table = quote(Indicator._meta.db_table)
    v_sub, v_ind, v_value, v_reviewed = (
        quote(c)
        for c in _columns(IndicatorValue, ("submission", "indicator", "value", "reviewed_value"))
    )
    s_id, s_period, s_state = (quote(c) for c in _columns(Submission, ("id", "period", "state")))
    i_id, i_code, i_framework = (quote(c) for c in _columns(Indicator, ("id", "code", "framework")))
    value = f"COALESCE(v.{v_reviewed}, v.{v_value})"
    if connection.vendor == "postgresql":
        document = f"json_object_agg(i.{i_code}, {value})::text"
    else:  # SQLite keeps JSON as text
        document = f"json_group_object(i.{i_code}, json({value}))"
    sql = (
        f"SELECT v.{v_sub}, {document} "
        f"FROM {value_table} v JOIN {submission_table} s ON s.{s_id} = v.{v_sub} "
        f"JOIN {indicator_table} i ON i.{i_id} = v.{v_ind} "
        f"WHERE s.{s_period} = %s AND s.{s_state} IN (%s, %s) AND i.{i_framework} = %s "
        f"AND v.{v_sub} >= %s AND v.{v_sub} < %s "
        f"GROUP BY v.{v_sub}"
    )
    params = [context.period.pk, *COUNTED_STATES, context.period.framework_id, lo, hi]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {submission_id: loads(document) for submission_id, document in cursor.fetchall()}


_NA, _MISSING, _INVALID, _SCORED = (
    SubjectScore.Status.NOT_APPLICABLE.value,
    SubjectScore.Status.MISSING.value,
    SubjectScore.Status.INVALID.value,
    SubjectScore.Status.SCORED.value,
)


def _subject_row(
    score: EngineScore, submission: tuple, inputs: dict[str, Any], period_id: int, stamp: Any
) -> tuple:
    """One subject's database-ready row in the order of SUBJECT_FIELDS."""
    pk, organization_id, kind, unit, state = submission
    indicators = {}
    rectify = 0
    for item in score.indicators:  # 1.2 million times in a big full run: kept lean
        if item.not_applicable:
            status = _NA
        elif item.missing:
            status = _MISSING
        else:
            status = _INVALID if item.invalid else _SCORED
        fraction = item.fraction
        indicators[item.code] = [
            round(item.points, DIGITS),
            round(item.max, DIGITS),
            fraction if fraction is None else round(fraction, DIGITS),
            status,
            item.rectify,
            item.triggered,
        ]
        rectify += item.rectify
    dimensions = {
        d.code: [
            round(d.points, DIGITS),  # round() itself: 1.7 million calls in a big full run
            round(d.max, DIGITS),
            round(d.also_points, DIGITS),
            round(d.also_max, DIGITS),
            round(d.bonus, DIGITS),
            round(share, DIGITS),
        ]
        for d in score.dimensions
        if (share := d.share) is not None
    }
    return (
        pk,
        period_id,
        organization_id,
        kind,
        unit,
        state,
        rounded(score.total),
        rounded(score.base),
        rounded(score.bonus),
        rounded(score.max),
        score.grade or "",
        score.stars,
        dumps([v.code for v in score.vetoes]),
        dumps(dimensions),
        dumps(indicators),
        dumps(inputs),
        len(score.missing),
        rectify,
        stamp,
    )


@dataclass
class ScoringStats:
    """What one scoring pass did."""

    subjects: int = 0
    indicators: int = 0
    skipped: list[int] = field(default_factory=list)  # submissions of a kind the framework lacks

    def add(self, other: "ScoringStats") -> None:
        self.subjects += other.subjects
        self.indicators += other.indicators
        self.skipped.extend(other.skipped)


def _subject_rows(
    context: _Context,
    submissions: list[tuple],
    values: dict[int, dict[str, Any]],
    stamp: str,
    stats: ScoringStats,
) -> Iterator[tuple]:
    """Rows scored one subject at a time by `score_subject`, as the COPY reads them."""
    for submission in submissions:
        inputs = values.get(submission[0], {})
        try:
            score = score_subject(context.spec, submission[2], inputs)
        except ValueError:  # a subject kind the framework does not have
            stats.skipped.append(submission[0])
            continue
        stats.indicators += len(score.indicators)
        stats.subjects += 1
        yield _subject_row(score, submission, inputs, context.period.pk, stamp)


def _batch_rows(
    context: _Context, submissions: list[tuple], stamp: str, stats: ScoringStats
) -> Iterator[tuple]:
    """Rows scored kind by kind by the batch engine from the values read as typed cells.

    The values are read now (the COPY that stores the rows cannot share the connection with a
    read); each kind's rows are scored and packed as the COPY reads them."""
    cells = read_cells(
        context.period.pk,
        context.period.framework_id,
        COUNTED_STATES,
        [submission[0] for submission in submissions],
        [indicator.code for indicator in context.spec.indicators],
    )
    kinds = {subject.code for subject in context.spec.subject_kinds}
    by_kind: dict[str, list[int]] = {}
    for index, submission in enumerate(submissions):
        if submission[2] in kinds:
            by_kind.setdefault(submission[2], []).append(index)
        else:  # a subject kind the framework does not have
            stats.skipped.append(submission[0])

    def rows() -> Iterator[tuple]:
        for kind, indices in by_kind.items():
            part = cells.take(indices)
            scored = batch.score_batch(context.spec, kind, part)
            stats.subjects += len(indices)
            stats.indicators += len(indices) * len(scored.codes)
            yield from _packed_rows(
                scored, part, [submissions[i] for i in indices], context.period.pk, stamp
            )

    return rows()


def _packed_rows(
    scored: batch.Batch, cells: batch.Cells, submissions: list[tuple], period_id: int, stamp: str
) -> Iterator[tuple]:
    """The batch's subjects as database-ready rows in the order of SUBJECT_FIELDS, exactly as
    `_subject_row` makes them from `score_subject` (the tests compare the two)."""
    round6 = batch.round6
    points = round6(scored.points).tolist()
    maxima = round6(scored.max).tolist()
    fractions = _with_none(round6(scored.fraction), scored.fraction)
    statuses = np.array(batch.STATUS_CODES, dtype=object)[scored.status].tolist()
    rectify = scored.rectify.tolist()
    triggered = scored.triggered.tolist()
    rectify_counts = scored.rectify.sum(axis=1).tolist()
    missing = scored.missing.tolist()
    shares = scored.dim_share
    dimension_parts = [
        round6(part).tolist()
        for part in (
            scored.dim_points,
            scored.dim_max,
            scored.dim_also_points,
            scored.dim_also_max,
            scored.dim_bonus,
            shares,
        )
    ]
    has_share = (~np.isnan(shares)).tolist()
    totals = [
        round6(part).tolist()
        for part in (scored.total, scored.base, scored.bonus, scored.max_total)
    ]
    codes, dimensions = scored.codes, scored.dimensions
    inputs = cells.documents()
    for row, (pk, organization_id, kind, unit, state) in enumerate(submissions):
        indicators = dict(
            zip(
                codes,
                map(
                    list,
                    zip(
                        points[row],
                        maxima[row],
                        fractions[row],
                        statuses[row],
                        rectify[row],
                        triggered[row],
                        strict=True,
                    ),
                ),
                strict=True,
            )
        )
        present = has_share[row]
        dims = {
            code: [part[row][d] for part in dimension_parts]
            for d, code in enumerate(dimensions)
            if present[d]
        }
        yield (
            pk,
            period_id,
            organization_id,
            kind,
            unit,
            state,
            totals[0][row],
            totals[1][row],
            totals[2][row],
            totals[3][row],
            scored.grade[row] or "",
            scored.stars[row],
            dumps(list(scored.vetoes[row])),
            dumps(dims),
            dumps(indicators),
            dumps(inputs[row]),
            missing[row],
            rectify_counts[row],
            stamp,
        )


def _with_none(rounded_values: np.ndarray, original: np.ndarray) -> list[list[Any]]:
    """Rows of floats with None where the original is NaN (the engine's None)."""
    out = rounded_values.astype(object)
    out[np.isnan(original)] = None
    return out.tolist()


def score_submissions(context: _Context, *, lo: int, hi: int, batched: bool = True) -> ScoringStats:
    """Replace the scores of the period's submissions whose ids are in [lo, hi), in one
    transaction under the period lock: counted ones get their rows, the others lose theirs.

    `batched` (a full run's chunks): the values are read as typed cells and scored by the batch
    engine; otherwise (one approval's subject) one by one by `score_subject`, whose numpy-free
    path costs less for one subject. Both write the same rows.

    The lock is shared: chunks of a full run proceed side by side (their ranges do not overlap),
    while an incremental update (which holds it exclusively already) or the roll-up waits.
    """
    period = context.period
    stats = ScoringStats()
    with transaction.atomic():
        rollup.lock_period(period.pk, shared=True)
        submissions = list(
            Submission.objects.filter(
                period=period, pk__gte=lo, pk__lt=hi, state__in=COUNTED_STATES
            )
            .order_by("pk")  # not the default order, which joins the organizations
            .values_list("pk", "organization_id", "subject_kind", "subject_unit", "state")
        )
        stamp = str(  # as text once, not formatted again for every row
            SubjectScore._meta.get_field("computed_at").get_db_prep_save(timezone.now(), connection)
        )
        SubjectScore.objects.filter(
            period=period, submission_id__gte=lo, submission_id__lt=hi
        ).delete()
        if submissions:  # otherwise the range only lost its rows (a reopened submission)
            if batched:
                rows = _batch_rows(context, submissions, stamp, stats)
            else:
                values = _read_values(context, lo, hi)
                rows = _subject_rows(context, submissions, values, stamp, stats)
            insert_rows(SubjectScore, _columns(SubjectScore, SUBJECT_FIELDS), rows)
    return stats


# -- runs ------------------------------------------------------------------------------------


def start_full_recompute(
    period: Period, *, trigger: str, requested_by=None, enqueue: bool = True
) -> ScoreRun:
    """Create the period's run, or refuse with `AlreadyRunning` when one is pending or running.

    A run whose lease ran out (its worker is gone) is marked failed and replaced; a period marked
    for recompute (a pending run without a task) is taken on. With `enqueue` the task is sent once
    the transaction commits; otherwise the caller runs it now with
    ``run_full_recompute(run.pk, token=run.task_id)``.
    """
    now = timezone.now()
    token = str(uuid.uuid4())
    with transaction.atomic():
        run = (
            ScoreRun.objects.select_for_update()
            .select_related("period")
            .filter(period=period, status__in=ScoreRun.ACTIVE)
            .first()
        )
        if run is not None and run.task_id:
            if run.lease_until is not None and run.lease_until >= now:
                raise AlreadyRunning(run)
            run.status = ScoreRun.Status.FAILED
            run.finished_at = now
            run.lease_until = None
            run.error = _("Abandoned: its worker stopped renewing the lease.")
            run.save(update_fields=["status", "finished_at", "lease_until", "error"])
            run = None
        if run is None:
            try:
                with transaction.atomic():
                    run = ScoreRun.objects.create(
                        period=period, trigger=trigger, requested_by=requested_by
                    )
            except IntegrityError:  # another request created one in the meantime
                raise AlreadyRunning(
                    ScoreRun.objects.filter(period=period, status__in=ScoreRun.ACTIVE).first()
                ) from None
        elif requested_by is not None:
            run.requested_by = requested_by
        run.task_id = token
        run.lease_until = now + (QUEUED_LEASE if enqueue else jobs.stale_after())
        run.save(update_fields=["task_id", "lease_until", "requested_by"])
        if enqueue:
            transaction.on_commit(partial(_send_run, run.pk, token))
    return run


def _send_run(run_id: int, token: str) -> None:
    from .. import tasks

    try:
        tasks.recompute_period.apply_async(
            args=[run_id], task_id=token, retry=True, retry_policy=PUBLISH_RETRY
        )
    except BROKER_ERRORS as error:
        logger.warning("score run %s: the task queue is unavailable (%s)", run_id, error)
        # Back to a period marked for recompute: the nightly run or `manage.py rollup` takes it.
        ScoreRun.objects.filter(pk=run_id, task_id=token, status=ScoreRun.Status.PENDING).update(
            task_id="", lease_until=None, error=_("The task queue was unavailable.")
        )
    except Exception as error:
        # Only when tasks run eagerly (no broker): the run failed in this process, and eager
        # execution re-raises before the task's own failure handler could record it.
        logger.exception("score run %s failed", run_id)
        fail_run(run_id, error)


def _claim(run_id: int, token: str) -> ScoreRun | None:
    """Take the run for this executor; None when it is finished already (a duplicate delivery).

    The executor that was given the run (same token: a retry or a redelivery of its task) takes
    it at once; any other only once the lease has run out.
    """
    now = timezone.now()
    claimable = Q(task_id=token) | Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    claimed = ScoreRun.objects.filter(claimable, pk=run_id, status__in=ScoreRun.ACTIVE).update(
        status=ScoreRun.Status.RUNNING,
        task_id=token,
        lease_until=now + jobs.stale_after(),
        attempts=F("attempts") + 1,
        started_at=Coalesce("started_at", Value(now, output_field=DateTimeField())),
        progress=0,
        step="",
    )
    run = ScoreRun.objects.select_related("period__framework").get(pk=run_id)
    if claimed:
        return run
    if run.is_active:
        raise AlreadyRunning(run)
    return None


def _owned(run_id: int, token: str):
    return ScoreRun.objects.filter(pk=run_id, task_id=token, status=ScoreRun.Status.RUNNING)


def _lease(length: timedelta) -> Greatest:
    """The lease extended to at least `length` from now (never shortened: a chunk's heartbeat
    must not cut the queued lease that covers the chunks still waiting)."""
    return Greatest(F("lease_until"), Value(timezone.now() + length, DateTimeField()))


def _heartbeat(run: ScoreRun, token: str, *, progress: int, step: str) -> None:
    """Record progress and renew the lease; stop if another executor took the run."""
    renewed = _owned(run.pk, token).update(
        lease_until=_lease(jobs.stale_after()), progress=min(progress, 99), step=step
    )
    if not renewed:
        raise LeaseLost(run.pk)


def _beat_run(run_id: int, token: str) -> bool:
    """A background heartbeat of the task that plans or rolls up the run."""
    return bool(_owned(run_id, token).update(lease_until=_lease(jobs.stale_after())))


def _beat_chunk(run_id: int, token: str, chunk_id: int) -> bool:
    """A background heartbeat of the task that scores a chunk: the chunk's and the run's."""
    if not _beat_run(run_id, token):
        return False
    return bool(
        ScoreRunChunk.objects.filter(pk=chunk_id, done_at__isnull=True).update(
            heartbeat_at=timezone.now()
        )
    )


def _chunks_queued(run_id: int, token: str) -> None:
    """Chunks wait in the queue: the lease covers the wait."""
    _owned(run_id, token).update(lease_until=_lease(QUEUED_LEASE))


def _id_ranges(period: Period) -> list[tuple[int, int]]:
    """The period's submission ids cut into ranges of about CHUNK submissions."""
    bounds = Submission.objects.filter(period=period).aggregate(
        lo=Min("pk"), hi=Max("pk"), count=Count("pk")
    )
    if not bounds["count"]:
        return [(0, 0)]
    lo, hi = bounds["lo"], bounds["hi"] + 1
    step = math.ceil((hi - lo) / math.ceil(bounds["count"] / CHUNK))
    return [(start, min(start + step, hi)) for start in range(lo, hi, step)]


def run_full_recompute(
    run_id: int, *, token: str, dispatch: Callable[[int], None] | None = None
) -> ScoreRun:
    """Execute a run: plan its chunks, score them, then replace the roll-ups.

    Without `dispatch` every chunk is scored here, one after the other, and the finished run is
    returned. With it (the task), `dispatch(number)` sends each chunk to a task of its own, so
    the workers score chunks side by side; the last chunk to finish does the roll-up, and the
    run is returned running.

    Idempotent: a run finished already is returned as it is, and a run retried after its worker
    died plans its chunks again and ends with exactly the rows of a clean run. Failures are
    recorded by the caller (`fail_run`), which knows whether a retry follows.
    """
    run = _claim(run_id, token)
    if run is None:
        return ScoreRun.objects.get(pk=run_id)
    with jobs.beating(partial(_beat_run, run.pk, token)):
        ranges = _id_ranges(run.period)
        with transaction.atomic():
            ScoreRunChunk.objects.filter(run=run).delete()  # a retried run starts again
            ScoreRunChunk.objects.bulk_create(
                ScoreRunChunk(run=run, number=number, lo=lo, hi=hi)
                for number, (lo, hi) in enumerate(ranges, start=1)
            )
        _heartbeat(run, token, progress=0, step=ScoreRun.Step.SCORING)
        numbers = range(1, len(ranges) + 1)
        if dispatch is None:
            for number in numbers:
                score_chunk(run.pk, token=token, number=number, queued=False)
        else:
            for position, number in enumerate(numbers):
                try:
                    dispatch(number)
                except BROKER_ERRORS as error:  # the queue went away: score the rest here
                    logger.warning("score run %s: scoring in this task (%s)", run.pk, error)
                    for rest in numbers[position:]:
                        score_chunk(run.pk, token=token, number=rest, queued=False)
                    break
            else:
                _chunks_queued(run.pk, token)
    run.refresh_from_db()
    return run


def score_chunk(run_id: int, *, token: str, number: int, queued: bool = True) -> str:
    """Score one chunk of a run; the run's last chunk to finish rolls the period up. `queued`:
    the run's other chunks are tasks that may wait in the queue (not so when scored in turn).

    Returns what happened: "stale" when the run is no longer this token's to execute (taken
    over, failed or finished: a late or repeated delivery), "scored", or "finished". A chunk
    scored already (a copy sent by the reaper, or a retry after the roll-up failed) is not
    scored again, but may still roll the run up.
    """
    run = (
        ScoreRun.objects.select_related("period__framework")
        .filter(pk=run_id, task_id=token, status=ScoreRun.Status.RUNNING)
        .first()
    )
    chunk = ScoreRunChunk.objects.filter(run_id=run_id, number=number).first()
    if run is None or chunk is None:
        return "stale"
    # Scored in turn, the chunk has no heartbeat of its own: the task scoring them all beats
    # for the run, and is what the reaper starts again if it dies.
    if queued:
        beat = partial(_beat_chunk, run.pk, token, chunk.pk)
    else:
        beat = partial(_beat_run, run.pk, token)
    with jobs.beating(beat):
        if chunk.done_at is None:
            ScoreRunChunk.objects.filter(pk=chunk.pk).update(
                attempts=F("attempts") + 1, heartbeat_at=timezone.now() if queued else None
            )
            stats = score_submissions(_context(run.period), lo=chunk.lo, hi=chunk.hi)
            ScoreRunChunk.objects.filter(pk=chunk.pk, done_at__isnull=True).update(
                done_at=timezone.now(),
                stats=asdict(stats),
            )
        counts = ScoreRunChunk.objects.filter(run_id=run_id).aggregate(
            total=Count("pk"), remaining=Count("pk", filter=Q(done_at__isnull=True))
        )
        total, remaining = counts["total"], counts["remaining"]
        if remaining:
            _heartbeat(
                run,
                token,
                progress=SCORING_SHARE * (total - remaining) // total,
                step=ScoreRun.Step.SCORING,
            )
            if queued:
                _chunks_queued(run.pk, token)  # the others may still wait in the queue
            return "scored"
        _finish(run, token)
    return "finished"


def _finish(run: ScoreRun, token: str) -> None:
    """Replace the period's roll-ups and mark the run done, in one transaction under the period
    lock. Chunks finishing together may all get here: the first does the work, the others find
    the run done once they hold the lock. A retry after a failure here gets here again."""
    # The lease back to the stale limit (from the queued lease): a roll-up whose worker dies
    # is noticed within minutes. The chunk's heartbeat renews it while the roll-up runs.
    _owned(run.pk, token).update(
        step=ScoreRun.Step.ROLLUP,
        progress=SCORING_SHARE,
        lease_until=timezone.now() + jobs.stale_after(),
    )
    period = run.period
    started = time.perf_counter()
    with transaction.atomic():
        rollup.lock_period(period.pk)
        current = ScoreRun.objects.filter(pk=run.pk).values_list("status", "task_id").get()
        if current != (ScoreRun.Status.RUNNING, token):
            return  # finished by another chunk, or taken over
        rolled = rollup.write_full(period)
        rollup_seconds = time.perf_counter() - started
        stats = ScoringStats()
        chunks = list(ScoreRunChunk.objects.filter(run=run).order_by("number"))
        for chunk in chunks:
            stats.add(ScoringStats(**chunk.stats))
        scored = max(c.done_at for c in chunks) - min(c.created_at for c in chunks)
        ScoreRun.objects.filter(pk=run.pk).update(
            status=ScoreRun.Status.DONE,
            progress=100,
            step="",
            finished_at=timezone.now(),
            lease_until=None,
            error="",
            stats={
                "subjects": stats.subjects,
                "indicators": stats.indicators,
                "skipped": stats.skipped[:20],
                "chunks": len(chunks),
                "organizations": rolled.organizations,
                "rollup_rows": rolled.rows,
                "seconds": {
                    "scoring": round(scored.total_seconds(), 3),
                    "rollup": round(rollup_seconds, 3),
                },
            },
        )
    signals.scores_written.send(sender=SubjectScore, period_id=period.pk, submission_ids=None)


def fail_run(run_id: int, error: BaseException | str) -> None:
    """Record that a run failed for good (no retry follows)."""
    ScoreRun.objects.filter(pk=run_id, status__in=ScoreRun.ACTIVE).update(
        status=ScoreRun.Status.FAILED,
        finished_at=timezone.now(),
        lease_until=None,
        error=str(error)[:2000] or type(error).__name__,
    )


def note_retry(run_id: int, error: BaseException) -> None:
    """Show on the run why it is being retried (it stays running with its lease)."""
    ScoreRun.objects.filter(pk=run_id, status__in=ScoreRun.ACTIVE).update(
        error=_("Retrying after: %(error)s") % {"error": str(error)[:1900]}
    )


def mark_for_recompute(period_id: int, trigger: str) -> ScoreRun | None:
    """Leave a pending run without a task: the period needs a full recompute.

    None when a run is pending or running already; the nightly recompute of open periods covers
    what it might miss.
    """
    try:
        with transaction.atomic():
            return ScoreRun.objects.create(period_id=period_id, trigger=trigger)
    except IntegrityError:
        return None


def recompute_due_periods() -> list[ScoreRun]:
    """Start a full recompute of every open period and every period marked for one."""
    due = (
        Period.objects.filter(
            Q(status=PeriodStatus.OPEN)
            | Q(score_runs__status=ScoreRun.Status.PENDING, score_runs__task_id="")
        )
        .distinct()
        .select_related("framework")
    )
    started = []
    for period in due:
        try:
            started.append(start_full_recompute(period, trigger=ScoreRun.Trigger.NIGHTLY))
        except AlreadyRunning:
            continue
    return started


# -- after an approval -------------------------------------------------------------------------


def submission_changed(submission_id: int, period_id: int) -> None:
    """On commit of an approval or a reopening: rescore the subject in a task.

    The approval has committed whatever happens here. When the task cannot be sent (the broker
    is down) or, running eagerly, fails, the period is marked for recompute instead.
    """
    from .. import tasks

    try:
        tasks.score_submission.apply_async(
            args=[submission_id], retry=True, retry_policy=PUBLISH_RETRY
        )
    except BROKER_ERRORS as error:
        logger.warning(
            "submission %s: the task queue is unavailable (%s); period %s marked for recompute",
            submission_id,
            error,
            period_id,
        )
        mark_for_recompute(period_id, ScoreRun.Trigger.BROKER_DOWN)
    except Exception:
        logger.exception("scoring submission %s failed; period %s marked", submission_id, period_id)
        mark_for_recompute(period_id, ScoreRun.Trigger.TASK_FAILED)


def _rolled_up_before(period: Period) -> bool:
    """Whether the period's roll-up rows exist (a run finished) or are being made (a run with a
    task is under way): then an incremental update is right; otherwise a full run is needed."""
    return (
        ScoreRun.objects.filter(period=period)
        .filter(Q(status=ScoreRun.Status.DONE) | (Q(status__in=ScoreRun.ACTIVE) & ~Q(task_id="")))
        .exists()
    )


def rescore_submission(submission_id: int) -> str:
    """Rescore one subject and roll up its organization's ancestors; returns what was done.

    "incremental": the subject's rows and (for an organization's own submission) the roll-ups of
    the organization and its ancestors were replaced, in one transaction. "full": the period had
    never been rolled up, so a full recompute was started instead. "gone": no such submission.
    """
    row = (
        Submission.objects.filter(pk=submission_id)
        .values_list("period_id", "organization_id", "subject_unit", "subject_kind")
        .first()
    )
    if row is None:
        return "gone"
    period_id, organization_id, unit, kind = row
    period = Period.objects.select_related("framework").get(pk=period_id)
    if not _rolled_up_before(period):
        with contextlib.suppress(AlreadyRunning):
            start_full_recompute(period, trigger=ScoreRun.Trigger.FIRST_APPROVAL)
        return "full"
    context = _context(period)
    # A unit (member, department, …) moves its organization's rows only when the framework
    # weighs its kind in the organization's total.
    moves_tree = unit == SubjectUnit.ORGANIZATION or kind in rollup.unit_weights(context.spec)
    with transaction.atomic():
        rollup.lock_period(period.pk)
        score_submissions(context, lo=submission_id, hi=submission_id + 1, batched=False)
        if moves_tree:
            rollup.update_chain(period, organization_id)
    signals.scores_written.send(
        sender=SubjectScore, period_id=period.pk, submission_ids=[submission_id]
    )
    if moves_tree:
        schedule_peer_ranks(period.pk)
    return "incremental"


def schedule_peer_ranks(period_id: int) -> None:
    """Ask for the period's peer ranks to be refreshed, at most once per delay (debounced).

    Peer ranks span a whole level of the tree, too many rows to rewrite on every approval; the
    refresh runs once for all the approvals of the delay, and every full run refreshes them too.
    """
    from .. import tasks

    delay = getattr(settings, "SCORES_PEER_RANK_DELAY", PEER_RANK_DELAY)
    if delay > 0:
        try:
            if not cache.add(f"scores:peer-ranks:{period_id}", 1, delay):
                return
        except Exception as error:  # the cache (Redis) is down: send anyway
            logger.warning("peer ranks of period %s: cache unavailable (%s)", period_id, error)
    try:
        tasks.refresh_peer_ranks.apply_async(
            args=[period_id], countdown=delay or None, retry=True, retry_policy=PUBLISH_RETRY
        )
    except BROKER_ERRORS as error:
        logger.warning("peer ranks of period %s not refreshed now (%s)", period_id, error)


def refresh_peer_ranks(period_id: int) -> int:
    """Recompute the period's ranks among peers under its lock; returns how many changed."""
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        return 0
    with transaction.atomic():
        rollup.lock_period(period.pk)
        return rollup.refresh_peer_ranks(period)
