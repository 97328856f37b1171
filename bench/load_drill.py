"""Load and fault drill (issue 18): 50 users for 10 minutes against gunicorn + PostgreSQL + Redis +
a real Celery worker and beat, with PostgreSQL restarted, Redis restarted and the worker killed
with `kill -9` during the run. A plain script, not a test; it restarts the machine's own
PostgreSQL and Redis, so run it on a machine of your own.

    createdb -h 127.0.0.1 -U postgres pb_load
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_load manage.py migrate
    DATABASE_URL=... manage.py seed_demo                       # the demo group
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pb_load REDIS_URL=redis://127.0.0.1:6379/11 \\
        python bench/load_drill.py [--users 50] [--duration 600] [--no-faults]

Setup (in this process): bench users with a fresh password — secretaries, reviewers of the
group, committee readers (reviewers of a committee) and auditors of the group; the open period's
submitted submissions are returned to their secretaries so that there is work to save and submit,
and each is given to one bench secretary. Then it serves the portal as in production (gunicorn,
DJANGO_ENV=production, static files collected into bench/out/), starts a Celery worker and beat
as systemd would (the worker is started again when it dies), and runs the users as threads:

- secretaries: read a submission (API and page), save a changed value twice, submit;
- reviewers: list the submitted ones, read one, approve it (40 %) or return it (60 %);
- committee readers: the home page and their committee's dashboard;
- auditors: request a PDF report of a committee and follow it until it is done.

Faults at 1/4, 1/2 and 3/4 of the run: `pg_ctlcluster --skip-systemctl-redirect 15 main
restart`; `redis-cli shutdown nosave` and `redis-server` started again; the worker (and its pool)
killed with SIGKILL and started again 2 s later.

At the end: server errors (5xx and refused connections) outside and inside the fault windows,
recovery after each fault (from the service being back to the last error it caused), p50/p95
per page type, every accepted save and approval looked up in the database and the audit trail,
the audit chain verified, reports finished, and the open period's roll-up compared with a fresh
full recompute. Figures are printed and written to bench/out/load-drill-<time>.json.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")

VENV_BIN = Path(sys.executable).parent
OUT = ROOT / "bench" / "out"
STATIC_ROOT = OUT / "dashboard-static"  # shared with bench_dashboard.py
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PREFIX = "drill-"
WORK_PER_SECRETARY = 8
EVIDENCE = b"%PDF-1.4\n% load drill evidence\n"
SETTINGS_MODULE = """from partybuild.settings import *  # noqa: F403

STATIC_ROOT = {static_root!r}
"""
PG_RESTART = ["pg_ctlcluster", "--skip-systemctl-redirect", "15", "main", "restart"]
REDIS_START = [
    "redis-server", "--daemonize", "yes", "--bind", "127.0.0.1", "--port", "6379",
    "--save", "", "--appendonly", "no",
]  # fmt: skip


# -- setup ----------------------------------------------------------------------------------------


@dataclass
class Cast:
    """The bench users and what each works on."""

    password: str
    period_id: int
    secretaries: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reviewers: list[str] = field(default_factory=list)
    committees: dict[str, int] = field(default_factory=dict)
    auditors: dict[str, int] = field(default_factory=dict)


def _user(username: str, password: str):
    from django.contrib.auth import get_user_model

    user, _created = get_user_model().objects.get_or_create(username=username)
    user.set_password(password)
    user.is_active = True
    user.save()
    return user


def _editable_number(submission, indicators) -> dict[str, Any] | None:
    """An indicator of the submission whose stored value is a whole number the secretary may
    change (typed, not counted from records), with the bounds a change must stay within."""
    values = {v.indicator_id: v.value for v in submission.values.all()}
    for indicator in indicators:
        value = values.get(indicator.pk)
        if indicator.source or indicator.value_type not in ("number", "count"):
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            continue
        low, high = indicator.plausible_min, indicator.plausible_max
        if low is None or high is None or high - low < 2 or not low <= value <= high:
            continue
        return {"code": indicator.code, "value": int(value), "low": int(low), "high": int(high)}
    return None


def _attach_evidence(submission, indicators, secretary) -> None:
    """The demo's submissions carry no evidence files; those the framework requires are
    uploaded here (one small PDF, stored once under its hash), as their secretary would."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessment.services import evidence

    applying = {i.code for i in workflow_indicators(submission)}
    have = set(submission.evidence.values_list("indicator__code", flat=True))
    for indicator in indicators:
        if (
            indicator.evidence_required
            and indicator.code in applying
            and indicator.code not in have
        ):
            upload = SimpleUploadedFile("minutes.pdf", EVIDENCE, "application/pdf")
            evidence.add_evidence(submission, indicator.code, upload, acting_user=secretary)


