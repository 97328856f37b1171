"""Fixtures of the business tests: a finance user over committee A (gina)."""

import pytest
from django.utils import translation

from organizations.services import assign_role
from tests.factories import UserFactory


@pytest.fixture
def gina(tree):
    """Finance on committee A: enters the figures of A and everything below it."""
    user = UserFactory(username="gina")
    assign_role(user=user, organization=tree.a, role="finance")
    return user


@pytest.fixture
def english():
    """Messages read in English (the portal's default is Chinese)."""
    with translation.override("en"):
        yield
