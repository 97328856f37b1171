"""Load benchmark of the group's dashboard (issue 6) on PostgreSQL; a plain script, not a test.

    createdb -h 127.0.0.1 -U postgres pb_dash          # a scratch database: it is migrated,
                                                        # its synthetic tree replaced
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_dash \\
        python bench/bench_dashboard.py [--orgs 10000] [--users 20] [--spawn-rate 5]
                                        [--duration 60s] [--workers 4] [--reuse]

Setup, as bench/bench_rollup.py does it (its functions, in this database): `seed_synthetic
--orgs N --replace`, a generated framework of 120 indicators for every kind of the synthetic
tree, one period with every submission's values and every submission approved; then the
period's scores and roll-ups as `manage.py rollup --period ID` computes them. `--reuse` skips
all that when the database already holds such a period with its roll-ups.

Then it serves the portal as in production (DJANGO_ENV=production, DEBUG off, static files
collected into bench/out/ and kept for --reuse, gunicorn with --workers sync workers on a free
port of 127.0.0.1), signs a reviewer of the synthetic root in, checks the group's dashboard
answers 200, and runs a bounded headless locust (bench/locustfile.py: --users users, each
signing in once and then reading the dashboard with 1–2 s of think time, for --duration). It
prints the
dashboard's request count, failures, p50/p95/p99/max and throughput, and whether the target
(p95 < 500 ms, no failures) is met. Locust runs on the same machine and takes CPU from the
server: the figures are an upper bound of what the server alone would need.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")
# Tasks run in this process, so the time measured is the work itself.
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")

VENV_BIN = Path(sys.executable).parent
USERNAME = "bench-dashboard"
TARGET_P95_MS = 500.0
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Settings for the served portal: production's, with the static files collected apart from the
# working tree's staticfiles/ (which other work may use), into bench/out/ (ignored by git) where
# a later --reuse run finds them: collecting and compressing them takes minutes.
STATIC_ROOT = ROOT / "bench" / "out" / "dashboard-static"
SETTINGS_MODULE = """from partybuild.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
"""


# -- data -------------------------------------------------------------------------------------


def prepared_period():
    """A benchmark period whose roll-ups exist, or None."""
    from bench_rollup import FRAMEWORK_CODE

    from assessment.models import Period, Rollup

    period = Period.objects.filter(framework__code=FRAMEWORK_CODE).order_by("-pk").first()
    if period is not None and Rollup.objects.filter(period=period).exists():
        return period
    return None


def prepare(orgs: int) -> Any:
    """Seed, fill and approve as bench_rollup does, then score and roll up; returns the period."""
    import random

    from bench_rollup import setup
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    data = setup(orgs, random.Random(f"bench-dashboard:{orgs}"))
    print(
        f"  setup: {data['submissions']:,} submissions, {data['values']:,} values in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    started = time.perf_counter()
    call_command("rollup", "--period", str(data["period"].pk), stdout=io.StringIO())
    with connection.cursor() as cursor:
        for table in ("assessment_subjectscore", "assessment_rollup"):
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"  rollup --period {data['period'].pk}: {time.perf_counter() - started:.1f} s")
    return data["period"]


def reader(password: str):
    """The benchmark's reviewer on the synthetic root, with a fresh password."""
    from django.contrib.auth import get_user_model

    from organizations.choices import Role
    from organizations.models import RoleAssignment
    from organizations.services import assign_role
    from partybuild.demo import organizations as demo

    user, _created = get_user_model().objects.get_or_create(username=USERNAME)
    user.set_password(password)
    user.is_active = True
    user.save()
    root = demo.synthetic_root()
    if not RoleAssignment.objects.filter(user=user, organization=root, role=Role.REVIEWER).exists():
        assign_role(user=user, organization=root, role=Role.REVIEWER)
    return user, root


# -- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(workdir: Path) -> dict[str, str]:
    (workdir / "bench_dashboard_settings.py").write_text(
        SETTINGS_MODULE.format(static_root=str(STATIC_ROOT))
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("REDIS_URL", "DJANGO_DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="bench_dashboard_settings",
        PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT)]),
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
    )
    return env


def collect_static(env: dict[str, str], *, reuse: bool) -> None:
    if reuse and (STATIC_ROOT / "staticfiles.json").exists():
        return
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    print(f"collectstatic: {time.perf_counter() - started:.0f} s", flush=True)


