"""A small framework with every part of the standards section, for the standards tests.

Organizations (group, committee, general branch, branch) are scored on C1.01–C1.09, tagged into
the seven-good dimensions S2.1 and S2.2; party members on S4.1.01 and the appraisal votes
S4.2.01, graded on the member scale. `standards_framework()` gives a fresh copy to change.
"""

import copy

ORG_KINDS = ["group", "committee", "general_branch", "branch"]

STANDARDS_FRAMEWORK = {
    "code": "STD",
    "version": "2026",
    "name": {"zh": "标准测试体系", "en": "Standards test framework"},
    "goal": {"zh": "一个目标", "en": "One goal"},
    "total_points": 100,
    "grade_bands": [
        {"grade": "A", "min": 90, "name": {"zh": "优秀", "en": "Excellent"}},
        {"grade": "B", "min": 80, "name": {"zh": "良好", "en": "Good"}},
        {"grade": "C", "min": 60, "name": {"zh": "合格", "en": "Qualified"}},
        {"grade": "D", "min": 0, "name": {"zh": "不合格", "en": "Not qualified"}},
    ],
    "grade_scales": {
        "member": [
            {"grade": "excellent", "min": 90, "name": {"zh": "优秀", "en": "Excellent"}},
            {"grade": "qualified", "min": 70, "name": {"zh": "合格", "en": "Qualified"}},
            {"grade": "basic", "min": 60, "name": {"zh": "基本合格", "en": "Basically qualified"}},
            {"grade": "unqualified", "min": 0, "name": {"zh": "不合格", "en": "Not qualified"}},
        ]
    },
    "star_bands": [
        {"stars": 5, "min": 95},
        {"stars": 4, "min": 85},
        {"stars": 3, "min": 75},
        {"stars": 2, "min": 60},
        {"stars": 1, "min": 0},
    ],
    "subject_kinds": [
        {"code": "group", "unit": "organization", "name": {"zh": "集团党组", "en": "Group"}},
        {"code": "committee", "unit": "organization", "name": {"zh": "党委", "en": "Committee"}},
        {
            "code": "general_branch",
            "unit": "organization",
            "name": {"zh": "党总支", "en": "General branch"},
        },
        {"code": "branch", "unit": "organization", "name": {"zh": "党支部", "en": "Branch"}},
        {
            "code": "party_member",
            "unit": "person",
            "scale": "member",
            "name": {"zh": "党员", "en": "Party member"},
        },
    ],
    "axes": [
        {
            "code": "construction",
            "name": {"zh": "五大建设", "en": "Five constructions"},
            "dimensions": [{"code": "C1", "name": {"zh": "组织建设", "en": "Organizational"}}],
        },
        {
            "code": "strive",
            "name": {"zh": "五争五创", "en": "Five strives"},
            "dimensions": [
                {
                    "code": "S2",
                    "name": {"zh": "争创七好党组织", "en": "Seven-good party organization"},
                    "children": [
                        {"code": "S2.1", "name": {"zh": "组织生活好", "en": "Regular life"}},
                        {"code": "S2.2", "name": {"zh": "班子队伍好", "en": "Strong committee"}},
                    ],
                },
                {
                    "code": "S4",
                    "name": {"zh": "争创七好党员", "en": "Seven-good party member"},
                    "children": [
                        {"code": "S4.1", "name": {"zh": "学习提高好", "en": "Keeps learning"}},
                        {"code": "S4.2", "name": {"zh": "先锋作用好", "en": "Pioneer"}},
                    ],
                },
            ],
        },
    ],
    "indicators": [
        {
            "code": "C1.01",
            "name": {"zh": "组织生活次数", "en": "Meetings held"},
            "dimension": "C1",
            "also": ["S2.1"],
            "applies_to": ORG_KINDS,
            "value_type": "count",
            "unit": {"zh": "次", "en": "meetings"},
            "direction": "higher",
            "target": 10,
            "weight": 40,
            "frequency": "year",
            "rubric": {"kind": "linear", "floor": 0},
        },
        {
            "code": "C1.02",
            "name": {"zh": "按期换届", "en": "Elections on time"},
            "dimension": "C1",
            "also": ["S2.2"],
            "applies_to": ORG_KINDS,
            "value_type": "boolean",
            "weight": 30,
            "frequency": "year",
            "rubric": {"kind": "yes_no"},
        },
        {
            "code": "C1.03",
            "name": {"zh": "书记述职评议结果", "en": "Secretary's report rating"},
            "dimension": "C1",
            "also": ["S2.2"],
            "applies_to": ORG_KINDS,
            "value_type": "percentage",
            "unit": {"zh": "分", "en": "points"},
            "direction": "higher",
            "target": 100,
            "weight": 30,
            "frequency": "year",
            "rubric": {"kind": "linear", "floor": 0},
            "source": {"kind": "secretary_report"},
        },
        {
            "code": "C1.09",
            "name": {"zh": "严重违纪（一票否决）", "en": "Grave violation (veto)"},
            "dimension": "C1",
            "also": ["S2.2"],
            "applies_to": ORG_KINDS,
            "value_type": "boolean",
            "weight": 0,
            "frequency": "year",
            "rubric": {"kind": "veto", "cap_grade": "C", "cap_stars": 2},
        },
        {
            "code": "S4.1.01",
            "name": {"zh": "学习学时", "en": "Study hours"},
            "dimension": "S4.1",
            "applies_to": ["party_member"],
            "value_type": "number",
            "unit": {"zh": "学时", "en": "hours"},
            "direction": "higher",
            "target": 10,
            "weight": 60,
            "frequency": "year",
            "rubric": {"kind": "linear", "floor": 0},
        },
        {
            "code": "S4.2.01",
            "name": {"zh": "民主评议党员结果", "en": "Democratic appraisal"},
            "dimension": "S4.2",
            "applies_to": ["party_member"],
            "value_type": "appraisal",
            "weight": 40,
            "frequency": "year",
            "rubric": {"kind": "appraisal"},
        },
    ],
    "standards": {
        "seven_good": [
            {
                "code": "party_organization",
                "title": {"zh": "七好党组织", "en": "Seven-good party organization"},
                "applies_to": ["committee", "general_branch", "branch"],
                "dimension": "S2",
                "min_share": 0.8,
                "quota": {"share": 0.5, "per": "committee"},
                "criteria": [
                    {"dimension": "S2.1"},
                    {"dimension": "S2.2", "required": ["C1.02"]},
                ],
            },
            {
                "code": "party_member",
                "title": {"zh": "七好党员", "en": "Seven-good party member"},
                "applies_to": ["party_member"],
                "dimension": "S4",
                "min_share": 0.8,
                "criteria": [
                    {"dimension": "S4.1"},
                    {"dimension": "S4.2", "required": ["S4.2.01"]},
                ],
            },
        ],
        "standardization": {
            "applies_to": ["general_branch", "branch"],
            "items": [
                {
                    "code": "setup",
                    "name": {"zh": "组织设置规范", "en": "Set up as required"},
                    "indicators": ["C1.02"],
                },
                {
                    "code": "life",
                    "name": {"zh": "组织生活正常", "en": "Regular life"},
                    "indicators": ["C1.01"],
                    "min_fraction": 0.6,
                },
            ],
        },
        "stars": {
            "applies_to": ["branch"],
            "conditions": ["standardization", "no_veto", "complete"],
            "unmet_cap": 2,
            "max_change": 1,
            "quotas": [{"stars": 5, "share": 0.5, "per": "committee"}],
        },
        "member_appraisal": {
            "subject_kind": "party_member",
            "votes": "S4.2.01",
            "top_grade": "excellent",
            "follow_up": [
                {"grade": "basic", "steps": ["talk", "correct"], "within_days": 90},
                {"grade": "unqualified", "steps": ["talk", "correct", "handle"]},
            ],
        },
        "secretary_reports": {
            "applies_to": ORG_KINDS,
            "ratings": [
                {"code": "good", "min": 0.85, "value": 100, "name": {"zh": "好", "en": "Good"}},
                {
                    "code": "fairly_good",
                    "min": 0.7,
                    "value": 85,
                    "name": {"zh": "较好", "en": "Fairly good"},
                },
                {
                    "code": "average",
                    "min": 0.5,
                    "value": 70,
                    "name": {"zh": "一般", "en": "Average"},
                },
                {"code": "poor", "min": 0, "value": 0, "name": {"zh": "差", "en": "Poor"}},
            ],
        },
        "terms": {
            "kinds": [
                {"applies_to": ["general_branch", "branch"], "years": 3, "first_year": 2024},
                {"applies_to": ["group", "committee"], "years": 5, "first_year": 2022},
            ],
            "growth_target": 20,
        },
    },
}


def standards_framework() -> dict:
    """A fresh copy of the document, to change before it is loaded."""
    return copy.deepcopy(STANDARDS_FRAMEWORK)
