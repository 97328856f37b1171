"""Scored periods over the shared tree, for the dashboard tests.

Branch A1c is added beside alice's and bob's branches, so that a branch has two peers in its
own committee (a peer average over one peer would be that peer's score, and is not shown).
Two yearly periods of the small framework are scored: 2025 (closed) and 2026 (open), with
every branch's own submission approved except where a test leaves one submitted.
"""

import copy
import datetime
from dataclasses import dataclass

import pytest
from django.core.management import call_command

from assessment.models import Period, Submission
from tests.factories import OrganizationFactory
from tests.framework_data import SMALL_FRAMEWORK

# Values per branch code and year: C1.01 (study sessions, target 12) and C2.01 (meetings held).
VALUES = {
    2025: {
        "A1a": {"C1.01": "4", "C2.01": "yes"},
        "A1b": {"C1.01": "12", "C2.01": "no"},
        "A1c": {"C1.01": "2", "C2.01": "yes"},
        "B1": {"C1.01": "9", "C2.01": "yes"},
    },
    2026: {
        "A1a": {"C1.01": "6", "C2.01": "yes"},
        "A1b": {"C1.01": "12", "C2.01": "no"},
        "A1c": {"C1.01": "3", "C2.01": "yes"},
        "B1": {"C1.01": "9", "C2.01": "yes"},
    },
}


@dataclass
class Scored:
    """The two periods and the extra branch."""

    previous: Period
    current: Period
    a1c: object


def make_period(framework, year: int, *, deadline: datetime.date | None = None) -> Period:
    from assessment.services import periods

    period = periods.create_period(
        framework=framework,
        kind="year",
        name=f"{year}年度",
        name_en=f"Year {year}",
        start=datetime.date(year, 1, 1),
        end=datetime.date(year, 12, 31),
        deadline=deadline or datetime.date(year + 1, 1, 15),
    )
    periods.open_period(period)
    period.refresh_from_db()
    return period


def fill(period: Period, organization, values: dict, actor, *, approve: bool = True):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from assessment.services import evidence, submissions

    submission = Submission.objects.get(period=period, organization=organization)
    submissions.save_values(submission, values, version=submission.version, acting_user=actor)
    pdf = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")
    evidence.add_evidence(submission, "C2.01", pdf, acting_user=actor)
    submission = submissions.submit(submission, acting_user=actor)
    if approve:
        submission = submissions.approve(submission, acting_user=actor)
    return submission


def build_scored(tree, erin, *, leave_submitted: tuple[str, ...] = ()) -> Scored:
    """Both periods filled by erin (administrator: enters and reviews everywhere), rolled up."""
    from assessment import services

    a1c = OrganizationFactory(code="A1c", name="甲一第三支部", name_en="A1c branch", parent=tree.a1)
    framework = services.publish_framework(services.load_framework(copy.deepcopy(SMALL_FRAMEWORK)))
    branches = {"A1a": tree.a1a, "A1b": tree.a1b, "A1c": a1c, "B1": tree.b1}
    made = []
    for year in (2025, 2026):
        period = make_period(framework, year)
        for code, values in VALUES[year].items():
            approve = year == 2025 or code not in leave_submitted
            fill(period, branches[code], values, erin, approve=approve)
        call_command("rollup", "--period", str(period.pk), verbosity=0)
        made.append(period)
    return Scored(previous=made[0], current=made[1], a1c=a1c)


@pytest.fixture
def scored(tree, erin) -> Scored:
    return build_scored(tree, erin)
