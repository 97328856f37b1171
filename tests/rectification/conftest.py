"""A small framework with a veto and a deduction, an open period, and helpers to score units.

Indicators (branches only): C1.01 linear to 12 (weight 40), C2.01 yes/no (weight 50),
G1.01 deduction of 5 per incident (weight 10, rectify below 0.4), G1.02 veto (boolean).
"""

import copy

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.choices import SubmissionState
from assessment.models import Submission
from tests.builders import recompute, store
from tests.factories import FrameworkFactory, PeriodFactory
from tests.framework_data import SMALL_FRAMEWORK

GOOD = {"C1.01": 12, "C2.01": True, "G1.01": 0, "G1.02": False}  # nothing to rectify
WEAK = {"C1.01": 3, "C2.01": True, "G1.01": 0, "G1.02": False}  # C1.01 below threshold
DEDUCTED = {"C1.01": 12, "C2.01": True, "G1.01": 1, "G1.02": False}  # 0.5 of G1.01 deducted
VETOED = {"C1.01": 12, "C2.01": True, "G1.01": 0, "G1.02": True}


def framework_document() -> dict:
    doc = copy.deepcopy(SMALL_FRAMEWORK)
    doc["indicators"][1]["weight"] = 50
    doc["indicators"] += [
        {
            "code": "G1.01",
            "name": {"zh": "违纪事件", "en": "Discipline incidents"},
            "dimension": "G1",
            "applies_to": ["branch"],
            "value_type": "count",
            "unit": {"zh": "起", "en": "incidents"},
            "direction": "lower",
            "weight": 10,
            "frequency": "year",
            "rectify_below": 0.4,
            "rubric": {"kind": "deduction", "per": 5, "floor": 0},
        },
        {
            "code": "G1.02",
            "name": {"zh": "重大违规", "en": "Major breach"},
            "dimension": "G1",
            "applies_to": ["branch"],
            "value_type": "boolean",
            "weight": 0,
            "frequency": "year",
            "rubric": {"kind": "veto", "cap_grade": "D", "cap_stars": 1},
        },
    ]
    return doc


@pytest.fixture
def framework(db):
    return FrameworkFactory(document=framework_document())


@pytest.fixture
def period(framework, tree):
    return PeriodFactory(framework=framework, year=2026)


def set_values(period, org, values: dict, *, state: str = SubmissionState.APPROVED) -> Submission:
    """Store values and a state directly (the workflow itself is tested in assessment)."""
    [submission] = store(period, {org: values}, state=state)
    return submission


def pdf(name: str = "report.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n%rectified\n", content_type="application/pdf")


@pytest.fixture
def weak_item(period, tree, alice):
    """A1a scored weak on C1.01: one open item, owned by alice."""
    from rectification.models import Rectification

    set_values(period, tree.a1a, WEAK)
    recompute(period)
    return Rectification.objects.get(organization=tree.a1a, indicator_code="C1.01")