def start_server(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen:
    handle = log.open("w")
    return subprocess.Popen(
        [
            str(VENV_BIN / "gunicorn"),
            "partybuild.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def wait_ready(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before answering")
        try:
            if requests.get(f"{url}/accounts/login/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


def check_dashboard(url: str, path: str, password: str) -> tuple[int, float]:
    """Sign in as the locust users do and read the dashboard once: (status, milliseconds)."""
    import requests

    session = requests.Session()
    page = session.get(f"{url}/accounts/login/", timeout=30)
    for cookie in session.cookies:
        cookie.secure = False
    match = CSRF_INPUT.search(page.text)
    session.post(
        f"{url}/accounts/login/",
        data={
            "csrfmiddlewaretoken": match.group(1) if match else "",
            "username": USERNAME,
            "password": password,
        },
        allow_redirects=False,
        timeout=30,
    )
    for cookie in session.cookies:
        cookie.secure = False
    started = time.perf_counter()
    response = session.get(f"{url}{path}", allow_redirects=False, timeout=120)
    return response.status_code, (time.perf_counter() - started) * 1000


# -- the load -------------------------------------------------------------------------------


def run_locust(url: str, path: str, password: str, args: argparse.Namespace, out: Path) -> Path:
    env = {
        **os.environ,
        "BENCH_USERNAME": USERNAME,
        "BENCH_PASSWORD": password,
        "BENCH_PATH": path,
        "BENCH_WAIT": args.wait,
    }
    prefix = out / "dashboard"
    subprocess.run(
        [
            str(VENV_BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            args.duration,
            "--host",
            url,
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        check=False,  # locust exits 1 when any request failed; the figures say so
        stdout=subprocess.DEVNULL,
    )
    return Path(f"{prefix}_stats.csv")


def read_stats(path: Path) -> dict[str, dict[str, str]]:
    with path.open(newline="") as handle:
        return {row["Name"]: row for row in csv.DictReader(handle)}


def report(stats: dict[str, dict[str, str]], args: argparse.Namespace) -> bool:
    row = stats.get("dashboard")
    if row is None:
        print("no dashboard request was made (did the users sign in?)")
        return False
    count, failures = int(row["Request Count"]), int(row["Failure Count"])
    p50, p95, p99 = (float(row[key]) for key in ("50%", "95%", "99%"))
    print(
        f"\ndashboard, {args.users} users (spawn {args.spawn_rate}/s, think {args.wait} s) for "
        f"{args.duration}, {args.workers} gunicorn workers:"
    )
    print(
        f"  requests {count:,}, failures {failures:,}, {float(row['Requests/s']):.1f} req/s; "
        f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, p99 {p99:.0f} ms, max "
        f"{float(row['Max Response Time']):.0f} ms, mean {float(row['Average Response Time']):.0f} "
        f"ms, page {float(row['Average Content Size']) / 1024:.0f} KiB"
    )
    for name, other in stats.items():
        if name not in ("dashboard", "Aggregated") and int(other["Failure Count"]):
            print(f"  {name}: {other['Failure Count']} of {other['Request Count']} failed")
    met = p95 < TARGET_P95_MS and failures == 0 and count > 0
    print(f"  target p95 < {TARGET_P95_MS:.0f} ms with no failures: {'met' if met else 'NOT met'}")
    return met


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--orgs", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--duration", default="60s")
    parser.add_argument("--wait", default="1,2", help="think time, min,max seconds")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data of an earlier run if it is there"
    )
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print(
            "bench_dashboard needs PostgreSQL: set DATABASE_URL to a scratch database, e.g.\n"
            "  createdb -h 127.0.0.1 -U postgres pb_dash\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_dash "
            "python bench/bench_dashboard.py\n"
            "(it migrates that database and replaces its synthetic tree). Skipped.",
            file=sys.stderr,
        )
        return 0  # `make bench` measures what it can and never fails a build

    import logging

    import django

    django.setup()
    logging.getLogger("celery").setLevel(logging.WARNING)
    logging.getLogger("kombu").setLevel(logging.ERROR)
    from bench_rollup import machine
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    if settings.REDIS_URL:
        print("bench_dashboard runs tasks in-process: unset REDIS_URL.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    print(f"machine: {machine()}; load average {os.getloadavg()[0]:.2f}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)

    period = prepared_period() if args.reuse else None
    if period is None:
        print(f"\npreparing {args.orgs:,} organizations × 120 indicators × 1 period", flush=True)
        period = prepare(args.orgs)
    else:
        print(f"\nreusing period {period.pk} and its roll-ups")
    password = secrets.token_urlsafe(16)
    _user, root = reader(password)
    path = f"/dashboards/organizations/{root.pk}/"
    connections.close_all()

    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        workdir = Path(tmp)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = server_env(workdir)
        collect_static(env, reuse=args.reuse)
        server = start_server(env, port, args.workers, workdir / "gunicorn.log")
        try:
            wait_ready(base, server)
            status, cold_ms = check_dashboard(base, path, password)
            print(f"GET {path} (the group's dashboard) once: {status} in {cold_ms:.0f} ms")
            if status != 200:
                print("  the dashboard does not answer 200: the load run measures failures")
            stats = read_stats(run_locust(base, path, password, args, workdir))
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
            log = (workdir / "gunicorn.log").read_text(errors="replace")
            errors = [line for line in log.splitlines() if "Traceback" in line or "ERROR" in line]
            if errors:
                print(f"gunicorn logged {len(errors)} errors; the last lines:")
                print("\n".join(log.splitlines()[-20:]))
        report(stats, args)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (the machine may be shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
