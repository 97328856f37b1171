"""Opening, grading and approving member appraisals (standards/services/appraisals.py)."""

import datetime

import pytest
from django.utils import timezone

from assessment.models import IndicatorValue, Submission
from audit.models import AuditEntry, AuditKind
from organizations.services import assign_role
from standards.choices import AppraisalState
from standards.models import FollowUp, MemberAppraisal, MemberGrade
from standards.services import appraisals as services
from tests.factories import PeriodFactory

from .appraisal_builders import appraisal_of, appraised_period, member_values, score_members

# Nine members of A1a: four reach 优秀 by score (one capped), one 基本合格, one 不合格.
NINE = [
    ("甲", 10, 10),  # 100
    ("乙", 10, 8),  # 98.4
    ("丙", 10, 6),  # 96.8
    ("丁", 10, 3),  # 94.4 -> capped to 合格
    ("戊", 7, 5),  # 78
    ("己", 7, 4),  # 77.2
    ("庚", 6, 5),  # 72
    ("辛", 5, 0),  # 62 -> 基本合格
    ("壬", 0, 0),  # 32 -> 不合格
]


@pytest.fixture
def nine(std_framework, tree):
    return appraised_period(std_framework, {tree.a1a: NINE, tree.b1: [("子", 10, 10)]})


def grades_of(appraisal):
    return {
        g.person.name: (g.rank, g.proposed, g.grade)
        for g in MemberGrade.objects.filter(appraisal=appraisal).select_related("person")
    }


def test_one_appraisal_per_branch_with_ranked_members_and_the_cap(nine, tree):
    period, _people = nine
    appraisal = appraisal_of(period, tree.a1a)
    grades = grades_of(appraisal)
    assert grades["甲"] == (1, "excellent", "excellent")
    assert grades["丙"] == (3, "excellent", "excellent")
    assert grades["丁"] == (4, "qualified", "qualified")
    assert grades["辛"][1:] == ("basic", "basic")
    assert grades["壬"] == (9, "unqualified", "unqualified")
    # The tree's own member of A1a (no values, not scored) is not appraised.
    assert len(grades) == 9
    assert appraisal.top_share == pytest.approx(1 / 3)
    # B1's one member reaches 优秀 by score, but one third of one is none.
    assert grades_of(appraisal_of(period, tree.b1)) == {"子": (1, "qualified", "qualified")}


def test_votes_are_the_scored_counts(nine, tree):
    _period, people = nine
    grade = MemberGrade.objects.get(person=people["丁"])
    assert grade.votes == {
        "voters": 10,
        "excellent": 3,
        "competent": 7,
        "basic": 0,
        "incompetent": 0,
    }
    assert grade.score == pytest.approx(94.4)


def test_opening_again_changes_nothing(nine, tree, django_assert_max_num_queries):
    period, _people = nine
    before = list(MemberGrade.objects.order_by("pk").values())
    versions = list(MemberAppraisal.objects.order_by("pk").values_list("version", flat=True))
    with django_assert_max_num_queries(12):
        assert services.open_for_period(period) == 0
    assert list(MemberGrade.objects.order_by("pk").values()) == before
    assert list(MemberAppraisal.objects.order_by("pk").values_list("version", flat=True)) == (
        versions
    )


def test_opening_takes_a_fixed_number_of_queries(std_framework, tree, django_assert_num_queries):
    small, _ = appraised_period(std_framework, {tree.a1a: NINE[:3]}, year=2025)
    big, _ = appraised_period(std_framework, {tree.a1a: NINE[3:], tree.a1b: NINE, tree.b1: NINE})
    MemberAppraisal.objects.all().delete()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        services.open_for_period(small)
    with CaptureQueriesContext(connection) as many:
        services.open_for_period(big)
    assert len(many.captured_queries) == len(few.captured_queries)
    # A refresh that changes every row of every branch: still the same number.
    MemberGrade.objects.update(score=0)
    with CaptureQueriesContext(connection) as few:
        services.open_for_period(small)
    with CaptureQueriesContext(connection) as many:
        services.open_for_period(big)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_refresh_keeps_a_grade_decided_by_hand_and_records_changes(nine, tree, erin):
    period, people = nine
    appraisal = appraisal_of(period, tree.a1a)
    kept = MemberGrade.objects.get(person=people["戊"])
    services.set_grade(
        kept, grade="excellent", reason="抗洪突出", version=appraisal.version, acting_user=erin
    )
    # 辛 studied more: the score changes and 辛 moves up to 合格 (the scores' signal refreshes
    # the appraisal; opening again finds nothing more to change).
    score_members(period, {people["辛"]: member_values(10, 0)})
    services.open_for_period(period)
    assert services.open_for_period(period) == 0
    assert MemberGrade.objects.get(person=people["戊"]).grade == "excellent"
    moved = MemberGrade.objects.get(person=people["辛"])
    assert (moved.proposed, moved.grade) == ("qualified", "qualified")
    appraisal.refresh_from_db()
    changes = appraisal.details["refreshed"]["changes"]
    assert [c["name"] for c in changes if "changed" in c and "score" in c["changed"]] == ["辛"]