def workflow_indicators(submission) -> list:
    from assessment.services import submissions as workflow

    return workflow.entry_indicators(submission)


def prepare(users: int, password: str) -> Cast:
    """Bench users and their work in the demo's open period (see the module's docstring)."""
    from django.db.models import Case, When

    from assessment.choices import PeriodStatus, SubmissionState
    from assessment.models import Period, Submission
    from assessment.services import submissions as workflow
    from organizations.choices import Role
    from organizations.models import Organization
    from organizations.services import assign_role

    period = Period.objects.filter(status=PeriodStatus.OPEN).order_by("-pk").first()
    if period is None:
        raise SystemExit("no open period: load the demo (manage.py seed_demo) first")
    root = Organization.objects.filter(parent__isnull=True).order_by("pk").first()
    shares = {"secretary": 0.4, "reviewer": 0.2, "committee": 0.3, "auditor": 0.1}
    counts = {role: max(1, round(users * share)) for role, share in shares.items()}
    counts["committee"] += users - sum(counts.values())
    cast = Cast(password=password, period_id=period.pk)

    reviewers = [_user(f"{PREFIX}reviewer-{n:02}", password) for n in range(counts["reviewer"])]
    for user in reviewers:
        assign_role(user=user, organization=root, role=Role.REVIEWER)
    cast.reviewers = [user.username for user in reviewers]
    for n in range(counts["auditor"]):
        user = _user(f"{PREFIX}auditor-{n:02}", password)
        assign_role(user=user, organization=root, role=Role.AUDITOR)
    committees = list(
        Organization.objects.filter(parent=root).order_by("pk").values_list("pk", flat=True)
    )
    for n in range(counts["committee"]):
        user = _user(f"{PREFIX}committee-{n:02}", password)
        organization = Organization.objects.get(pk=committees[n % len(committees)])
        assign_role(user=user, organization=organization, role=Role.REVIEWER)
        cast.committees[user.username] = organization.pk
    for n in range(counts["auditor"]):
        cast.auditors[f"{PREFIX}auditor-{n:02}"] = committees[(n * 7) % len(committees)]

    # Work for the secretaries: the submitted submissions, returned to be edited again.
    indicators = list(period.framework.indicators.order_by("position", "pk"))
    secretaries = [_user(f"{PREFIX}secretary-{n:02}", password) for n in range(counts["secretary"])]
    cast.secretaries = {user.username: [] for user in secretaries}
    pool = (
        Submission.objects.filter(
            period=period,
            state__in=[SubmissionState.SUBMITTED, SubmissionState.RETURNED],
        )
        .select_related("organization")
        .prefetch_related("values")
        .order_by(
            # The members' and the staff's first: they need the fewest evidence files.
            Case(When(subject_kind__in=["party_member", "staff"], then=0), default=1),
            "pk",
        )
    )
    returner = reviewers[0]
    n = 0
    for submission in pool:
        if n >= WORK_PER_SECRETARY * len(secretaries):
            break
        number = _editable_number(submission, indicators)
        if number is None:
            continue
        secretary = secretaries[n % len(secretaries)]
        assign_role(user=secretary, organization=submission.organization, role=Role.SECRETARY)
        if not workflow.can_enter(secretary, submission):
            continue
        if submission.state == SubmissionState.SUBMITTED:
            if not workflow.can_review(returner, submission):
                continue
            workflow.return_submission(
                submission, reason="load drill: edit again", acting_user=returner
            )
        _attach_evidence(submission, indicators, secretary)
        cast.secretaries[secretary.username].append({"id": submission.pk, **number})
        n += 1
    return cast


# -- processes ------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(workdir: Path) -> dict[str, str]:
    (workdir / "load_drill_settings.py").write_text(
        SETTINGS_MODULE.format(static_root=str(STATIC_ROOT))
    )
    env = {
        k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "CELERY_TASK_ALWAYS_EAGER")
    }
    env.update(
        DJANGO_ENV="production",
        DJANGO_SETTINGS_MODULE="load_drill_settings",
        PYTHONPATH=os.pathsep.join([str(workdir), str(ROOT)]),
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        LOG_LEVEL="WARNING",
    )
    return env


