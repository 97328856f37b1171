"""The pages: list, detail and the action forms, with permissions, evidence and stale forms."""

import datetime

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from rectification.models import Rectification, RectificationEvent
from tests.html import page, text_of

from .conftest import pdf

pytestmark = pytest.mark.django_db


def detail_url(item) -> str:
    return f"/rectification/rectifications/{item.pk}/"


def post(client, item, step: str, data: dict, prefix: str):
    payload = {f"{prefix}-{k}": v for k, v in data.items()}
    return client.post(f"{detail_url(item)}{step}/", payload)


def test_the_list_shows_the_secretarys_items(client_for, alice, weak_item):
    response = client_for(alice).get("/rectification/")
    assert response.status_code == 200
    row = page(response).within(f'tbody > tr[data-item="{weak_item.pk}"]')
    assert "理论学习次数" in row.text(f'td:first-child > a[href="{detail_url(weak_item)}"]')


def test_the_sibling_secretary_sees_nothing(client_for, bob, weak_item):
    client = client_for(bob)
    assert not page(client.get("/rectification/")).has(f'[data-item="{weak_item.pk}"]')
    assert client.get(detail_url(weak_item)).status_code == 404
    response = post(client, weak_item, "update", {"version": 1, "plan": "x"}, "update")
    assert response.status_code == 404


def test_a_plan_starts_the_work(client_for, alice, weak_item):
    client = client_for(alice)
    shown = page(client.get(detail_url(weak_item)))
    assert shown.has('form[data-form="update"]')
    assert shown.has('form[data-form="closure"]')
    assert not shown.has('[data-form="confirm"]')
    response = post(
        client,
        weak_item,
        "update",
        {"version": 1, "plan": "Study twice a month", "owner": alice.pk, "due_date": "2030-01-31"},
        "update",
    )
    assert response.status_code == 302
    weak_item.refresh_from_db()
    assert (weak_item.state, weak_item.plan, weak_item.version) == (
        "in_progress",
        "Study twice a month",
        2,
    )
    assert weak_item.due_date == datetime.date(2030, 1, 31)
    event = RectificationEvent.objects.get()
    assert (event.from_state, event.to_state, event.by) == ("open", "in_progress", alice)


def test_a_stale_form_is_refused_and_changes_nothing(client_for, alice, weak_item):
    client = client_for(alice)
    post(client, weak_item, "update", {"version": 1, "plan": "First"}, "update")
    response = post(client, weak_item, "update", {"version": 1, "plan": "Second"}, "update")
    assert response.status_code == 409
    shown = page(response)
    assert shown.text("[data-alert]")
    # what was typed is kept in the form
    assert text_of(shown.within('form[data-form="update"]').field("update-plan")) == "Second"
    weak_item.refresh_from_db()
    assert (weak_item.plan, weak_item.version) == ("First", 2)


def test_closure_needs_evidence_then_the_reviewer_confirms(client_for, alice, carol, weak_item):
    client = client_for(alice)
    response = post(
        client, weak_item, "request-closure", {"version": 1, "closing_note": "Done"}, "closure"
    )
    assert response.status_code == 400
    weak_item.refresh_from_db()
    assert weak_item.state == "open"

    response = client.post(
        f"{detail_url(weak_item)}request-closure/",
        {"closure-version": 1, "closure-closing_note": "Done", "closure-files": [pdf()]},
    )
    assert response.status_code == 302
    weak_item.refresh_from_db()
    assert weak_item.state == "closure_requested"
    evidence = weak_item.evidence.get()
    assert (evidence.original_name, evidence.content_type) == ("report.pdf", "application/pdf")
    download = client.get(f"/rectification/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")

    reviewer = client_for(carol)
    shown = page(reviewer.get(detail_url(weak_item)))
    assert shown.has('form[data-form="confirm"]')
    assert not shown.has('[data-form="update"]')
    response = post(reviewer, weak_item, "confirm", {"version": 2, "note": "Checked"}, "confirm")
    assert response.status_code == 302
    weak_item.refresh_from_db()
    assert (weak_item.state, weak_item.confirmed_by) == ("closed", carol)


def test_a_file_that_is_not_evidence_is_refused(client_for, alice, weak_item):
    script = SimpleUploadedFile("x.pdf", b"<script>alert(1)</script>", content_type="text/html")
    response = client_for(alice).post(
        f"{detail_url(weak_item)}request-closure/",
        {"closure-version": 1, "closure-closing_note": "Done", "closure-files": [script]},
    )
    assert response.status_code == 400
    assert "x.pdf" in page(response).text("[data-alert]")
    weak_item.refresh_from_db()
    assert weak_item.state == "open"
    assert not weak_item.evidence.exists()


