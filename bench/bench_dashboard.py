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

After a roll-up (issue 19): ``--redis redis://127.0.0.1:6379/N`` serves the portal with that
Redis as its shared cache and broker (its database is flushed first) and compares, in one run,
two phases: the dashboards' warm-up off, then on (DASHBOARDS_WARM). Each phase starts a real
Celery worker (one process, `-Q default`) with the setting, signs --workers sessions in and
reads the group's dashboard with each, then sends an approval's scoring task
(`assessment.score_submission` of a branch's own submission) through the broker (or, with
``--trigger recompute``, a full recompute as `manage.py rollup --queue` does), waits in the
worker's log for it (for a recompute, the rectification opening that follows it), the peer
ranks' refresh and (phase on) the warm-up to finish, and times the first read of each gunicorn
worker after the roll-up (reads one after another until every worker has served one, as
gunicorn's access log says: pid and milliseconds), then --workers reads at once. Then the
locust load (--users, --duration; each user on a session signed in beforehand) runs, with an
approval every --rollup-every seconds during it when given. Target: p95 < 300 ms and the
first read after a roll-up < 300 ms.
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


# The access log of --redis runs: which worker (pid) served each request, in how long.
ACCESS_FORMAT = "%(p)s %(m)s %(U)s %(s)s %(M)s"


def start_server(
    env: dict[str, str], port: int, workers: int, log: Path, access: Path | None = None
) -> subprocess.Popen:
    handle = log.open("w")
    logged = (
        ["--access-logfile", str(access), "--access-logformat", ACCESS_FORMAT] if access else []
    )
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
            *logged,
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
    session = signed_in(url, password)
    started = time.perf_counter()
    response = session.get(f"{url}{path}", allow_redirects=False, timeout=120)
    return response.status_code, (time.perf_counter() - started) * 1000


def signed_in(url: str, password: str):
    """A requests session signed in as the benchmark's reader."""
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
    return session


# -- the load -------------------------------------------------------------------------------


def run_locust(
    url: str,
    path: str,
    password: str,
    args: argparse.Namespace,
    out: Path,
    name: str = "dashboard",
    extra: tuple[str, ...] = (),
    sessions: tuple[str, ...] | list[str] = (),
) -> Path:
    env = {
        **os.environ,
        "BENCH_USERNAME": USERNAME,
        "BENCH_PASSWORD": password,
        "BENCH_PATH": path,
        "BENCH_WAIT": args.wait,
        "BENCH_SESSIONS": ",".join(sessions),
    }
    prefix = out / name
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
            *extra,
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


def report(
    stats: dict[str, dict[str, str]], args: argparse.Namespace, target: float = TARGET_P95_MS
) -> bool:
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
    met = p95 < target and failures == 0 and count > 0
    print(f"  target p95 < {target:.0f} ms with no failures: {'met' if met else 'NOT met'}")
    return met


# -- after a roll-up (issue 19) --------------------------------------------------------------

WARM_TARGET_MS = 300.0
DONE = r"Task {name}\[[^\]]+\] succeeded in ([0-9.]+)s"


def done(task: str) -> str:
    return DONE.format(name=re.escape(task))


def start_worker(env: dict[str, str], log: Path, *, warm: bool) -> subprocess.Popen:
    """A Celery worker of one process on the default queue, the warm-up on or off."""
    worker_env = {
        **env,
        "DASHBOARDS_WARM": "1" if warm else "0",
        # The peer ranks' refresh at once, so that a phase waits for it rather than meeting it
        # in the middle of its reads.
        "SCORES_PEER_RANK_DELAY": "0",
        "LOG_LEVEL": "INFO",
        "LOG_FORMAT": "text",
    }
    worker = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "--app",
            "partybuild",
            "worker",
            "--queues",
            "default",
            "--concurrency",
            "1",
            "--without-gossip",
            "--without-mingle",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=worker_env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    wait_in_log(log, 0, [r"\bready\b"], timeout=120, process=worker)
    return worker


def stop(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_in_log(
    log: Path, offset: int, patterns: list[str], *, timeout: float, process: subprocess.Popen
) -> list[re.Match]:
    """Wait until every pattern matches the log past `offset` (bytes); the matches."""
    deadline = time.monotonic() + timeout
    while True:
        text = log.read_bytes()[offset:].decode(errors="replace")
        found = [re.search(pattern, text) for pattern in patterns]
        if all(found):
            return found  # type: ignore[return-value]
        if process.poll() is not None:
            raise RuntimeError(f"{log.name}: the process exited\n{text[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{log.name}: not all of {patterns} within {timeout:.0f} s")
        time.sleep(0.2)


def branch_submissions(period, count: int) -> list[int]:
    """Approved own submissions of the deepest organizations (branches), to approve again."""
    from assessment.choices import SubjectUnit, SubmissionState
    from assessment.models import Submission

    return list(
        Submission.objects.filter(
            period=period, subject_unit=SubjectUnit.ORGANIZATION, state=SubmissionState.APPROVED
        )
        .order_by("-organization__depth", "pk")
        .values_list("pk", flat=True)[:count]
    )


def reads_at_once(url: str, path: str, sessions: list) -> list[float]:
    """One read of the page per session, all sent at the same moment: milliseconds each."""
    import threading

    barrier = threading.Barrier(len(sessions))
    times = [float("nan")] * len(sessions)

    def read(index: int, session) -> None:
        barrier.wait()
        started = time.perf_counter()
        response = session.get(f"{url}{path}", allow_redirects=False, timeout=120)
        if response.status_code == 200:
            times[index] = (time.perf_counter() - started) * 1000

    threads = [threading.Thread(target=read, args=pair) for pair in enumerate(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return times


def recompute(env: dict[str, str], period_id: int) -> None:
    """A full recompute of the period handed to the workers, as `manage.py rollup --queue`."""
    subprocess.run(
        [sys.executable, "manage.py", "rollup", "--period", str(period_id), "--queue"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def first_per_worker(
    url: str, path: str, session, access: Path, workers: int, most: int = 60
) -> dict[int, float]:
    """Read the page one request after another until every gunicorn worker has served one
    (at most `most` reads): each worker's (pid's) first read, in milliseconds as it logged it."""
    first: dict[int, float] = {}
    offset = access.stat().st_size
    for _ in range(most):
        session.get(f"{url}{path}", allow_redirects=False, timeout=120)
        text = access.read_bytes()[offset:].decode(errors="replace")
        for line in text.splitlines():
            pid, method, logged_path, status, ms = line.split()
            if method == "GET" and logged_path == path and status == "200":
                first.setdefault(int(pid.strip("<>")), float(ms))
        if len(first) >= workers:
            break
    return first


class Approvals:
    """An approval's scoring task sent every `every` seconds while the load runs."""

    def __init__(self, send, submission_ids: list[int], every: float) -> None:
        import threading

        self.send, self.ids, self.every = send, submission_ids, every
        self.sent = 0
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopped.wait(self.every):
            self.send(self.ids[self.sent % len(self.ids)])
            self.sent += 1

    def __enter__(self) -> Approvals:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stopped.set()
        self.thread.join()


def after_rollup_phase(
    warm: bool,
    env,
    base: str,
    path: str,
    password: str,
    args,
    workdir: Path,
    send,
    ids,
    period_id,
    load_sessions: list[str],
) -> dict[str, Any]:
    """One phase: a worker with the warm-up on or off, a roll-up, the first reads, the load."""
    name = "on" if warm else "off"
    log = workdir / f"worker-{name}.log"
    worker = start_worker(env, log, warm=warm)
    try:
        sessions = [signed_in(base, password) for _ in range(args.workers)]
        reads_at_once(base, path, sessions)  # each process's own state, and the cache, filled
        before = reads_at_once(base, path, sessions)
        offset = log.stat().st_size
        started = time.perf_counter()
        if args.trigger == "recompute":
            recompute(env, period_id)
            tasks = ["assessment.recompute_period", "rectification.open_for_period"]
        else:
            send(ids[0])
            tasks = ["assessment.score_submission", "assessment.refresh_peer_ranks"]
        tasks += ["dashboards.warm"] if warm else []
        found = wait_in_log(log, offset, [done(t) for t in tasks], timeout=900, process=worker)
        settled = time.perf_counter() - started
        first = first_per_worker(base, path, sessions[0], workdir / "access.log", args.workers)
        at_once = reads_at_once(base, path, sessions)
        offset = log.stat().st_size
        approvals = Approvals(send, ids[1:], args.rollup_every or 10**9)
        with approvals:
            # Counted once every user has signed in: the sign-ins' hashing is not the page's.
            stats = read_stats(
                run_locust(
                    base,
                    path,
                    password,
                    args,
                    workdir,
                    f"load-{name}",
                    ("--reset-stats",),
                    sessions=load_sessions,
                )
            )
        during = log.read_bytes()[offset:].decode(errors="replace")
    finally:
        stop(worker)
    return {
        "name": name,
        "before": before,
        "settled": settled,
        "task_seconds": {t: float(m.group(1)) for t, m in zip(tasks, found, strict=True)},
        "first": first,
        "at_once": at_once,
        "stats": stats,
        "approvals": approvals.sent if args.rollup_every else 0,
        "warms": [float(x) for x in re.findall(done("dashboards.warm"), during)],
    }


def report_phase(result: dict[str, Any], args: argparse.Namespace) -> bool:
    def ms(values: list[float]) -> str:
        return ", ".join(f"{v:.0f}" for v in values) + " ms"

    seconds = ", ".join(f"{t} {v:.2f} s" for t, v in result["task_seconds"].items())
    print(f"\nwarm-up {result['name']}:")
    print(f"  reads before the roll-up, {args.workers} at once: {ms(result['before'])}")
    print(f"  {args.trigger} sent to the worker until done: {result['settled']:.1f} s ({seconds})")
    first = ", ".join(f"{pid}: {v:.0f}" for pid, v in result["first"].items())
    print(f"  first read of each gunicorn worker after it (pid: ms, one after another): {first}")
    print(f"  then {args.workers} reads at once: {ms(result['at_once'])}")
    if result["approvals"]:
        warms = result["warms"]
        mean = f", {sum(warms) / len(warms):.2f} s each" if warms else ""
        print(
            f"  during the load: {result['approvals']} approvals, one every "
            f"{args.rollup_every:g} s; {len(warms)} warm-ups{mean}"
        )
    met_load = report(result["stats"], args, target=WARM_TARGET_MS)
    worst = max(result["first"].values())
    met_first = worst < WARM_TARGET_MS
    print(
        f"  target: the first read after a roll-up < {WARM_TARGET_MS:.0f} ms: "
        f"{'met' if met_first else 'NOT met'} ({worst:.0f} ms at worst)"
    )
    return met_load and met_first


def compare_after_rollup(env, base, path, password, args, workdir, period) -> None:
    """The warm-up off, then on, in one run against the same server and data."""
    from celery import Celery

    ids = branch_submissions(period, 200)
    broker = Celery("bench-dashboard", broker=args.redis)

    def send(submission_id: int) -> None:
        broker.send_task("assessment.score_submission", args=[submission_id], queue="default")

    # The load's users take sessions signed in now, one each, rather than sign in in the load.
    load_sessions = [signed_in(base, password).cookies["sessionid"] for _ in range(args.users)]
    results = [
        after_rollup_phase(
            warm, env, base, path, password, args, workdir, send, ids, period.pk, load_sessions
        )
        for warm in (False, True)
    ]
    broker.close()
    for result in results:
        report_phase(result, args)


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
    parser.add_argument(
        "--redis",
        default="",
        help="a Redis database for the served portal's cache and a worker's queue (flushed): "
        "compares the first reads after a roll-up and the load, dashboards' warm-up off and on",
    )
    parser.add_argument(
        "--trigger",
        choices=["approval", "recompute"],
        default="approval",
        help="with --redis: the roll-up before the first reads, an approval's scoring task or "
        "a full recompute of the period on the worker",
    )
    parser.add_argument(
        "--rollup-every",
        type=float,
        default=0,
        help="with --redis: seconds between approvals during the load (0: none)",
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
        if args.redis:
            import redis

            redis.Redis.from_url(args.redis).flushdb()
            # The served portal and its worker as in production: tasks go through the queue.
            env.update(REDIS_URL=args.redis, CELERY_TASK_ALWAYS_EAGER="0")
        access = workdir / "access.log" if args.redis else None
        server = start_server(env, port, args.workers, workdir / "gunicorn.log", access)
        stats = None
        try:
            wait_ready(base, server)
            status, cold_ms = check_dashboard(base, path, password)
            print(f"GET {path} (the group's dashboard) once: {status} in {cold_ms:.0f} ms")
            if status != 200:
                print("  the dashboard does not answer 200: the load run measures failures")
            if args.redis:
                compare_after_rollup(env, base, path, password, args, workdir, period)
            else:
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
        if stats is not None:
            report(stats, args)
    print(f"load average at the end: {os.getloadavg()[0]:.2f} (the machine may be shared)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
