"""Benchmark of the stored scores and roll-up (issue 5) on PostgreSQL; a plain script, not a test.

    createdb -h 127.0.0.1 -U postgres pb_bench        # a scratch database: it is migrated,
                                                       # its synthetic tree replaced; REDIS_URL
                                                       # a scratch Redis database too (its
                                                       # default queue is purged at the end)
    REDIS_URL=redis://127.0.0.1:6379/4 DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_bench \\
        python bench/bench_rollup.py [--orgs 1000 10000] [--approvals 50] [--workers 2]
                                     [--no-profile] [--plan] [--opening-only]
                                     [--recompute-only]

For each size: `seed_synthetic --orgs N --seed 1 --replace`, a generated framework of 120
indicators (mostly linear, bands and yes/no; some deduction, bonus, veto, appraisal and formula)
that applies to every organization kind of the synthetic tree, one opened period (one submission
per organization), the values of every submission written with COPY (115 entered indicators, the
4 formulas being computed, about 1 % left empty: N × 115 rows) and every submission approved by
one UPDATE (no per-approval task). Then it measures:

1. the full recompute of the period's scores and roll-up, as `manage.py rollup --period` runs it
   (every chunk in this process, one after the other) and, with REDIS_URL set, as the task runs
   it on a real Celery worker pool of `--workers` processes (each chunk a task, the last one
   rolling up), from sending the task until the run is done; the rectification items the new
   scores call for are opened by a task of their own afterwards, timed apart;
2. the baseline: `bench/rollup_sql.py`'s statement, the same roll-up scored from the same values
   in one hand-written SQL statement (checked row by row against the stored rows), and for
   comparison `BASELINE_SQL` below, which only counts and averages the values per subtree and
   dimension (what reading and grouping the same data costs the database);
3. incremental updates: a branch's submission set back to submitted, then approved through
   `assessment.services.submissions.approve` (tasks eager, so the call returns once the task has
   rescored the subject and rewritten its ancestors' roll-up rows), p50 and p95 of the approvals;
4. the peak resident memory of the process, phase by phase (ru_maxrss, reset between phases), and
   of the worker's processes.

With `--opening-only` it stops after the recompute in one process and the opening of the items
(no worker, no baselines, no approvals, no profile): what the opening costs beside the recompute.
With `--recompute-only` it stops after the recompute in one process (its scoring and roll-up
seconds), before the opening.

The full recompute of the largest size is then run once more under cProfile (it replaces the rows
of the first run) and the functions costing most are printed. Old benchmark periods and the
framework (code BENCHROLL) are deleted before each size; the data of the last size is left in
the database for inspection.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import logging
import os
import platform
import pstats
import random
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")

from bench_scoring import cpu_model, generated_framework, random_values  # noqa: E402

FRAMEWORK_CODE = "BENCHROLL"
KINDS = ("group", "committee", "general_branch", "branch")  # the synthetic tree's kind codes
KIND_NAMES = {
    "group": ("集团党组", "Group"),
    "committee": ("党委", "Committee"),
    "general_branch": ("党总支", "General branch"),
    "branch": ("党支部", "Branch"),
}
PEOPLE_PER_BRANCH = 3
VALUE_POOL = 512  # distinct generated value sets, drawn at random for each submission
VALUE_CHUNK = 500  # submissions per COPY of values (keeps the setup's memory low)
TARGETS = {"ratio": 3.0, "full_s": 60.0, "p95_ms": 300.0, "rss_mb": 1024.0}


# -- memory -------------------------------------------------------------------------------------


def reset_peak() -> None:
    """Reset the kernel's high-water mark of this process's resident memory (Linux ≥ 4.0), which
    ru_maxrss reports too: the peak read after a phase is then that phase's alone. Where this is
    not possible the peaks are those of the process so far, an upper bound."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
    except OSError:
        pass


def peak_mb() -> float:
    """The peak resident memory since the last reset (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- setup --------------------------------------------------------------------------------------


def framework_document() -> dict[str, Any]:
    """bench_scoring's 120-indicator framework, applying to every kind of the synthetic tree."""
    doc = generated_framework(120)
    doc["code"] = FRAMEWORK_CODE
    doc["name"] = {"zh": "汇总基准", "en": "Roll-up benchmark"}
    doc["subject_kinds"] = [
        {"code": code, "unit": "organization", "name": {"zh": zh, "en": en}}
        for code, (zh, en) in KIND_NAMES.items()
    ]
    for indicator in doc["indicators"]:
        indicator["applies_to"] = list(KINDS)
    return doc


