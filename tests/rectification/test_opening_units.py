"""Items open for every kind of subject: an organization's members (and departments, leading
groups, staff) as well as the organization itself, owned by the organization's secretary, once
per subject and indicator; the next period's result is read for the same subject."""

import pytest

from assessment.choices import SubmissionState
from assessment.models import IndicatorValue, Submission
from rectification.models import Rectification
from rectification.selectors import next_period_results
from tests.builders import recompute
from tests.factories import FrameworkFactory, PeriodFactory, PersonFactory
from tests.standards.framework import standards_framework

pytestmark = pytest.mark.django_db
VOTES = {"voters": 10, "excellent": 10}


@pytest.fixture
def framework(db):
    return FrameworkFactory(document=standards_framework())


def fill_members(period, organization, hours: dict[str, float]) -> None:
    """Approve the members of `organization` named in `hours` with those study hours."""
    codes = dict(period.framework.indicators.values_list("code", "pk"))
    for submission in Submission.objects.filter(
        period=period, subject_kind="party_member", person__name__in=list(hours)
    ):
        for code, value in (("S4.1.01", hours[submission.person.name]), ("S4.2.01", VOTES)):
            IndicatorValue.objects.create(
                submission=submission, indicator_id=codes[code], value=value
            )
        submission.state = SubmissionState.APPROVED
        submission.save(update_fields=["state"])


def test_a_members_weak_indicator_opens_an_item_owned_by_the_branch_secretary(
    framework, tree, alice
):
    PersonFactory(organization=tree.a1a, name="王一")
    PersonFactory(organization=tree.a1a, name="王二")
    period = PeriodFactory(framework=framework, year=2026)
    fill_members(period, tree.a1a, {"王一": 2, "王二": 1})  # both well under the target of 10
    recompute(period)
    opened = Rectification.objects.filter(indicator_code="S4.1.01").select_related("submission")
    assert sorted(item.submission.subject_name for item in opened) == ["王一", "王二"]
    assert {item.organization for item in opened} == {tree.a1a}
    assert {item.owner for item in opened} == {alice}  # the secretary of the members' branch
    recompute(period)
    assert Rectification.objects.filter(indicator_code="S4.1.01").count() == 2  # once each


def test_the_next_period_is_read_for_the_same_member(framework, tree):
    PersonFactory(organization=tree.a1a, name="王一")
    PersonFactory(organization=tree.a1a, name="王二")
    first = PeriodFactory(framework=framework, year=2025)
    fill_members(first, tree.a1a, {"王一": 2, "王二": 1})
    recompute(first)
    second = PeriodFactory(framework=framework, year=2026)
    fill_members(second, tree.a1a, {"王一": 10, "王二": 1})  # 王一 improved, 王二 did not
    recompute(second)
    items = list(
        Rectification.objects.filter(period=first, indicator_code="S4.1.01").select_related(
            "period__framework", "submission"
        )
    )
    results = next_period_results(items)
    improved = {item.submission.subject_name: results[item.pk].improved for item in items}
    assert improved == {"王一": True, "王二": False}


def test_the_list_names_the_member(framework, tree, alice, client_for):
    PersonFactory(organization=tree.a1a, name="王一")
    period = PeriodFactory(framework=framework, year=2026)
    fill_members(period, tree.a1a, {"王一": 2})
    recompute(period)
    page = client_for(alice).get("/rectification/")
    assert page.status_code == 200
    assert "王一" in page.content.decode()
