"""Provisional scores of submitted (not yet approved) submissions, for the dashboard's switch.

Roll-ups are stored for approved data only. When the reader asks to see submitted data too, the
own submissions of the organization and of its direct children that wait for review — the
subjects in view — are scored by the pure engine on their current values. Nothing is stored and
nothing rolls up: the page shows each beside the approved figures, marked "submitted, not
approved". Two queries (the submissions, then their values) whatever their number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q

from assessment.choices import SubjectUnit, SubmissionState
from assessment.models import IndicatorValue, Period, Submission
from assessment.scoring import Framework as EngineFramework
from assessment.scoring import score_subject
from assessment.scoring.values import rounded
from organizations.models import Organization


@dataclass
class Provisional:
    """One submitted subject's score as the engine gives it now."""

    submission_id: int
    organization_id: int
    total: float
    grade: str | None
    stars: int | None
    dimensions: dict[str, float] = field(default_factory=dict)
    fractions: dict[str, float | None] = field(default_factory=dict)


def _in_view(organization: Organization) -> Q:
    return Q(organization=organization) | Q(organization__parent=organization)


def provisional_scores(
    user, period: Period, organization: Organization, spec: EngineFramework
) -> dict[int, Provisional]:
    """Provisional scores by organization id for the submitted own submissions in view."""
    submissions = list(
        Submission.objects.restrict(user)
        .filter(_in_view(organization))
        .filter(
            period=period,
            state=SubmissionState.SUBMITTED,
            subject_unit=SubjectUnit.ORGANIZATION,
        )
        .order_by("pk")
        .values_list("pk", "organization_id", "subject_kind")
    )
    if not submissions:
        return {}
    inputs: dict[int, dict] = {pk: {} for pk, _org, _kind in submissions}
    values = (
        IndicatorValue.objects.restrict(user)
        .filter(
            submission__period=period,
            submission__state=SubmissionState.SUBMITTED,
            submission__subject_unit=SubjectUnit.ORGANIZATION,
        )
        .filter(
            Q(submission__organization=organization)
            | Q(submission__organization__parent=organization)
        )
        .order_by()
        .values_list("submission_id", "indicator__code", "value", "reviewed_value")
    )
    for submission_id, code, value, reviewed in values:
        if submission_id in inputs:
            inputs[submission_id][code] = reviewed if reviewed is not None else value
    points = float(spec.total_points)
    out: dict[int, Provisional] = {}
    for pk, org, kind in submissions:
        try:
            score = score_subject(spec, kind, inputs[pk])
        except ValueError:  # a subject kind the framework does not have
            continue
        out[org] = Provisional(
            submission_id=pk,
            organization_id=org,
            total=rounded(score.total),
            grade=score.grade,
            stars=score.stars,
            dimensions={
                d.code: rounded(d.share * points) for d in score.dimensions if d.share is not None
            },
            fractions={i.code: i.fraction for i in score.indicators if not i.not_applicable},
        )
    return out
