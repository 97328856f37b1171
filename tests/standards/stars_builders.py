"""Scored yearly periods of the standards framework for the star-rating tests: values stored on
the branches' own submissions (not their members'), approved, scored and rolled up."""

from collections.abc import Mapping

from django.utils import timezone

from assessment.choices import SubjectUnit, SubmissionState
from assessment.models import Indicator, IndicatorValue, Period, Submission
from organizations.models import Organization
from tests.builders import roll_up

# A branch's values by the stars they reach on the standards framework's bands (95 / 85 / 75 /
# 60): C1.01 meetings (target 10, 40 points), C1.02 elections (yes/no, 30), C1.03 the
# secretary's report (percentage, 30), C1.09 the veto.
FULL = {"C1.01": "10", "C1.02": "yes", "C1.03": "100", "C1.09": "no"}  # 100
FOUR = {"C1.01": "10", "C1.02": "yes", "C1.03": "60", "C1.09": "no"}  # 88
THREE = {"C1.01": "7", "C1.02": "yes", "C1.03": "70", "C1.09": "no"}  # 79
NOT_SET_UP = {"C1.01": "10", "C1.02": "no", "C1.03": "100", "C1.09": "no"}  # 70, setup unmet


def vetoed(values: Mapping[str, str]) -> dict[str, str]:
    return {**values, "C1.09": "yes"}


def score_branches(
    period: Period,
    values: Mapping[Organization, Mapping[str, str]],
    *,
    state: str = SubmissionState.APPROVED,
) -> Period:
    """Store `values` on each organization's own submission, put it in `state`, roll up."""
    ids = dict(Indicator.objects.filter(framework=period.framework).values_list("code", "pk"))
    subjects = dict(
        Submission.objects.filter(
            period=period,
            organization__in=list(values),
            subject_unit=SubjectUnit.ORGANIZATION,
        ).values_list("organization_id", "pk")
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(submission_id=subjects[org.pk], indicator_id=ids[code], value=value)
            for org, entered in values.items()
            for code, value in entered.items()
        ],
        update_conflicts=True,
        unique_fields=["submission", "indicator"],
        update_fields=["value"],
    )
    now = timezone.now()
    Submission.objects.filter(pk__in=list(subjects.values())).update(
        state=state, submitted_at=now, approved_at=now
    )
    return roll_up(period)