def test_a_hand_decided_grade_follows_the_data_when_it_changes(nine, tree, erin):
    period, people = nine
    appraisal = appraisal_of(period, tree.a1a)
    row = MemberGrade.objects.get(person=people["辛"])
    services.set_grade(
        row, grade="qualified", reason="已改正", version=appraisal.version, acting_user=erin
    )
    score_members(period, {people["辛"]: member_values(0, 0)})
    services.open_for_period(period)
    row.refresh_from_db()
    assert (row.proposed, row.grade, row.reason) == ("unqualified", "unqualified", "")


def test_an_approved_appraisal_is_never_touched(nine, tree, carol):
    period, people = nine
    appraisal = appraisal_of(period, tree.a1a)
    services.approve(appraisal, version=appraisal.version, acting_user=carol)
    before = list(MemberGrade.objects.filter(appraisal=appraisal).order_by("pk").values())
    score_members(period, {people["辛"]: member_values(10, 10)})
    services.open_for_period(period)
    after = list(MemberGrade.objects.filter(appraisal=appraisal).order_by("pk").values())
    assert after == before


def test_only_the_branches_of_given_submissions_are_refreshed(nine, tree):
    period, people = nine
    MemberGrade.objects.filter(appraisal__organization=tree.b1).update(rank=99)
    sub = Submission.objects.get(period=period, person=people["甲"])
    services.open_for_period(period, submission_ids=[sub.pk])
    assert MemberGrade.objects.get(appraisal__organization=tree.b1).rank == 99


def test_a_period_other_than_a_year_opens_nothing(std_framework, tree):
    period = PeriodFactory(
        framework=std_framework,
        kind="quarter",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 3, 31),
    )
    assert services.open_for_period(period) == 0
    assert not MemberAppraisal.objects.exists()


def test_a_member_no_longer_scored_leaves_an_open_appraisal(nine, tree):
    period, people = nine
    sub = Submission.objects.get(period=period, person=people["壬"])
    IndicatorValue.objects.filter(submission=sub).delete()
    Submission.objects.filter(pk=sub.pk).update(state="draft")
    from tests.builders import roll_up

    roll_up(period)
    services.open_for_period(period)
    assert "壬" not in grades_of(appraisal_of(period, tree.a1a))


# ---- grades -----------------------------------------------------------------------------------


def test_the_branch_decides_a_grade_with_a_reason(nine, tree, alice):
    period, people = nine
    appraisal = appraisal_of(period, tree.a1a)
    row = MemberGrade.objects.get(person=people["丁"])
    services.set_grade(
        row, grade="excellent", reason="攻坚贡献大", version=appraisal.version, acting_user=alice
    )
    row.refresh_from_db()
    assert (row.grade, row.reason) == ("excellent", "攻坚贡献大")
    appraisal.refresh_from_db()
    assert appraisal.version == 2
    entry = AuditEntry.objects.get(kind=AuditKind.APPRAISAL_SAVED)
    assert entry.after == {"丁": {"grade": "excellent", "reason": "攻坚贡献大"}}


def test_another_grade_than_proposed_needs_a_reason(nine, tree, alice):
    period, people = nine
    appraisal = appraisal_of(period, tree.a1a)
    row = MemberGrade.objects.get(person=people["丁"])
    with pytest.raises(services.AppraisalRefused, match=r"reason|理由"):
        services.set_grade(
            row, grade="excellent", reason=" ", version=appraisal.version, acting_user=alice
        )
    row.refresh_from_db()
    assert row.grade == "qualified"
    assert not AuditEntry.objects.filter(kind=AuditKind.APPRAISAL_SAVED).exists()


def test_a_grade_off_the_scale_is_refused(nine, tree, alice):
    period, people = nine
    appraisal = appraisal_of(period, tree.a1a)
    row = MemberGrade.objects.get(person=people["丁"])
    with pytest.raises(services.AppraisalRefused):
        services.set_grade(row, grade="A", reason="x", version=1, acting_user=alice)
    assert appraisal.version == 1


def test_a_stale_version_is_refused(nine, tree, alice):
    period, people = nine
    appraisal_of(period, tree.a1a)
    row = MemberGrade.objects.get(person=people["丁"])
    services.set_grade(row, grade="qualified", reason="核实", version=1, acting_user=alice)
    with pytest.raises(services.StaleVersion) as stale:
        services.set_grade(row, grade="basic", reason="x", version=1, acting_user=alice)
    assert stale.value.current == 2
    assert MemberGrade.objects.get(pk=row.pk).grade == "qualified"
    assert appraisal_of(period, tree.a1a).version == 2


