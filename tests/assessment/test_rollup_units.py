"""Units weighed into their organization's total (the framework's `standards.roll_up_units`):
in the full recompute and when one unit is approved."""

import pytest

from assessment.choices import SubmissionState
from assessment.models import IndicatorValue, Rollup, Submission
from assessment.services import submissions
from tests.builders import recompute, store
from tests.factories import FrameworkFactory, PeriodFactory
from tests.standards.framework import standards_framework

BRANCH = {"C1.01": 10, "C1.02": True, "C1.03": 100, "C1.09": False}  # 100 points
VOTES = {"voters": 10, "excellent": 10}


@pytest.fixture
def period(tree):
    doc = standards_framework()
    doc["standards"]["roll_up_units"] = {"party_member": 0.5}
    return PeriodFactory(framework=FrameworkFactory(document=doc), year=2026)


def _member(period, organization) -> Submission:
    return Submission.objects.get(
        period=period, subject_kind="party_member", person__organization=organization
    )


def _fill_member(submission, hours):
    for code, value in (("S4.1.01", hours), ("S4.2.01", VOTES)):
        indicator = submission.period.framework.indicators.get(code=code)
        IndicatorValue.objects.create(submission=submission, indicator=indicator, value=value)


def _total(period, organization):
    return Rollup.objects.get(period=period, organization=organization, dimension="")


def test_a_full_recompute_mixes_the_members_mean_into_the_branchs_own_total(period, tree):
    store(period, {tree.a1a: BRANCH, tree.a1b: BRANCH})
    member = _member(period, tree.a1a)
    _fill_member(member, 5)  # 30 + 40 = 70 points
    Submission.objects.filter(pk=member.pk).update(state=SubmissionState.APPROVED)
    recompute(period)
    weighed, plain = _total(period, tree.a1a), _total(period, tree.a1b)
    assert weighed.own_score == pytest.approx(0.5 * 100 + 0.5 * 70)
    assert plain.own_score == 100  # no scored member: its own total alone
    assert weighed.explanation["own"]["units"]["party_member"]["score"] == 70
    assert weighed.explanation["own"]["alone"] == 100


def test_approving_a_member_rewrites_the_chain_of_its_organization(
    period, tree, alice, carol, django_capture_on_commit_callbacks
):
    store(period, {tree.a1a: BRANCH})
    recompute(period)
    assert _total(period, tree.a1a).own_score == 100
    member = _member(period, tree.a1a)
    submissions.save_values(
        member, {"S4.1.01": 0, "S4.2.01": VOTES}, version=member.version, acting_user=alice
    )
    submissions.submit(member, acting_user=alice)
    with django_capture_on_commit_callbacks(execute=True):
        submissions.approve(member, acting_user=carol)  # scored at once (Celery runs eagerly)
    # 0 hours and full votes: 40 points; the branch's own total is half its own, half that.
    assert _total(period, tree.a1a).own_score == pytest.approx(70)
    assert _total(period, tree.a1).score != _total(period, tree.a1b).score


def test_without_weights_members_take_no_part(tree):
    std_period = PeriodFactory(framework=FrameworkFactory(document=standards_framework()))
    store(std_period, {tree.a1a: BRANCH})
    member = _member(std_period, tree.a1a)
    _fill_member(member, 0)
    Submission.objects.filter(pk=member.pk).update(state=SubmissionState.APPROVED)
    recompute(std_period)
    assert _total(std_period, tree.a1a).own_score == 100
    assert "units" not in _total(std_period, tree.a1a).explanation["own"]
