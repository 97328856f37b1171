"""Report files behind nginx (PROTECTED_DOWNLOAD_PREFIX): the page and the API check the scope,
then hand the file to nginx by X-Accel-Redirect instead of sending it."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _behind_nginx(settings):
    settings.PROTECTED_DOWNLOAD_PREFIX = "/protected"


def test_the_report_page_download_names_the_file_to_nginx(
    scored, tree, dave, client_for, make_report
):
    report = make_report(dave, tree.a1a, "csv")
    response = client_for(dave).get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 200
    assert response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected/{report.file.name}"
    assert response["Content-Disposition"] == f'attachment; filename="{report.filename}"'
    assert response["Cache-Control"] == "private, no-store"


def test_the_api_download_names_the_file_to_nginx(scored, tree, dave, make_report):
    report = make_report(dave, tree.a1a, "csv")
    client = APIClient()
    client.force_authenticate(dave)
    response = client.get(f"/api/v1/reports/{report.pk}/download/")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected/{report.file.name}"


def test_a_report_outside_the_scope_is_404_with_nothing_for_nginx(
    scored, tree, alice, bob, client_for, make_report
):
    report = make_report(bob, tree.a1b, "csv")
    response = client_for(alice).get(reverse("reports:download", args=[report.pk]))
    assert response.status_code == 404
    assert not response.has_header("X-Accel-Redirect")