def test_the_reviewer_rejects_with_a_reason(client_for, alice, carol, weak_item):
    from rectification import services

    services.request_closure(
        weak_item, acting_user=alice, version=1, closing_note="Done", files=[pdf()]
    )
    reviewer = client_for(carol)
    response = post(reviewer, weak_item, "reject", {"version": 2, "reason": ""}, "reject")
    assert response.status_code == 400
    response = post(reviewer, weak_item, "reject", {"version": 2, "reason": "No minutes"}, "reject")
    assert response.status_code == 302
    weak_item.refresh_from_db()
    assert (weak_item.state, weak_item.rejection_reason) == ("in_progress", "No minutes")
    assert "No minutes" in page(client_for(alice).get(detail_url(weak_item))).text(
        "[data-rejected]"
    )


def test_the_secretary_cannot_confirm(client_for, alice, weak_item):
    from rectification import services

    services.request_closure(
        weak_item, acting_user=alice, version=1, closing_note="Done", files=[pdf()]
    )
    response = post(client_for(alice), weak_item, "confirm", {"version": 2}, "confirm")
    assert response.status_code == 403
    weak_item.refresh_from_db()
    assert weak_item.state == "closure_requested"


def make_many(period, org, n: int, owner) -> None:
    Rectification.objects.bulk_create(
        [
            Rectification(
                organization=org,
                period=period,
                indicator_code=f"C1.{i:03d}",
                source="threshold",
                owner=owner,
                due_date=datetime.date.today() + datetime.timedelta(days=i - 3),
            )
            for i in range(n)
        ]
    )


def test_the_list_takes_the_same_queries_for_5_and_50_items(
    framework, tree, alice, carol, client_for
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import PeriodFactory

    earlier = PeriodFactory(framework=framework, year=2025)
    PeriodFactory(framework=framework, year=2026)
    client = client_for(carol)
    client.get("/rectification/")
    counts = []
    for n in (5, 50):
        Rectification.objects.all().delete()
        make_many(earlier, tree.a1a, n, alice)
        with CaptureQueriesContext(connection) as queries:
            response = client.get("/rectification/?state=")
        assert page(response).count("tbody > tr[data-item]") == n
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 12, counts


def test_the_list_filters(period, tree, alice, erin, client_for):
    make_many(period, tree.a1a, 4, alice)
    make_many(period, tree.b1, 2, None)
    client = client_for(erin)
    count = lambda url: page(client.get(url)).count("tbody > tr[data-item]")  # noqa: E731
    assert count("/rectification/") == 6
    assert count(f"/rectification/?within={tree.b.pk}") == 2
    assert count(f"/rectification/?within={tree.b.pk}&indicator=C1.000") == 1
    assert count(f"/rectification/?period={period.pk}&state=closed") == 0
    assert count("/rectification/?state=open&overdue=1") == 5  # due -3..0 and -3..-2 days
    assert count("/rectification/?within=abc&period=x") == 6


def test_the_changed_fields_read_in_the_readers_language(client_for, alice, carol, weak_item):
    english = client_for(alice)
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # the secretary reads English
    post(
        english,
        weak_item,
        "update",
        {"version": 1, "plan": "Study twice a month", "owner": alice.pk, "due_date": "2030-01-31"},
        "update",
    )

    chinese = client_for(carol)
    chinese.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"  # the reviewer reads Chinese
    shown = page(chinese.get(detail_url(weak_item)))

    assert shown.text('[data-event="in_progress"] > div').startswith("已修改：")
    assert "Changed:" not in shown.text()
    assert RectificationEvent.objects.get().changed == ["plan", "due_date"]


def test_behind_nginx_closure_evidence_is_handed_to_nginx_within_the_scope(
    settings, client_for, alice, bob, weak_item
):
    settings.PROTECTED_DOWNLOAD_PREFIX = "/protected"
    client = client_for(alice)
    client.post(
        f"{detail_url(weak_item)}request-closure/",
        {"closure-version": 1, "closure-closing_note": "Done", "closure-files": [pdf()]},
    )
    evidence = weak_item.evidence.get()
    download = client.get(f"/rectification/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert download["X-Accel-Redirect"] == f"/protected/{evidence.file.name}"
    assert download["Content-Security-Policy"] == "sandbox"
    outside = client_for(bob).get(f"/rectification/evidence/{evidence.pk}/")
    assert outside.status_code == 404
    assert not outside.has_header("X-Accel-Redirect")
