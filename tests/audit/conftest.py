"""Fixtures of the audit tests: an API client with a token, and a way to alter rows behind the
model's back (as a DBA could). The small framework with an open period comes from tests/conftest.py.

The tree (tests/conftest.py): G → A → A1 → {A1a, A1b}, G → B → B1. alice and bob are secretaries
of A1a and A1b, carol reviewer and dave auditor on A, erin administrator on G.
"""

import pytest
from django.db import connection
from rest_framework.test import APIClient

from tests.factories.credentials import api_token

TABLE = "audit_auditentry"
TRIGGER = "audit_entry_append_only"


@pytest.fixture
def api_for():
    def make(user, **extra) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en", **extra)
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
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
