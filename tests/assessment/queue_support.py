"""What the review queue's tests share: a framework with departments, a plausible range and a
veto, and submissions entered and submitted with given values.

The tree (tests/conftest.py): G → A → A1 → {A1a, A1b}, G → B → B1; alice is secretary of A1a,
bob of A1b, carol reviewer on A. Over the small framework: C1.01 (a count, target 12, plausible
0–50, 40 points), C2.01 (yes/no with evidence, 60 points) and C1.09 (a veto capping the grade at
C), for branches and departments.
"""

import copy
import datetime

from django.utils import timezone

from assessment.choices import SubmissionState
from assessment.models import Period, Submission
from assessment.services import submissions
from tests.factories import EvidenceFactory, SubmissionFactory
from tests.framework_data import SMALL_FRAMEWORK

CLEAN = {"C1.01": "12", "C2.01": "yes", "C1.09": "no"}


def queue_framework() -> dict:
    doc = copy.deepcopy(SMALL_FRAMEWORK)
    doc["subject_kinds"].append(
        {"code": "department", "unit": "department", "name": {"zh": "部门", "en": "Department"}}
    )
    for indicator in doc["indicators"]:
        indicator["applies_to"] = ["branch", "department"]
    doc["indicators"][0]["plausible"] = {"min": 0, "max": 50}
    doc["indicators"].append(
        {
            "code": "C1.09",
            "name": {"zh": "严重违纪（一票否决）", "en": "Grave violation (veto)"},
            "dimension": "C1",
            "applies_to": ["branch", "department"],
            "value_type": "boolean",
            "weight": 0,
            "frequency": "year",
            "rubric": {"kind": "veto", "cap_grade": "C", "cap_stars": 2},
        }
    )
    return doc


def submit_with(
    submission: Submission, secretary, values: dict | None = None, *, evidence: int = 1
) -> Submission:
    """Enter `values` (clean ones by default) with `evidence` files, and submit."""
    submission.refresh_from_db()
    submissions.save_values(
        submission, values or CLEAN, version=submission.version, acting_user=secretary
    )
    for _n in range(evidence):
        EvidenceFactory(submission=submission, uploaded_by=secretary)
    return submissions.submit(submission, acting_user=secretary)


def departments(
    period: Period, organization, count: int, secretary, values: dict | None = None
) -> list[Submission]:
    """`count` departments of `organization` (whose secretary enters them), each submitted with
    `values` (clean ones by default) and one evidence file."""
    made = []
    for n in range(count):
        submission = SubmissionFactory(
            period=period,
            organization=organization,
            for_department=True,
            subject_name=f"部门 {n:02d}",
        )
        submission.refresh_from_db()
        submissions.save_values(
            submission, values or CLEAN, version=submission.version, acting_user=secretary
        )
        EvidenceFactory(submission=submission, uploaded_by=secretary)
        Submission.objects.filter(pk=submission.pk).update(
            state=SubmissionState.SUBMITTED, submitted_at=timezone.now()
        )
        made.append(submission)
    return made


def waited(submission: Submission, days: int) -> None:
    """Make a submission look submitted `days` days ago."""
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=days)
    )
