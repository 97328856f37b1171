"""The ledgers' API: dues payments, study records and points entries — scoped lists, creation and
changes through the services, approvals as actions from above only."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import DuesPayment, PointsEntry, StudyRecord
from records.services import points
from tests.factories import PersonFactory
from tests.factories.records import DuesPaymentFactory, StudyRecordFactory

from .ledger_setup import MARCH, client_for, members, records_period

__all__ = ["client_for", "members", "records_period"]  # fixtures used by the tests below

pytestmark = pytest.mark.django_db


DUES = "/api/v1/dues-payments/"
STUDY = "/api/v1/study-records/"
POINTS = "/api/v1/points-entries/"
D = Decimal


def ids(client, url: str) -> list[int]:
    return [row["id"] for row in client.get(url).json()["results"]]


# Dues ------------------------------------------------------------------------------------------


def test_dues_are_listed_within_the_scope(client_for, alice, bob, carol, members, tree):
    mine = DuesPaymentFactory(person=members["P001"], month=MARCH)
    other = DuesPaymentFactory(person=members["P900"], month=MARCH)

    assert ids(client_for(alice), DUES) == [mine.pk]
    assert ids(client_for(carol), DUES) == [mine.pk]
    assert ids(client_for(bob), DUES) == []
    assert client_for(alice).get(f"{DUES}{other.pk}/").status_code == 404
    row = client_for(alice).get(f"{DUES}{mine.pk}/").json()
    assert (row["month"], row["due"], row["on_time"], row["person"]["employee_number"]) == (
        "2026-03",
        "40.00",
        True,
        "P001",
    )


def test_dues_filters(client_for, erin, members, tree):
    DuesPaymentFactory(person=members["P001"], month=MARCH)
    DuesPaymentFactory(person=members["P001"], month=datetime.date(2026, 4, 1))
    client = client_for(erin)
    count = lambda query: client.get(f"{DUES}?{query}").json()["count"]  # noqa: E731
    assert count("month=2026-04") == 1
    assert count(f"person={members['P001'].pk}") == 2
    assert count(f"within={tree.b.pk}") == 0
    assert client.get(f"{DUES}?month=April").status_code == 400


def test_creating_dues_computes_the_due(client_for, alice, members, tree):
    response = client_for(alice).post(
        DUES,
        {
            "person": members["P001"].pk,
            "month": "2026-03",
            "base": "12000",
            "paid": "240",
            "paid_on": "2026-03-05",
        },
        content_type="application/json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["rate"], body["due"], body["organization"]["code"]) == ("0.0200", "240.00", "A1a")


def test_a_month_created_twice_is_a_400_saying_why(client_for, alice, members):
    client = client_for(alice)
    payload = {"person": members["P001"].pk, "month": "2026-03", "base": "4000"}
    assert client.post(DUES, payload, content_type="application/json").status_code == 201

    again = client.post(DUES, payload, content_type="application/json")

    assert again.status_code == 400
    assert "already recorded for 王芳" in again.json()["detail"]
    assert DuesPayment.objects.count() == 1


def test_a_member_outside_the_scope_is_answered_like_no_one(client_for, alice, members):
    for person in (members["P900"].pk, 99_999_999):
        response = client_for(alice).post(
            DUES,
            {"person": person, "month": "2026-03", "base": "4000"},
            content_type="application/json",
        )
        assert (response.status_code, response.json()) == (
            400,
            {"detail": "No such member in your scope."},
        )


def test_a_reviewer_may_see_but_not_write_dues(client_for, carol, members):
    payment = DuesPaymentFactory(person=members["P001"], month=MARCH)
    response = client_for(carol).patch(
        f"{DUES}{payment.pk}/", {"base": "100"}, content_type="application/json"
    )
    assert response.status_code == 403
    payment.refresh_from_db()
    assert payment.base == D("4000")


def test_changing_dues_keeps_the_fields_left_out(client_for, alice, members):
    payment = DuesPaymentFactory(person=members["P001"], month=MARCH)
    response = client_for(alice).patch(
        f"{DUES}{payment.pk}/", {"base": "12000"}, content_type="application/json"
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["due"], response.json()["paid"]) == ("240.00", "40.00")
    assert response.json()["on_time"] is False


def test_a_garbled_month_is_a_400(client_for, alice, members):
    response = client_for(alice).post(
        DUES,
        {"person": members["P001"].pk, "month": "2026-3-1", "base": "4000"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "month" in response.json()


def test_the_dues_list_takes_the_same_queries_for_5_and_50_rows(client_for, erin, tree):
    client = client_for(erin)
    client.get(DUES)
    counts = []
    for n in (5, 45):
        for person in PersonFactory.create_batch(n, organization=tree.a1a):
            DuesPaymentFactory(person=person, month=MARCH)
        with CaptureQueriesContext(connection) as queries:
            client.get(DUES)
        counts.append(len(queries))
    assert counts[0] == counts[1]


# Study -----------------------------------------------------------------------------------------


def test_study_records_are_created_and_changed(client_for, alice, bob, members):
    client = client_for(alice)
    created = client.post(
        STUDY,
        {
            "person": members["P001"].pk,
            "date": "2026-03-10",
            "kind": "online",
            "title": "学习强国",
            "hours": "2.5",
        },
        content_type="application/json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]

    changed = client.patch(f"{STUDY}{pk}/", {"hours": "3"}, content_type="application/json")

    assert (changed.status_code, changed.json()["hours"]) == (200, "3.0")
    assert client_for(bob).get(f"{STUDY}{pk}/").status_code == 404
    assert ids(client_for(bob), STUDY) == []


def test_a_study_record_in_a_closed_period_is_a_400(client_for, alice, members):
    response = client_for(alice).post(
        STUDY,
        {
            "person": members["P001"].pk,
            "date": "2025-03-10",
            "kind": "online",
            "title": "学习强国",
            "hours": "2.5",
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "no open assessment period" in response.json()["detail"]
    assert not StudyRecord.objects.exists()


def test_study_filters(client_for, alice, members):
    StudyRecordFactory(person=members["P001"], kind="online")
    StudyRecordFactory(person=members["P003"], kind="course")
    client = client_for(alice)
    assert client.get(f"{STUDY}?kind=online").json()["count"] == 1
    assert client.get(f"{STUDY}?date_after=2026-04-01").json()["count"] == 0


# Points ----------------------------------------------------------------------------------------


def propose(client, members, **changes):
    payload = {
        "person": members["P001"].pk,
        "month": "2026-03",
        "kind": "award",
        "points": "2",
        "reason": "志愿服务",
        **changes,
    }
    return client.post(POINTS, payload, content_type="application/json")


def test_a_proposal_is_approved_from_above_only(client_for, alice, bob, carol, members):
    created = propose(client_for(alice), members)
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["state"] == "proposed"

    by_branch = client_for(alice).post(
        f"{POINTS}{pk}/approve/", {}, content_type="application/json"
    )
    assert by_branch.status_code == 403
    assert client_for(bob).post(f"{POINTS}{pk}/approve/").status_code == 404
    approved = client_for(carol).post(
        f"{POINTS}{pk}/approve/", {"note": "属实"}, content_type="application/json"
    )

    assert (approved.status_code, approved.json()["state"], approved.json()["decided_by"]) == (
        200,
        "approved",
        "carol",
    )
    again = client_for(carol).post(f"{POINTS}{pk}/refuse/")
    assert again.status_code == 400


def test_a_proposal_can_be_refused(client_for, alice, carol, members):
    pk = propose(client_for(alice), members).json()["id"]
    refused = client_for(carol).post(f"{POINTS}{pk}/refuse/")
    assert refused.json()["state"] == "refused"


def test_a_proposal_is_changed_until_it_is_decided(client_for, alice, carol, members):
    pk = propose(client_for(alice), members, kind="deduction").json()["id"]

    changed = client_for(alice).patch(
        f"{POINTS}{pk}/", {"points": "1.5", "reason": "迟到两次"}, content_type="application/json"
    )
    assert (changed.status_code, changed.json()["points"]) == (200, "-1.5")
    assert client_for(carol).post(f"{POINTS}{pk}/approve/").status_code == 200
    late = client_for(alice).patch(
        f"{POINTS}{pk}/", {"points": "3"}, content_type="application/json"
    )
    assert late.status_code == 400
    assert PointsEntry.objects.get(pk=pk).points == D("-1.5")


def test_the_cap_of_an_award_rule_is_a_400(client_for, alice, members):
    client = client_for(alice)
    assert propose(client, members, rule="volunteer", points="4").status_code == 201
    over = propose(client, members, rule="volunteer", points="2")
    assert over.status_code == 400
    assert "at most 5 points a month" in over.json()["detail"]


def test_rule_lines_are_listed_but_not_changed(client_for, alice, members, tree):
    StudyRecordFactory(person=members["P001"], hours=D("2"))
    points.count_points(tree.a1a, MARCH)
    line = PointsEntry.objects.get()
    client = client_for(alice)
    assert client.get(f"{POINTS}?kind=rule&month=2026-03").json()["count"] == 1
    response = client.patch(f"{POINTS}{line.pk}/", {"points": "9"}, content_type="application/json")
    assert response.status_code == 403
    assert client.post(f"{POINTS}{line.pk}/approve/").status_code == 403


@pytest.mark.parametrize(
    "payload",
    [
        {"month": "9999-12", "base": "4000"},
        {"month": "2026-03", "base": "4000", "paid": "40", "paid_on": "9999-12-31"},
        {"month": "2026-03", "base": "4000", "person": 9223372036854775808},
    ],
)
def test_far_off_dates_and_ids_are_a_400(client_for, alice, members, payload):
    response = client_for(alice).post(
        DUES, {"person": members["P001"].pk, **payload}, content_type="application/json"
    )
    assert response.status_code == 400
    assert not DuesPayment.objects.exists()
