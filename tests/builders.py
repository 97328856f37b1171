"""Scored periods for the database tests: values entered, submissions approved, scores rolled up.

Two ways in, by what a test is about:

- `enter` goes through the workflow (values saved, the required evidence attached, submitted,
  approved), as a secretary and a reviewer would: for tests that read what the workflow leaves.
- `store` writes values and a state directly, in bulk: for tests about scoring and what reads
  the scores, where the workflow is beside the point (it is tested in tests/assessment).

Then `roll_up` scores a period as `manage.py rollup` does, or `recompute` runs the same full
recompute in-process and returns its run. `scored_period` is the shortcut of all three.
Frameworks and periods themselves come from the factories (`FrameworkFactory`, `PeriodFactory`).
The pure engine's inputs (no database) are built in tests/scoring/builders.py.
"""

import datetime
from collections.abc import Iterable, Mapping

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from assessment.choices import SubmissionState
from assessment.models import Framework, Indicator, IndicatorValue, Period, ScoreRun, Submission
from organizations.models import Organization
from tests.factories import PeriodFactory

Values = Mapping[str, object]


def pdf(name: str = "minutes.pdf") -> SimpleUploadedFile:
    """A tiny file the evidence upload accepts as a PDF."""
    return SimpleUploadedFile(name, b"%PDF-1.4\n%test\n", content_type="application/pdf")


def enter(
    period: Period,
    organization: Organization,
    values: Values,
    *,
    by,
    approved_by=None,
    evidence: Iterable[str] = ("C2.01",),
) -> Submission:
    """The organization's submission filled and submitted by `by`, with a PDF on each indicator
    of `evidence`; approved by `approved_by` if given, else left submitted."""
    from assessment.services import evidence as evidence_service
    from assessment.services import submissions

    submission = Submission.objects.get(period=period, organization=organization)
    submissions.save_values(submission, values, version=submission.version, acting_user=by)
    for code in evidence:
        evidence_service.add_evidence(submission, code, pdf(), acting_user=by)
    submission = submissions.submit(submission, acting_user=by)
    if approved_by is not None:
        submission = submissions.approve(submission, acting_user=approved_by)
    return submission


def store(
    period: Period,
    values: Mapping[Organization | int, Values],
    *,
    state: str = SubmissionState.APPROVED,
    at: datetime.datetime | None = None,
) -> list[Submission]:
    """Values written straight into the submissions of the organizations in `values` (given as
    organizations or their ids), which are put in `state`; with `at`, stamped as submitted and
    approved then. A value already stored for an indicator is replaced."""
    by_id = {getattr(org, "pk", org): entered for org, entered in values.items()}
    ids = dict(Indicator.objects.filter(framework=period.framework).values_list("code", "pk"))
    subjects = dict(
        Submission.objects.filter(period=period, organization_id__in=list(by_id)).values_list(
            "organization_id", "pk"
        )
    )
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(submission_id=subjects[org], indicator_id=ids[code], value=value)
            for org, entered in by_id.items()
            for code, value in entered.items()
        ],
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["submission", "indicator"],
        update_fields=["value"],
    )
    stamps = {"submitted_at": at, "approved_at": at} if at else {}
    Submission.objects.filter(pk__in=list(subjects.values())).update(state=state, **stamps)
    return list(Submission.objects.filter(pk__in=list(subjects.values())).order_by("pk"))


def roll_up(period: Period) -> Period:
    """The period scored and rolled up by `manage.py rollup`; the period as stored after it."""
    call_command("rollup", "--period", str(period.pk), verbosity=0)
    period.refresh_from_db()
    return period


def recompute(period: Period) -> ScoreRun:
    """A full recompute run in-process, as `manage.py rollup` does; its finished run."""
    from assessment.services import scores

    run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.COMMAND, enqueue=False)
    return scores.run_full_recompute(run.pk, token=run.task_id)


def scored_period(
    framework: Framework,
    year: int,
    values: Mapping[Organization | int, Values],
    **period_fields,
) -> Period:
    """An opened period of `framework` whose submissions for the organizations in `values` hold
    those values and are approved (the others stay drafts), scored and rolled up."""
    from django.utils import timezone

    period = PeriodFactory(framework=framework, year=year, **period_fields)
    store(period, values, at=timezone.now())
    return roll_up(period)
