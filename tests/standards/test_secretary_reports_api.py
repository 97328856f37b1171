"""The secretaries' reports API: scoped list and detail, changes of the draft with the version
read (409 when stale), documents, submitting and rating, refusals in the caller's language."""

import json

import pytest

from audit.models import AuditEntry, AuditKind
from standards.choices import ReportState
from standards.services import reports as services
from tests.builders import pdf

from .secretary_report_rows import VOTES, filled, report_of, reviewer_of_b, submitted, xlsx

URL = "/api/v1/secretary-reports/"


@pytest.fixture
def period(std_period):
    services.open_for_period(std_period)
    return std_period


def patch(client, url, data, language="en"):
    return client.patch(
        url, json.dumps(data), content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )


def post(client, url, data, language="en"):
    return client.post(
        url, json.dumps(data), content_type="application/json", HTTP_ACCEPT_LANGUAGE=language
    )


def _ids(client, **query) -> set[int]:
    return {r["id"] for r in client.get(URL, query).json()["results"]}


def test_the_list_and_detail_are_scoped(period, tree, client_for, alice, bob, carol):
    own = report_of(period, tree.a1a)

    assert _ids(client_for(alice)) == {own.pk}
    assert len(_ids(client_for(carol))) == 4
    assert client_for(bob).get(f"{URL}{own.pk}/").status_code == 404
    rita = client_for(reviewer_of_b(tree))
    assert own.pk not in _ids(rita)
    assert rita.get(f"{URL}{own.pk}/").status_code == 404
    assert post(rita, f"{URL}{own.pk}/rate/", {"rating": "good", "version": 1}).status_code == 404


def test_the_list_filters(period, tree, client_for, alice, carol):
    submitted(period, tree.a1a, by=alice)
    client = client_for(carol)

    assert _ids(client, state="submitted") == {report_of(period, tree.a1a).pk}
    assert len(_ids(client, within=tree.a1.pk)) == 3
    assert _ids(client, organization=tree.b1.pk) == set()
    assert len(_ids(client, period=period.pk)) == 4


def test_the_detail_shows_votes_share_documents_and_what_may_be_done(
    period, tree, client_for, alice
):
    report = filled(period, tree.a1a, by=alice)

    body = client_for(alice).get(f"{URL}{report.pk}/").json()

    assert body["votes"] == VOTES
    assert body["share"] == pytest.approx(0.955)
    assert body["proposed_rating"] == "good"
    assert body["rating_value"] is None
    assert body["allowed"] == ["change", "documents", "submit"]
    assert body["documents"][0]["download"].endswith(
        f"/secretary-reports/{report.pk}/documents/{body['documents'][0]['id']}/"
    )


def test_the_secretary_changes_the_draft_with_the_version_read(period, tree, client_for, alice):
    report = report_of(period, tree.a1a)
    client = client_for(alice)

    changed = patch(
        client, f"{URL}{report.pk}/", {"version": 1, "secretary_name": "王书记", "votes": VOTES}
    )
    stale = patch(client, f"{URL}{report.pk}/", {"version": 1, "summary": "覆盖"})

    assert changed.status_code == 200
    assert changed.json()["version"] == 2
    assert changed.json()["secretary_name"] == "王书记"
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert report_of(period, tree.a1a).summary == ""


def test_bad_votes_are_a_400_in_the_callers_language(period, tree, client_for, alice):
    report = report_of(period, tree.a1a)
    client = client_for(alice)

    english = patch(client, f"{URL}{report.pk}/", {"version": 1, "votes": {"good": -2}})
    chinese = patch(
        client, f"{URL}{report.pk}/", {"version": 1, "votes": {"good": 1.5}}, language="zh-hans"
    )
    missing_version = patch(client, f"{URL}{report.pk}/", {"summary": "x"})

    assert english.status_code == 400
    assert "whole number" in english.json()["detail"]
    assert chinese.status_code == 400
    assert "整数" in chinese.json()["detail"]
    assert missing_version.status_code == 400
    assert report_of(period, tree.a1a).version == 1


def test_documents_are_attached_and_removed_through_multipart(period, tree, client_for, alice):
    report = report_of(period, tree.a1a)
    client = client_for(alice)

    added = client.post(f"{URL}{report.pk}/documents/", {"documents": [pdf()]}, format="multipart")
    refused = client.post(
        f"{URL}{report.pk}/documents/", {"documents": [xlsx()]}, HTTP_ACCEPT_LANGUAGE="en"
    )
    document_id = added.json()["documents"][0]["id"]
    removed = client.delete(f"{URL}{report.pk}/documents/{document_id}/")

    assert added.status_code == 201
    assert refused.status_code == 400
    assert "only PDF, Word documents and images" in refused.json()["detail"]
    assert removed.status_code == 204
    assert not report.documents.exists()


def test_submit_and_rate_through_the_api(
    period, tree, client_for, alice, carol, django_capture_on_commit_callbacks
):
    report = filled(period, tree.a1a, by=alice)

    sent = post(client_for(alice), f"{URL}{report.pk}/submit/", {"version": report.version})
    by_secretary = post(
        client_for(alice), f"{URL}{report.pk}/rate/", {"rating": "good", "version": 3}
    )
    no_reason = post(client_for(carol), f"{URL}{report.pk}/rate/", {"rating": "poor", "version": 3})
    with django_capture_on_commit_callbacks(execute=True):
        rated = post(
            client_for(carol),
            f"{URL}{report.pk}/rate/",
            {"rating": "poor", "reason": "材料不实", "version": 3},
        )

    assert sent.status_code == 200
    assert sent.json()["state"] == ReportState.SUBMITTED
    assert by_secretary.status_code == 403
    assert no_reason.status_code == 400
    assert rated.status_code == 200
    assert (rated.json()["rating"], rated.json()["rating_value"]) == ("poor", 0.0)
    assert AuditEntry.objects.filter(kind=AuditKind.SECRETARY_REPORT_RATED).count() == 1


def test_the_committees_own_reviewer_gets_a_403(period, tree, client_for, carol, erin):
    report = submitted(period, tree.a, by=erin)

    response = post(
        client_for(carol), f"{URL}{report.pk}/rate/", {"rating": "good", "version": report.version}
    )

    assert response.status_code == 403
    assert client_for(carol).get(f"{URL}{report.pk}/").json()["allowed"] == []


def test_the_list_is_a_few_queries(period, client_for, erin, django_assert_max_num_queries):
    client = client_for(erin)
    client.get(URL)

    with django_assert_max_num_queries(8):
        response = client.get(URL)

    assert response.json()["count"] == 7


def test_a_document_id_out_of_range_is_a_404(period, tree, client_for, alice):
    report = report_of(period, tree.a1a)

    response = client_for(alice).delete(f"{URL}{report.pk}/documents/{'9' * 30}/")

    assert response.status_code == 404
