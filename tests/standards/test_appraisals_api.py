"""The appraisals and follow-ups API: scoped reads, grades, approval, follow-up updates."""

import datetime

import pytest
from django.utils import timezone

from standards.models import FollowUp, MemberGrade
from standards.services import appraisals as services

from .appraisal_builders import appraisal_of, appraised_period
from .test_appraisals import NINE

APPRAISALS = "/api/v1/appraisals/"
FOLLOW_UPS = "/api/v1/follow-ups/"


@pytest.fixture
def nine(std_framework, tree):
    return appraised_period(std_framework, {tree.a1a: NINE, tree.b1: NINE[:3]})


def post(client, url, body):
    return client.post(url, body, content_type="application/json")


def test_appraisals_are_listed_within_the_scope(nine, tree, client_for, carol):
    rows = client_for(carol).get(APPRAISALS).json()["results"]
    assert [r["organization"]["id"] for r in rows] == [tree.a1a.pk]
    assert rows[0]["members"] == 9


def test_a_reviewer_of_b_gets_404_for_a(nine, tree, client_for, frank):
    from organizations.services import assign_role

    assign_role(user=frank, organization=tree.b, role="reviewer")
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    client = client_for(frank)
    assert client.get(f"{APPRAISALS}{appraisal.pk}/").status_code == 404
    assert post(client, f"{APPRAISALS}{appraisal.pk}/approve/", {"version": 1}).status_code == 404


def test_the_detail_has_the_ranking_and_the_cap(
    nine, tree, client_for, alice, django_assert_max_num_queries
):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    client = client_for(alice)
    with django_assert_max_num_queries(12):
        data = client.get(f"{APPRAISALS}{appraisal.pk}/").json()
    assert (data["top_grade"], data["top_count"], data["top_limit"]) == ("excellent", 3, 3)
    assert [g["name"] for g in data["grades"]][:2] == ["甲", "乙"]
    assert data["grades"][0]["votes"]["excellent"] == 10


def test_the_branch_sets_grades(nine, tree, client_for, alice):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    row = MemberGrade.objects.get(appraisal=appraisal, person__name="丁")
    body = {"version": 1, "grades": [{"id": row.pk, "grade": "excellent", "reason": "贡献"}]}
    response = post(client_for(alice), f"{APPRAISALS}{appraisal.pk}/grades/", body)
    assert response.status_code == 200
    assert response.json()["top_count"] == 4
    assert response.json()["version"] == 2


def test_grades_refused_stale_and_forbidden(nine, tree, client_for, alice, bob, dave):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    row = MemberGrade.objects.get(appraisal=appraisal, person__name="丁")
    url = f"{APPRAISALS}{appraisal.pk}/grades/"
    no_reason = {"version": 1, "grades": [{"id": row.pk, "grade": "basic"}]}
    assert post(client_for(alice), url, no_reason).status_code == 400
    assert post(client_for(alice), url, {"version": 1, "grades": []}).status_code == 400
    stale = {"version": 7, "grades": [{"id": row.pk, "grade": "qualified"}]}
    response = post(client_for(alice), url, stale)
    assert response.status_code == 409
    assert response.json()["current_version"] == 1
    assert post(client_for(dave), url, stale | {"version": 1}).status_code == 403
    assert post(client_for(bob), url, stale).status_code == 404
    assert MemberGrade.objects.get(pk=row.pk).grade == "qualified"


def test_approve_over_the_cap_then_within(nine, tree, client_for, alice, carol):
    period, _ = nine
    appraisal = appraisal_of(period, tree.a1a)
    row = MemberGrade.objects.get(appraisal=appraisal, person__name="丁")
    services.set_grade(row, grade="excellent", reason="贡献", version=1, acting_user=alice)
    url = f"{APPRAISALS}{appraisal.pk}/approve/"
    response = post(client_for(carol), url, {"version": 2})
    assert response.status_code == 400
    assert response.json()["detail"] == "优秀 4 人，超过上限 3 人（党员 9 人的三分之一）"
    assert post(client_for(alice), url, {"version": 2}).status_code == 403
    services.set_grade(row, grade="qualified", reason="", version=2, acting_user=alice)
    assert post(client_for(carol), url, {"version": 2}).status_code == 409
    response = post(client_for(carol), url, {"version": 3})
    assert response.status_code == 200
    assert response.json()["state"] == "approved"


@pytest.fixture
def steps(nine, tree, carol):
    period, _ = nine
    services.approve(appraisal_of(period, tree.a1a), version=1, acting_user=carol)
    return period


def test_follow_ups_are_listed_and_filtered(steps, client_for, carol, bob):
    client = client_for(carol)
    assert client.get(FOLLOW_UPS).json()["count"] == 5
    FollowUp.objects.filter(step="talk").update(
        due=timezone.localdate() - datetime.timedelta(days=1)
    )
    assert client.get(FOLLOW_UPS, {"state": "overdue"}).json()["count"] == 2
    assert client.get(FOLLOW_UPS, {"state": "done"}).json()["count"] == 0
    assert client.get(FOLLOW_UPS, {"period": steps.pk}).json()["count"] == 5
    assert client.get(FOLLOW_UPS, {"state": "nonsense"}).status_code == 400
    assert client_for(bob).get(FOLLOW_UPS).json()["count"] == 0


def test_a_follow_up_is_updated(steps, client_for, alice, bob):
    item = FollowUp.objects.get(person__name="辛", step="talk")
    url = f"{FOLLOW_UPS}{item.pk}/"
    today = timezone.localdate().isoformat()
    client = client_for(alice)
    response = client.patch(
        url,
        {"done_on": today, "note": "已谈话", "owner": alice.pk, "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["done_on"] == today
    assert response.json()["owner"] == "alice"
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    refused = client.patch(
        url, {"done_on": tomorrow, "version": 2}, content_type="application/json"
    )
    assert refused.status_code == 400
    stale = client.patch(url, {"note": "x", "version": 1}, content_type="application/json")
    assert stale.status_code == 409
    outside = client_for(bob).patch(url, {"version": 2}, content_type="application/json")
    assert outside.status_code == 404
    item.refresh_from_db()
    assert item.note == "已谈话"
