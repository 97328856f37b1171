"""A small valid framework document used across the tests."""

SMALL_FRAMEWORK = {
    "code": "TEST",
    "version": "2026",
    "name": {"zh": "测试体系", "en": "Test framework"},
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
        {"code": "branch", "unit": "organization", "name": {"zh": "党支部", "en": "Branch"}},
    ],
    "axes": [
        {
            "code": "construction",
            "name": {"zh": "五大建设", "en": "Five constructions"},
            "dimensions": [
                {"code": "C1", "name": {"zh": "思想建设", "en": "Ideological"}},
                {
                    "code": "C2",
                    "name": {"zh": "组织建设", "en": "Organizational"},
                    "children": [{"code": "C2.1", "name": {"zh": "组织生活", "en": "Life"}}],
                },
            ],
        },
        {
            "code": "guarantee",
            "name": {"zh": "九大保障", "en": "Nine guarantees"},
            "dimensions": [{"code": "G1", "name": {"zh": "思想引领", "en": "Thought leading"}}],
        },
    ],
    "indicators": [
        {
            "code": "C1.01",
            "name": {"zh": "理论学习次数", "en": "Study sessions"},
            "dimension": "C1",
            "also": ["G1"],
            "applies_to": ["branch"],
            "value_type": "count",
            "unit": {"zh": "次", "en": "times"},
            "direction": "higher",
            "target": 12,
            "weight": 40,
            "frequency": "year",
            "rubric": {"kind": "linear", "floor": 0},
        },
        {
            "code": "C2.01",
            "name": {"zh": "支委会召开", "en": "Committee meetings held"},
            "dimension": "C2.1",
            "applies_to": ["branch"],
            "value_type": "boolean",
            "weight": 60,
            "frequency": "month",
            "evidence_required": True,
            "rubric": {"kind": "yes_no"},
        },
    ],
}