def clean() -> float:
    """Delete the benchmark's periods (with their submissions, values, scores and roll-ups) and
    framework versions left by an earlier run; returns the seconds it took."""
    from assessment.models import Framework, Indicator, Period

    started = time.perf_counter()
    Period.objects.filter(framework__code=FRAMEWORK_CODE).delete()
    Indicator.objects.filter(framework__code=FRAMEWORK_CODE).delete()
    Framework.objects.filter(code=FRAMEWORK_CODE).delete()
    return time.perf_counter() - started


def setup(orgs: int, rng: random.Random) -> dict[str, Any]:
    """Tree, framework, open period, every value, every submission approved; returns what the
    measures need and how long each step took."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from assessment.choices import PeriodKind, SubmissionState
    from assessment.models import Indicator, IndicatorValue, Submission
    from assessment.scoring import parse_framework
    from assessment.services.frameworks import load_framework, publish_framework
    from assessment.services.periods import create_period, open_period
    from organizations.choices import Role
    from organizations.services import assign_role
    from partybuild.demo import organizations as demo

    seconds: dict[str, float] = {}
    seconds["clean"] = clean()

    started = time.perf_counter()
    call_command(
        "seed_synthetic",
        orgs=orgs,
        seed=1,
        replace=True,
        people_per_branch=PEOPLE_PER_BRANCH,
        stdout=io.StringIO(),
    )
    seconds["seed_synthetic"] = time.perf_counter() - started

    started = time.perf_counter()
    doc = framework_document()
    framework = publish_framework(load_framework(doc))
    period = create_period(
        framework=framework,
        kind=PeriodKind.YEAR,
        name="2025 年度",
        name_en="2025",
        start=date(2025, 1, 1),
        end=date(2025, 12, 31),
        deadline=date(2026, 1, 31),
    )
    submissions = open_period(period)
    period.refresh_from_db()
    seconds["framework + period"] = time.perf_counter() - started

    # Values: a pool of plausible value sets (as bench_scoring draws them), one per submission.
    started = time.perf_counter()
    spec = parse_framework(doc)
    entered = [i for i in spec.indicators_for("branch") if i.kind != "formula"]
    ids = dict(Indicator.objects.filter(framework=framework).values_list("code", "pk"))
    pool = []
    for _ in range(VALUE_POOL):
        values = random_values(spec, "branch", rng)
        pool.append(
            [
                (ids[i.code], json.dumps(values[i.code], ensure_ascii=False))
                for i in entered
                if i.code in values
            ]
        )
    stamp = IndicatorValue._meta.get_field("updated_at").get_db_prep_save(
        timezone.now(), connection
    )
    columns = ["submission_id", "indicator_id", "value", "reviewed_value", "review_reason"]
    subs = list(
        Submission.objects.filter(period=period).order_by("pk").values_list("pk", flat=True)
    )
    written = 0
    with transaction.atomic():
        for start in range(0, len(subs), VALUE_CHUNK):
            rows = [
                (pk, indicator, value, None, "", stamp)
                for pk in subs[start : start + VALUE_CHUNK]
                for indicator, value in rng.choice(pool)
            ]
            demo.insert_rows(IndicatorValue, [*columns, "updated_at"], rows)
            written += len(rows)
    now = timezone.now()
    approved = Submission.objects.filter(period=period).update(
        state=SubmissionState.APPROVED, submitted_at=now, approved_at=now
    )
    seconds["values (COPY) + approve all"] = time.perf_counter() - started

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in (
            "organizations_organization",
            "assessment_submission",
            "assessment_indicatorvalue",
            "assessment_indicator",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    seconds["vacuum analyze"] = time.perf_counter() - started

    reviewer, _created = get_user_model().objects.get_or_create(username="bench-reviewer")
    assign_role(user=reviewer, organization=demo.synthetic_root(), role=Role.REVIEWER)
    return {
        "period": period,
        "submissions": submissions,
        "approved": approved,
        "values": written,
        "indicators": len(spec.indicators_for("branch")),
        "reviewer": reviewer,
        "seconds": seconds,
    }


# -- (1) full recompute ------------------------------------------------------------------------


def full_recompute(period) -> tuple[float, dict[str, Any]]:
    """The period's full recompute as `manage.py rollup --period ID` runs it (every chunk in this
    process, one after the other); (seconds, stats). Opening the rectification items the new
    scores call for is a task of its own after the run: intercepted here, timed apart."""
    from assessment.models import ScoreRun
    from assessment.services import scores
    from rectification import tasks as rectification_tasks

    with mock.patch.object(rectification_tasks.open_for_period, "apply_async") as sent:
        started = time.perf_counter()
        run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.COMMAND, enqueue=False)
        run = scores.run_full_recompute(run.pk, token=run.task_id)
        elapsed = time.perf_counter() - started
    if run.status != ScoreRun.Status.DONE:
        raise RuntimeError(f"the score run ended {run.status}: {run.error}")
    if sent.call_count != 1:
        raise RuntimeError("the run did not send the opening of rectification items")
    return elapsed, run.stats


def open_rectifications(period) -> tuple[float, int]:
    """The task a full recompute sends: open the items the period's scores call for."""
    from rectification.models import Rectification
    from rectification.services import open_for_scores

    Rectification.objects.filter(period=period).delete()
    started = time.perf_counter()
    opened = open_for_scores(period.pk)
    return time.perf_counter() - started, opened


