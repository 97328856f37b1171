"""Benchmark of the term reports (issue 7) on PostgreSQL; a plain script, not a test.

    createdb -h 127.0.0.1 -U postgres pb_reports      # a scratch database: it is migrated,
                                                       # its synthetic tree replaced
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_reports \\
        python bench/bench_reports.py [--orgs 10000] [--reuse]

Setup as bench_rollup does it: `seed_synthetic --orgs N`, the generated 120-indicator framework,
one opened yearly period with every submission's values written by COPY (N × 115 values) and
approved, then the period's full recompute (scores and roll-ups, as `manage.py rollup --period`).
`--reuse` skips the setup when a benchmark period is there already.

Then, each in a child process of its own (so its peak resident memory is its own), a report on
the synthetic group's root over that year is requested and generated end to end, as the Celery
task does it (reading, writing the file, hashing, storing the snapshot):

1. the group's annual term report as PDF (target under 60 s);
2. the XLSX of the group's report, whose values sheet holds every value of the subtree
   (over a million rows), written streaming (target: peak memory under 500 MB);
3. the CSV of the same values, for comparison.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import platform
import random
import resource
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")
# Tasks run in this process, so the time measured is the work itself.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

TARGETS = {"pdf": ("seconds", 60.0), "xlsx": ("peak MB", 500.0)}


def _django() -> None:
    import django

    django.setup()
    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("kombu").setLevel(logging.ERROR)
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)


def _benchmark_period():
    from bench_rollup import FRAMEWORK_CODE

    from assessment.models import Period

    return Period.objects.filter(framework__code=FRAMEWORK_CODE).order_by("-start").first()


def setup(orgs: int) -> dict:
    """The synthetic tree, its values and scores; reused when present and asked to."""
    from bench_rollup import full_recompute
    from bench_rollup import setup as rollup_setup

    started = time.perf_counter()
    out = rollup_setup(orgs, random.Random(1))
    seconds = out["seconds"]
    elapsed, _stats = full_recompute(out["period"])
    seconds["full recompute"] = elapsed
    seconds["setup in all"] = time.perf_counter() - started
    return {"values": out["values"], "seconds": seconds}


def request(fmt: str) -> int:
    """A report of the synthetic root over the benchmark year, queued (not yet generated)."""
    from django.contrib.auth import get_user_model

    from organizations.choices import Role
    from organizations.services import assign_role
    from partybuild.demo import organizations as demo
    from reports import services

    root = demo.synthetic_root()
    user, created = get_user_model().objects.get_or_create(username="bench-auditor")
    if created:
        assign_role(user=user, organization=root, role=Role.AUDITOR)
    period = _benchmark_period()
    with mock.patch("reports.services.enqueue"):
        report = services.request_report(
            acting_user=user,
            organization=root,
            format=fmt,
            period_kind=period.kind,
            start=period.start,
            end=period.end,
        )
    return report.pk


def child(report_id: int) -> None:
    """In the child process: generate the report and print what it took, as JSON."""
    _django()
    from reports import selectors, services
    from reports.models import Report

    report = Report.objects.select_related("organization").get(pk=report_id)
    values = selectors.value_count(report) if report.format != "pdf" else None
    started = time.perf_counter()
    report = services.generate(report_id)
    elapsed = time.perf_counter() - started
    pages = None
    if report.format == "pdf":
        out = subprocess.run(
            ["pdfinfo", report.file.path], capture_output=True, text=True, check=False
        ).stdout
        pages = next(
            (line.split()[-1] for line in out.splitlines() if line.startswith("Pages")), None
        )
    print(
        json.dumps(
            {
                "format": report.format,
                "status": report.status,
                "error": report.error,
                "seconds": round(elapsed, 1),
                "peak_mb": round(peak_kib() / 1024, 1),
                "size_mb": round((report.size or 0) / 1e6, 1),
                "rows": values,
                "pages": pages,
            }
        )
    )


def _migrate() -> None:
    """Migrate; if a migration of another app fails on PostgreSQL, everything but its rest."""
    from django.apps import apps
    from django.core.management import call_command
    from django.db import connection

    try:
        call_command("migrate", verbosity=0, stdout=io.StringIO())
        return
    except Exception as error:
        print(f"migrate failed ({error!r}); migrating app by app", file=sys.stderr)
        connection.close()
    for config in apps.get_app_configs():
        if config.models_module is None:
            continue
        try:
            call_command("migrate", config.label, verbosity=0, stdout=io.StringIO())
        except Exception as error:
            print(f"  {config.label}: {error!r} (left part-migrated)", file=sys.stderr)
            connection.close()


def peak_kib() -> int:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    an exec, so a child would report its parent's peak (the setup's)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def machine() -> str:
    from bench_scoring import cpu_model

    return f"{cpu_model()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--reuse", action="store_true", help="keep an existing benchmark period")
    parser.add_argument("--formats", nargs="+", default=["pdf", "xlsx", "csv"])
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return 0

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(
            "bench_reports needs PostgreSQL: set DATABASE_URL to a scratch database, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres pb_reports\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_reports "
            "python bench/bench_reports.py\n"
            "(it migrates that database and replaces its synthetic tree). Skipped.",
            file=sys.stderr,
        )
        return 0  # `make bench` measures what it can and never fails a build

    _django()
    from django.conf import settings

    if settings.REDIS_URL:
        print("bench_reports runs tasks in-process: unset REDIS_URL.", file=sys.stderr)
        return 2
    _migrate()
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)

    if args.reuse and _benchmark_period() is not None:
        print("setup: reusing the benchmark period in the database", flush=True)
    else:
        print(f"setup: {args.orgs:,} organizations × 120 indicators × 1 year …", flush=True)
        prepared = setup(args.orgs)
        for step, seconds in prepared["seconds"].items():
            print(f"  {step:<32} {seconds:8.1f} s")
        print(f"  values written: {prepared['values']:,}", flush=True)

    results = []
    for fmt in args.formats:
        report_id = request(fmt)
        out = subprocess.run(
            [sys.executable, __file__, "--child", str(report_id)],
            capture_output=True,
            text=True,
            env=os.environ.copy(),
            check=False,
        )
        line = next((x for x in reversed(out.stdout.splitlines()) if x.startswith("{")), None)
        if line is None:
            print(out.stdout[-2000:], out.stderr[-4000:], file=sys.stderr)
            return 1
        results.append(json.loads(line))

    print()
    print(
        f"{'report':<8} {'status':<7} {'seconds':>8} {'peak MB':>8} {'file MB':>8} "
        f"{'rows':>10} {'pages':>6}  target"
    )
    for row in results:
        unit, target = TARGETS.get(row["format"], ("", None))
        value = row["seconds"] if unit == "seconds" else row["peak_mb"]
        verdict = (
            ""
            if target is None
            else (f"{unit} < {target:g}: {'met' if value < target else 'MISSED'}")
        )
        print(
            f"{row['format']:<8} {row['status']:<7} {row['seconds']:>8.1f} {row['peak_mb']:>8.1f} "
            f"{row['size_mb']:>8.1f} {row['rows'] or '':>10} {row['pages'] or '':>6}  {verdict}"
        )
        if row["error"]:
            print(f"  error: {row['error']}")
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (the machine may be shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
