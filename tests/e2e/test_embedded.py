"""The embedded default, as `make run` serves it: SQLite, a broker in files and a worker beside the
web server. A group-wide report runs in the worker while people sign in and read dashboards.

The portal runs in processes of its own (`manage.py serve`) on a fresh SQLite file with the demo
group, whatever database the rest of the suite uses, because that is the configuration at stake.
"""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .conftest import login

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
DEMO_PASSWORD = "partybuild-demo"
START_SECONDS = 180


@dataclass
class Portal:
    url: str
    database: Path
    gate: Path
    log: Path

    def report_status(self) -> str:
        # Read-only, straight from the file: the test must not take a lock the portal needs.
        with sqlite3.connect(f"file:{self.database}?mode=ro", uri=True, timeout=30) as db:
            row = db.execute("SELECT status FROM reports_report ORDER BY id DESC").fetchone()
        return row[0] if row else ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> None:
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )


def _wait_until_serving(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"manage.py serve stopped:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/accounts/login/", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the portal did not answer within {START_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def portal(tmp_path_factory, browser):
    root = tmp_path_factory.mktemp("embedded")
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(
        SQLITE_PATH=str(root / "db.sqlite3"),
        BROKER_DIR=str(root / "broker"),
        MEDIA_ROOT=str(root / "media"),
        DJANGO_DEBUG="1",
        CELERY_IMPORTS="tests.e2e.gated_report",
        REPORT_GATE=str(root / "gate"),
    )
    _manage(env, "migrate", "--noinput")
    _manage(env, "seed_demo", "--scale", "0.05")
    url = f"http://127.0.0.1:{_free_port()}"
    log = root / "serve.log"
    with open(log, "wb") as output:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "serve", url.removeprefix("http://")],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_until_serving(url, server, log)
        yield Portal(url, root / "db.sqlite3", root / "gate", log)
    finally:
        (root / "gate").touch()  # never leave the worker waiting
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def test_pages_answer_while_a_group_report_is_made_in_the_worker(portal, browser):
    auditor = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = auditor.new_page()
    page.set_default_timeout(60000)
    login(page, portal.url, "auditor", DEMO_PASSWORD)
    page.goto(f"{portal.url}/reports/new/")
    # The form lists the organizations in scope, the group first. (Typing a search here would
    # race: its answer, 300 ms later or more on a busy machine, replaces the options and drops
    # a choice made before it.)
    group = page.locator("#org-select option").first.get_attribute("value")
    page.select_option("#org-select", group)
    expect(page.locator("#org-select")).to_have_value(group)
    page.select_option("select[name=period_kind]", "year")
    page.fill("input[name=start]", "2023-01-01")
    page.fill("input[name=end]", "2025-12-31")
    page.check("input[name=format][value=xlsx]")
    page.click("form button[type=submit]")
    # The request answers at once; the worker picks the report up and is held at the gate.
    page.wait_for_selector("#report-progress[data-status=running]", timeout=120000)

    reviewer = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    other = reviewer.new_page()
    other.set_default_timeout(60000)
    login(other, portal.url, "reviewer", DEMO_PASSWORD)
    assert "/accounts/login/" not in other.url
    response = other.goto(f"{portal.url}/")
    assert response.status == 200
    other.wait_for_selector("main")
    # Both answered while the report is still being made.
    assert portal.report_status() == "running"

    portal.gate.touch()
    page.wait_for_selector("#report-progress[data-status=done]", timeout=180000)
    assert portal.report_status() == "done"
    # Quiet: no traceback and no broker warning in what the server and its worker printed.
    printed = portal.log.read_text(errors="replace")
    assert "Traceback" not in printed
    assert "No hostname was supplied" not in printed
    reviewer.close()
    auditor.close()
