"""The demo group, loaded once for the module tests/organizations/test_seed.py reads it in.

`seed_demo` at full scale takes a quarter of a minute; the tests that only read what it loaded
(or change it and are rolled back) share one load (tests/shared_rows.py), and run after the
module's tests that load the demo themselves.
"""

import pytest
from django.core.management import call_command

from tests.shared_rows import building, run_last, shared_rows

SHARED = "_demo_rows"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    run_last(items, SHARED)


@pytest.fixture(scope="module")
def _demo_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    with shared_rows(django_db_blocker):
        with building(django_db_blocker, tmp_path_factory.mktemp("media")):
            call_command("seed_demo", verbosity=0)
        yield


@pytest.fixture
def demo_group(_demo_rows, db) -> None:
    """The demo group at full scale (6,012 people) with its accounts, as `seed_demo` loads it."""