WORKER_QUEUE = "bench-rollup"


class Worker:
    """A prefork Celery worker of `concurrency` processes on a queue of its own, as production
    runs them (started before the clock runs: workers are long-lived)."""

    def __init__(self, concurrency: int) -> None:
        import subprocess

        from partybuild.celery import app

        self.app = app
        self.process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "partybuild", "worker",
                "--pool=prefork", f"--concurrency={concurrency}", "-Q", WORKER_QUEUE,
                "--hostname", f"{WORKER_QUEUE}@%h", "--loglevel=WARNING",
                "--without-gossip", "--without-mingle", "--without-heartbeat",
            ],
            cwd=ROOT,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while not app.control.ping(destination=[self.name], timeout=0.5):
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise RuntimeError("the Celery worker did not start")

    @property
    def name(self) -> str:
        return f"{WORKER_QUEUE}@{platform.node()}"

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def peak_mb(self) -> float:
        """The largest peak resident memory (VmHWM) of the worker's processes."""
        peaks = []
        for pid in [self.process.pid, *self.children()]:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) / 1024)
        return max(peaks)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)
        # The run sent the opening of rectification items to the default queue, which this
        # worker does not take: drop it (it is timed in this process instead).
        with self.app.connection_for_write() as conn:
            conn.default_channel.queue_purge("default")


def full_recompute_on_workers(period, worker: Worker) -> tuple[float, dict[str, Any]]:
    """The full recompute as the task runs it on a worker pool: each chunk a task, the last one
    rolling up; from sending the run's task until the run is done."""
    from assessment import tasks
    from assessment.models import ScoreRun
    from assessment.services import scores

    worker.app.conf.task_always_eager = False
    try:
        started = time.perf_counter()
        run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.MANUAL, enqueue=False)
        tasks.recompute_period.apply_async(args=[run.pk], task_id=run.task_id, queue=WORKER_QUEUE)
        while True:
            run.refresh_from_db(fields=["status", "error", "stats"])
            if not run.is_active:
                break
            time.sleep(0.02)
        elapsed = time.perf_counter() - started
    finally:
        worker.app.conf.task_always_eager = True
    if run.status != ScoreRun.Status.DONE:
        raise RuntimeError(f"the score run ended {run.status}: {run.error}")
    return elapsed, run.stats


# -- (2) baseline SQL ----------------------------------------------------------------------------

