"""The full recompute against the floor of its own I/O (issue 19); a plain script, not a test.

    createdb -h 127.0.0.1 -U postgres pb_recompute     # a scratch database (its synthetic tree
                                                       # is replaced)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_recompute \\
        python bench/bench_recompute.py [--orgs 10000 100000] [--approvals 50] [--runs 2]

For each size it seeds what `bench_rollup.py` seeds (a synthetic tree, a framework of 120
indicators applying to every kind, one period, 115 values per submission written with COPY,
every submission approved), then measures in one run:

(a) **the floor**: the time to COPY the period's counted values out of PostgreSQL (text format,
    the value scored for each submission and indicator) plus the time to COPY back in the rows
    the recompute writes (its subject scores and roll-up rows, copied out beforehand, copied into
    logged tables shaped like the real ones, with their indexes) — what any implementation pays
    to read the data and store the result;
(b) **the full recompute**, as `manage.py rollup --period` runs it (every chunk in this
    process; the opening of rectification items is a task of its own, intercepted and timed by
    `bench_rollup.py`), the best of `--runs`, with the peak resident memory of the process;
(c) at the first size only, `--approvals` approvals through the service, tasks eager: the time
    until the subject and every ancestor's roll-up rows are rewritten (p50, p95).

Target: (b) at most 2× (a); at 100,000 organizations (b) grows linearly and its peak memory stays
under 2 GB. Without a PostgreSQL DATABASE_URL the script says so and stops.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")

import bench_rollup  # noqa: E402  (the repository root is put on the path first)

TARGET_RATIO = 2.0
TARGET_RSS_MB = 2048.0


def copy_out(sql: str) -> tuple[float, io.BytesIO]:
    """`COPY (sql) TO STDOUT` in text format into memory; (seconds, the data)."""
    from django.db import connection

    buffer = io.BytesIO()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY ({sql}) TO STDOUT", buffer)
    return time.perf_counter() - started, buffer


def floor(period) -> dict[str, float]:
    """(a): the values out, then the recompute's own rows back in (seconds, best of two)."""
    from django.db import connection, transaction

    from assessment.models import Rollup, SubjectScore

    values_sql = (
        "SELECT v.submission_id, v.indicator_id, COALESCE(v.reviewed_value, v.value) "
        "FROM assessment_indicatorvalue v JOIN assessment_submission s "
        "ON s.id = v.submission_id "
        f"WHERE s.period_id = {int(period.pk)} AND s.state IN ('approved', 'locked')"
    )
    out_s = min(copy_out(values_sql)[0] for _ in range(2))
    tables = []
    for model in (SubjectScore, Rollup):
        table = model._meta.db_table
        columns = ", ".join(f.column for f in model._meta.concrete_fields if f.column != "id")
        _seconds, data = copy_out(
            f"SELECT {columns} FROM {table} WHERE period_id = {int(period.pk)}"
        )
        tables.append((table, columns, data))
    best_in = float("inf")
    for _attempt in range(2):
        with transaction.atomic(), connection.cursor() as cursor:
            for table, _columns, _data in tables:
                cursor.execute(
                    f"CREATE TABLE bench_floor_{table} (LIKE {table} INCLUDING DEFAULTS "
                    "INCLUDING IDENTITY INCLUDING INDEXES INCLUDING STORAGE "
                    "INCLUDING COMPRESSION)"
                )
            started = time.perf_counter()
            for table, columns, data in tables:
                data.seek(0)
                cursor.cursor.copy_expert(f"COPY bench_floor_{table} ({columns}) FROM STDIN", data)
            best_in = min(best_in, time.perf_counter() - started)
            transaction.set_rollback(True)
    return {
        "values_out": out_s,
        "rows_in": best_in,
        "floor": out_s + best_in,
        **narrow_alternative(period),
    }


def narrow_alternative(period) -> dict[str, float]:
    """What storing per-indicator results as a narrow typed table would cost instead of the
    packed JSON documents (the decision of docs/decisions.md): the subject scores' rows in, then
    a table of one row per subject and indicator (submission, indicator, points, maximum,
    fraction, status, flags) with its index, both by COPY from memory."""
    from django.db import connection, transaction

    from assessment.models import SubjectScore

    table = SubjectScore._meta.db_table
    columns = ", ".join(f.column for f in SubjectScore._meta.concrete_fields if f.column != "id")
    _seconds, packed = copy_out(f"SELECT {columns} FROM {table} WHERE period_id = {period.pk}")
    # The same rows without their per-indicator documents: what would stay beside a narrow table.
    _seconds, rest = copy_out(
        f"SELECT {columns.replace('indicators', chr(39) + '{}' + chr(39) + '::jsonb')} "
        f"FROM {table} WHERE period_id = {period.pk}"
    )
    _seconds, narrow = copy_out(
        "SELECT s.submission_id, row_number() OVER (PARTITION BY s.submission_id)::int2, "
        "(j.value->>0)::float4, (j.value->>1)::float4, (j.value->>2)::float4, "
        "CASE j.value->>3 WHEN 'scored' THEN 0 WHEN 'missing' THEN 1 WHEN 'invalid' THEN 2 "
        "ELSE 3 END::int2, ((j.value->>4)::boolean::int + 2 * (j.value->>5)::boolean::int)::int2 "
        f"FROM {table} s CROSS JOIN LATERAL jsonb_each(s.indicators) j "
        f"WHERE s.period_id = {period.pk}"
    )
    out = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for copy in ("bench_packed", "bench_rest"):
            cursor.execute(
                f"CREATE TABLE {copy} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY "
                "INCLUDING INDEXES INCLUDING STORAGE INCLUDING COMPRESSION)"
            )
        cursor.execute(
            "CREATE TABLE bench_narrow (submission_id int8, indicator int2, points float4, "
            "maximum float4, fraction float4, status int2, flags int2, "
            "PRIMARY KEY (submission_id, indicator))"
        )
        for name, data, target in (
            ("packed_in", packed, f"bench_packed ({columns})"),
            ("rest_in", rest, f"bench_rest ({columns})"),
            ("narrow_in", narrow, "bench_narrow"),
        ):
            data.seek(0)
            started = time.perf_counter()
            cursor.cursor.copy_expert(f"COPY {target} FROM STDIN", data)
            out[name] = time.perf_counter() - started
        transaction.set_rollback(True)
    return out


