"""Data for the insight tests: a framework with business results, many committees, scored periods.

The framework scores committees on three party-building indicators (85 points) and three business
results (15 points, axis "business" as in the shipped framework); branches on the party-building
ones only. Periods are filled directly (`tests.builders.scored_period`: values inserted,
submissions approved by one UPDATE) and scored by `manage.py rollup`, as the benchmarks do, so a
test can have 2,000 committees quickly.
"""

import copy

from organizations.models import Organization
from tests.factories import FrameworkFactory, kind

BUSINESS_FRAMEWORK = {
    "code": "EFF",
    "version": "2026",
    "name": {"zh": "成效测试体系", "en": "Effectiveness test framework"},
    "goal": {"zh": "一个目标", "en": "One goal"},
    "total_points": 100,
    "grade_bands": [
        {"grade": "A", "min": 90, "name": {"zh": "优秀", "en": "Excellent"}},
        {"grade": "B", "min": 80, "name": {"zh": "良好", "en": "Good"}},
        {"grade": "C", "min": 60, "name": {"zh": "合格", "en": "Qualified"}},
        {"grade": "D", "min": 0, "name": {"zh": "不合格", "en": "Not qualified"}},
    ],
    "star_bands": [
        {"stars": 5, "min": 95},
        {"stars": 4, "min": 85},
        {"stars": 3, "min": 75},
        {"stars": 2, "min": 60},
        {"stars": 1, "min": 0},
    ],
    "subject_kinds": [
        {"code": "committee", "unit": "organization", "name": {"zh": "党委", "en": "Committee"}},
        {"code": "branch", "unit": "organization", "name": {"zh": "党支部", "en": "Branch"}},
    ],
    "axes": [
        {
            "code": "construction",
            "name": {"zh": "五大建设", "en": "Five constructions"},
            "dimensions": [
                {"code": "C1", "name": {"zh": "思想建设", "en": "Ideological"}},
                {"code": "C2", "name": {"zh": "组织建设", "en": "Organizational"}},
            ],
        },
        {
            "code": "business",
            "name": {"zh": "核心业务成效", "en": "Core business results"},
            "dimensions": [{"code": "B1", "name": {"zh": "经营业绩", "en": "Operating results"}}],
        },
    ],
    "indicators": [
        {
            "code": "C1.01",
            "name": {"zh": "理论学习次数", "en": "Study sessions"},
            "dimension": "C1",
            "applies_to": ["committee", "branch"],
            "value_type": "count",
            "unit": {"zh": "次", "en": "times"},
            "direction": "higher",
            "target": 10,
            "weight": 40,
            "frequency": "year",
            "rubric": {"kind": "linear", "floor": 0},
        },
        {
            "code": "C2.01",
            "name": {"zh": "支委会召开", "en": "Committee meetings held"},
            "dimension": "C2",
            "applies_to": ["committee", "branch"],
            "value_type": "boolean",
            "weight": 45,
            "frequency": "year",
            "rubric": {"kind": "yes_no"},
        },
        {
            "code": "C2.02",
            "name": {"zh": "主题党日", "en": "Themed party days"},
            "dimension": "C2",
            "applies_to": ["branch"],
            "value_type": "boolean",
            "weight": 15,
            "frequency": "year",
            "rubric": {"kind": "yes_no"},
        },
        {
            "code": "C2.03",
            "name": {"zh": "党员发展", "en": "New members"},
            "dimension": "C2",
            "applies_to": ["committee"],
            "value_type": "count",
            "unit": {"zh": "人", "en": "people"},
            "direction": "higher",
            "weight": 0,
            "frequency": "year",
            "rubric": {"kind": "bonus", "per": 1, "cap": 3},
        },
        {
            "code": "B1.01",
            "name": {"zh": "主营业务收入增长率", "en": "Income growth"},
            "dimension": "B1",
            "applies_to": ["committee"],
            "value_type": "number",
            "unit": {"zh": "%", "en": "%"},
            "direction": "higher",
            "target": 15,
            "weight": 5,
            "frequency": "year",
            "rubric": {"kind": "linear", "floor": 0},
        },
        {
            "code": "B1.02",
            "name": {"zh": "利润总额增长率", "en": "Profit growth"},
            "dimension": "B1",
            "applies_to": ["committee"],
            "value_type": "number",
            "unit": {"zh": "%", "en": "%"},
            "direction": "higher",
            "weight": 5,
            "frequency": "year",
            "rubric": {
                "kind": "bands",
                "bands": [{"min": 20, "fraction": 1.0}, {"min": 0, "fraction": 0.4}],
            },
        },
        {
            "code": "B1.03",
            "name": {"zh": "经营业绩考核等级", "en": "Operating grade"},
            "dimension": "B1",
            "applies_to": ["committee"],
            "value_type": "number",
            "unit": {"zh": "级", "en": "grade"},
            "direction": "higher",
            "weight": 5,
            "frequency": "year",
            "rubric": {
                "kind": "bands",
                "bands": [{"min": 4, "fraction": 1.0}, {"min": 3, "fraction": 0.75}],
            },
        },
        {
            "code": "B1.04",
            "name": {"zh": "党建促进经营发展情况", "en": "How party building helped"},
            "dimension": "B1",
            "applies_to": ["committee"],
            "value_type": "text",
            "weight": 0,
            "frequency": "year",
            "rubric": {"kind": "none"},
        },
    ],
}


def business_framework():
    return FrameworkFactory(document=copy.deepcopy(BUSINESS_FRAMEWORK))


def add_committees(parent: Organization, count: int, prefix: str = "K") -> list[Organization]:
    """`count` committees under `parent`, inserted in bulk with their paths (ids chosen here)."""
    committee = kind("committee")
    start = (Organization.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    rows = [
        Organization(
            pk=pk,
            code=f"{prefix}{number:05d}",
            name=f"第{number}公司党委",
            name_en=f"Company {number} committee",
            kind=committee,
            parent=parent,
            path=f"{parent.path}{pk}/",
            depth=parent.depth + 1,
        )
        for number, pk in enumerate(range(start, start + count), start=1)
    ]
    return Organization.objects.bulk_create(rows, batch_size=500)


def committee_values(strength: float, *, income=None, profit=None, grade=None) -> dict:
    """Values of a committee whose party building is as strong as `strength` (0…1); business
    results follow it unless given."""
    return {
        "C1.01": round(10 * strength),
        "C2.01": strength >= 0.5,
        "B1.01": round(15 * strength, 1) if income is None else income,
        "B1.02": round(25 * strength, 1) if profit is None else profit,
        "B1.03": max(1, round(4 * strength)) if grade is None else grade,
    }
