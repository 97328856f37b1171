"""Migration 0002: DRF authtoken keys become hashed tokens that keep working, and leave the
database."""

from datetime import timedelta
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from credentials.models import ApiToken

pytestmark = pytest.mark.django_db

migration = import_module("credentials.migrations.0002_convert_authtoken")
OLD_KEY = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"


@pytest.fixture
def authtoken_table(alice):
    """The table DRF's authtoken app left behind, with alice's key in it."""
    with connection.cursor() as cursor:
        cursor.execute(
            'CREATE TABLE "authtoken_token" ("key" varchar(40) PRIMARY KEY, '
            '"created" timestamp with time zone NOT NULL, "user_id" integer NOT NULL)'
            if connection.vendor == "postgresql"
            else 'CREATE TABLE "authtoken_token" ("key" varchar(40) PRIMARY KEY, '
            '"created" datetime NOT NULL, "user_id" integer NOT NULL)'
        )
        cursor.execute(
            'INSERT INTO "authtoken_token" ("key", "created", "user_id") VALUES (%s, %s, %s)',
            [OLD_KEY, timezone.now() - timedelta(days=400), alice.pk],
        )


def convert() -> None:
    migration.convert(apps, SimpleNamespace(connection=connection))


@pytest.mark.usefixtures("authtoken_table")
def test_an_old_key_keeps_working_until_the_lifetime_from_now(alice, settings):
    settings.API_TOKEN_DAYS = 90

    convert()

    token = ApiToken.objects.get(user=alice)
    assert token.prefix == OLD_KEY[:8]
    assert abs(token.expires - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)
    api = APIClient(HTTP_AUTHORIZATION=f"Token {OLD_KEY}")
    assert api.get("/api/v1/me/").json()["username"] == "alice"


@pytest.mark.usefixtures("authtoken_table")
def test_the_plain_keys_leave_the_database(alice):
    convert()

    with connection.cursor() as cursor:
        cursor.execute('SELECT COUNT(*) FROM "authtoken_token"')
        assert cursor.fetchone() == (0,)
    assert not ApiToken.objects.filter(digest=OLD_KEY).exists()


def test_a_database_without_the_old_table_has_nothing_to_convert(alice):
    convert()

    assert not ApiToken.objects.exists()
