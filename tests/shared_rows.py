"""Rows built once and shared by many tests, each test still isolated: `setUpTestData` for pytest.

Django's `TestCase` keeps the rows of `setUpTestData` in a transaction opened for the whole
class; each test runs in a savepoint inside it and is rolled back to it, so a test that changes
the rows leaves the next one the same rows. `shared_rows` opens that same transaction for a
module-scoped pytest fixture: pytest-django's `db` opens each test's own atomic block inside it
(higher-scoped fixtures are set up first), and it is rolled back once the module's tests are done.

A test that uses such a fixture must not see rows of a test that does not, and the other way
round: the conftest.py that offers one runs the module's tests that use it after the others
(`run_last`), so they never meet. Model instances are not shared: a fixture hands each test
fresh copies read back from the database, as `setUpTestData` deep-copies its attributes.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection
from django.test import TestCase, override_settings


class _SharedTransaction(TestCase):
    """Only its class-wide transaction is used (setUpClass opens it, tearDownClass rolls it back);
    it holds no tests."""

    databases = {"default"}


@contextmanager
def shared_rows(django_db_blocker) -> Iterator[None]:
    """The transaction the shared rows are written in, rolled back when the block ends."""
    with django_db_blocker.unblock():
        _SharedTransaction.setUpClass()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            _SharedTransaction.tearDownClass()


@contextmanager
def building(django_db_blocker, media_root: Path) -> Iterator[None]:
    """Database access for building the shared rows, outside any test: files written (evidence)
    go under `media_root`, passwords are hashed with the fast hasher the tests use."""
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media_root,
            PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        ),
    ):
        yield


def ids_moved_on(by: int) -> None:
    """Move every table's next primary key on by `by`, as earlier tests on the same database
    would have: rows built from a fresh database must not depend on their keys."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(format('%%I.%%I', schemaname, sequencename), "
                "coalesce(last_value, 0) + %s) FROM pg_sequences",
                [by],
            )
        elif connection.vendor == "sqlite":
            cursor.execute("UPDATE sqlite_sequence SET seq = seq + %s", [by])
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT name, %s FROM sqlite_master "
                "WHERE type = 'table' AND sql LIKE '%%AUTOINCREMENT%%' "
                "AND name NOT IN (SELECT name FROM sqlite_sequence)",
                [by],
            )


def run_last(items: list[pytest.Item], *fixtures: str) -> None:
    """Within each module, move the tests that use one of `fixtures` after the others, keeping
    their order.

    For `pytest_collection_modifyitems`: the shared rows of a module-scoped fixture exist from
    the first test that asks for them to the module's end, so the others must come first.
    """
    first_of_module: dict[str, int] = {}
    for index, item in enumerate(items):
        first_of_module.setdefault(item.nodeid.split("::")[0], index)
    keyed = [
        (
            first_of_module[item.nodeid.split("::")[0]],
            any(name in item.fixturenames for name in fixtures),
            index,
            item,
        )
        for index, item in enumerate(items)
    ]
    items[:] = [item for *_key, item in sorted(keyed, key=lambda k: k[:3])]
