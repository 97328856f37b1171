"""The framework file's grade scales and standards section: what they name must exist and fit,
refused with a message in both languages; the engine grades each kind on its own scale."""

from pathlib import Path

import pytest
import yaml

from assessment.scoring import score_subject
from assessment.scoring.spec import FrameworkError, parse_framework
from tests.standards.framework import standards_framework

VOTES = {"voters": 10, "excellent": 10}


def problems(data) -> tuple[list[str], list[str]]:
    with pytest.raises(FrameworkError) as error:
        parse_framework(data)
    return error.value.errors, error.value.messages("zh")


def test_the_whole_section_reads_and_survives_a_round_trip():
    spec = parse_framework(standards_framework())
    again = parse_framework(spec.to_dict())
    assert again.standards == spec.standards
    assert [b.grade for b in again.bands_for("party_member")] == [
        "excellent",
        "qualified",
        "basic",
        "unqualified",
    ]
    assert again.bands_for("branch") == spec.grade_bands


def test_members_are_graded_on_their_scale_and_organizations_on_the_bands():
    spec = parse_framework(standards_framework())
    member = score_subject(spec, "party_member", {"S4.1.01": 5, "S4.2.01": VOTES})
    assert (member.total, member.grade) == (70, "qualified")
    assert spec.grade_band(member.grade).name.zh == "合格"
    branch = score_subject(spec, "branch", {"C1.01": 10, "C1.02": True, "C1.03": 100})
    assert branch.grade == "A"


def test_a_veto_caps_a_member_by_position_on_the_members_scale():
    data = standards_framework()
    data["indicators"].append(
        {
            "code": "S4.1.09",
            "name": {"zh": "严重违纪", "en": "Grave violation"},
            "dimension": "S4.1",
            "applies_to": ["party_member"],
            "value_type": "boolean",
            "weight": 0,
            "frequency": "year",
            "rubric": {"kind": "veto", "cap_grade": "C", "cap_stars": 2},
        }
    )
    spec = parse_framework(data)
    score = score_subject(spec, "party_member", {"S4.1.01": 10, "S4.2.01": VOTES, "S4.1.09": True})
    assert score.grade_uncapped == "excellent"
    assert score.grade == "basic"  # C is the third of four bands: 基本合格


def test_a_kind_on_an_unknown_scale_is_refused():
    data = standards_framework()
    data["subject_kinds"][4]["scale"] = "members"
    errors, zh = problems(data)
    assert any("unknown grade scale 'members'" in e for e in errors)
    assert any("未知的等级量表" in m for m in zh)


def test_a_grade_code_is_unique_across_scales():
    data = standards_framework()
    data["grade_scales"]["member"][0]["grade"] = "A"
    errors, _zh = problems(data)
    assert any("grade 'A' is already a grade of grade_bands" in e for e in errors)


@pytest.mark.parametrize(
    ("change", "english", "chinese"),
    [
        (
            lambda s: s["seven_good"][0]["criteria"].append({"dimension": "S4.1"}),
            "dimension 'S4.1' is not below the standard's dimension 'S2'",
            "不在该标准的维度",
        ),
        (
            lambda s: s["seven_good"][0]["criteria"][0].update(required=["X9"]),
            "unknown indicator 'X9'",
            "未知的指标",
        ),
        (
            lambda s: s["standardization"]["items"][0].update(indicators=["S4.1.01"]),
            "indicator 'S4.1.01' does not apply to 'general_branch'",
            "不适用于",
        ),
        (
            lambda s: s["member_appraisal"].update(votes="S4.1.01"),
            "indicator 'S4.1.01' is not an appraisal of votes",
            "不是民主评议票数类指标",
        ),
        (
            lambda s: s["member_appraisal"].update(top_grade="A"),
            "unknown grade 'A'",
            "未知的等级",
        ),
        (
            lambda s: s["stars"]["quotas"][0].update(per="region"),
            "unknown subject kind 'region'",
            "未知的评价对象类型",
        ),
        (
            lambda s: s["secretary_reports"]["ratings"].reverse(),
            "ratings must be ordered highest first by min",
            "评价档次应按 min 从高到低排列",
        ),
        (
            lambda s: s.update(roll_up_units={"branch": 0.2}),
            "'branch' is an organization kind",
            "是组织类型",
        ),
        (
            lambda s: s.update(roll_up_units={"party_member": 1.0}),
            "the units' weights add up to 1",
            "各类单元权重之和为 1",
        ),
    ],
)
def test_a_bad_reference_is_refused_in_both_languages(change, english, chinese):
    data = standards_framework()
    change(data["standards"])
    errors, zh = problems(data)
    assert any(english in e for e in errors), errors
    assert any(chinese in m for m in zh), zh


def test_an_unknown_key_in_the_section_is_refused():
    data = standards_framework()
    data["standards"]["stars"]["levels"] = 5
    errors, _zh = problems(data)
    assert any("levels" in e for e in errors)


def test_the_shipped_framework_declares_every_part():
    shipped = Path(__file__).resolve().parents[2] / "assessment" / "data" / "framework.yaml"
    with shipped.open(encoding="utf-8") as handle:
        spec = parse_framework(yaml.safe_load(handle))
    section = spec.standards
    assert [s["code"] for s in section["seven_good"]] == [
        "leading_group",
        "party_organization",
        "department",
        "party_member",
        "staff",
    ]
    assert all(len(s["criteria"]) == 7 for s in section["seven_good"])
    assert {"standardization", "stars", "member_appraisal", "secretary_reports", "terms"} <= set(
        section
    )
    assert spec.subject_kind("party_member").scale == "member"
