"""/metrics: only for the monitoring networks; requests by view and status, latency, task runs and
failures, queue depth, the last roll-up, the beat's tick and the worker's heartbeat."""

import datetime
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from assessment.models import ScoreRun
from partybuild.heartbeats import record
from partybuild.models import Heartbeat
from partybuild.tasks import ping
from tests.factories import PeriodFactory, ScoreRunFactory
from tests.observability_probe import fail_in_task

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PROMETHEUS = "10.20.0.5"


@pytest.fixture
def scrape(client, settings):
    """Read /metrics as the Prometheus server does: {(name, labels): value}."""
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/24"]

    def read() -> dict[tuple[str, frozenset], float]:
        response = client.get("/metrics", REMOTE_ADDR=PROMETHEUS)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/plain")
        return {
            (sample.name, frozenset(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(response.content.decode())
            for sample in family.samples
        }

    return read


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_are_a_404_by_default(client):
    assert client.get("/metrics", REMOTE_ADDR=PROMETHEUS).status_code == 404


def test_metrics_are_a_404_outside_the_monitoring_networks(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/24"]

    assert client.get("/metrics", REMOTE_ADDR="10.30.0.5").status_code == 404


def test_a_forged_forwarded_for_header_does_not_reach_the_metrics(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.20.0.0/24"]
    settings.TRUSTED_PROXIES = []

    response = client.get("/metrics", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=PROMETHEUS)

    assert response.status_code == 404


def test_requests_are_counted_by_url_name_and_status_not_by_path(client, scrape):
    before = sample("partybuild_http_requests_total", view="login", method="GET", status="200")

    client.get("/accounts/login/?next=/somewhere")
    client.get("/accounts/login/")

    samples = scrape()
    key = frozenset({"view": "login", "method": "GET", "status": "200"}.items())
    assert samples["partybuild_http_requests_total", key] == before + 2
    assert not any("/accounts" in str(labels) for _, labels in samples)


def test_an_address_no_page_answers_is_counted_under_none(client):
    before = sample("partybuild_http_requests_total", view="none", method="GET", status="404")

    client.get(f"/no-such-page-{uuid.uuid4().hex}")

    after = sample("partybuild_http_requests_total", view="none", method="GET", status="404")
    assert after == before + 1


def test_a_redirect_to_sign_in_is_counted_with_its_status(client):
    before = sample("partybuild_http_requests_total", view="home", method="GET", status="302")

    client.get("/")

    assert (
        sample("partybuild_http_requests_total", view="home", method="GET", status="302")
        == before + 1
    )


def test_a_made_up_method_is_counted_as_other(client):
    before = sample("partybuild_http_requests_total", view="healthz", method="other", status="200")

    client.generic("BREW", "/healthz")

    after = sample("partybuild_http_requests_total", view="healthz", method="other", status="200")
    assert after == before + 1


def test_latency_is_observed_by_view(client, scrape):
    before = sample("partybuild_http_request_duration_seconds_count", view="healthz")

    client.get("/healthz")

    samples = scrape()
    count = frozenset({"view": "healthz"}.items())
    assert samples["partybuild_http_request_duration_seconds_count", count] == before + 1
    slowest = frozenset({"view": "healthz", "le": "+Inf"}.items())
    assert samples["partybuild_http_request_duration_seconds_bucket", slowest] == before + 1


def test_counting_a_request_costs_no_query(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        client.get(f"/no-such-page-{uuid.uuid4().hex}")


def test_task_runs_are_counted_by_task_name(scrape):
    before = sample("partybuild_celery_task_runs_total", task="partybuild.ping")

    ping.delay("a")
    ping.delay("b")

    key = frozenset({"task": "partybuild.ping"}.items())
    assert scrape()["partybuild_celery_task_runs_total", key] == before + 2


def test_task_failures_are_counted_by_task_name(scrape):
    runs = sample("partybuild_celery_task_runs_total", task="tests.probe_fail")
    failures = sample("partybuild_celery_task_failures_total", task="tests.probe_fail")

    # As a worker runs it: the error is recorded, not raised into the caller.
    result = fail_in_task.apply(throw=False)
    assert isinstance(result.result, ValueError)

    samples = scrape()
    key = frozenset({"task": "tests.probe_fail"}.items())
    assert samples["partybuild_celery_task_runs_total", key] == runs + 1
    assert samples["partybuild_celery_task_failures_total", key] == failures + 1


def test_the_embedded_broker_s_queue_depth_counts_its_message_files(scrape, settings, tmp_path):
    settings.CELERY_BROKER_URL = "filesystem://localhost//"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {"data_folder_in": str(tmp_path)}
    settings.CELERY_REPORTS_QUEUE = "reports"
    for name in ("1_a.default.msg", "2_b.default.msg", "3_c.reports.msg", "4_d.other.msg"):
        (tmp_path / name).write_bytes(b"{}")

    samples = scrape()

    assert samples["partybuild_celery_queue_length", frozenset({"queue": "default"}.items())] == 2
    assert samples["partybuild_celery_queue_length", frozenset({"queue": "reports"}.items())] == 1


def test_redis_queue_depth_adds_up_the_priority_lists(scrape, settings):
    if not os.environ.get("REDIS_URL"):
        if os.environ.get("CI"):
            pytest.fail("CI must set REDIS_URL so the Redis queue depth is measured")
        pytest.skip("needs REDIS_URL (set by .ci/run)")
    import redis

    queue = f"metrics-{uuid.uuid4().hex[:8]}"
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    settings.CELERY_TASK_DEFAULT_QUEUE = queue
    settings.CELERY_REPORTS_QUEUE = ""
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        client.rpush(queue, "m1", "m2", "m3")
        client.rpush(f"{queue}\x06\x169", "urgent")

        samples = scrape()
    finally:
        client.delete(queue, f"{queue}\x06\x169")

    assert samples["partybuild_celery_queue_length", frozenset({"queue": queue}.items())] == 4


def test_an_unreachable_broker_leaves_out_the_queue_depth_only(scrape, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    samples = scrape()

    assert not any(name == "partybuild_celery_queue_length" for name, _ in samples)
    assert any(name == "partybuild_http_requests_total" for name, _ in samples)


def test_the_last_successful_roll_up_is_the_latest_finished_done_run(scrape):
    done = timezone.now() - datetime.timedelta(hours=3)
    period = PeriodFactory()
    for status, finished_at in [
        (ScoreRun.Status.DONE, done - datetime.timedelta(days=1)),
        (ScoreRun.Status.DONE, done),
        (ScoreRun.Status.FAILED, timezone.now()),
    ]:
        ScoreRunFactory(period=period, status=status, finished_at=finished_at)

    value = scrape()["partybuild_rollup_last_success_timestamp_seconds", frozenset()]

    assert value == pytest.approx(done.timestamp())


def test_no_roll_up_yet_leaves_the_metric_out(scrape):
    assert not any(
        name == "partybuild_rollup_last_success_timestamp_seconds" for name, _ in scrape()
    )


def test_the_beat_s_tick_and_the_worker_s_heartbeat_are_exposed(scrape):
    record(Heartbeat.Process.BEAT)
    record(Heartbeat.Process.WORKER, host="celery@node1")
    beat = Heartbeat.objects.get(process="beat").at
    worker = Heartbeat.objects.get(process="worker").at

    samples = scrape()

    assert samples["partybuild_beat_last_tick_timestamp_seconds", frozenset()] == pytest.approx(
        beat.timestamp()
    )
    assert samples[
        "partybuild_worker_last_heartbeat_timestamp_seconds", frozenset()
    ] == pytest.approx(worker.timestamp())


def test_multi_process_mode_adds_up_every_process_s_counts(scrape, settings, tmp_path):
    """GIVEN two other processes (gunicorn workers, a Celery worker) that counted into the
    shared PROMETHEUS_MULTIPROC_DIR
    WHEN /metrics is read with that folder configured
    THEN it shows the sum of their counts."""
    code = (
        "from core.metrics import REQUESTS, TASK_RUNS\n"
        "REQUESTS.labels('login', 'GET', '200').inc()\n"
        "TASK_RUNS.labels('reports.generate').inc(2)\n"
    )
    for _ in range(2):
        subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)},
            check=True,
            timeout=60,
        )
    settings.PROMETHEUS_MULTIPROC_DIR = str(tmp_path)

    samples = scrape()

    task = frozenset({"task": "reports.generate"}.items())
    assert samples["partybuild_celery_task_runs_total", task] == 4
    login = frozenset({"view": "login", "method": "GET", "status": "200"}.items())
    assert samples["partybuild_http_requests_total", login] == 2
