"""`manage.py serve` (what `make run` starts): its worker is restarted when it dies and stopped
with the server."""

import io
import os
import signal
import sys
import threading
import time

from partybuild.management.commands import serve


def _wait_for(condition, seconds: float = 30) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def test_a_worker_that_dies_is_started_again_and_stopped_with_the_server(monkeypatch):
    monkeypatch.setattr(serve, "RESTART_PAUSE_SECONDS", 0.1)
    monkeypatch.setattr(
        serve._Worker, "command", lambda self: [sys.executable, "-c", "import time; time.sleep(60)"]
    )
    stopping = threading.Event()
    log = io.StringIO()
    worker = serve._Worker(1, stopping, log)
    worker.start()
    first = worker.process

    os.kill(first.pid, signal.SIGKILL)

    assert _wait_for(lambda: worker.process is not first)
    assert "worker stopped (exit -9)" in log.getvalue()
    second = worker.process
    stopping.set()
    worker.stop()
    assert second.poll() is not None


def test_the_worker_takes_the_default_queue_and_runs_beat(settings, tmp_path):
    settings.BROKER_DIR = tmp_path
    settings.CELERY_REPORTS_QUEUE = "reports"

    command = serve._Worker(2, threading.Event(), io.StringIO()).command()

    assert "--queues=default,reports" in command
    assert "--beat" in command
    assert "--concurrency=2" in command
