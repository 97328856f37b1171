"""The negative list's API: read with the view scope, written only by an inspector above the unit.

Ivan inspects committee A; alice is the secretary of its branch A1a, bob of the sibling A1b.
"""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, encode_multipart
from django.utils import translation

from audit.models import AuditEntry, AuditKind
from organizations.services import assign_role
from records.models import NegativeEvent
from records.services import negative as services
from tests.factories import NegativeEventFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/negative-events/"
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def client_for(client_for, settings):
    """Answers in English (the messages matched are the English ones)."""

    def login(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture
def ivan(tree):
    user = UserFactory(username="ivan")
    assign_role(user=user, organization=tree.a, role="inspector")
    return user


@pytest.fixture
def event(tree, period, ivan):
    with translation.override("en"):
        return services.record_negative_event(
            tree.a1a,
            category="integrity",
            severity="minor",
            date=datetime.date(2026, 2, 3),
            title="违规收受礼品",
            documents=[SimpleUploadedFile("决定.pdf", PDF)],
            acting_user=ivan,
        )


def body(**changes) -> dict:
    return {
        "category": "discipline",
        "severity": "serious",
        "date": "2026-05-06",
        "title": "违反工作纪律",
        **changes,
    }


def test_the_list_is_scoped(client_for, tree, event, alice, bob, ivan):
    ids = lambda client: [e["id"] for e in client.get(URL).json()["results"]]  # noqa: E731
    assert ids(client_for(alice)) == [event.pk]
    assert ids(client_for(ivan)) == [event.pk]
    assert ids(client_for(bob)) == []
    assert client_for(bob).get(f"{URL}{event.pk}/").status_code == 404


def test_the_detail_has_the_documents_and_what_the_caller_may_do(client_for, event, alice, ivan):
    mine = client_for(alice).get(f"{URL}{event.pk}/").json()
    assert mine["organization"]["code"] == "A1a"
    assert [d["original_name"] for d in mine["documents"]] == ["决定.pdf"]
    assert (
        mine["documents"][0]["download"]
        == f"/records/decision-documents/{mine['documents'][0]['id']}/"
    )
    assert mine["allowed"] == []
    assert client_for(ivan).get(f"{URL}{event.pk}/").json()["allowed"] == ["change", "delete"]


def test_filters(client_for, tree, event, ivan):
    NegativeEventFactory(organization=tree.a1b, category="safety", date=datetime.date(2026, 8, 1))
    count = lambda query: client_for(ivan).get(f"{URL}?{query}").json()["count"]  # noqa: E731
    assert count(f"organization={tree.a1a.pk}") == 1
    assert count(f"within={tree.a1.pk}") == 2
    assert count(f"within={tree.b.pk}") == 0
    assert count("category=safety") == 1
    assert count("date_after=2026-03-01") == 1
    assert count("date_before=2026-03-01") == 1


def test_an_inspector_above_records_with_documents(client_for, tree, period, ivan):
    response = client_for(ivan).post(
        URL,
        {**body(organization=tree.a1b.pk), "documents": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["organization"]["code"], created["severity"]) == ("A1b", "serious")
    assert [d["original_name"] for d in created["documents"]] == ["a.pdf"]
    assert AuditEntry.objects.filter(kind=AuditKind.RECORD_SAVED).count() == 1


def test_a_secretary_recording_on_her_own_unit_is_refused_clearly(client_for, tree, period, alice):
    response = client_for(alice).post(
        URL, body(organization=tree.a1a.pk), content_type="application/json"
    )
    assert response.status_code == 403
    assert "recorded by discipline inspection above it" in response.json()["detail"]
    assert not NegativeEvent.objects.exists()


def test_an_organization_outside_the_scope_is_as_unknown(client_for, tree, period, ivan):
    outside = client_for(ivan).post(
        URL, body(organization=tree.b1.pk), content_type="application/json"
    )
    missing = client_for(ivan).post(URL, body(organization=999999), content_type="application/json")
    assert outside.status_code == missing.status_code == 400
    assert outside.json() == missing.json()
    assert not NegativeEvent.objects.exists()


def test_a_document_that_is_not_a_pdf_or_an_image_is_400(client_for, tree, period, ivan):
    response = client_for(ivan).post(
        URL,
        {
            **body(organization=tree.a1a.pk),
            "documents": [SimpleUploadedFile("a.html", b"<html><body>x</body></html>")],
        },
    )
    assert response.status_code == 400
    assert "must be a PDF or an image" in response.json()["detail"]
    assert not NegativeEvent.objects.exists()


def test_a_date_outside_an_open_period_is_400(client_for, tree, period, ivan):
    response = client_for(ivan).post(
        URL, body(organization=tree.a1a.pk, date="2030-01-01"), content_type="application/json"
    )
    assert response.status_code == 400
    assert "no open assessment period" in response.json()["detail"]


def test_missing_fields_are_400(client_for, tree, period, ivan):
    response = client_for(ivan).post(
        URL, {"organization": tree.a1a.pk}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "title" in response.json()


def test_change_and_delete_by_the_inspector(client_for, event, ivan):
    client = client_for(ivan)
    document = event.documents.get()
    changed = client.patch(
        f"{URL}{event.pk}/",
        {"version": 1, "severity": "grave", "remove_documents": [document.pk]},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["severity"], changed.json()["documents"]) == ("grave", [])
    assert changed.json()["version"] == 2

    assert client.delete(f"{URL}{event.pk}/").status_code == 204
    assert not NegativeEvent.objects.exists()


def test_the_detail_has_the_version(client_for, event, alice):
    assert client_for(alice).get(f"{URL}{event.pk}/").json()["version"] == 1


def test_a_stale_change_is_a_409_and_changes_nothing(client_for, event, ivan):
    client = client_for(ivan)
    url = f"{URL}{event.pk}/"
    first = client.patch(url, {"version": 1, "title": "改过"}, content_type="application/json")
    assert (first.status_code, first.json()["version"]) == (200, 2)
    stale = client.patch(
        url,
        {"version": 1, "title": "过时", "remove_documents": [event.documents.get().pk]},
        content_type="application/json",
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert "now version 2" in stale.json()["detail"]
    event.refresh_from_db()
    assert (event.title, event.version, event.documents.count()) == ("改过", 2, 1)


def test_a_stale_multipart_change_is_a_409_in_the_callers_language(
    client_for, settings, event, ivan
):
    client = client_for(ivan)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.patch(
        f"{URL}{event.pk}/", {"version": 1, "title": "改过"}, content_type="application/json"
    )
    stale = client.generic(
        "PATCH",
        f"{URL}{event.pk}/",
        encode_multipart(
            BOUNDARY,
            {"version": "1", "documents": [SimpleUploadedFile("b.pdf", PDF)]},
        ),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert stale.status_code == 409
    assert "现在是第 2 版" in stale.json()["detail"]
    assert event.documents.count() == 1


def test_a_change_without_its_version_is_a_400(client_for, event, ivan):
    response = client_for(ivan).patch(
        f"{URL}{event.pk}/", {"title": "无版本"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "version" in response.json()
    event.refresh_from_db()
    assert (event.title, event.version) == ("违规收受礼品", 1)


def test_a_deletion_with_a_stale_version_is_a_409(client_for, event, ivan):
    client = client_for(ivan)
    client.patch(
        f"{URL}{event.pk}/", {"version": 1, "title": "改过"}, content_type="application/json"
    )
    stale = client.delete(f"{URL}{event.pk}/?version=1")
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert NegativeEvent.objects.filter(pk=event.pk).exists()
    assert client.delete(f"{URL}{event.pk}/?version=x").status_code == 400
    assert client.delete(f"{URL}{event.pk}/?version=2").status_code == 204
    assert not NegativeEvent.objects.exists()


def test_the_unit_sees_its_event_but_may_not_change_or_delete_it(client_for, event, alice):
    client = client_for(alice)
    changed = client.patch(
        f"{URL}{event.pk}/", {"version": 1, "title": "无"}, content_type="application/json"
    )
    deleted = client.delete(f"{URL}{event.pk}/")
    assert changed.status_code == deleted.status_code == 403
    event.refresh_from_db()
    assert event.title == "违规收受礼品"


def test_outside_the_scope_writes_are_404(client_for, event, bob):
    client = client_for(bob)
    assert (
        client.patch(
            f"{URL}{event.pk}/", {"version": 1, "title": "无"}, content_type="application/json"
        ).status_code
        == 404
    )
    assert client.delete(f"{URL}{event.pk}/").status_code == 404
    assert NegativeEvent.objects.filter(pk=event.pk).exists()
