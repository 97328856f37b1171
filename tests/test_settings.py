"""Settings read the environment; production mode refuses to start half-configured."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k" * 20 + "Zq8-x_Lm3PvR7tYw2NcB5hJd9FgK4sAe"


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    unwanted = {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in unwanted}
    clean.update({"DJANGO_SETTINGS_MODULE": "partybuild.settings", **env})
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="party.example.com")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = run_manage(
        "check", DJANGO_ENV="production", SECRET_KEY="short", ALLOWED_HOSTS="party.example.com"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DJANGO_ENV="production", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS" in result.stderr


def test_production_refuses_debug():
    result = run_manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="party.example.com",
        DJANGO_DEBUG="1",
    )
    assert result.returncode != 0
    assert "DJANGO_DEBUG" in result.stderr


def test_deploy_check_passes_in_production_mode():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="party.example.com",
    )
    assert result.returncode == 0, result.stderr


def test_a_nonsense_boolean_fails_loudly():
    result = run_manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG='maybe' is not a boolean" in result.stderr


def test_embedded_defaults_without_environment(settings):
    if os.environ.get("DATABASE_URL") or os.environ.get("REDIS_URL"):
        pytest.skip("CI sets DATABASE_URL and REDIS_URL; the embedded defaults are checked locally")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
    # No broker server: messages go through files to the worker `make run` starts.
    assert settings.CELERY_BROKER_URL.startswith("filesystem://")
    assert settings.CELERY_TASK_ALWAYS_EAGER is False
    assert "LocMemCache" in settings.CACHES["default"]["BACKEND"]


def test_services_follow_the_environment(settings):
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        pytest.skip("needs DATABASE_URL and REDIS_URL (set by .ci/run)")
    assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    assert os.environ["REDIS_URL"] == settings.CELERY_BROKER_URL
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]


def test_the_mail_relay_follows_the_environment():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS, s.EMAIL_TIMEOUT)",
        EMAIL_HOST="smtp.example.com",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="portal",
        EMAIL_USE_TLS="1",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-5:] == ["smtp.example.com", "587", "portal", "True", "10"]


def test_the_mail_relay_refuses_tls_and_ssl_together():
    result = run_manage("check", EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert result.returncode != 0
    assert "EMAIL_USE_TLS and EMAIL_USE_SSL" in result.stderr
