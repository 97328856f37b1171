"""/healthz: up or down for anyone; the database, Redis, the report font, the beat and the worker
for those who run it."""

import datetime
import uuid

import pytest
from celery import Celery
from django.utils import timezone

from partybuild.heartbeats import TASK_NAME
from partybuild.models import Heartbeat
from partybuild.tasks import heartbeat
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MONITOR = "10.9.8.7"


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="ops", is_staff=True))
    return client


def test_an_anonymous_caller_learns_only_that_the_portal_is_up(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert b"sqlite" not in response.content
    assert b"postgresql" not in response.content


def test_an_anonymous_caller_learns_only_that_the_portal_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {"status": "degraded"}


def test_the_answer_is_never_cached(client):
    assert "no-cache" in client.get("/healthz")["Cache-Control"]


def test_a_staff_session_sees_each_check(staff_client):
    body = staff_client.get("/healthz").json()

    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"
    assert body["checks"]["database"]["vendor"]
    assert body["checks"]["report_font"]["status"] == "ok"


def test_a_superuser_sees_each_check(client):
    client.force_login(UserFactory(username="root", is_superuser=True))

    assert "checks" in client.get("/healthz").json()


def test_a_signed_in_user_without_staff_rights_sees_only_up_or_down(client_for, alice):
    assert client_for(alice).get("/healthz").json() == {"status": "ok"}


def test_the_monitoring_address_sees_each_check(client, settings):
    settings.HEALTHZ_ALLOWED_IPS = ["10.9.8.0/24"]

    body = client.get("/healthz", REMOTE_ADDR=MONITOR).json()

    assert body["checks"]["database"]["status"] == "ok"


def test_a_forged_forwarded_for_header_does_not_claim_the_monitoring_address(client, settings):
    settings.HEALTHZ_ALLOWED_IPS = [f"{MONITOR}/32"]
    settings.TRUSTED_PROXIES = []

    response = client.get("/healthz", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR=MONITOR)

    assert response.json() == {"status": "ok"}


def test_a_trusted_proxy_passes_on_the_monitoring_address(client, settings):
    settings.HEALTHZ_ALLOWED_IPS = [f"{MONITOR}/32"]
    settings.TRUSTED_PROXIES = ["127.0.0.1"]

    response = client.get("/healthz", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=MONITOR)

    assert "checks" in response.json()


def test_healthz_says_redis_is_not_configured_when_it_is_not(staff_client, settings):
    settings.REDIS_URL = ""
    assert staff_client.get("/healthz").json()["checks"]["redis"] == {"status": "not configured"}


def test_healthz_degrades_when_redis_is_down(staff_client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = staff_client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["status"] == "down"
    assert response.json()["status"] == "degraded"


def test_healthz_degrades_when_the_database_is_down(client, settings, monkeypatch):
    from django.db import connection
    from django.db.utils import OperationalError

    settings.HEALTHZ_ALLOWED_IPS = ["127.0.0.1/32"]

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "status": "down",
        "error": "OperationalError",
    }


def test_healthz_degrades_when_the_report_font_is_missing(staff_client, settings, tmp_path):
    settings.REPORTS_FONT_DIR = str(tmp_path)

    response = staff_client.get("/healthz")

    assert response.status_code == 503
    font = response.json()["checks"]["report_font"]
    assert font["status"] == "missing"
    assert any("NotoSansHans-Regular.otf" in problem for problem in font["problems"])


def test_a_portal_whose_beat_and_worker_never_ran_is_still_up(staff_client):
    response = staff_client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["checks"]["beat"] == {"status": "never seen"}
    assert response.json()["checks"]["worker"] == {"status": "never seen"}


def test_sending_the_heartbeat_task_records_the_beat_s_tick(staff_client):
    """GIVEN the beat sends its every-minute heartbeat through a broker
    THEN the tick is recorded by the sending itself, whether or not a worker takes it."""
    probe = Celery("beat-probe", broker="memory://localhost/", set_as_current=False)

    probe.send_task(TASK_NAME, queue=f"beat-{uuid.uuid4().hex[:8]}")

    beat = staff_client.get("/healthz").json()["checks"]["beat"]
    assert beat["status"] == "alive"
    assert beat["age_seconds"] <= 5
    assert beat["host"]
    assert staff_client.get("/healthz").json()["checks"]["worker"]["status"] == "never seen"


def test_other_tasks_sent_are_no_beat_tick():
    probe = Celery("beat-probe", broker="memory://localhost/", set_as_current=False)

    probe.send_task("partybuild.ping", args=["x"], queue=f"beat-{uuid.uuid4().hex[:8]}")

    assert not Heartbeat.objects.exists()


def test_running_the_heartbeat_task_records_the_worker_s_heartbeat(staff_client):
    heartbeat.delay()

    worker = staff_client.get("/healthz").json()["checks"]["worker"]
    assert worker["status"] == "alive"
    assert worker["age_seconds"] <= 5
    assert worker["last"]


def test_old_heartbeats_are_stale_with_their_ages_and_the_portal_stays_up(staff_client, settings):
    settings.HEARTBEAT_STALE_AFTER = 300
    now = timezone.now()
    Heartbeat.objects.create(process="beat", at=now - datetime.timedelta(seconds=90), host="n1")
    Heartbeat.objects.create(process="worker", at=now - datetime.timedelta(seconds=400), host="n1")

    response = staff_client.get("/healthz")

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert checks["beat"]["status"] == "alive"
    assert 90 <= checks["beat"]["age_seconds"] < 100
    assert checks["worker"]["status"] == "stale"
    assert 400 <= checks["worker"]["age_seconds"] < 410


def test_an_anonymous_caller_learns_nothing_of_the_worker(client):
    Heartbeat.objects.create(process="worker", at=timezone.now() - datetime.timedelta(days=1))

    assert client.get("/healthz").json() == {"status": "ok"}
