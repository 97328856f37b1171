"""Scored subjects of the standards framework for the title tests: values written straight into
chosen submissions (organizations and members alike), approved, then the period rolled up."""

from collections.abc import Mapping

import pytest
from django.utils import timezone

from assessment.choices import SubjectUnit
from assessment.models import Indicator, IndicatorValue, Period, Submission
from standards.models import Title
from standards.services import titles as services
from tests.builders import roll_up

# An organization meeting the seven-good standard (every criterion at 100%), and one falling
# short on S2.1 (C1.01 at half its target).
MEETS = {"C1.01": "10", "C1.02": "yes", "C1.03": "100", "C1.09": "no"}
SHORT = {"C1.01": "5", "C1.02": "yes", "C1.03": "100", "C1.09": "no"}
VETOED = {**MEETS, "C1.09": "yes"}
MEMBER_MEETS = {
    "S4.1.01": "10",
    "S4.2.01": {"voters": 10, "excellent": 10, "competent": 0, "basic": 0, "incompetent": 0},
}


def subject(period: Period, organization, unit: str = SubjectUnit.ORGANIZATION) -> Submission:
    """The organization's own submission, or (unit "person") its member's."""
    return Submission.objects.get(period=period, organization=organization, subject_unit=unit)


def score(period: Period, values: Mapping[Submission, Mapping[str, object]]) -> Period:
    """The values stored into those submissions, approved, the period scored and rolled up."""
    ids = dict(Indicator.objects.filter(framework=period.framework).values_list("code", "pk"))
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(submission=submission, indicator_id=ids[code], value=value)
            for submission, entered in values.items()
            for code, value in entered.items()
        ],
        update_conflicts=True,
        unique_fields=["submission", "indicator"],
        update_fields=["value"],
    )
    now = timezone.now()
    Submission.objects.filter(pk__in=[s.pk for s in values]).update(
        state="approved", submitted_at=now, approved_at=now
    )
    return roll_up(period)


@pytest.fixture
def scored(std_period, tree):
    """A1a, A1 and B1 meet the standard, A1b falls short; A1a's member meets hers."""
    score(
        std_period,
        {
            subject(std_period, tree.a1a): MEETS,
            subject(std_period, tree.a1): MEETS,
            subject(std_period, tree.a1b): SHORT,
            subject(std_period, tree.b1): MEETS,
            subject(std_period, tree.a): MEETS,
            subject(std_period, tree.a1a, "person"): MEMBER_MEETS,
        },
    )
    services.propose(std_period)
    return std_period


def title_of(period, organization, unit="organization") -> Title:
    return Title.objects.get(period=period, submission=subject(period, organization, unit))