def recompute(period, runs: int) -> dict[str, Any]:
    """(b): the best of `runs` full recomputes, with the peak memory of the process."""
    best: tuple[float, dict[str, Any]] | None = None
    times = []
    bench_rollup.reset_peak()
    for _run in range(runs):
        elapsed, stats = bench_rollup.full_recompute(period)
        times.append(elapsed)
        if best is None or elapsed < best[0]:
            best = (elapsed, stats)
    assert best is not None
    return {"seconds": best[0], "all": times, "stats": best[1], "rss_mb": bench_rollup.peak_mb()}


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def bench_size(orgs: int, args: argparse.Namespace, first: bool) -> dict[str, Any]:
    rng = random.Random(f"bench-recompute:{orgs}")
    started = time.perf_counter()
    data = bench_rollup.setup(orgs, rng)
    print(
        f"  setup: {data['submissions']:,} submissions, {data['values']:,} values, "
        f"{time.perf_counter() - started:.0f} s",
        flush=True,
    )
    period = data["period"]
    result: dict[str, Any] = {"orgs": orgs, "values": data["values"]}
    print(f"  load before (b): {uptime()}", flush=True)
    result["b"] = recompute(period, args.runs)
    stats = result["b"]["stats"]
    print(
        f"  (b) full recompute: {result['b']['seconds']:.2f} s (runs "
        + ", ".join(f"{t:.2f}" for t in result["b"]["all"])
        + f"; scoring {stats['seconds']['scoring']} s, roll-up {stats['seconds']['rollup']} s; "
        f"{stats['subjects']:,} subjects, {stats['rollup_rows']:,} roll-up rows), "
        f"peak {result['b']['rss_mb']:.0f} MB",
        flush=True,
    )
    result["a"] = floor(period)
    a = result["a"]
    print(
        f"  (a) floor: {a['floor']:.2f} s (values out {a['values_out']:.2f} s, "
        f"rows in {a['rows_in']:.2f} s)",
        flush=True,
    )
    result["ratio"] = result["b"]["seconds"] / a["floor"]
    print(
        f"  subject scores stored packed: {a['packed_in']:.2f} s; as a narrow typed table (a row "
        f"per subject and indicator) {a['narrow_in']:.2f} s + the rows without their indicator "
        f"documents {a['rest_in']:.2f} s = {a['narrow_in'] + a['rest_in']:.2f} s",
        flush=True,
    )
    print(f"  (b) ÷ (a) = {result['ratio']:.2f} (target ≤ {TARGET_RATIO})", flush=True)
    if first and args.approvals:
        result["c"] = bench_rollup.incremental(period, data["reviewer"], args.approvals, rng)
        c = result["c"]
        print(
            f"  (c) approval → ancestors updated (its scoring task): "
            f"p50 {c['task_p50_ms']:.0f} ms, "
            f"p95 {c['task_p95_ms']:.0f} ms ({c['all_ancestors_updated']}/{c['approvals']} with "
            f"every ancestor rewritten); the whole approval call with its eager tasks: "
            f"p50 {c['p50_ms']:.0f} ms, p95 {c['p95_ms']:.0f} ms",
            flush=True,
        )
    print(f"  load after: {uptime()}", flush=True)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, nargs="+", default=[10_000])
    parser.add_argument("--approvals", type=int, default=50)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("bench_recompute: skipped (needs DATABASE_URL set to a scratch PostgreSQL database)")
        return 0
    import django

    django.setup()
    import logging

    from django.core.management import call_command

    from partybuild.celery import app

    # Approvals run their scoring task in this process (eager), as bench_rollup.py runs them.
    app.conf.task_always_eager = True
    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("kombu").setLevel(logging.ERROR)
    call_command("migrate", verbosity=0)
    print(f"machine: {bench_rollup.machine()}")
    results = []
    for number, orgs in enumerate(args.orgs):
        print(f"\n{orgs:,} organizations", flush=True)
        results.append(bench_size(orgs, args, first=number == 0))
    print("\n| organizations | values | (a) floor | (b) full recompute | (b) ÷ (a) | peak memory |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        print(
            f"| {r['orgs']:,} | {r['values']:,} | {r['a']['floor']:.2f} s | "
            f"{r['b']['seconds']:.2f} s | {r['ratio']:.2f} | {r['b']['rss_mb']:.0f} MB |"
        )
    if len(results) > 1:
        first, last = results[0], results[-1]
        growth = last["b"]["seconds"] / first["b"]["seconds"]
        print(f"growth of (b) ×{growth:.1f} for ×{last['orgs'] / first['orgs']:.0f} the data")
    return 0


if __name__ == "__main__":
    sys.exit(main())
