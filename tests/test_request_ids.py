"""The request id: on the response, on every log line of the request, and on the lines of the
tasks the request started, in the web process (eager) and through a task message to a worker."""

import io
import json
import logging
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery import Celery
from celery.worker.request import Request

from core import request_ids
from core.logs import ContextFilter, JsonFormatter, TextFormatter

ROOT = Path(__file__).resolve().parent.parent
PROXY = "10.0.0.2"


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """What the portal's JSON handler writes, as the settings configure it for production."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(ContextFilter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


@pytest.mark.django_db
def test_every_response_carries_a_new_request_id(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz")["X-Request-ID"]

    assert len(first) == 32
    assert first != second


@pytest.mark.django_db
def test_the_trusted_proxy_s_request_id_is_kept(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]

    response = client.get("/healthz", REMOTE_ADDR=PROXY, HTTP_X_REQUEST_ID="nginx-7f3a9c01d2e4")

    assert response["X-Request-ID"] == "nginx-7f3a9c01d2e4"


@pytest.mark.django_db
def test_a_client_cannot_choose_its_request_id(client, settings):
    settings.TRUSTED_PROXIES = [PROXY]

    response = client.get("/healthz", REMOTE_ADDR="203.0.113.9", HTTP_X_REQUEST_ID="mine-12345678")

    assert response["X-Request-ID"] != "mine-12345678"


@pytest.mark.django_db
@pytest.mark.parametrize("offered", ["short", "has space 12345", "x" * 129, "line\rbreak12345"])
def test_a_malformed_request_id_from_the_proxy_is_replaced(client, settings, offered):
    settings.TRUSTED_PROXIES = [PROXY]

    response = client.get("/healthz", REMOTE_ADDR=PROXY, HTTP_X_REQUEST_ID=offered)

    assert response["X-Request-ID"] != offered
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_request_s_log_line_and_its_task_s_lines_share_the_request_id(client, settings, json_log):
    """GIVEN a page that logs and starts a task that logs (tasks run eagerly in tests)
    WHEN it is requested
    THEN the view's line and the task's lines carry the id of the response's header, and the
    task's lines name the task."""
    settings.ROOT_URLCONF = "tests.observability_probe"

    response = client.get("/probe/start")

    request_id = response["X-Request-ID"]
    logged = lines(json_log)
    view_line = next(line for line in logged if line["message"] == "in the view")
    task_line = next(line for line in logged if line["message"] == "in the task: hello")
    assert view_line["request_id"] == request_id
    assert task_line["request_id"] == request_id
    assert task_line["task_name"] == "tests.probe_log"
    assert task_line["task_id"]
    assert "task_id" not in view_line
    assert {"time", "level", "logger"} <= set(view_line)
    assert view_line["level"] == "INFO"
    assert view_line["logger"] == "tests.probe"


def test_lines_outside_a_request_have_no_request_id(json_log):
    logging.getLogger("tests.probe").info("a command's line")

    assert lines(json_log)[-1]["request_id"] is None
    assert request_ids.current_request_id() is None


def test_a_task_message_carries_the_request_id_to_the_worker(json_log):
    """GIVEN a task sent while a request is served, through a real (in-memory) broker
    WHEN a worker executes the message it received, as Celery's worker does
    THEN the message's headers hold the request id and the task's log lines carry it, with the
    task's id and name; after the task the worker's context is clean again."""
    broker = Celery("probe", broker="memory://localhost/", set_as_current=False)
    queue = f"probe-{uuid.uuid4().hex[:8]}"  # the in-memory broker is one for the process

    @broker.task(name="probe.log")
    def log_task() -> None:
        logging.getLogger("tests.probe").info("in the worker")

    token = request_ids._request_id.set("req-0123456789abcdef")
    try:
        sent = log_task.apply_async(queue=queue)
    finally:
        request_ids._request_id.reset(token)

    with broker.connection_for_read() as connection:
        message = connection.SimpleQueue(queue).get(timeout=5)
        assert message.headers["request_id"] == "req-0123456789abcdef"
        Request(message, app=broker, task=log_task).execute()

    line = next(line for line in lines(json_log) if line["message"] == "in the worker")
    assert line["request_id"] == "req-0123456789abcdef"
    assert line["task_id"] == sent.id
    assert line["task_name"] == "probe.log"
    assert request_ids.current_request_id() is None
    assert request_ids.current_task() is None


def test_a_task_sent_outside_a_request_carries_no_request_id():
    broker = Celery("probe", broker="memory://localhost/", set_as_current=False)

    @broker.task(name="probe.quiet")
    def quiet() -> None:
        pass

    queue = f"quiet-{uuid.uuid4().hex[:8]}"
    quiet.apply_async(queue=queue)
    with broker.connection_for_read() as connection:
        message = connection.SimpleQueue(queue).get(timeout=5)
        assert "request_id" not in message.headers
        message.ack()


def test_the_text_format_shows_the_request_and_the_task():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "done", None, None)
    record.request_id, record.task_id, record.task_name = "abcd1234", "t-1", "reports.generate"

    assert TextFormatter().format(record).endswith(" INFO x [abcd1234 reports.generate[t-1]] done")


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**_clean_env(), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _log_once(**env: str) -> subprocess.CompletedProcess:
    code = "import logging; logging.getLogger('portal').warning('报表 ready')"
    return _manage("shell", "-c", code, **env)


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in {"LOG_FORMAT", "DJANGO_ENV"}}


def test_log_format_json_writes_json_lines():
    result = _log_once(LOG_FORMAT="json")

    assert result.returncode == 0, result.stderr
    line = json.loads(result.stderr.strip().splitlines()[-1])
    assert line["message"] == "报表 ready"
    assert line["level"] == "WARNING"
    assert line["logger"] == "portal"
    assert line["time"].endswith("+00:00")


def test_development_logs_plain_text():
    result = _log_once()

    assert result.returncode == 0, result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith("WARNING portal 报表 ready")


def test_an_unknown_log_format_fails_loudly():
    result = _manage("check", LOG_FORMAT="xml")

    assert result.returncode != 0
    assert "LOG_FORMAT='xml'" in result.stderr
