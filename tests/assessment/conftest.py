"""A small valid framework, published, with an open period: the assessment fixtures."""

import copy

import pytest

from tests.framework_data import SMALL_FRAMEWORK


@pytest.fixture
def framework_doc() -> dict:
    return copy.deepcopy(SMALL_FRAMEWORK)


@pytest.fixture
def published_framework(db, framework_doc):
    from assessment import services

    return services.publish_framework(services.load_framework(framework_doc))


@pytest.fixture
def period(published_framework, tree):
    import datetime

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
    """Branch A1a's submission (alice is its secretary; carol reviews from committee A)."""
    return period.submissions.get(organization=tree.a1a)
