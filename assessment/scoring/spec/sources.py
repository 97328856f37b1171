"""The kinds of source an indicator's value can be counted from, and what each one takes.

An indicator with a ``source`` is not typed in: its value is counted from the records of party
life (meetings, attendance, talks, dues, study, points, the negative list) or from rectification
items, for the subject and the period. This module is the list the validator checks a framework
against: each kind's parameters, the value types it gives and the subjects it counts for, with a
description in both languages (docs/framework-format.md, "Sources", is written from it). The
counting itself lives above the pure core (``assessment.sources`` holds the registry that the
records and rectification apps fill in).

Organization subjects count the records of their own organization for meeting counts and
rectification items, and of their whole subtree for what is about members (attendance, dues,
talks, study) and for the negative list, so a party committee's rate is its members' rate.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..text import Text

__all__ = [
    "NEGATIVE_CATEGORIES",
    "SEVERITIES",
    "SOURCE_KINDS",
    "SourceKind",
    "describe_source",
    "units_text",
]

# records.choices.NegativeCategory and Severity, repeated here: the pure core imports no app.
NEGATIVE_CATEGORIES = ("ideology", "discipline", "integrity", "safety", "stability", "other")
SEVERITIES = ("minor", "serious", "grave")

ORGANIZATION = "organization"
PERSON = "person"


@dataclass(frozen=True, slots=True)
class SourceKind:
    """One kind of source: the value types it can fill, the units of subject it counts for, its
    parameters (name → description) and what it counts, in words.

    ``decided_above`` marks a value the unit does not produce but the organization above decides
    (a rating of the unit): it follows the count in every state until the period is locked, a
    rating given after the unit submitted included, and the unit cannot override it."""

    code: str
    value_types: tuple[str, ...]
    units: tuple[str, ...]
    params: tuple[tuple[str, Text], ...]
    counts: Text
    subtree: bool = False
    decided_above: bool = False


_KIND = Text(
    "会议类型代码（records.meeting_kinds），必填",
    "meeting kind code (records.meeting_kinds), required",
)
_KINDS = Text(
    "会议类型代码列表，可省略（省略时为全部会议类型）",
    "list of meeting kind codes, optional (all kinds when left out)",
)
_UNITS_TEXT = {
    ORGANIZATION: Text("组织", "organization"),
    PERSON: Text("个人", "person"),
    "leading_group": Text("领导班子", "leading group"),
    "department": Text("部门", "department"),
}

_SUBTREE = Text(
    "；组织按本组织及其全部下级统计", "; an organization counts with all those below it"
)

SOURCE_KINDS: dict[str, SourceKind] = {
    kind.code: kind
    for kind in (
        SourceKind(
            "meetings",
            ("count", "boolean"),
            (ORGANIZATION,),
            (("meeting_kind", _KIND),),
            Text(
                "本组织本期召开的该类会议次数（是/否指标：是否召开）",
                "meetings of the kind the organization held (a yes/no indicator: whether any)",
            ),
        ),
        SourceKind(
            "months_with_meetings",
            ("count",),
            (ORGANIZATION,),
            (
                ("meeting_kind", _KIND),
                ("min", Text("每月至少次数，默认 1", "meetings a month at least, default 1")),
            ),
            Text(
                "本期内该类会议达到每月最低次数的月数",
                "months of the period with at least the given number of meetings of the kind",
            ),
        ),
        SourceKind(
            "attendance_rate",
            ("percentage",),
            (ORGANIZATION, PERSON),
            (("meeting_kinds", _KINDS),),
            Text(
                "实到人次 ÷ 应到人次 × 100；应到为会议当日在册党员（党小组会为签到名单），扣除请假",
                "present ÷ expected × 100; expected are the members on the meeting's day (the "
                "sign-in list for party group meetings), excused absences deducted",
            ),
            subtree=True,
        ),
        SourceKind(
            "attendance_expected",
            ("count",),
            (ORGANIZATION, PERSON),
            (("meeting_kinds", _KINDS),),
            Text(
                "应到人次：会议当日在册党员（党小组会为签到名单），扣除请假",
                "expected attendances: the members on the meeting's day (the sign-in list for "
                "party group meetings), excused absences deducted",
            ),
            subtree=True,
        ),
        SourceKind(
            "attendance_present",
            ("count",),
            (ORGANIZATION, PERSON),
            (("meeting_kinds", _KINDS),),
            Text(
                "实到人次（签到为出席的应到党员）", "attendances of expected members marked present"
            ),
            subtree=True,
        ),
        SourceKind(
            "dues_on_time_rate",
            ("percentage",),
            (ORGANIZATION,),
            (),
            Text(
                "按时足额交纳的党员月数 ÷ 应交党员月数 × 100（已结束的月份）",
                "member-months paid in full and on time ÷ member-months due × 100 (months ended)",
            ),
            subtree=True,
        ),
        SourceKind(
            "dues_on_time_months",
            ("count",),
            (PERSON,),
            (),
            Text("按时足额交纳党费的月数", "months of dues paid in full and on time"),
        ),
        SourceKind(
            "talk_coverage",
            ("percentage",),
            (ORGANIZATION,),
            (),
            Text(
                "本期至少谈心谈话一次的党员 ÷ 在册党员 × 100",
                "members who took part in at least one heart-to-heart talk ÷ members × 100",
            ),
            subtree=True,
        ),
        SourceKind(
            "study_hours_per_member",
            ("number",),
            (ORGANIZATION,),
            (),
            Text("党员学习培训学时合计 ÷ 在册党员数", "members' study hours ÷ members"),
            subtree=True,
        ),
        SourceKind(
            "study_hours",
            ("number",),
            (PERSON,),
            (),
            Text("本人学习培训学时合计", "the person's study hours"),
        ),
        SourceKind(
            "points",
            ("number", "count"),
            (PERSON,),
            (),
            Text("本人已批准的积分合计", "the member's approved points"),
        ),
        SourceKind(
            "negative_events",
            ("count", "boolean"),
            (ORGANIZATION,),
            (
                (
                    "category",
                    Text(
                        "负面清单类别，可省略（" + ", ".join(NEGATIVE_CATEGORIES) + "）",
                        "negative-list category, optional (" + ", ".join(NEGATIVE_CATEGORIES) + ")",
                    ),
                ),
                (
                    "min_severity",
                    Text(
                        "最低严重程度，默认 minor（" + ", ".join(SEVERITIES) + "）",
                        "lowest severity counted, default minor (" + ", ".join(SEVERITIES) + ")",
                    ),
                ),
            ),
            Text(
                "负面清单事件数（是/否指标：有无此类事件）",
                "events on the negative list (a yes/no indicator: whether there was any)",
            ),
            subtree=True,
        ),
        SourceKind(
            "rectification_closure_rate",
            ("percentage",),
            (ORGANIZATION,),
            (),
            Text(
                "本期到期的整改事项中按期确认关闭的比例 × 100",
                "rectification items due in the period that were confirmed closed by their due "
                "date × 100",
            ),
        ),
        SourceKind(
            "secretary_report",
            ("percentage",),
            (ORGANIZATION,),
            (),
            Text(
                "书记本年度述职评议经上级党组织确认的评价档次所对应的分值（0–100）",
                "the value (0–100) of the rating the committee above confirmed for the "
                "secretary's annual report of the year",
            ),
            decided_above=True,
        ),
    )
}


_PARAM_NAMES = {
    "meeting_kind": Text("会议类型", "meeting kind"),
    "meeting_kinds": Text("会议类型", "meeting kinds"),
    "min": Text("每月至少次数", "at least per month"),
    "category": Text("类别", "category"),
    "min_severity": Text("严重程度不低于", "at least as severe as"),
}
# The words of records.choices' categories and severities (as the pages translate them), for the
# same reason as above.
_VALUE_NAMES = {
    "ideology": Text("意识形态事件", "ideological incident"),
    "discipline": Text("违纪违规", "discipline violation"),
    "integrity": Text("廉洁（党风廉政）", "integrity"),
    "safety": Text("安全质量事故", "safety accident"),
    "stability": Text("信访稳定", "stability and petitions"),
    "other": Text("其他", "other"),
    "minor": Text("轻微", "minor"),
    "serious": Text("严重", "serious"),
    "grave": Text("重大", "grave"),
}


def describe_source(source: Any, lang: str) -> str:
    """A source in words: what it counts, then its parameters, named and with their values in
    words (meeting kinds by the names the records section gives them)."""
    kind = SOURCE_KINDS.get(source.kind)
    if kind is None:
        return source.kind
    text = kind.counts.get(lang)
    if kind.subtree:
        text += _SUBTREE.get(lang)
    names = {**_VALUE_NAMES, **dict(source.kind_names)}

    def word(value: Any) -> str:
        named = names.get(value) if isinstance(value, str) else None
        return named.get(lang) if named is not None else str(value)

    def shown(name: str, value: Any) -> str:
        values = value if isinstance(value, tuple | list) else (value,)
        label = _PARAM_NAMES.get(name)
        comma, colon = ("、", "：") if lang == "zh" else (", ", ": ")
        words = comma.join(word(v) for v in values)
        return f"{label.get(lang)}{colon}{words}" if label is not None else f"{name}={words}"

    params = [shown(name, value) for name, value in source.params]
    if not params:
        return text
    separator, opening, closing = ("；", "（", "）") if lang == "zh" else ("; ", " (", ")")
    return f"{text}{opening}{separator.join(params)}{closing}"


def units_text(units: tuple[str, ...]) -> Text:
    """Units of subject in words, in both languages: "organization, person"."""
    named = [_UNITS_TEXT.get(u, Text(u, u)) for u in units]
    return Text("、".join(t.zh for t in named), ", ".join(t.en for t in named))
