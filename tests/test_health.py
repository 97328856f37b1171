"""/healthz reports the database and, when configured, Redis."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["status"] == "ok"


def test_healthz_needs_no_login(client):
    assert client.get("/healthz").status_code == 200


def test_healthz_says_redis_is_not_configured_when_it_is_not(client, settings):
    settings.REDIS_URL = ""
    assert client.get("/healthz").json()["checks"]["redis"] == {"status": "not configured"}


def test_healthz_degrades_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"]["status"] == "down"
    assert response.json()["status"] == "degraded"


def test_healthz_degrades_when_the_database_is_down(client, monkeypatch):
    from django.db import connection
    from django.db.utils import OperationalError

    def broken_cursor(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {
        "status": "down",
        "error": "OperationalError",
    }