# Every approved value of the period, per organization's subtree and per indicator dimension (and
# in all, GROUPING SETS): how many values, how many are numbers or yes/no (yes = 1), their sum and
# mean. Values are first grouped per organization and dimension (1.2 M rows → N × 15), then each
# organization's groups are added to every ancestor's, found by the path-prefix index: a
# descendant's path lies in [a.path, a.path || '~'), every path being made of digits and '/'.
# (`d.path LIKE a.path || '%'` cannot use the index: its pattern is not a constant.)
BASELINE_SQL = """
WITH own AS (
    SELECT s.organization_id AS org,
           i.dimension_id AS dim,
           count(*) AS n,
           count(x.num) AS numeric_n,
           sum(x.num) AS total
    FROM assessment_indicatorvalue v
    JOIN assessment_submission s ON s.id = v.submission_id
    JOIN assessment_indicator i ON i.id = v.indicator_id
    CROSS JOIN LATERAL (
        SELECT CASE jsonb_typeof(COALESCE(v.reviewed_value, v.value))
                   WHEN 'number' THEN COALESCE(v.reviewed_value, v.value)::float8
                   WHEN 'boolean' THEN COALESCE(v.reviewed_value, v.value)::boolean::int
               END AS num
    ) x
    WHERE s.period_id = %(period)s AND s.state IN ('approved', 'locked')
    GROUP BY s.organization_id, i.dimension_id
)
SELECT a.id AS organization,
       own.dim,
       sum(own.n)::bigint AS n,
       sum(own.numeric_n)::bigint AS numeric_n,
       sum(own.total) AS total,
       sum(own.total) / NULLIF(sum(own.numeric_n), 0) AS mean
FROM organizations_organization a
JOIN organizations_organization d
  ON d.path ~>=~ a.path AND d.path ~<~ (a.path || '~')
JOIN own ON own.org = d.id
GROUP BY GROUPING SETS ((a.id, own.dim), (a.id))
"""


def baseline(period, runs: int = 3) -> dict[str, Any]:
    """Median seconds (rows fetched) of the count statement with the server's settings and
    tuned (rollup_sql.TUNED: the planner overestimates the tree join ×200, so JIT compiles at
    full optimisation for a query of a few seconds), its row count and its plan."""
    import rollup_sql
    from django.db import connection

    params = {"period": period.pk}
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + BASELINE_SQL, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return {**rollup_sql.time_statement(BASELINE_SQL, params, runs), "plan": plan}


def faithful_baseline(period, runs: int = 3) -> dict[str, Any]:
    """`bench/rollup_sql.py`'s statement: the same roll-up, scored from the same values, in one
    statement; timed like the count baseline and checked row by row against the stored rows."""
    import rollup_sql

    out = rollup_sql.time_statement(rollup_sql.FAITHFUL_SQL, {"period": period.pk}, runs)
    out["check"] = rollup_sql.verify_tuned(period.pk)
    return out


# -- (3) incremental ---------------------------------------------------------------------------


