"""Real Celery worker processes for the tests that watch or kill them (CI: Redis and PostgreSQL).

Each worker is a prefork parent with one child, in a process group of its own (so a test can kill
the parent and its child together), on a queue of the test's own, using the test's database.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def require_redis_and_postgresql() -> None:
    if not os.environ.get("REDIS_URL") or connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must set REDIS_URL and DATABASE_URL so the worker test runs")
        pytest.skip("needs REDIS_URL and PostgreSQL (DATABASE_URL), as .ci/run sets them")


def database_url() -> str:
    """The test database (test_…), which the worker must use rather than DATABASE_URL's."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(condition: Callable, seconds: float, what: str):
    """Poll until `condition()` is truthy and return it; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@contextmanager
def worker_pool(
    prefix: str,
    tasks: list[str],
    *,
    module: str = "celery",
    env: Callable[[str], dict] | None = None,
) -> Iterator[tuple[Callable[[], subprocess.Popen], str]]:
    """Yields `start` (starts one more worker, returns its process) and the queue, with `tasks`
    routed to that queue and eager mode off; every worker still running is stopped after.
    `env(queue)` gives the workers' extra environment."""
    from partybuild.celery import app

    queue = f"{prefix}-{uuid.uuid4().hex[:8]}"
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        command = [sys.executable, "-m", module, "-A", "partybuild", "worker", "--pool=prefork"]
        command += ["--concurrency=1", "-Q", queue, "--loglevel=WARNING"]
        command += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={
                **os.environ,
                "DJANGO_SETTINGS_MODULE": "partybuild.settings",
                "DATABASE_URL": database_url(),
                **(env(queue) if env else {}),
            },
            start_new_session=True,
        )
        started.append(process)
        return process

    eager, routes = app.conf.task_always_eager, app.conf.task_routes
    # What the reaper sends again goes where the test's tasks went. Through update(): Celery
    # builds its router once, and only an update of the configuration makes it build it again
    # (a plain assignment was ignored once an earlier test had sent a task).
    app.conf.update(task_always_eager=False, task_routes={name: {"queue": queue} for name in tasks})
    try:
        yield start, queue
    finally:
        app.conf.update(task_always_eager=eager, task_routes=routes)
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
