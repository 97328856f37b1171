"""The API: scoped lists and details, filters, the update and the closure steps."""

import datetime

import pytest

from rectification.models import Rectification

from .conftest import pdf

pytestmark = pytest.mark.django_db

URL = "/api/v1/rectifications/"


def test_the_list_is_scoped(client_for, alice, bob, carol, weak_item):
    ids = lambda client: [r["id"] for r in client.get(URL).json()["results"]]  # noqa: E731
    assert ids(client_for(alice)) == [weak_item.pk]
    assert ids(client_for(carol)) == [weak_item.pk]
    assert ids(client_for(bob)) == []
    assert client_for(bob).get(f"{URL}{weak_item.pk}/").status_code == 404


def test_the_detail_says_what_the_caller_may_do(client_for, alice, carol, weak_item):
    body = client_for(alice).get(f"{URL}{weak_item.pk}/").json()
    assert body["indicator_name"] == "理论学习次数"
    assert body["allowed"] == ["update", "request_closure"]
    assert body["next_period"] == {"outcome": "no_next_period", "period": None, "fraction": None}
    assert client_for(carol).get(f"{URL}{weak_item.pk}/").json()["allowed"] == ["update"]


def test_filters(client_for, erin, weak_item, tree):
    client = client_for(erin)
    count = lambda query: client.get(f"{URL}?{query}").json()["count"]  # noqa: E731
    assert count(f"organization={tree.a1a.pk}") == 1
    assert count(f"within={tree.b.pk}") == 0
    assert count("state=open") == 1
    assert count("state=closed") == 0
    assert count("overdue=true") == 0
    Rectification.objects.update(due_date=datetime.date(2020, 1, 1))
    assert count("overdue=true") == 1
    assert count(f"period={weak_item.period_id}&indicator=C1.01") == 1


def test_update_then_close_then_confirm(client_for, alice, carol, weak_item):
    client = client_for(alice)
    response = client.patch(
        f"{URL}{weak_item.pk}/",
        {"version": 1, "plan": "Twice a month"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.json()
    assert (response.json()["state"], response.json()["version"]) == ("in_progress", 2)

    stale = client.patch(
        f"{URL}{weak_item.pk}/", {"version": 1, "plan": "Other"}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2

    no_file = client.post(
        f"{URL}{weak_item.pk}/request_closure/", {"version": 2, "closing_note": "Done"}
    )
    assert no_file.status_code == 400
    closed = client.post(
        f"{URL}{weak_item.pk}/request_closure/",
        {"version": 2, "closing_note": "Done", "files": [pdf("a.pdf"), pdf("b.pdf")]},
    )
    assert closed.status_code == 200, closed.json()
    assert closed.json()["state"] == "closure_requested"
    assert [e["original_name"] for e in closed.json()["evidence"]] == ["a.pdf", "b.pdf"]

    assert client.post(f"{URL}{weak_item.pk}/confirm/", {"version": 3}).status_code == 403
    reviewer = client_for(carol)
    done = reviewer.post(f"{URL}{weak_item.pk}/confirm/", {"version": 3, "note": "Good"})
    assert done.status_code == 200
    assert (done.json()["state"], done.json()["confirmed_by"]) == ("closed", "carol")
    assert [e["to_state"] for e in done.json()["events"]] == [
        "in_progress",
        "closure_requested",
        "closed",
    ]


def test_an_owner_must_enter_data_for_the_unit(client_for, alice, carol, weak_item):
    response = client_for(alice).patch(
        f"{URL}{weak_item.pk}/", {"version": 1, "owner": carol.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    weak_item.refresh_from_db()
    assert weak_item.owner == alice


def test_the_list_takes_the_same_queries_for_5_and_50_items(period, tree, alice, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(alice)
    client.get(URL)
    counts = []
    for n in (5, 50):
        Rectification.objects.all().delete()
        Rectification.objects.bulk_create(
            Rectification(
                organization=tree.a1a, period=period, indicator_code=f"X{i}", source="threshold"
            )
            for i in range(n)
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).json()["count"] == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