def test_a_sibling_branch_cannot_decide_grades(nine, tree, bob):
    _period, people = nine
    row = MemberGrade.objects.get(person=people["丁"])
    with pytest.raises(services.NotAllowed):
        services.set_grade(row, grade="qualified", reason="", version=1, acting_user=bob)


def test_several_grades_are_saved_all_or_none(nine, tree, alice):
    period, people = nine
    appraisal = appraisal_of(period, tree.a1a)
    a = MemberGrade.objects.get(person=people["戊"])
    b = MemberGrade.objects.get(person=people["己"])
    with pytest.raises(services.AppraisalRefused):
        services.set_grades(
            appraisal,
            {a.pk: ("qualified", "同意"), b.pk: ("basic", "")},
            version=1,
            acting_user=alice,
        )
    assert MemberGrade.objects.get(pk=a.pk).reason == ""


# ---- approval ---------------------------------------------------------------------------------


def test_the_committee_approves_and_follow_ups_are_created(nine, tree, carol, alice):
    period, _people = nine
    appraisal = appraisal_of(period, tree.a1a)
    services.approve(appraisal, version=1, acting_user=carol)
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.APPROVED
    assert appraisal.approved_by == carol
    steps = {
        (f.person.name, f.step): (f.due, f.owner)
        for f in FollowUp.objects.select_related("person", "owner")
    }
    due = timezone.localdate() + datetime.timedelta(days=90)
    assert steps == {
        ("辛", "talk"): (due, alice),
        ("辛", "correct"): (due, alice),
        ("壬", "talk"): (due, alice),
        ("壬", "correct"): (due, alice),
        ("壬", "handle"): (due, alice),
    }
    kinds = set(AuditEntry.objects.values_list("kind", flat=True))
    assert {AuditKind.APPRAISAL_APPROVED, AuditKind.APPRAISAL_SAVED} <= kinds


def test_a_branch_without_a_secretary_gets_follow_ups_without_owner(std_framework, tree, carol):
    period, _people = appraised_period(std_framework, {tree.b1: NINE})
    erin_like = carol
    assign_role(user=erin_like, organization=tree.b, role="reviewer")
    appraisal = appraisal_of(period, tree.b1)
    services.approve(appraisal, version=1, acting_user=erin_like)
    assert FollowUp.objects.count() == 5
    assert not FollowUp.objects.filter(owner__isnull=False).exists()


def test_approval_over_the_cap_is_refused_and_nothing_changes(nine, tree, carol, alice):
    period, people = nine
    appraisal = appraisal_of(period, tree.a1a)
    row = MemberGrade.objects.get(person=people["丁"])
    services.set_grade(row, grade="excellent", reason="贡献大", version=1, acting_user=alice)
    with pytest.raises(services.AppraisalRefused) as refused:
        services.approve(appraisal, version=2, acting_user=carol)
    assert str(refused.value) == "优秀 4 人，超过上限 3 人（党员 9 人的三分之一）"
    appraisal.refresh_from_db()
    assert (appraisal.state, appraisal.version) == (AppraisalState.OPEN, 2)
    assert not FollowUp.objects.exists()
    assert not AuditEntry.objects.filter(kind=AuditKind.APPRAISAL_APPROVED).exists()


def test_the_branch_cannot_approve_its_own_appraisal(nine, tree, alice):
    period, _people = nine
    with pytest.raises(services.NotAllowed):
        services.approve(appraisal_of(period, tree.a1a), version=1, acting_user=alice)


def test_a_reviewer_of_the_branch_itself_cannot_approve(nine, tree, frank):
    period, _people = nine
    assign_role(user=frank, organization=tree.a1a, role="reviewer")
    with pytest.raises(services.NotAllowed):
        services.approve(appraisal_of(period, tree.a1a), version=1, acting_user=frank)


def test_approval_on_a_stale_version_is_refused(nine, tree, carol, alice):
    period, people = nine
    row = MemberGrade.objects.get(person=people["戊"])
    services.set_grade(row, grade="qualified", reason="核实", version=1, acting_user=alice)
    with pytest.raises(services.StaleVersion):
        services.approve(appraisal_of(period, tree.a1a), version=1, acting_user=carol)


def test_an_approved_appraisal_cannot_be_graded_again(nine, tree, carol):
    period, people = nine
    services.approve(appraisal_of(period, tree.a1a), version=1, acting_user=carol)
    row = MemberGrade.objects.get(person=people["戊"])
    with pytest.raises(services.AppraisalRefused, match=r"approved|审批"):
        services.set_grade(row, grade="qualified", reason="", version=2, acting_user=carol)
