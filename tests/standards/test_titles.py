"""Seven-good titles: proposed from a year's scores, refreshed, decided within scope and quota."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessment.models import Submission
from audit.models import AuditEntry, AuditKind
from standards import config
from standards.choices import Decision
from standards.models import Title
from standards.selectors import titles as selectors
from standards.services import titles as services
from standards.services.titles import NotAllowed, StaleVersion, TitleRefused

from .titles_data import MEETS, SHORT, VETOED, score, scored, subject, title_of

__all__ = ["scored"]  # the fixture, used by the tests below


def test_propose_proposes_the_subjects_meeting_their_standard(scored, tree):
    proposed = {(t.subject_name, t.standard, t.state) for t in Title.objects.filter(period=scored)}
    assert proposed == {
        ("甲一第一支部", "party_organization", Decision.PROPOSED),
        ("甲一党总支", "party_organization", Decision.PROPOSED),
        ("乙一支部", "party_organization", Decision.PROPOSED),
        ("甲公司党委", "party_organization", Decision.PROPOSED),
        ("A1a成员", "party_member", Decision.PROPOSED),
    }
    title = title_of(scored, tree.a1a)
    assert title.score == 100
    assert [c["dimension"] for c in title.criteria] == ["S2.1", "S2.2"]
    assert all(c["met"] for c in title.criteria)
    assert title.proposed_at is not None


def test_propose_again_changes_nothing(scored):
    before = list(Title.objects.filter(period=scored).values("pk", "proposed_at", "version"))
    assert services.propose(scored) == 0
    assert list(Title.objects.filter(period=scored).values("pk", "proposed_at", "version")) == (
        before
    )


def test_a_proposal_is_removed_when_its_subject_no_longer_meets(scored, tree):
    score(scored, {subject(scored, tree.a1a): SHORT})
    services.propose(scored)
    assert not Title.objects.filter(submission=subject(scored, tree.a1a)).exists()
    assert Title.objects.filter(submission=subject(scored, tree.b1)).exists()


def test_a_veto_keeps_a_subject_from_the_title(scored, tree):
    score(scored, {subject(scored, tree.b1): VETOED})
    services.propose(scored)
    assert not Title.objects.filter(submission=subject(scored, tree.b1)).exists()


def test_a_decided_title_is_kept_and_notes_that_its_subject_no_longer_meets(scored, tree, erin):
    title = title_of(scored, tree.b1)
    services.decide(title, confirm=True, reason="", version=1, acting_user=erin)
    score(scored, {subject(scored, tree.b1): SHORT})
    services.propose(scored)
    title.refresh_from_db()
    assert title.state == Decision.CONFIRMED
    assert title.details["meets_now"] is False
    score(scored, {subject(scored, tree.b1): MEETS})
    services.propose(scored)
    title.refresh_from_db()
    assert title.details["meets_now"] is True


def test_propose_only_for_a_year(scored):
    scored.kind = "quarter"
    Title.objects.all().delete()
    assert services.propose(scored) == 0
    assert not Title.objects.exists()


def test_propose_takes_the_same_queries_for_one_subject_as_for_all(scored, tree):
    Title.objects.all().delete()
    only = [subject(scored, tree.a1a).pk]
    with CaptureQueriesContext(connection) as one:
        services.propose(scored, submission_ids=only)
    Title.objects.all().delete()
    with CaptureQueriesContext(connection) as everyone:
        services.propose(scored)
    assert Title.objects.filter(period=scored).count() == 5
    assert len(everyone) == len(one)
    assert len(everyone) <= 8


# -- deciding ------------------------------------------------------------------------------------


def test_a_reviewer_above_confirms_a_branch_title(scored, tree, carol):
    title = title_of(scored, tree.a1a)
    decided = services.decide(title, confirm=True, reason="", version=1, acting_user=carol)
    assert decided.state == Decision.CONFIRMED
    assert decided.version == 2
    assert decided.decided_by == carol
    entry = AuditEntry.objects.get(kind=AuditKind.TITLE_DECIDED)
    assert entry.target == f"title:{title.pk}"
    assert entry.organization_id == tree.a1a.pk


def test_withholding_needs_a_reason(scored, tree, carol):
    title = title_of(scored, tree.a1a)
    with pytest.raises(TitleRefused):
        services.decide(title, confirm=False, reason="  ", version=1, acting_user=carol)
    title.refresh_from_db()
    assert title.state == Decision.PROPOSED
    assert not AuditEntry.objects.filter(kind=AuditKind.TITLE_DECIDED).exists()
    services.decide(title, confirm=False, reason="整改未完成", version=1, acting_user=carol)
    title.refresh_from_db()
    assert (title.state, title.reason) == (Decision.WITHHELD, "整改未完成")


def test_an_organization_never_decides_its_own_title(scored, tree, carol, erin):
    title = title_of(scored, tree.a)
    with pytest.raises(NotAllowed):
        services.decide(title, confirm=True, reason="", version=1, acting_user=carol)
    services.decide(title, confirm=True, reason="", version=1, acting_user=erin)


def test_a_reviewer_decides_the_titles_of_her_own_members(scored, tree, carol):
    title = title_of(scored, tree.a1a, "person")
    decided = services.decide(title, confirm=True, reason="", version=1, acting_user=carol)
    assert decided.state == Decision.CONFIRMED


def test_a_reviewer_of_a_sibling_may_not_decide(scored, tree, carol):
    with pytest.raises(NotAllowed):
        services.decide(
            title_of(scored, tree.b1), confirm=True, reason="", version=1, acting_user=carol
        )


def test_a_stale_version_is_refused(scored, tree, carol):
    title = title_of(scored, tree.a1a)
    with pytest.raises(StaleVersion) as refused:
        services.decide(title, confirm=True, reason="", version=7, acting_user=carol)
    assert refused.value.current == 1


def test_a_decided_title_is_not_decided_again(scored, tree, carol):
    title = title_of(scored, tree.a1a)
    services.decide(title, confirm=True, reason="", version=1, acting_user=carol)
    with pytest.raises(TitleRefused):
        services.decide(title, confirm=False, reason="x", version=2, acting_user=carol)


def test_the_quota_of_a_committee_is_enforced(scored, tree, carol):
    # Three of A's organizations compete (A1, A1a, A1b): half of three admits one.
    services.decide(
        title_of(scored, tree.a1a), confirm=True, reason="", version=1, acting_user=carol
    )
    with translation.override("en"), pytest.raises(TitleRefused) as refused:
        services.decide(
            title_of(scored, tree.a1), confirm=True, reason="", version=1, acting_user=carol
        )
    assert refused.value.message == (
        "The quota of Seven-good party organization under A Co. is 1 (3 candidates); "
        "1 already confirmed."
    )
    # Withholding is always possible.
    services.decide(
        title_of(scored, tree.a1), confirm=False, reason="名额已满", version=1, acting_user=carol
    )


def test_a_committee_counts_in_the_quota_above_it(scored, tree):
    standard = config.for_period(scored).seven_good[0]
    anchor = selectors.quota_anchor(
        tree.a.path, organization_subject=True, per_paths=[tree.a.path, tree.b.path]
    )
    assert anchor == tree.group.path
    uses = selectors.quota_use(scored, standard, [tree.group.path, tree.a.path])
    assert (uses[tree.group.path].subjects, uses[tree.group.path].size) == (2, 1)
    assert (uses[tree.a.path].subjects, uses[tree.a.path].size) == (3, 1)


def test_a_member_counts_in_her_organization_s_group(tree):
    paths = [tree.a.path]
    assert (
        selectors.quota_anchor(tree.a.path, organization_subject=False, per_paths=paths)
        == tree.a.path
    )
    assert (
        selectors.quota_anchor(tree.a1a.path, organization_subject=False, per_paths=paths)
        == tree.a.path
    )


# -- reading -------------------------------------------------------------------------------------


def test_decidable_titles_follow_the_scope(scored, tree, carol, erin, alice):
    mine = {t.subject_name for t in selectors.decidable(carol)}
    assert mine == {"甲一第一支部", "甲一党总支", "A1a成员"}
    assert {t.subject_name for t in selectors.decidable(erin)} >= {"甲公司党委", "乙一支部"}
    assert not selectors.decidable(alice).exists()


def test_honours_list_the_confirmed_titles_in_scope(scored, tree, carol, erin, alice):
    services.decide(
        title_of(scored, tree.a1a), confirm=True, reason="", version=1, acting_user=carol
    )
    services.decide(title_of(scored, tree.b1), confirm=True, reason="", version=1, acting_user=erin)
    assert [t.subject_name for t in selectors.honours(alice, period=scored)] == ["甲一第一支部"]
    assert len(selectors.honours(erin, period=scored)) == 2
    assert [
        t.subject_name for t in selectors.honours(erin, period=scored, organization=tree.b)
    ] == ["乙一支部"]
    counts = selectors.state_counts(Title.objects.filter(period=scored))
    assert counts == {"proposed": 3, "confirmed": 2, "withheld": 0}


def test_a_subject_s_standard_is_evaluated_from_its_score(scored, tree, alice):
    found = selectors.subject_standards(alice, subject(scored, tree.a1a).pk)
    (result,) = found.results
    assert result.met
    assert "party_organization" in found.titles


def test_a_subject_outside_the_scope_is_not_found(scored, tree, alice):
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.subject_standards(alice, subject(scored, tree.b1).pk)


def test_an_unscored_subject_has_no_result(scored, tree, erin):
    unscored = Submission.objects.get(
        period=scored, organization=tree.group, subject_unit="organization"
    )
    found = selectors.subject_standards(erin, unscored.pk)
    assert found.score is None
    assert found.results == []


def test_the_quota_refusal_reads_in_chinese(scored, tree, carol):
    services.decide(
        title_of(scored, tree.a1a), confirm=True, reason="", version=1, acting_user=carol
    )
    with translation.override("zh-hans"), pytest.raises(TitleRefused) as refused:
        services.decide(
            title_of(scored, tree.a1), confirm=True, reason="", version=1, acting_user=carol
        )
    assert refused.value.message == (
        "甲公司党委 的七好党组织名额为 1 个（共 3 个候选对象），已确认 1 个。"
    )


def test_a_decided_title_whose_subject_lost_its_score_notes_it(scored, tree, erin):
    title = title_of(scored, tree.b1)
    services.decide(title, confirm=True, reason="", version=1, acting_user=erin)
    from assessment.models import SubjectScore

    SubjectScore.objects.filter(submission=title.submission).delete()
    services.propose(scored)
    title.refresh_from_db()
    assert title.state == Decision.CONFIRMED
    assert title.details["meets_now"] is False
