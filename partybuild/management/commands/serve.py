"""Serve the portal as `make run` does: the web server with a Celery worker (and beat) beside it.

On the embedded default the worker takes its messages from files (no broker server), so reports,
recomputes and imports run in the worker while pages keep answering. The worker is restarted if
it stops, and stopped with the server.
"""

import os
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

RESTART_PAUSE_SECONDS = 5


class Command(BaseCommand):
    help = "Run the web server and a Celery worker with beat beside it (the embedded default)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--concurrency", type=int, default=2, help="worker processes (default 2)"
        )

    def handle(self, *args, addrport: str, concurrency: int, **options) -> None:
        # A terminated server stops its worker too (the finally below runs on SystemExit).
        for signum in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(signum, lambda *_: sys.exit(0))
        stopping = threading.Event()
        worker = _Worker(concurrency, stopping, self.stderr)
        worker.start()
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            stopping.set()
            worker.stop()


class _Worker:
    """One Celery worker process in a session of its own, restarted while the server runs."""

    def __init__(self, concurrency: int, stopping: threading.Event, log) -> None:
        self.concurrency = concurrency
        self.stopping = stopping
        self.log = log
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def command(self) -> list[str]:
        queues = [settings.CELERY_TASK_DEFAULT_QUEUE]
        if settings.CELERY_REPORTS_QUEUE:
            queues.append(settings.CELERY_REPORTS_QUEUE)
        schedule = settings.BROKER_DIR / "beat-schedule"
        schedule.parent.mkdir(parents=True, exist_ok=True)
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "partybuild",
            "--quiet",
            "worker",
            "--beat",
            f"--schedule={schedule}",
            f"--concurrency={self.concurrency}",
            f"--queues={','.join(queues)}",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ]

    def start(self) -> None:
        self._spawn()
        threading.Thread(target=self._supervise, name="worker-supervisor", daemon=True).start()

    def _spawn(self) -> None:
        with self.lock:
            if self.stopping.is_set():  # the server stopped while the restart waited
                return
            self.process = subprocess.Popen(self.command(), start_new_session=True)

    def _supervise(self) -> None:
        while not self.stopping.is_set():
            code = self.process.wait()
            if self.stopping.is_set():
                return
            self.log.write(f"worker stopped (exit {code}); starting it again")
            time.sleep(RESTART_PAUSE_SECONDS)
            self._spawn()

    def stop(self) -> None:
        with self.lock:
            process = self.process
        if process is None or process.poll() is not None:
            return
        process.terminate()  # Celery's warm shutdown: the worker stops its own pool
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
