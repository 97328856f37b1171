"""Indicator sources in the framework file: known kinds and their parameters pass and survive a
round trip; an unknown kind or a bad parameter is refused with a message in both languages."""

import copy

import pytest

from assessment.scoring.spec import (
    SOURCE_KINDS,
    FrameworkError,
    Source,
    describe_source,
    parse_framework,
)
from tests.framework_data import SMALL_FRAMEWORK

MEETING_KINDS = [
    {
        "code": "committee_meeting",
        "name": {"zh": "支委会", "en": "Committee meeting"},
        "applies_to": ["branch"],
        "per_month": 1,
    }
]


def framework(source, *, index: int = 0, person: bool = False) -> dict:
    """The small framework with `source` on one indicator (C1.01, a count of a branch)."""
    data = copy.deepcopy(SMALL_FRAMEWORK)
    data["records"] = {"meeting_kinds": copy.deepcopy(MEETING_KINDS)}
    if person:
        data["subject_kinds"][0]["unit"] = "person"
    data["indicators"][index]["source"] = source
    return data


def problems(data) -> tuple[list[str], list[str]]:
    with pytest.raises(FrameworkError) as error:
        parse_framework(data)
    return error.value.errors, error.value.messages("zh")


def test_a_known_source_is_read_and_written_back():
    parsed = parse_framework(
        framework({"kind": "months_with_meetings", "meeting_kind": "committee_meeting", "min": 2})
    )
    indicator = parsed.indicator("C1.01")
    assert indicator.source == Source(
        "months_with_meetings", (("meeting_kind", "committee_meeting"), ("min", 2))
    )
    again = parse_framework(parsed.to_dict())
    assert again.indicator("C1.01").source == indicator.source
    assert parsed.to_dict()["indicators"][0]["source"] == {
        "kind": "months_with_meetings",
        "meeting_kind": "committee_meeting",
        "min": 2,
    }


def test_a_source_is_described_in_words_with_its_meeting_kind_by_name():
    parsed = parse_framework(
        framework({"kind": "months_with_meetings", "meeting_kind": "committee_meeting", "min": 2})
    )
    source = parsed.indicator("C1.01").source

    zh, en = describe_source(source, "zh"), describe_source(source, "en")

    assert zh.endswith("（会议类型：支委会；每月至少次数：2）")
    assert en.endswith(" (meeting kind: Committee meeting; at least per month: 2)")
    assert "committee_meeting" not in zh + en
    assert "min" not in zh


def test_a_negative_list_source_names_its_category_and_severity_in_words():
    data = framework({"kind": "negative_events", "category": "discipline", "min_severity": "grave"})
    data["indicators"][0]["value_type"] = "count"
    source = parse_framework(data).indicator("C1.01").source

    assert describe_source(source, "zh").endswith("（类别：违纪违规；严重程度不低于：重大）")
    assert "discipline" not in describe_source(source, "zh")


def test_an_indicator_without_a_source_has_none():
    assert parse_framework(copy.deepcopy(SMALL_FRAMEWORK)).indicator("C1.01").source is None


def test_an_unknown_source_is_refused_in_both_languages():
    en, zh = problems(framework({"kind": "coffee_breaks"}))
    assert en == [
        "indicators[0].source.kind (C1.01): unknown source 'coffee_breaks' (one of "
        + ", ".join(SOURCE_KINDS)
        + ")"
    ]
    assert zh[0].startswith("indicators[0].source.kind (C1.01)：未知的数据来源 'coffee_breaks'")


@pytest.mark.parametrize(
    ("source", "english", "chinese"),
    [
        (
            {"kind": "meetings"},
            "indicators[0].source (C1.01): missing key 'meeting_kind'",
            "缺少键 'meeting_kind'",
        ),
        (
            {"kind": "meetings", "meeting_kind": "tea_party"},
            "indicators[0].source.meeting_kind (C1.01): unknown meeting kind 'tea_party' "
            "(records.meeting_kinds: committee_meeting)",
            "未知的会议类型 'tea_party'",
        ),
        (
            {"kind": "meetings", "meeting_kind": "committee_meeting", "per": 2},
            "indicators[0].source (C1.01): unknown key 'per'",
            "未知的键 'per'",
        ),
        (
            {"kind": "months_with_meetings", "meeting_kind": "committee_meeting", "min": 0},
            "indicators[0].source.min (C1.01): must be at least 1, not 0",
            "不能小于 1",
        ),
        (
            {"kind": "negative_events", "min_severity": "dire"},
            "indicators[0].source.min_severity (C1.01): unknown min_severity 'dire' "
            "(one of minor, serious, grave)",
            "未知的 min_severity 'dire'",
        ),
        (
            {"kind": "attendance_expected", "meeting_kinds": "committee_meeting"},
            "indicators[0].source.meeting_kinds (C1.01): must be a list, not the string "
            "'committee_meeting'",
            "应为列表",
        ),
        (
            "meetings",
            "indicators[0].source (C1.01): must be a mapping, not the string 'meetings'",
            "应为映射",
        ),
    ],
)
def test_a_bad_parameter_is_refused_in_both_languages(source, english, chinese):
    en, zh = problems(framework(source))
    assert en == [english]
    assert chinese in zh[0]


def test_a_source_must_give_the_indicators_value_type():
    en, zh = problems(framework({"kind": "talk_coverage"}))  # a percentage; C1.01 is a count
    assert en == [
        "indicators[0].source.kind (C1.01): source 'talk_coverage' does not suit value_type "
        "'count' (it gives percentage)"
    ]
    assert "数据来源 'talk_coverage' 不适用于 value_type 'count'" in zh[0]


def test_a_source_must_count_for_the_indicators_subjects():
    en, zh = problems(framework({"kind": "dues_on_time_months"}, person=False))
    assert en == [
        "indicators[0].source.kind (C1.01): source 'dues_on_time_months' counts for subjects "
        "of unit person; subject kind 'branch' has unit organization"
    ]
    assert "只能用于个人类评价对象；评价对象类型 'branch' 属于组织" in zh[0]
    # and a person source passes for person subjects
    parse_framework(framework({"kind": "dues_on_time_months"}, person=True))


def test_a_formula_indicator_cannot_have_a_source():
    data = framework({"kind": "meetings", "meeting_kind": "committee_meeting"})
    data["indicators"][0]["rubric"] = {
        "kind": "formula",
        "expr": "1 + 1",
        "then": {"kind": "linear", "floor": 0},
    }
    en, zh = problems(data)
    assert "cannot have a source" in en[0]
    assert "公式指标由其他指标计算得出，不能设置数据来源" in zh[0]


def test_meeting_kinds_need_a_records_section():
    data = framework({"kind": "meetings", "meeting_kind": "committee_meeting"})
    del data["records"]
    en, _zh = problems(data)
    assert en == [
        "indicators[0].source.meeting_kind (C1.01): unknown meeting kind 'committee_meeting' "
        "(records.meeting_kinds: —)"
    ]


def test_a_meeting_kinds_roll_is_members_or_chosen_in_both_languages():
    data = framework({"kind": "meetings", "meeting_kind": "committee_meeting"})
    data["records"]["meeting_kinds"][0]["roll"] = "committee"
    en, zh = problems(data)
    assert en == [
        "records.meeting_kinds[0].roll: unknown roll 'committee' (one of members, chosen)"
    ]
    assert zh == ["records.meeting_kinds[0].roll：未知的 roll 'committee'（可选：members, chosen）"]
    data["records"]["meeting_kinds"][0]["roll"] = "chosen"
    assert parse_framework(data).records["meeting_kinds"][0]["roll"] == "chosen"
