"""Helpers shared by the stored-scores tests (no tests here).

The small framework scores branches only: C1.01 (linear to 12, weight 40, also counted in G1)
and C2.01 (yes/no, weight 60). Opening the period expects A1a, A1b and B1.
"""

import json

import pytest

from assessment.choices import SubmissionState
from assessment.models import Indicator, IndicatorValue, Rollup, SubjectScore, Submission
from tests.factories import EvidenceFactory

FULL = {"C1.01": 12, "C2.01": True}  # 40 + 60 = 100
WEAK = {"C1.01": 6, "C2.01": False}  # 20 + 0 = 20


@pytest.fixture(autouse=True)
def _peer_ranks_at_once(settings):
    """Peer ranks refreshed after every approval, not debounced, so tests see them at once."""
    settings.SCORES_PEER_RANK_DELAY = 0


def set_values(submission: Submission, values: dict, *, state: str = SubmissionState.APPROVED):
    """Store values and a state directly (the workflow itself is tested elsewhere)."""
    ids = dict(
        Indicator.objects.filter(framework=submission.period.framework).values_list("code", "pk")
    )
    for code, value in values.items():
        IndicatorValue.objects.update_or_create(
            submission=submission, indicator_id=ids[code], defaults={"value": value}
        )
    Submission.objects.filter(pk=submission.pk).update(state=state)


def submission_of(period, org) -> Submission:
    return period.submissions.get(organization=org)


def _rows(model, exclude: tuple[str, ...]) -> list[tuple]:
    names = [f.attname for f in model._meta.concrete_fields if f.name not in exclude]
    return sorted(
        tuple(json.dumps(v, sort_keys=True) if isinstance(v, dict | list) else v for v in row)
        for row in model.objects.values_list(*names)
    )


def snapshot() -> dict[str, list[tuple]]:
    """Every stored score row, field by field, without ids and timestamps, sorted."""
    return {
        "subject": _rows(SubjectScore, ("id", "computed_at")),
        "rollup": _rows(Rollup, ("id", "computed_at")),
    }


def totals(period) -> dict[str, float | None]:
    """Total roll-up score by organization code."""
    return dict(
        Rollup.objects.filter(period=period, dimension="").values_list(
            "organization__code", "score"
        )
    )


STRONG = {"C1.01": "12", "C2.01": "yes"}  # as a secretary types them: 100 points
POOR = {"C1.01": "6", "C2.01": "no"}  # 20 points


def submit(submission: Submission, secretary, values: dict) -> Submission:
    """Enter values with the evidence C2.01 needs and submit, through the workflow services."""
    from assessment.services import submissions

    submission.refresh_from_db()
    submissions.save_values(submission, values, version=submission.version, acting_user=secretary)
    EvidenceFactory(submission=submission, uploaded_by=secretary)  # on C2.01
    return submissions.submit(submission, acting_user=secretary)


def row_ids(period) -> dict[str, set[int]]:
    """Ids of the roll-up rows by organization code (a rewritten row gets a new id)."""
    out: dict[str, set[int]] = {}
    for code, pk in Rollup.objects.filter(period=period).values_list("organization__code", "pk"):
        out.setdefault(code, set()).add(pk)
    return out
