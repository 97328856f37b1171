"""The reports API: request, poll, download and verify, scoped like everything else."""

import hashlib

import pytest
from rest_framework.test import APIClient

from reports.models import Report

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    def client(user) -> APIClient:
        api_client = APIClient()
        api_client.force_authenticate(user)
        return api_client

    return client


def payload(org, **extra) -> dict:
    return {
        "organization": org.pk,
        "format": "csv",
        "period_kind": "year",
        "start": "2025-01-01",
        "end": "2026-12-31",
        **extra,
    }


def test_request_poll_and_download(scored, tree, dave, api, django_capture_on_commit_callbacks):
    client = api(dave)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/reports/", payload(tree.a), format="json")

    assert response.status_code == 202
    report_id = response.data["id"]
    detail = client.get(f"/api/v1/reports/{report_id}/").data
    assert detail["status"] == "done"
    assert detail["progress"] == 100
    assert detail["download"].endswith(f"/api/v1/reports/{report_id}/download/")
    download = client.get(f"/api/v1/reports/{report_id}/download/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    body = b"".join(download.streaming_content)
    assert hashlib.sha256(body).hexdigest() == detail["sha256"]
    listing = client.get("/api/v1/reports/").data
    assert [row["id"] for row in listing["results"]] == [report_id]


def test_an_unfinished_report_cannot_be_downloaded(scored, tree, dave, api):
    from unittest import mock

    with mock.patch("reports.services.enqueue"):
        response = api(dave).post("/api/v1/reports/", payload(tree.a), format="json")
    report_id = response.data["id"]

    assert api(dave).get(f"/api/v1/reports/{report_id}/").data["status"] == "queued"
    assert api(dave).get(f"/api/v1/reports/{report_id}/download/").status_code == 409


def test_a_sibling_branch_is_out_of_reach(scored, tree, alice, bob, api, make_report):
    report = make_report(bob, tree.a1b, "csv")
    client = api(alice)

    assert client.get(f"/api/v1/reports/{report.pk}/").status_code == 404
    assert client.get(f"/api/v1/reports/{report.pk}/download/").status_code == 404
    assert client.get("/api/v1/reports/").data["count"] == 0
    response = client.post("/api/v1/reports/", payload(tree.a1b), format="json")
    assert response.status_code == 400
    assert "organization" in response.data
    assert Report.objects.count() == 1


def test_bad_input_is_refused_with_a_reason(scored, tree, dave, api):
    client = api(dave)
    backwards = client.post(
        "/api/v1/reports/", payload(tree.a, start="2026-12-31", end="2025-01-01"), format="json"
    )
    empty = client.post(
        "/api/v1/reports/", payload(tree.a, start="2030-01-01", end="2030-12-31"), format="json"
    )
    wrong_format = client.post("/api/v1/reports/", payload(tree.a, format="doc"), format="json")

    assert backwards.status_code == 400
    assert "end" in backwards.data
    assert empty.status_code == 400
    assert "start" in empty.data
    assert wrong_format.status_code == 400
    assert not Report.objects.exists()


def test_verify_by_file_and_by_hash(scored, tree, dave, api, make_report):
    from django.core.files.uploadedfile import SimpleUploadedFile

    report = make_report(dave, tree.a, "csv")
    with report.file.open("rb") as handle:
        content = handle.read()
    client = api(dave)

    by_file = client.post(
        "/api/v1/reports/verify/",
        {"file": SimpleUploadedFile("r.csv", content)},
        format="multipart",
    )
    by_hash = client.post(
        "/api/v1/reports/verify/", {"sha256": report.content_sha256}, format="json"
    )
    nothing = client.post("/api/v1/reports/verify/", {}, format="json")

    assert [r["id"] for r in by_file.data["file_matches"]] == [report.pk]
    assert [r["id"] for r in by_hash.data["data_matches"]] == [report.pk]
    assert nothing.status_code == 400
