"""The two scored years of `tests.builders.build_scored`, built once per module and shared.

Scores of 2026: branches A1a 80, A1b 40, A1c 70, B1 90 (A1c is added beside alice's and bob's
branches); the general branch A1 and committee A 63.33, B 90, the group 76.67.

A test that asks for `scored` gets the rows built once for its module (tests/shared_rows.py):
the tree, every named user and both periods, rolled back to after each test, so a test that
changes them (closes a period, deletes a roll-up) leaves the next one the same rows. In such a
test `tree` and the named users are those of the shared rows, read back fresh; in any other
test they are made for the test, as everywhere else. The tests on the shared rows run after the
module's other tests, so neither sees the other's rows.
"""

from dataclasses import dataclass

import pytest
from django.contrib.auth import get_user_model

from assessment.models import Period
from organizations.models import Organization
from tests.builders import ROLES, Scored, Tree, build_scored, build_tree, named_user
from tests.shared_rows import building, run_last, shared_rows

SHARED = "_scored_rows"


@dataclass(frozen=True)
class ScoredRows:
    """What the shared rows hold, by id: each test reads its own instances back."""

    tree: dict[str, int]
    previous: int
    current: int
    a1c: int

    def read_tree(self) -> Tree:
        rows = Organization.objects.in_bulk(self.tree.values())
        return Tree(**{field: rows[pk] for field, pk in self.tree.items()})

    def read_scored(self) -> Scored:
        periods = Period.objects.in_bulk([self.previous, self.current])
        return Scored(
            previous=periods[self.previous],
            current=periods[self.current],
            a1c=Organization.objects.get(pk=self.a1c),
        )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    run_last(items, SHARED, "_wide_rows")


@pytest.fixture(scope="module")
def _scored_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    with shared_rows(django_db_blocker):
        with building(django_db_blocker, tmp_path_factory.mktemp("media")):
            tree = build_tree()
            users = {username: named_user(username, tree) for username in ROLES}
            scored = build_scored(tree, users["erin"])
        yield ScoredRows(
            tree={field: org.pk for field, org in vars(tree).items()},
            previous=scored.previous.pk,
            current=scored.current.pk,
            a1c=scored.a1c.pk,
        )


@pytest.fixture
def scored(_scored_rows, db) -> Scored:
    return _scored_rows.read_scored()


@pytest.fixture
def tree(request, db) -> Tree:
    if SHARED in request.fixturenames:
        return request.getfixturevalue(SHARED).read_tree()
    return build_tree()


def _named(request, tree: Tree, username: str):
    if SHARED in request.fixturenames:
        return get_user_model().objects.get(username=username)
    return named_user(username, tree)


@pytest.fixture
def alice(request, tree):
    return _named(request, tree, "alice")


@pytest.fixture
def bob(request, tree):
    return _named(request, tree, "bob")


@pytest.fixture
def carol(request, tree):
    return _named(request, tree, "carol")


@pytest.fixture
def dave(request, tree):
    return _named(request, tree, "dave")


@pytest.fixture
def erin(request, tree):
    return _named(request, tree, "erin")


@pytest.fixture
def frank(request, tree):
    return _named(request, tree, "frank")
