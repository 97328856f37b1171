"""Shared fixtures: a small organization tree and named users, one per role.

The tree::

    G  group leadership
    ├── A  party committee            carol: reviewer · dave: auditor
    │   └── A1 general branch
    │       ├── A1a branch            alice: secretary
    │       └── A1b branch            bob: secretary (alice's sibling)
    └── B  party committee
        └── B1 branch
    erin: administrator on G;  frank: no role at all

Over it, the small framework (tests/framework_data.py) published, and its year 2026 opened.
"""

import copy
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.core.cache import cache
from django.utils import translation

from .builders import Tree, build_tree, named_user
from .factories import PASSWORD, FrameworkFactory, PeriodFactory
from .framework_data import SMALL_FRAMEWORK


@pytest.fixture(autouse=True, scope="session")
def _flush_past_the_audit_trigger():
    """PostgreSQL refuses TRUNCATE of the audit trail (audit migration 0003); the test runner's
    flush between transactional tests is the one truncation allowed, with the trigger off."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush
    toggle = "ALTER TABLE audit_auditentry {} TRIGGER USER;"

    def sql_flush(self, style, tables, **kwargs):
        statements = original(self, style, tables, **kwargs)
        if statements and "audit_auditentry" in tables:
            return [toggle.format("DISABLE"), *statements, toggle.format("ENABLE")]
        return statements

    DatabaseOperations.sql_flush = sql_flush
    yield
    DatabaseOperations.sql_flush = original


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the portal's default language, whatever the one before it activated
    (a test that leaves English on made the next one pass or fail by the order they ran in)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _data_migration_rows(request):
    """The rows data migrations make (the built-in business measures), there for every test that
    uses the database in a transaction: a browser test's flush takes them, and on two workers
    another module may run after it on the same database."""
    transactional = "transactional_db" in request.fixturenames or any(
        marker.kwargs.get("transaction") for marker in request.node.iter_markers("django_db")
    )
    uses_db = "db" in request.fixturenames or request.node.get_closest_marker("django_db")
    if uses_db and not transactional:
        request.getfixturevalue("db")
        from business.models import BusinessMeasure

        if not BusinessMeasure.objects.filter(built_in=True).exists():
            migration = import_module("business.migrations.0002_built_in_measures")
            migration.create(django_apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # A fast hasher: the tests exercise logins, not the cost of PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Dashboards are warmed after writes only where a test asks for it (tests/dashboards).
    settings.DASHBOARDS_WARM = False


@pytest.fixture
def tree(db) -> Tree:
    return build_tree()


@pytest.fixture
def alice(tree):
    return named_user("alice", tree)


@pytest.fixture
def bob(tree):
    return named_user("bob", tree)


@pytest.fixture
def carol(tree):
    return named_user("carol", tree)


@pytest.fixture
def dave(tree):
    return named_user("dave", tree)


@pytest.fixture
def erin(tree):
    return named_user("erin", tree)


@pytest.fixture
def frank(tree):
    return named_user("frank", tree)


@pytest.fixture
def framework_doc() -> dict:
    """The small framework's document, for a test to change before it is loaded."""
    return copy.deepcopy(SMALL_FRAMEWORK)


@pytest.fixture
def published_framework(db, framework_doc):
    return FrameworkFactory(document=framework_doc)


@pytest.fixture
def period(published_framework, tree):
    """The year 2026, opened: a submission for each branch of the tree."""
    return PeriodFactory(framework=published_framework, year=2026)


@pytest.fixture
def submission(period, tree):
    """Branch A1a's submission (alice, its secretary, enters it; carol reviews it from A)."""
    return period.submissions.get(organization=tree.a1a)


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def client_for(client):
    """Log a user in on the test client: ``client_for(alice).get(...)``."""

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture(autouse=True, scope="session")
def _celery_eager():
    """Tasks run in-process in tests; the worker test over Redis switches this off for itself."""
    from partybuild.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
