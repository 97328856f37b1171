"""The pure rules of the member appraisal: ranking, proposals after the cap, the cap's check."""

import pytest

from assessment.scoring.text import Text
from standards import appraisal as rules

SCALE = ("excellent", "qualified", "basic", "unqualified")


def member(key, score, grade, excellent=0, voters=10, name=None):
    votes = {"voters": voters, "excellent": excellent}
    return rules.Candidate(key, name or f"m{key}", score, grade, votes)


@pytest.mark.parametrize(("members", "limit"), [(9, 3), (3, 1), (2, 0), (10, 3), (0, 0), (1, 0)])
def test_the_cap_is_a_third_rounded_down(members, limit):
    assert rules.cap_size(1 / 3, members) == limit


def test_ranking_by_score_then_share_of_top_votes_then_name():
    ranked = rules.ranked(
        [
            member(1, 80, "qualified", excellent=2, name="乙"),
            member(2, 80, "qualified", excellent=5, name="丙"),
            member(3, 95, "excellent", name="甲"),
            member(4, 80, "qualified", excellent=2, name="丁"),
            member(5, None, "", name="无"),
        ]
    )
    assert [c.key for c in ranked] == [3, 2, 4, 1, 5]


def test_members_beyond_the_cap_are_proposed_the_next_grade():
    candidates = [member(i, 99 - i, "excellent") for i in range(4)] + [
        member(10 + i, 75, "qualified") for i in range(5)
    ]
    proposals = rules.propose(candidates, top_grade="excellent", scale=SCALE, top_share=1 / 3)
    assert [p.grade for p in proposals[:4]] == ["excellent"] * 3 + ["qualified"]
    assert proposals[3].capped
    assert not proposals[2].capped
    assert [p.rank for p in proposals] == list(range(1, 10))


def test_two_members_cannot_be_excellent():
    proposals = rules.propose(
        [member(1, 95, "excellent"), member(2, 92, "excellent")],
        top_grade="excellent",
        scale=SCALE,
        top_share=1 / 3,
    )
    assert [p.grade for p in proposals] == ["qualified", "qualified"]


def test_a_tie_at_the_cap_goes_to_the_larger_share_of_top_votes():
    proposals = rules.propose(
        [member(1, 95, "excellent", excellent=3), member(2, 95, "excellent", excellent=8)]
        + [member(3 + i, 70, "qualified") for i in range(1)],
        top_grade="excellent",
        scale=SCALE,
        top_share=1 / 3,
    )
    assert {p.candidate.key: p.grade for p in proposals}[2] == "excellent"
    assert {p.candidate.key: p.grade for p in proposals}[1] == "qualified"


def test_the_check_says_by_how_much_the_cap_is_exceeded():
    use = rules.check_cap(
        ["excellent"] * 4 + ["qualified"] * 5,
        top_grade="excellent",
        top_share=1 / 3,
        top_name=Text("优秀", "Excellent"),
        members_name=Text("党员", "Party member"),
    )
    assert (use.top, use.limit, use.exceeded_by, use.within) == (4, 3, 1, False)
    assert use.message.zh == "优秀 4 人，超过上限 3 人（党员 9 人的三分之一）"
    assert "above the limit of 3" in use.message.en


def test_within_the_cap_there_is_no_message():
    use = rules.check_cap(
        ["excellent"] * 3 + ["qualified"] * 6,
        top_grade="excellent",
        top_share=1 / 3,
        top_name=Text("优秀", "Excellent"),
        members_name=Text("党员", "Party member"),
    )
    assert use.within
    assert use.message is None


def test_another_share_is_named_as_a_percentage():
    assert rules.share_name(0.3).zh == "30%"
    assert rules.share_name(0.25).en == "one quarter"


def test_votes_keep_whole_counts_only():
    assert rules.votes_of({"voters": "10", "excellent": 4, "x": "n/a"}) == {
        "voters": 10,
        "excellent": 4,
    }
    assert rules.votes_of("7") == {}


def test_grade_for_a_score_on_the_scale():
    mins = (("excellent", 90), ("qualified", 70), ("basic", 60), ("unqualified", 0))
    assert rules.grade_for(91, mins) == "excellent"
    assert rules.grade_for(65, mins) == "basic"
    assert rules.grade_for(None, mins) == ""
