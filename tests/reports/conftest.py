"""Scored data for the report tests: a published framework, two yearly periods (2025 closed,
2026 open) with A1a's and A1b's submissions approved and rolled up."""

import copy
import datetime

import pytest
from django.core.management import call_command

from tests.framework_data import SMALL_FRAMEWORK


def make_scored_period(framework, year: int, erin, values: dict, *, close: bool = False):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessment.models import Submission
    from assessment.services import evidence, periods, submissions

    period = periods.create_period(
        framework=framework,
        kind="year",
        name=f"{year}年度",
        name_en=f"Year {year}",
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 12, 31),
        deadline=datetime.date(year + 1, 1, 15),
    )
    periods.open_period(period)
    for org, (secretary, entered) in values.items():
        submission = Submission.objects.get(period=period, organization=org)
        submissions.save_values(submission, entered, version=1, acting_user=secretary)
        pdf = SimpleUploadedFile(
            "minutes.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf"
        )
        evidence.add_evidence(submission, "C2.01", pdf, acting_user=secretary)
        submission.refresh_from_db()
        submissions.submit(submission, acting_user=secretary)
        submissions.approve(submission, acting_user=erin)
    call_command("rollup", "--period", str(period.pk), verbosity=0)
    if close:
        periods.close_period(period, acting_user=erin)
    period.refresh_from_db()
    return period


@pytest.fixture
def framework(db):
    from assessment import services

    return services.publish_framework(services.load_framework(copy.deepcopy(SMALL_FRAMEWORK)))


@pytest.fixture
def scored(framework, tree, alice, bob, erin):
    """Two yearly periods with both A1 branches approved; returns them oldest first."""
    first = make_scored_period(
        framework,
        2025,
        erin,
        {
            tree.a1a: (alice, {"C1.01": "6", "C2.01": "yes"}),
            tree.a1b: (bob, {"C1.01": "3", "C2.01": "no"}),
        },
    )
    second = make_scored_period(
        framework,
        2026,
        erin,
        {
            tree.a1a: (alice, {"C1.01": "12", "C2.01": "yes"}),
            tree.a1b: (bob, {"C1.01": "9", "C2.01": "no"}),
        },
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
