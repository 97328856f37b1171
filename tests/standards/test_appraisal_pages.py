"""The appraisal pages: the branches' list, one appraisal's ranking, grading and approval."""

import pytest
from django.urls import reverse

from standards.choices import AppraisalState
from standards.models import FollowUp, MemberGrade
from standards.services import appraisals as services
from tests.html import page

from .appraisal_builders import appraisal_of, appraised_period
from .test_appraisals import NINE


@pytest.fixture
def nine(std_framework, tree):
    return appraised_period(std_framework, {tree.a1a: NINE, tree.b1: NINE[:3]})


def detail(appraisal):
    return reverse("standards:appraisal_detail", args=[appraisal.pk])


def test_the_list_shows_each_branch_with_the_cap(nine, tree, client_for, carol):
    period, _ = nine
    response = client_for(carol).get(reverse("standards:appraisals"))
    assert response.status_code == 200
    html = page(response)
    row = html.within(f"[data-appraisal='{appraisal_of(period, tree.a1a).pk}']")
    assert row.text("[data-members]") == "9"
    assert row.text("[data-cap]") == "3 / 3"
    # B1 is outside carol's committee.
    assert not html.has(f"[data-appraisal='{appraisal_of(period, tree.b1).pk}']")


def test_the_list_takes_a_fixed_number_of_queries(
    std_framework, tree, client_for, erin, django_assert_max_num_queries
):
    appraised_period(
        std_framework, {tree.a1a: NINE, tree.a1b: NINE[:4], tree.b1: NINE[:2]}, year=2026
    )
    client = client_for(erin)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("standards:appraisals"))
    assert page(response).count("[data-appraisal]") == 3


def test_a_malformed_filter_is_ignored(nine, client_for, carol):
    response = client_for(carol).get(reverse("standards:appraisals") + "?period=x&state=zz")
    assert response.status_code == 200


def test_the_detail_shows_the_ranking_and_votes(nine, tree, client_for, alice):
    period, _ = nine
    response = client_for(alice).get(detail(appraisal_of(period, tree.a1a)))
    html = page(response)
    assert html.count("[data-member]") == 9
    assert html.texts("[data-votes]")[:2] == ["10 / 10 (100%)", "8 / 10 (80%)"]
    # The branch decides: a select per member and no approve button.
    assert html.has("[data-form='grades'] select")
    assert not html.has("[data-form='approve']")


def test_a_sibling_gets_404(nine, tree, client_for, bob):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    assert client_for(bob).get(detail(appraisal)).status_code == 404
    url = reverse("standards:appraisal_approve", args=[appraisal.pk])
    assert client_for(bob).post(url, {"version": 1}).status_code == 404


def test_a_reviewer_of_another_committee_gets_404(nine, tree, client, client_for, frank):
    from organizations.services import assign_role

    assign_role(user=frank, organization=tree.b, role="reviewer")
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    assert client_for(frank).get(detail(appraisal)).status_code == 404


def grades_post(appraisal, **changes):
    data = {"version": appraisal.version}
    for g in MemberGrade.objects.filter(appraisal=appraisal):
        grade, reason = changes.get(g.person.name, (g.grade, g.reason))
        data[f"grade-{g.pk}"] = grade
        data[f"reason-{g.pk}"] = reason
    return data


def test_the_branch_saves_grades(nine, tree, client_for, alice):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    data = grades_post(appraisal, 丁=("excellent", "攻坚贡献大"))
    response = client_for(alice).post(detail(appraisal), data)
    assert response.status_code == 302
    assert MemberGrade.objects.get(appraisal=appraisal, person__name="丁").grade == "excellent"
    # Now four hold the top grade: the page says so.
    html = page(client_for(alice).get(detail(appraisal)))
    assert html.text("[data-cap-message]") == "优秀 4 人，超过上限 3 人（党员 9 人的三分之一）"


def test_a_changed_grade_without_reason_is_refused(nine, tree, client_for, alice):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    response = client_for(alice).post(detail(appraisal), grades_post(appraisal, 丁=("basic", "")))
    assert response.status_code == 400
    assert "丁" in page(response).text("[data-alert]")
    assert MemberGrade.objects.get(appraisal=appraisal, person__name="丁").grade == "qualified"


def test_a_grade_off_the_scale_is_a_form_error(nine, tree, client_for, alice):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    response = client_for(alice).post(detail(appraisal), grades_post(appraisal, 丁=("A", "x")))
    assert response.status_code == 400


def test_a_stale_grades_form_is_409(nine, tree, client_for, alice):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    stale = grades_post(appraisal, 戊=("qualified", "核实"))
    client_for(alice).post(detail(appraisal), grades_post(appraisal, 己=("qualified", "核实")))
    response = client_for(alice).post(detail(appraisal), stale)
    assert response.status_code == 409
    assert MemberGrade.objects.get(appraisal=appraisal, person__name="戊").reason == ""


def test_a_form_opened_before_a_member_was_added_is_409(nine, tree, client_for, alice):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    data = grades_post(appraisal, 戊=("qualified", "核实"))
    # The page was opened with one member fewer, and the appraisal moved on since.
    last = MemberGrade.objects.filter(appraisal=appraisal).order_by("-rank").first()
    del data[f"grade-{last.pk}"], data[f"reason-{last.pk}"]
    type(appraisal).objects.filter(pk=appraisal.pk).update(version=2)
    response = client_for(alice).post(detail(appraisal), data)
    assert response.status_code == 409
    assert MemberGrade.objects.get(appraisal=appraisal, person__name="戊").reason == ""


def test_the_committee_approves(nine, tree, client_for, carol):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    html = page(client_for(carol).get(detail(appraisal)))
    assert html.has("[data-form='approve']")
    url = reverse("standards:appraisal_approve", args=[appraisal.pk])
    response = client_for(carol).post(url, {"version": appraisal.version})
    assert response.status_code == 302
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.APPROVED
    assert FollowUp.objects.count() == 5


def test_approval_over_the_cap_shows_the_message(nine, tree, client_for, carol, alice):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    row = MemberGrade.objects.get(appraisal=appraisal, person__name="丁")
    services.set_grade(row, grade="excellent", reason="贡献大", version=1, acting_user=alice)
    url = reverse("standards:appraisal_approve", args=[appraisal.pk])
    response = client_for(carol).post(url, {"version": 2})
    assert response.status_code == 400
    assert page(response).text("[data-alert]") == (
        "优秀 4 人，超过上限 3 人（党员 9 人的三分之一）"
    )
    appraisal.refresh_from_db()
    assert appraisal.state == AppraisalState.OPEN


def test_the_branch_cannot_approve_its_own(nine, tree, client_for, alice):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    url = reverse("standards:appraisal_approve", args=[appraisal.pk])
    assert client_for(alice).post(url, {"version": 1}).status_code == 403
    assert client_for(alice).post(url, {"version": "x"}).status_code == 400


def test_the_detail_takes_a_fixed_number_of_queries(
    nine, tree, client_for, alice, django_assert_max_num_queries
):
    period, _ = nine
    url = detail(appraisal_of(period, tree.a1a))
    client = client_for(alice)
    with django_assert_max_num_queries(9):
        client.get(url)
