"""Fixtures of the audit tests: the small framework with an open period (as in tests/assessment),
an API client with a token, and a way to alter rows behind the model's back (as a DBA could).

The tree (tests/conftest.py): G → A → A1 → {A1a, A1b}, G → B → B1. alice and bob are secretaries
of A1a and A1b, carol reviewer and dave auditor on A, erin administrator on G.
"""

import copy
import datetime

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.framework_data import SMALL_FRAMEWORK

TABLE = "audit_auditentry"
TRIGGER = "audit_entry_append_only"


@pytest.fixture
def published_framework(db):
    from assessment import services

    return services.publish_framework(services.load_framework(copy.deepcopy(SMALL_FRAMEWORK)))


@pytest.fixture
def period(published_framework, tree):
    from assessment.services import periods

    period = periods.create_period(
        framework=published_framework,
        kind="year",
        name="2026年度",
        name_en="Year 2026",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
        deadline=datetime.date(2027, 1, 15),
    )
    periods.open_period(period)
    period.refresh_from_db()
    return period


@pytest.fixture
def submission(period, tree):
    """Branch A1a's submission (alice enters it, carol reviews it)."""
    return period.submissions.get(organization=tree.a1a)


@pytest.fixture
def api_for():
    def make(user, **extra) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en", **extra)
        token, _created = Token.objects.get_or_create(user=user)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


def raw_sql(sql: str, params: list | None = None) -> None:
    """Run SQL on the audit table as someone with direct database access would.

    On PostgreSQL the append-only trigger is disabled first, which the table's owner can do:
    exactly the attack the hash chain is there to reveal.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER {TRIGGER}")
        cursor.execute(sql, params or [])
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER {TRIGGER}")
