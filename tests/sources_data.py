"""A small framework whose indicators are counted from records, for the tests of sources.

Branches and committees: meetings, months with meetings, attendance (expected, present and their
rate as a formula, and the rate as a source of its own), dues on time, talk coverage, study
hours per member, negative events (a deduction and a veto), the rectification closure rate and
one typed indicator. Party members: study hours, dues months, points (recorded only), their
attendance rate and one typed yes/no.
"""

import copy

from tests.framework_data import SMALL_FRAMEWORK


def _text(zh: str, en: str) -> dict:
    return {"zh": zh, "en": en}


def _indicator(code, value_type, weight, rubric, *, applies_to=("branch", "committee"), **extra):
    out = {
        "code": code,
        "name": _text(f"指标{code}", f"Indicator {code}"),
        "dimension": "C1",
        "applies_to": list(applies_to),
        "value_type": value_type,
        "weight": weight,
        "frequency": "year",
        "rubric": rubric,
    }
    if value_type in ("number", "percentage", "count"):
        out["unit"] = _text("%", "%") if value_type == "percentage" else _text("次", "times")
    out.update(extra)
    return out


LINEAR = {"kind": "linear", "floor": 0}
NONE = {"kind": "none"}
MEMBER = ("party_member",)


def sourced_framework() -> dict:
    document = copy.deepcopy(SMALL_FRAMEWORK)
    document["code"] = "SRC"
    document["subject_kinds"] = [
        {"code": "branch", "unit": "organization", "name": _text("党支部", "Branch")},
        {"code": "committee", "unit": "organization", "name": _text("党委", "Committee")},
        {"code": "party_member", "unit": "person", "name": _text("党员", "Party member")},
    ]
    document["records"] = {
        "meeting_kinds": [
            {
                "code": "committee_meeting",
                "name": _text("支委会", "Committee meeting"),
                "applies_to": ["branch", "committee"],
                "per_month": 1,
                "roll": "chosen",
            },
            {
                "code": "members_meeting",
                "name": _text("党员大会", "Members' meeting"),
                "applies_to": ["branch"],
                "per_quarter": 1,
            },
            {
                "code": "group_meeting",
                "name": _text("党小组会", "Party group meeting"),
                "applies_to": ["branch"],
                "per_month": 1,
                "party_group": True,
            },
        ]
    }
    attendance = {"meeting_kinds": ["members_meeting", "group_meeting"]}
    document["indicators"] = [
        _indicator(
            "M1",
            "count",
            10,
            LINEAR,
            target=12,
            source={"kind": "meetings", "meeting_kind": "committee_meeting"},
        ),
        _indicator(
            "M2",
            "count",
            10,
            LINEAR,
            target=12,
            source={"kind": "months_with_meetings", "meeting_kind": "committee_meeting"},
        ),
        _indicator("A1", "count", 0, NONE, source={"kind": "attendance_expected", **attendance}),
        _indicator("A2", "count", 0, NONE, source={"kind": "attendance_present", **attendance}),
        _indicator(
            "A3",
            "percentage",
            10,
            {"kind": "formula", "expr": "A2 / A1 * 100", "then": {"kind": "linear", "floor": 0}},
            target=100,
        ),
        _indicator("AR", "percentage", 10, LINEAR, target=100, source={"kind": "attendance_rate"}),
        _indicator(
            "D1", "percentage", 10, LINEAR, target=100, source={"kind": "dues_on_time_rate"}
        ),
        _indicator("T1", "percentage", 10, LINEAR, target=100, source={"kind": "talk_coverage"}),
        _indicator(
            "S1", "number", 10, LINEAR, target=32, source={"kind": "study_hours_per_member"}
        ),
        _indicator(
            "N1",
            "count",
            10,
            {"kind": "deduction", "per": 5},
            direction="lower",
            source={
                "kind": "negative_events",
                "category": "discipline",
                "min_severity": "serious",
            },
        ),
        _indicator(
            "N2",
            "boolean",
            0,
            {"kind": "veto"},
            direction="lower",
            source={"kind": "negative_events", "min_severity": "grave"},
        ),
        _indicator(
            "R1",
            "percentage",
            10,
            LINEAR,
            target=100,
            source={"kind": "rectification_closure_rate"},
        ),
        _indicator("X1", "count", 10, LINEAR, target=4),
        _indicator(
            "P1",
            "number",
            25,
            LINEAR,
            applies_to=MEMBER,
            target=32,
            source={"kind": "study_hours"},
        ),
        _indicator(
            "P2",
            "count",
            25,
            LINEAR,
            applies_to=MEMBER,
            target=12,
            source={"kind": "dues_on_time_months"},
        ),
        _indicator("P3", "number", 0, NONE, applies_to=MEMBER, source={"kind": "points"}),
        _indicator(
            "P4",
            "percentage",
            25,
            LINEAR,
            applies_to=MEMBER,
            target=100,
            source={"kind": "attendance_rate", **attendance},
        ),
        _indicator("P5", "boolean", 25, {"kind": "yes_no"}, applies_to=MEMBER),
    ]
    return document
