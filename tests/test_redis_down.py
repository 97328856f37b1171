"""Redis down: the portal answers without it, slower but never with a 500.

The cache points at a closed port. Sign-in, the token endpoint and the dashboards must answer as
usual; the token throttle then lets attempts through (it counts in the cache) while django-axes,
counting in the database, still locks out a guessed password.
"""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests.builders import build_scored
from tests.html import page

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
TOKEN_URL = "/api/v1/auth/token/"
REDIS_DOWN = {
    "default": {
        "BACKEND": "core.cache.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_PREFIX": "partybuild",
    }
}


@pytest.fixture
def redis_down():
    with override_settings(CACHES=REDIS_DOWN):
        yield


def obtain(username: str, password: str):
    return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(
        TOKEN_URL, {"username": username, "password": password}, format="json"
    )


def test_with_redis_set_the_cache_is_the_degrading_one():
    env = {**os.environ, "REDIS_URL": "redis://127.0.0.1:1/0"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == "core.cache.RedisCache"


def test_the_cache_answers_as_empty_and_says_so_once(redis_down, caplog):
    with caplog.at_level(logging.WARNING, logger="core.cache"):
        assert cache.get("anything", "fallback") == "fallback"
        assert cache.add("lock", 1) is False
        cache.set("key", 1)
        assert cache.get_many(["a", "b"]) == {}
        assert cache.delete("key") is False
    assert [r.getMessage().startswith("Redis cache unavailable") for r in caplog.records] == [True]


def test_the_token_endpoint_works_and_its_throttle_fails_open(redis_down, alice, password):
    """GIVEN Redis down WHEN alice asks for a token 12 times (the rate is 10 a minute) THEN each
    is answered: the throttle cannot count, and lets her through."""
    assert [obtain("alice", password).status_code for _ in range(12)] == [200] * 12


def test_without_redis_axes_still_locks_a_guessed_password(redis_down, alice, password):
    for _attempt in range(5):
        obtain("alice", "wrong")

    assert obtain("alice", password).status_code == 429


def test_the_login_page_signs_in(redis_down, client, alice, password):
    response = client.post(reverse("login"), {"username": "alice", "password": password})

    assert response.status_code == 302


def test_the_dashboards_answer(redis_down, client_for, tree, erin):
    build_scored(tree, erin)
    client = client_for(erin)

    assert client.get(reverse("dashboards:home")).status_code in {200, 302}
    response = client.get(reverse("dashboards:organization", args=[tree.group.pk]))
    assert response.status_code == 200
    assert json.loads(page(response).one('script#dash-data[type="application/json"]').string)
