"""Fixtures of the standards tests: the standards framework and its periods over the tree."""

import pytest

from tests.factories import FrameworkFactory, PeriodFactory

from .framework import standards_framework


@pytest.fixture
def standards_doc() -> dict:
    """The standards framework's document, for a test to change before it is loaded."""
    return standards_framework()


@pytest.fixture
def std_framework(db, standards_doc):
    return FrameworkFactory(document=standards_doc)


@pytest.fixture
def std_period(std_framework, tree):
    """The year 2026 of the standards framework, opened over the tree."""
    return PeriodFactory(framework=std_framework, year=2026)
