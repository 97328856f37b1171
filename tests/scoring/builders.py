"""A small framework that uses every rubric kind, built as a dict the way a file would be read.

For a branch (100 points):

=====  ==========  ======================================================  ======
code   dimension   rubric                                                  weight
=====  ==========  ======================================================  ======
C1.01  C1          linear, percentage, floor 60, target 100; also G1           20
C1.02  C1.1        bands on a count: ≥12 → 1.0, ≥9 → 0.8, ≥6 → 0.5             10
C2.01  C2          yes_no                                                      10
C2.02  C2          deduction, 2 per incident, floor 0                          10
C2.03  C2          linear, lower is better: floor 10, target 0; also G2        10
C3.01  C3          appraisal (default weights); branches and members          20
C3.02  C3          none: meetings held (count, a formula input)                 0
C3.03  C3          none: meetings planned (count, a formula input)              0
C3.04  C3          formula C3.02 / C3.03 * 100, then linear floor 50          20
X.01   C1          bonus, 1 per honour, cap 3                                   0
X.02   C2          veto (boolean), cap grade D, 1 star                          0
=====  ==========  ======================================================  ======

For a member (100 points): M1.01 yes_no 40 in C1, M1.02 bands on a percentage 40 in C2, C3.01 20.
"""

from __future__ import annotations

import copy
from typing import Any

from assessment.scoring import Framework, parse_framework


def t(zh: str, en: str) -> dict[str, str]:
    return {"zh": zh, "en": en}


def indicator(code: str, dimension: str, weight: float, rubric: dict[str, Any], **extra: Any):
    data = {
        "code": code,
        "name": t(f"指标{code}", f"Indicator {code}"),
        "dimension": dimension,
        "applies_to": ["branch"],
        "value_type": "number",
        "unit": t("个", "items"),
        "direction": "higher",
        "weight": weight,
        "frequency": "year",
        "rubric": rubric,
    }
    data.update(extra)
    return data


BASE: dict[str, Any] = {
    "code": "TEST",
    "version": "2026",
    "name": t("测试体系", "Test framework"),
    "goal": t("目标", "Goal"),
    "total_points": 100,
    "grade_bands": [
        {"grade": "A", "min": 90, "name": t("优秀", "Excellent")},
        {"grade": "B", "min": 80, "name": t("良好", "Good")},
        {"grade": "C", "min": 60, "name": t("合格", "Qualified")},
        {"grade": "D", "min": 0, "name": t("不合格", "Not qualified")},
    ],
    "star_bands": [
        {"stars": 5, "min": 95},
        {"stars": 4, "min": 85},
        {"stars": 3, "min": 75},
        {"stars": 2, "min": 60},
        {"stars": 1, "min": 0},
    ],
    "rectify_below": 0.6,
    "subject_kinds": [
        {"code": "branch", "unit": "organization", "name": t("党支部", "Branch")},
        {"code": "member", "unit": "person", "name": t("党员", "Party member")},
    ],
    "axes": [
        {
            "code": "construction",
            "name": t("五大建设", "Five constructions"),
            "dimensions": [
                {
                    "code": "C1",
                    "name": t("思想建设", "Ideological"),
                    "children": [{"code": "C1.1", "name": t("学习", "Study")}],
                },
                {"code": "C2", "name": t("组织建设", "Organizational")},
                {"code": "C3", "name": t("作风建设", "Work style")},
            ],
        },
        {
            "code": "guarantee",
            "name": t("九大保障", "Nine guarantees"),
            "dimensions": [
                {"code": "G1", "name": t("思想引领", "Thought leading")},
                {"code": "G2", "name": t("内控监督", "Internal control")},
            ],
        },
    ],
    "indicators": [
        indicator(
            "C1.01",
            "C1",
            20,
            {"kind": "linear", "floor": 60},
            name=t("三会一课完成率", "Three meetings and one lesson held"),
            value_type="percentage",
            unit=t("%", "%"),
            target=100,
            also=["G1"],
        ),
        indicator(
            "C1.02",
            "C1.1",
            10,
            {
                "kind": "bands",
                "bands": [
                    {"min": 12, "fraction": 1.0},
                    {"min": 9, "fraction": 0.8},
                    {"min": 6, "fraction": 0.5},
                ],
            },
            value_type="count",
            unit=t("次", "sessions"),
            plausible={"min": 0, "max": 40},
        ),
        indicator(
            "C2.01",
            "C2",
            10,
            {"kind": "yes_no"},
            value_type="boolean",
            unit=None,
        ),
        indicator(
            "C2.02",
            "C2",
            10,
            {"kind": "deduction", "per": 2},
            value_type="count",
            direction="lower",
            unit=t("起", "incidents"),
        ),
        indicator(
            "C2.03",
            "C2",
            10,
            {"kind": "linear", "floor": 10},
            direction="lower",
            target=0,
            unit=t("天", "days"),
            also=["G2"],
        ),
        indicator(
            "C3.01",
            "C3",
            20,
            {"kind": "appraisal"},
            value_type="appraisal",
            unit=None,
            applies_to=["branch", "member"],
        ),
        indicator("C3.02", "C3", 0, {"kind": "none"}, value_type="count"),
        indicator("C3.03", "C3", 0, {"kind": "none"}, value_type="count"),
        indicator(
            "C3.04",
            "C3",
            20,
            {
                "kind": "formula",
                "expr": "C3.02 / C3.03 * 100",
                "then": {"kind": "linear", "floor": 50},
            },
            value_type="percentage",
            unit=t("%", "%"),
            target=100,
        ),
        indicator(
            "X.01",
            "C1",
            0,
            {"kind": "bonus", "per": 1, "cap": 3},
            value_type="count",
            unit=t("项", "honours"),
        ),
        indicator(
            "X.02",
            "C2",
            0,
            {"kind": "veto"},
            value_type="boolean",
            unit=None,
        ),
        indicator(
            "M1.01",
            "C1",
            40,
            {"kind": "yes_no"},
            value_type="boolean",
            unit=None,
            applies_to=["member"],
        ),
        indicator(
            "M1.02",
            "C2",
            40,
            {
                "kind": "bands",
                "bands": [{"min": 90, "fraction": 1.0}, {"min": 60, "fraction": 0.6}],
            },
            value_type="percentage",
            unit=t("%", "%"),
            applies_to=["member"],
        ),
    ],
}
for _item in BASE["indicators"]:
    if _item.get("unit") is None:
        _item.pop("unit", None)

# Values that earn every point for a branch.
PERFECT: dict[str, object] = {
    "C1.01": 100,
    "C1.02": 12,
    "C2.01": True,
    "C2.02": 0,
    "C2.03": 0,
    "C3.01": {"voters": 10, "excellent": 10, "competent": 0, "basic": 0, "incompetent": 0},
    "C3.02": 10,
    "C3.03": 10,
    "X.01": 0,
    "X.02": False,
}


def framework_dict() -> dict[str, Any]:
    """A fresh deep copy, safe to edit in a test."""
    return copy.deepcopy(BASE)


def find(data: dict[str, Any], code: str) -> dict[str, Any]:
    """The indicator dict with this code."""
    return next(i for i in data["indicators"] if i["code"] == code)


def build(data: dict[str, Any] | None = None) -> Framework:
    return parse_framework(framework_dict() if data is None else data)


FRAMEWORK = build()