def incremental(period, reviewer, approvals: int, rng: random.Random) -> dict[str, Any]:
    """Approve `approvals` random branches one by one through the service; times in ms."""
    from django.utils import timezone

    from assessment import tasks
    from assessment.choices import SubmissionState
    from assessment.models import Rollup, Submission
    from assessment.services import scores
    from assessment.services.submissions import approve
    from organizations.models import Organization

    branches = list(
        Submission.objects.filter(period=period, subject_kind="branch").values_list(
            "pk", "organization_id"
        )
    )
    chosen = rng.sample(branches, approvals)
    task_ms: list[float] = []
    original = scores.rescore_submission

    def timed_rescore(submission_id: int) -> str:
        started = time.perf_counter()
        try:
            return original(submission_id)
        finally:
            task_ms.append((time.perf_counter() - started) * 1000)

    # In production the debounced peer-rank refresh goes to a worker a minute later; run eagerly
    # it would execute inside the first approval. It is counted here and timed apart below.
    peer_sends = mock.MagicMock()
    wall_ms: list[float] = []
    updated = 0
    with (
        mock.patch.object(scores, "rescore_submission", timed_rescore),
        mock.patch.object(tasks.refresh_peer_ranks, "apply_async", peer_sends),
    ):
        for submission_id, organization_id in chosen:
            Submission.objects.filter(pk=submission_id).update(state=SubmissionState.SUBMITTED)
            submission = Submission.objects.get(pk=submission_id)
            before = timezone.now()
            results_before = len(task_ms)
            started = time.perf_counter()
            approve(submission, acting_user=reviewer)
            wall_ms.append((time.perf_counter() - started) * 1000)
            if len(task_ms) == results_before:
                raise RuntimeError("the approval did not run the scoring task (not eager?)")
            path = Organization.objects.values_list("path", flat=True).get(pk=organization_id)
            chain = [int(part) for part in path.strip("/").split("/")]
            fresh = Rollup.objects.filter(
                period=period, organization_id__in=chain, dimension="", computed_at__gte=before
            ).count()
            updated += fresh == len(chain)
    started = time.perf_counter()
    changed = scores.refresh_peer_ranks(period.pk)
    peer_ms = (time.perf_counter() - started) * 1000
    return {
        "approvals": approvals,
        "all_ancestors_updated": updated,
        "p50_ms": statistics.median(wall_ms),
        "p95_ms": percentile(wall_ms, 95),
        "max_ms": max(wall_ms),
        "task_p50_ms": statistics.median(task_ms),
        "task_p95_ms": percentile(task_ms, 95),
        "peer_rank_sends": peer_sends.call_count,
        "peer_rank_refresh_ms": peer_ms,
        "peer_ranks_changed": changed,
    }


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, -(-len(ordered) * pct // 100) - 1))
    return ordered[int(index)]


# -- profile ------------------------------------------------------------------------------------


def profile_recompute(period, top: int = 15) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    elapsed, _stats = full_recompute(period)
    profiler.disable()
    out = io.StringIO()
    out.write(f"full recompute under cProfile: {elapsed:.1f} s (profiler overhead included)\n")
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(top)
    stats.sort_stats("cumulative").print_stats(top + 10)
    stats.print_callers("copy_expert|insert_rows")  # which table's COPY costs what
    return out.getvalue()


# -- main ---------------------------------------------------------------------------------------


def machine() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    try:
        with open("/proc/meminfo", encoding="ascii") as handle:
            ram = int(handle.readline().split()[1]) / 1024 / 1024
    except OSError:
        ram = 0.0
    return (
        f"{os.cpu_count()} CPUs ({cpu_model()}), {ram:.0f} GiB RAM, "
        f"Python {platform.python_version()}, PostgreSQL {pg}"
    )


def bench_size(orgs: int, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(f"bench-rollup:{orgs}")
    result: dict[str, Any] = {"orgs": orgs}

    reset_peak()
    started = time.perf_counter()
    data = setup(orgs, rng)
    result["setup_s"] = time.perf_counter() - started
    result["setup"] = data["seconds"]
    result["submissions"] = data["submissions"]
    result["values"] = data["values"]
    result["rss_setup"] = peak_mb()
    print(
        f"  setup: {data['submissions']:,} submissions ({data['approved']:,} approved), "
        f"{data['values']:,} values, {result['setup_s']:.1f} s "
        + ", ".join(f"{k} {v:.1f} s" for k, v in data["seconds"].items()),
        flush=True,
    )

    reset_peak()
    result["one_s"], result["one_stats"] = full_recompute(data["period"])
    result["rss_full"] = peak_mb()
    stats = result["one_stats"]
    print(
        f"  (1) full recompute in one process: {result['one_s']:.2f} s (scoring "
        f"{stats['seconds']['scoring']} s, roll-up {stats['seconds']['rollup']} s; "
        f"{stats['subjects']:,} subjects, {stats['indicators']:,} indicator scores, "
        f"{stats['rollup_rows']:,} roll-up rows, {stats['chunks']} chunks)",
        flush=True,
    )
    result["full_s"], result["full_stats"] = result["one_s"], result["one_stats"]
    if args.recompute_only:
        return result
    if args.worker is not None and not args.opening_only:
        result["full_s"], result["full_stats"] = full_recompute_on_workers(
            data["period"], args.worker
        )
        result["rss_full"] = max(result["rss_full"], args.worker.peak_mb())
        stats = result["full_stats"]
        print(
            f"      on a worker of {args.workers} processes: {result['full_s']:.2f} s (scoring "
            f"{stats['seconds']['scoring']} s, roll-up {stats['seconds']['rollup']} s)",
            flush=True,
        )
    result["rect_s"], result["rect_opened"] = open_rectifications(data["period"])
    print(
        f"      then its own task: {result['rect_opened']:,} rectification items opened in "
        f"{result['rect_s']:.1f} s",
        flush=True,
    )
    if args.opening_only:
        print(
            f"      opening ÷ recompute in one process: {result['rect_s'] / result['one_s']:.2f}",
            flush=True,
        )
        return result

    reset_peak()
    base = baseline(data["period"])
    result["base_s"], result["base_tuned_s"] = base["default"], base["tuned"]
    result["rss_base"] = peak_mb()
    print(
        f"  (2) baseline SQL: {base['default']:.2f} s with the server's settings, "
        f"{base['tuned']:.2f} s with jit off and work_mem 64MB ({base['rows']:,} rows; "
        f"path index {'used' if 'org_path_prefix' in base['plan'] else 'NOT used'})",
        flush=True,
    )
    if args.plan:
        print("      " + base["plan"].replace("\n", "\n      "))
    faithful = faithful_baseline(data["period"])
    result["same_s"], result["same_tuned_s"] = faithful["default"], faithful["tuned"]
    result["same_check"] = faithful["check"]
    check = faithful["check"]
    print(
        f"      the same roll-up in one SQL statement (bench/rollup_sql.py): "
        f"{faithful['default']:.2f} s with the server's settings, {faithful['tuned']:.2f} s "
        f"with jit off and work_mem 64MB ({faithful['rows']:,} rows); against the stored rows: "
        f"{check['compared']:,} compared, {check['missing_in_sql'] + check['missing_in_stored']} "
        f"missing, largest score difference {check['max_score_diff']:.0e}, "
        f"{'agrees' if check['ok'] else 'DISAGREES'}",
        flush=True,
    )

    reset_peak()
    result["incr"] = incremental(data["period"], data["reviewer"], args.approvals, rng)
    result["rss_incr"] = peak_mb()
    incr = result["incr"]
    print(
        f"  (3) incremental, {incr['approvals']} approvals: p50 {incr['p50_ms']:.0f} ms, "
        f"p95 {incr['p95_ms']:.0f} ms, max {incr['max_ms']:.0f} ms (of which the task: p50 "
        f"{incr['task_p50_ms']:.0f} ms, p95 {incr['task_p95_ms']:.0f} ms); all ancestors "
        f"updated in {incr['all_ancestors_updated']}/{incr['approvals']}; peer-rank refresh "
        f"(debounced, sent {incr['peer_rank_sends']}×) {incr['peer_rank_refresh_ms']:.0f} ms",
        flush=True,
    )
    print(
        "  (4) peak resident memory: "
        + ", ".join(
            f"{name} {result[key]:.0f} MB"
            for name, key in (
                ("setup", "rss_setup"),
                ("full recompute", "rss_full"),
                ("baseline", "rss_base"),
                ("incremental", "rss_incr"),
            )
        ),
        flush=True,
    )
    return result


def peak_of(result: dict[str, Any]) -> float:
    return max(result[k] for k in ("rss_setup", "rss_full", "rss_base", "rss_incr"))


def slowest(result: dict[str, Any]) -> float:
    """The full recompute the targets are held to: the slower of the run in one process and
    the run on the worker pool (when measured), so neither is picked for looking better."""
    return max(result["one_s"], result["full_s"])


def slowest_stats(result: dict[str, Any]) -> dict[str, Any]:
    return result["one_stats"] if result["one_s"] >= result["full_s"] else result["full_stats"]


def report(results: list[dict[str, Any]]) -> None:
    print(
        "\nfull: the slower of the recompute in one process and on the worker pool; "
        "same SQL: the same roll-up in one statement (bench/rollup_sql.py), count SQL: counts and "
        "means of the values per subtree (BASELINE_SQL), both tuned (jit off, work_mem 64MB) and "
        "with the server's settings in brackets; p50, p95: approval until its ancestors' roll-ups "
        "are stored"
    )
    header = (
        f"{'orgs':>7} {'values':>10} {'full s':>7} {'scoring':>8} {'roll-up':>8} "
        f"{'same SQL s':>14} {'÷ same':>7} {'count SQL s':>12} {'÷ count':>8} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'peak MB':>8}"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        s = slowest_stats(r)["seconds"]
        full = slowest(r)
        print(
            f"{r['orgs']:>7,} {r['values']:>10,} {full:>7.2f} {s['scoring']:>8.2f} "
            f"{s['rollup']:>8.2f} {r['same_tuned_s']:>6.2f} ({r['same_s']:>5.2f}) "
            f"{full / r['same_tuned_s']:>7.1f} {r['base_tuned_s']:>5.2f} ({r['base_s']:>4.2f}) "
            f"{full / r['base_tuned_s']:>8.1f} {r['incr']['p50_ms']:>7.0f} "
            f"{r['incr']['p95_ms']:>7.0f} {peak_of(r):>8.0f}"
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        factor = large["orgs"] / small["orgs"]
        grow = {
            "full recompute": slowest(large) / slowest(small),
            "scoring": slowest_stats(large)["seconds"]["scoring"]
            / slowest_stats(small)["seconds"]["scoring"],
            "roll-up": slowest_stats(large)["seconds"]["rollup"]
            / slowest_stats(small)["seconds"]["rollup"],
            "same-roll-up SQL": large["same_tuned_s"] / small["same_tuned_s"],
            "count SQL": large["base_tuned_s"] / small["base_tuned_s"],
            "incremental p50": large["incr"]["p50_ms"] / small["incr"]["p50_ms"],
            "incremental p95": large["incr"]["p95_ms"] / small["incr"]["p95_ms"],
        }
        print(
            f"\n{small['orgs']:,} → {large['orgs']:,} organizations (×{factor:g}): "
            + ", ".join(f"{name} ×{ratio:.1f}" for name, ratio in grow.items())
        )
    big = results[-1]
    full = slowest(big)
    checks = [
        (
            f"(1) full ≤ {TARGETS['ratio']:g}× the same roll-up in SQL",
            big["same_check"]["ok"] and full <= TARGETS["ratio"] * big["same_tuned_s"],
            f"{full / big['same_tuned_s']:.1f}× the tuned statement "
            f"({full / big['same_s']:.1f}× with the server's settings; "
            f"{full / big['base_tuned_s']:.1f}× the count statement)",
        ),
        (
            f"(1) full < {TARGETS['full_s']:g} s",
            full < TARGETS["full_s"],
            f"{full:.1f} s",
        ),
        (
            f"(3) p95 < {TARGETS['p95_ms']:g} ms",
            big["incr"]["p95_ms"] < TARGETS["p95_ms"],
            f"{big['incr']['p95_ms']:.0f} ms",
        ),
        (
            f"(4) peak < {TARGETS['rss_mb']:g} MB",
            peak_of(big) < TARGETS["rss_mb"],
            f"{peak_of(big):.0f} MB",
        ),
    ]
    print(f"\ntargets at {big['orgs']:,} organizations:")
    for label, met, figure in checks:
        print(f"  {label:<40} {'met' if met else 'NOT met':<8} {figure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--approvals", type=int, default=50, help="incremental approvals")
    parser.add_argument(
        "--no-profile", dest="profile", action="store_false", help="skip the cProfile run"
    )
    parser.add_argument("--plan", action="store_true", help="print the baseline's query plan")
    parser.add_argument(
        "--opening-only",
        action="store_true",
        help="only the recompute in one process and the opening of rectification items after it",
    )
    parser.add_argument(
        "--recompute-only",
        action="store_true",
        help="only the recompute in one process (its scoring and roll-up seconds)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="processes of the Celery worker that runs the full recompute (needs REDIS_URL; "
        "0: only in this process)",
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(
            "bench_rollup needs PostgreSQL: set DATABASE_URL to a scratch database, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres pb_bench\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_bench "
            "python bench/bench_rollup.py\n"
            "(it migrates that database and replaces its synthetic tree). Skipped.",
            file=sys.stderr,
        )
        return 0  # `make bench` measures what it can and never fails a build

    import django

    django.setup()
    # Eager tasks log every success, and kombu's in-memory broker a harmless hostname warning.
    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("kombu").setLevel(logging.ERROR)
    from django.conf import settings
    from django.core.management import call_command

    from partybuild.celery import app

    call_command("migrate", verbosity=0)
    # Approvals run their task in this process; with Redis, full recomputes also run on a worker.
    app.conf.task_always_eager = True
    args.worker = None
    alone = args.opening_only or args.recompute_only
    if settings.REDIS_URL and args.workers > 0 and not alone:
        args.worker = Worker(args.workers)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)
    results = []
    try:
        for orgs in args.orgs:
            print(f"\n{orgs:,} organizations × 120 indicators × 1 period", flush=True)
            results.append(bench_size(orgs, args))
    finally:
        if args.worker is not None:
            args.worker.stop()
    if alone:
        print(f"load average at the end: {os.getloadavg()[0]:.2f} (the machine may be shared)")
        return 0
    report(results)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (the machine may be shared)")
    if args.profile:
        from assessment.models import Period

        period = Period.objects.get(framework__code=FRAMEWORK_CODE)
        print(f"\ncProfile of the full recompute at {args.orgs[-1]:,} organizations:")
        print(profile_recompute(period))
    return 0


if __name__ == "__main__":
    sys.exit(main())