class Supervised:
    """A long-lived process started again when it dies, as systemd's Restart=always does."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path) -> None:
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen | None = None
        self.restarts = 0
        self._stop = threading.Event()
        self.start()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the pool goes with it
        )

    def _watch(self) -> None:
        while not self._stop.wait(0.5):
            if self.process.poll() is not None:
                time.sleep(2)  # RestartSec=2
                if not self._stop.is_set():
                    self.restarts += 1
                    self.start()

    def kill9(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)

    def stop(self) -> None:
        self._stop.set()
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def collect_static(env: dict[str, str]) -> None:
    if (STATIC_ROOT / "staticfiles.json").exists():
        return
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--clear", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
    )


def wait_ready(url: str, timeout: float = 90) -> None:
    import requests

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/accounts/login/", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn did not answer within {timeout:.0f} s")


# -- the users ------------------------------------------------------------------------------------


@dataclass
class Sample:
    at: float
    kind: str
    status: int  # 0: no answer (connection refused, reset, timed out)
    ms: float
    user: str


class Recorder:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.samples: list[Sample] = []
        self.saves: list[dict[str, Any]] = []
        self.decisions: list[dict[str, Any]] = []
        self.reports: list[dict[str, Any]] = []
        self.faults: list[dict[str, Any]] = []
        self.refusals: dict[str, str] = {}  # the first 4xx body of each kind, to read

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


class User(threading.Thread):
    """One signed-in person: a requests session, a loop of tasks, a think time between them."""

    def __init__(self, base: str, username: str, cast: Cast, recorder: Recorder, stop) -> None:
        super().__init__(daemon=True, name=username)
        import requests

        self.base, self.username, self.cast, self.recorder, self.stop = (
            base,
            username,
            cast,
            recorder,
            stop,
        )
        self.session = requests.Session()
        self.rng = random.Random(username)

    def request(self, kind: str, method: str, path: str, **kwargs):
        import requests

        headers = kwargs.pop("headers", {})
        token = self.session.cookies.get("csrftoken")
        if method != "GET" and token:
            headers["X-CSRFToken"] = token
        started = time.monotonic()
        try:
            response = self.session.request(
                method,
                f"{self.base}{path}",
                headers={"Referer": f"{self.base}/", **headers},
                timeout=60,
                allow_redirects=False,
                **kwargs,
            )
        except requests.RequestException:
            self.recorder.add(
                Sample(started, kind, 0, (time.monotonic() - started) * 1000, self.username)
            )
            return None
        for cookie in self.session.cookies:
            cookie.secure = False  # production marks them Secure; this is plain HTTP to 127.0.0.1
        if 400 <= response.status_code < 500 and kind not in self.recorder.refusals:
            self.recorder.refusals[kind] = f"{response.status_code} {response.text[:300]}"
        self.recorder.add(
            Sample(
                started,
                kind,
                response.status_code,
                (time.monotonic() - started) * 1000,
                self.username,
            )
        )
        return response

    def sign_in(self) -> bool:
        page = self.request("login", "GET", "/accounts/login/")
        if page is None or page.status_code != 200:
            return False
        match = CSRF_INPUT.search(page.text)
        answer = self.request(
            "login",
            "POST",
            "/accounts/login/",
            data={
                "csrfmiddlewaretoken": match.group(1) if match else "",
                "username": self.username,
                "password": self.cast.password,
            },
        )
        return answer is not None and answer.status_code == 302

    def think(self, low: float = 1.0, high: float = 3.0) -> None:
        self.stop.wait(self.rng.uniform(low, high))

    def run(self) -> None:
        self.stop.wait(self.rng.uniform(0, 10))  # a ramp over the first seconds
        while not self.stop.is_set():
            if not self.session.cookies.get("sessionid") and not self.sign_in():
                self.think(2, 4)
                continue
            # An answer that was not the JSON expected is counted by its status; go on.
            with contextlib.suppress(KeyError, ValueError, TypeError):
                self.step()
            self.think()

    def step(self) -> None:
        raise NotImplementedError


class Secretary(User):
    def step(self) -> None:
        if not self.cast.secretaries[self.username]:
            self.request("secretary: home", "GET", "/")
            return
        work = self.rng.choice(self.cast.secretaries[self.username])
        detail = self.request(
            "secretary: read submission (API)", "GET", f"/api/v1/submissions/{work['id']}/"
        )
        if detail is None or detail.status_code != 200:
            return
        body = detail.json()
        if body["state"] not in ("draft", "returned"):
            return
        self.request("secretary: entry page", "GET", f"/assessment/submissions/{work['id']}/")
        version = body["version"]
        stored = body["values"].get(work["code"], {}).get("value")
        current = int(stored) if stored is not None else work["value"]
        for _attempt in range(2):
            value = current + 1 if current + 1 <= work["high"] else current - 1
            self.think(1, 2)
            saved = self.request(
                "secretary: save",
                "PATCH",
                f"/api/v1/submissions/{work['id']}/",
                json={"version": version, "values": {work["code"]: str(value)}},
            )
            if saved is None or saved.status_code != 200:
                return
            version = saved.json()["version"]
            with self.recorder.lock:
                self.recorder.saves.append(
                    {
                        "submission": work["id"],
                        "version": version,
                        "code": work["code"],
                        "value": str(value),
                        "user": self.username,
                    }
                )
            current = value
        self.think(1, 2)
        self.request("secretary: submit", "POST", f"/api/v1/submissions/{work['id']}/submit/")


class Reviewer(User):
    def step(self) -> None:
        listing = self.request(
            "reviewer: queue (API)",
            "GET",
            f"/api/v1/submissions/?state=submitted&period={self.cast.period_id}&page_size=20",
        )
        if listing is None or listing.status_code != 200 or not listing.json()["results"]:
            return
        pk = self.rng.choice(listing.json()["results"])["id"]
        page = self.request("reviewer: submission page", "GET", f"/assessment/submissions/{pk}/")
        if page is None or page.status_code != 200:
            return
        self.think(1, 2)
        approve = self.rng.random() < 0.4
        if approve:
            answer = self.request(
                "reviewer: approve",
                "POST",
                f"/api/v1/submissions/{pk}/approve/",
                json={"comment": "ok"},
            )
        else:
            answer = self.request(
                "reviewer: return",
                "POST",
                f"/api/v1/submissions/{pk}/return/",
                json={"reason": "load drill: please check"},
            )
        if answer is not None and answer.status_code == 200:
            with self.recorder.lock:
                self.recorder.decisions.append(
                    {
                        "submission": pk,
                        "to": "approved" if approve else "returned",
                        "user": self.username,
                    }
                )


class Committee(User):
    def step(self) -> None:
        self.request("committee: board", "GET", "/dashboards/")
        self.think(1, 2)
        self.request(
            "committee: dashboard",
            "GET",
            f"/dashboards/organizations/{self.cast.committees[self.username]}/",
        )


class Auditor(User):
    def step(self) -> None:
        requested = self.request(
            "auditor: request report",
            "POST",
            "/api/v1/reports/",
            json={
                "organization": self.cast.auditors[self.username],
                "format": "pdf",
                "period_kind": "year",
                "start": "2025-01-01",
                "end": "2026-12-31",
            },
        )
        if requested is None or requested.status_code != 202:
            return
        report = {"id": requested.json()["id"], "requested": time.monotonic(), "done": None}
        with self.recorder.lock:
            self.recorder.reports.append(report)
        while not self.stop.is_set():
            self.think(2, 3)
            answer = self.request(
                "auditor: follow report", "GET", f"/api/v1/reports/{report['id']}/"
            )
            if (
                answer is not None
                and answer.status_code == 200
                and answer.json()["status"] in ("done", "failed")
            ):
                report["done"] = time.monotonic()
                report["status"] = answer.json()["status"]
                break
        self.think(10, 20)


# -- faults ---------------------------------------------------------------------------------------


def _until(check, timeout: float = 120) -> float:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return time.monotonic()
        except Exception:  # anything short of an answer is "not yet"
            pass
        time.sleep(0.2)
    return time.monotonic()


def restart_postgresql() -> None:
    subprocess.run(PG_RESTART, check=True, capture_output=True)


def postgresql_up() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def restart_redis() -> None:
    subprocess.run(["redis-cli", "shutdown", "nosave"], check=False, capture_output=True)
    time.sleep(1)
    subprocess.run(REDIS_START, check=True, capture_output=True, cwd="/")


def redis_up() -> bool:
    return (
        subprocess.run(
            ["redis-cli", "ping"], capture_output=True, text=True, check=False
        ).stdout.strip()
        == "PONG"
    )


def worker_up() -> bool:
    from partybuild.celery import app

    return bool(app.control.ping(timeout=1))


def inject(recorder: Recorder, name: str, action, back) -> None:
    started = time.monotonic()
    action()
    returned = _until(back)
    recorder.faults.append({"fault": name, "start": started, "back": returned})
    print(f"  fault {name}: back after {returned - started:.1f} s", flush=True)


# -- the figures ----------------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def _end(sample: Sample) -> float:
    return sample.at + sample.ms / 1000


def failed(sample: Sample) -> bool:
    return sample.status == 0 or sample.status >= 500


def figures(recorder: Recorder, began: float, ended: float) -> dict[str, Any]:
    """Errors outside and inside the fault windows, recovery per fault, p95 per page type."""
    faults = sorted(recorder.faults, key=lambda f: f["start"])
    windows = []
    for n, fault in enumerate(faults):
        end_of_window = faults[n + 1]["start"] if n + 1 < len(faults) else ended
        # A request belongs to the window in which it ended (one started just before the fault
        # and failed by it counts as the fault's).
        errors = [
            s for s in recorder.samples if fault["start"] <= _end(s) < end_of_window and failed(s)
        ]
        last = max((s.at + s.ms / 1000 for s in errors), default=None)
        windows.append(
            {
                "fault": fault["fault"],
                "at_s": round(fault["start"] - began, 1),
                "service_back_s": round(fault["back"] - fault["start"], 1),
                "errors": len(errors),
                "errors_by_kind": dict(sorted(_count(s.kind for s in errors).items())),
                # From the service being back to the last error it caused (0: none after).
                "recovery_s": round(max(0.0, last - fault["back"]), 1) if last else 0.0,
                "last_error_after_fault_s": round(last - fault["start"], 1) if last else None,
            }
        )
    first_fault = faults[0]["start"] if faults else ended
    outside = [s for s in recorder.samples if _end(s) < first_fault and failed(s)]
    pages = defaultdict(list)
    statuses = defaultdict(lambda: defaultdict(int))
    for sample in recorder.samples:
        statuses[sample.kind][sample.status] += 1
        if not failed(sample):
            pages[sample.kind].append(sample.ms)
    return {
        "requests": len(recorder.samples),
        "errors_before_first_fault": len(outside),
        "errors_total": sum(1 for s in recorder.samples if failed(s)),
        "windows": windows,
        "pages": {
            kind: {
                "count": len(times),
                "p50_ms": round(percentile(times, 50)),
                "p95_ms": round(percentile(times, 95)),
                "max_ms": round(max(times)),
                "statuses": dict(sorted(statuses[kind].items())),
            }
            for kind, times in sorted(pages.items())
        },
    }


def _count(items) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for item in items:
        counts[item] += 1
    return counts


def wait_quiet(period_id: int, timeout: float = 420) -> float:
    """Wait until the worker has nothing left: no queued message, no running score run or
    report, no approval without its score; -1 if that does not happen within `timeout`."""
    import redis
    from django.conf import settings
    from django.db.models import F, Q

    from assessment.models import ScoreRun, Submission
    from reports.models import Report

    client = redis.Redis.from_url(settings.REDIS_URL)
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        busy = (
            client.llen("default")
            or ScoreRun.objects.filter(period_id=period_id, status__in=["pending", "running"])
            .exclude(status="pending", task_id="")  # marked for the nightly run: never started
            .exists()
            or Report.objects.filter(status__in=["queued", "running"]).exists()
            # An approval with no score after it: its task is running, queued or lost (the
            # reaper sends it again after JOB_STALE_AFTER).
            or Submission.objects.filter(
                period_id=period_id, state__in=["approved", "locked"], approved_at__isnull=False
            )
            .filter(Q(score__isnull=True) | Q(score__computed_at__lt=F("approved_at")))
            .exists()
        )
        if not busy:
            return time.monotonic() - started
        time.sleep(2)
    return -1.0


def lost_writes(recorder: Recorder) -> dict[str, Any]:
    """Every accepted save and decision, looked up in the database and the audit trail."""
    from assessment.models import Transition, ValueChange
    from audit.models import AuditEntry, AuditKind

    missing_rows, missing_audit = [], []
    for save in recorder.saves:
        change = any(
            new is not None and float(new) == float(save["value"])
            for new in ValueChange.objects.filter(
                submission_id=save["submission"],
                version=save["version"],
                indicator__code=save["code"],
            ).values_list("new", flat=True)
        )
        audited = AuditEntry.objects.filter(
            kind=AuditKind.VALUE_CHANGED,
            target=f"submission:{save['submission']}",
            summary__contains=f" v{save['version']} ",
        ).exists()
        if not change:
            missing_rows.append(save)
        if not audited:
            missing_audit.append(save)
    accepted = _count((d["submission"], d["to"], d["user"]) for d in recorder.decisions)
    for (submission, to, username), times in accepted.items():
        rows = Transition.objects.filter(
            submission_id=submission, to_state=to, by__username=username
        ).count()
        if rows < times:
            missing_rows.append({"submission": submission, "to": to, "user": username})
        audited = AuditEntry.objects.filter(
            kind=AuditKind.SUBMISSION_TRANSITION,
            target=f"submission:{submission}",
            actor__username=username,
        ).count()
        if audited < times:
            missing_audit.append({"submission": submission, "to": to, "user": username})
    return {
        "saves_accepted": len(recorder.saves),
        "decisions_accepted": len(recorder.decisions),
        "approvals_accepted": sum(1 for d in recorder.decisions if d["to"] == "approved"),
        "missing_in_database": missing_rows,
        "missing_in_audit": missing_audit,
    }


def converge(period_id: int) -> dict[str, Any]:
    """The roll-up as the run left it against a fresh full recompute of the period."""
    from assessment.models import Period, Rollup, ScoreRun, SubjectScore
    from assessment.services import scores

    def snapshot() -> tuple[dict, dict]:
        rollups = {
            (r.organization_id, r.dimension): r.score
            for r in Rollup.objects.filter(period_id=period_id)
        }
        subjects = {
            s[0]: s[1]
            for s in SubjectScore.objects.filter(period_id=period_id).values_list(
                "submission_id", "total"
            )
        }
        return rollups, subjects

    before_rollups, before_subjects = snapshot()
    period = Period.objects.get(pk=period_id)
    run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.COMMAND, enqueue=False)
    scores.run_full_recompute(run.pk, token=run.task_id)
    after_rollups, after_subjects = snapshot()

    def differ(a: dict, b: dict) -> int:
        keys = set(a) | set(b)
        return sum(
            1
            for key in keys
            if key not in a
            or key not in b
            or (a[key] is None) != (b[key] is None)
            or (a[key] is not None and abs(a[key] - b[key]) > 1e-6)
        )

    return {
        "rollups": len(after_rollups),
        "rollups_differing": differ(before_rollups, after_rollups),
        "subject_scores": len(after_subjects),
        "subject_scores_differing": differ(before_subjects, after_subjects),
    }


# -- the run --------------------------------------------------------------------------------------


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def machine() -> str:
    from bench_rollup import machine as described

    return described()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=600, help="seconds")
    parser.add_argument("--web-workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-concurrency", type=int, default=2)
    parser.add_argument("--no-faults", action="store_true")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        print("load_drill needs DATABASE_URL (PostgreSQL) and REDIS_URL", file=sys.stderr)
        return 2
    if not os.environ.get("REDIS_URL"):
        print("load_drill needs REDIS_URL (the broker of the real worker)", file=sys.stderr)
        return 2
    os.environ.pop("CELERY_TASK_ALWAYS_EAGER", None)

    import logging

    import django

    django.setup()
    logging.getLogger("celery").setLevel(logging.WARNING)
    from django.db import connections

    print(f"machine: {machine()}")
    print(f"uptime: {uptime()}")
    print(f"command: {' '.join([Path(sys.executable).name, *sys.argv])}", flush=True)
    password = secrets.token_urlsafe(16)
    started = time.perf_counter()
    cast = prepare(args.users, password)
    work = sum(len(items) for items in cast.secretaries.values())
    print(
        f"setup {time.perf_counter() - started:.0f} s: {len(cast.secretaries)} secretaries over "
        f"{work} submissions, {len(cast.reviewers)} reviewers, {len(cast.committees)} committee "
        f"readers, {len(cast.auditors)} auditors",
        flush=True,
    )
    connections.close_all()

    OUT.mkdir(parents=True, exist_ok=True)
    recorder = Recorder()
    with tempfile.TemporaryDirectory(prefix="load-drill-") as tmp:
        workdir = Path(tmp)
        env = server_env(workdir)
        collect_static(env)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        logs = OUT / "load-drill-logs"
        logs.mkdir(exist_ok=True)
        web = Supervised(
            "web",
            [str(VENV_BIN / "gunicorn"), "partybuild.wsgi", "--workers", str(args.web_workers),
             "--bind", f"127.0.0.1:{port}", "--timeout", "60"],
            env, logs / "gunicorn.log",
        )  # fmt: skip
        worker = Supervised(
            "worker",
            [sys.executable, "-m", "celery", "-A", "partybuild", "worker", "--pool=prefork",
             f"--concurrency={args.worker_concurrency}", "--loglevel=WARNING",
             "--without-gossip", "--without-mingle"],
            env, logs / "worker.log",
        )  # fmt: skip
        beat = Supervised(
            "beat",
            [sys.executable, "-m", "celery", "-A", "partybuild", "beat", "--loglevel=WARNING",
             "--schedule", str(workdir / "beat-schedule")],
            env, logs / "beat.log",
        )  # fmt: skip
        stop = threading.Event()
        try:
            wait_ready(base)
            _until(worker_up, 60)
            kinds = (
                [Secretary(base, name, cast, recorder, stop) for name in cast.secretaries]
                + [Reviewer(base, name, cast, recorder, stop) for name in cast.reviewers]
                + [Committee(base, name, cast, recorder, stop) for name in cast.committees]
                + [Auditor(base, name, cast, recorder, stop) for name in cast.auditors]
            )
            began = time.monotonic()
            print(f"{len(kinds)} users for {args.duration:.0f} s", flush=True)
            for user in kinds:
                user.start()
            plan = [] if args.no_faults else [
                (0.25, "postgresql restart", restart_postgresql, postgresql_up),
                (0.50, "redis restart", restart_redis, redis_up),
                (0.75, "worker kill -9", worker.kill9, worker_up),
            ]  # fmt: skip
            for share, name, action, back in plan:
                stop.wait(max(0.0, began + share * args.duration - time.monotonic()))
                inject(recorder, name, action, back)
            stop.wait(max(0.0, began + args.duration - time.monotonic()))
            stop.set()
            for user in kinds:
                user.join(timeout=70)
            ended = time.monotonic()
            print("load over; waiting for the worker to finish what was queued", flush=True)
            quiet = wait_quiet(cast.period_id)
            result: dict[str, Any] = {
                "command": " ".join([Path(sys.executable).name, *sys.argv]),
                "machine": machine(),
                "uptime_end": subprocess.run(
                    ["uptime"], capture_output=True, text=True, check=False
                ).stdout.strip(),
                "users": len(kinds),
                "duration_s": args.duration,
                "web_workers": args.web_workers,
                "worker_restarts": worker.restarts,
                "quiet_after_s": round(quiet, 1),
                **figures(recorder, began, ended),
            }
        finally:
            stop.set()
            for process in (web, worker, beat):
                process.stop()
    result["reports"] = {
        "requested": len(recorder.reports),
        "done": sum(1 for r in recorder.reports if r.get("status") == "done"),
        "failed": sum(1 for r in recorder.reports if r.get("status") == "failed"),
        "p95_until_done_s": round(
            percentile([r["done"] - r["requested"] for r in recorder.reports if r["done"]], 95), 1
        ),
    }
    from reports.models import Report

    result["reports"]["unfinished_in_database"] = Report.objects.filter(
        requested_by__username__startswith=PREFIX, status__in=["queued", "running"]
    ).count()
    result["refusals"] = recorder.refusals
    result["writes"] = lost_writes(recorder)
    from audit.services import verify_chain

    chain = verify_chain()
    result["audit_chain"] = {
        "intact": chain.intact,
        "entries": chain.entries,
        "message": chain.message,
    }
    result["scores"] = converge(cast.period_id)
    stamp = datetime.datetime.now(tz=datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    out = OUT / f"load-drill-{stamp}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False))
    print(json.dumps(result, indent=1, ensure_ascii=False))
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
