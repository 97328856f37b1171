"""Scored data for the report tests: a published framework, two yearly periods (2025 and 2026,
both open) with A1a's and A1b's submissions approved and rolled up."""

import datetime

import pytest

from tests.builders import approved_period
from tests.factories import FrameworkFactory


@pytest.fixture
def framework(db):
    return FrameworkFactory()


@pytest.fixture
def scored(framework, tree, alice, bob, erin):
    """Two yearly periods with both A1 branches approved; returns them oldest first."""
    first = approved_period(
        framework,
        2025,
        {
            tree.a1a: (alice, {"C1.01": "6", "C2.01": "yes"}),
            tree.a1b: (bob, {"C1.01": "3", "C2.01": "no"}),
        },
        reviewer=erin,
    )
    second = approved_period(
        framework,
        2026,
        {
            tree.a1a: (alice, {"C1.01": "12", "C2.01": "yes"}),
            tree.a1b: (bob, {"C1.01": "9", "C2.01": "no"}),
        },
        reviewer=erin,
    )
    return [first, second]


@pytest.fixture
def make_report(django_capture_on_commit_callbacks):
    """Request a report and run its task (eager) once the request commits."""
    from reports import services

    def make(user, organization, format="pdf", *, start=None, end=None, kind="year", **extra):
        with django_capture_on_commit_callbacks(execute=True):
            report = services.request_report(
                acting_user=user,
                organization=organization,
                format=format,
                period_kind=kind,
                start=start or datetime.date(2025, 1, 1),
                end=end or datetime.date(2026, 12, 31),
                **extra,
            )
        report.refresh_from_db()
        return report

    return make
