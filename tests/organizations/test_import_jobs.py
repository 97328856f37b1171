"""Import files are checked and imported by a worker, never inside the request, and a batch whose
worker died is sent again or failed by the reaper."""

import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core import jobs
from organizations import tasks
from organizations.models import ImportBatch, Organization
from organizations.services import imports as import_services
from tests.html import page

pytestmark = pytest.mark.django_db

ORGS = "code,name,name_en,kind,parent_code\r\nC,丙公司党委,C Co.,committee,G\r\n"


def _upload(client):
    return client.post(
        reverse("organizations:import"),
        {"kind": "organizations", "file": SimpleUploadedFile("orgs.csv", ORGS.encode())},
    )


def test_the_upload_answers_before_the_file_is_checked(tree, erin, client_for):
    client = client_for(erin)
    with mock.patch.object(tasks.check_import, "delay") as sent:
        response = _upload(client)

    batch = ImportBatch.objects.get()
    sent.assert_called_once_with(batch.pk)
    assert batch.status == "checking"
    assert page(client.get(response.url)).attr("#import-progress", "data-status") == "checking"
    assert client.get(reverse("organizations:import-progress", args=[batch.pk])).status_code == 200

    import_services.check_batch(batch.pk)

    batch.refresh_from_db()
    assert (batch.status, batch.summary["counts"]["create"]) == ("pending", 1)
    done = client.get(reverse("organizations:import-progress", args=[batch.pk]))
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")


def test_confirming_answers_before_the_file_is_imported(tree, erin, client_for):
    client = client_for(erin)
    _upload(client)
    batch = ImportBatch.objects.get()
    with mock.patch.object(tasks.import_batch, "delay") as sent:
        client.post(reverse("organizations:import-commit", args=[batch.pk]))
        client.post(reverse("organizations:import-commit", args=[batch.pk]))  # a second click

    sent.assert_called_once_with(batch.pk)
    batch.refresh_from_db()
    assert batch.status == "importing"
    assert not Organization.objects.filter(code="C").exists()

    import_services.import_batch(batch.pk)
    import_services.import_batch(batch.pk)  # a late copy of the message does nothing

    batch.refresh_from_db()
    assert batch.status == "committed"
    assert Organization.objects.filter(code="C").count() == 1


def test_a_batch_whose_worker_died_is_sent_again_then_failed(
    tree, erin, settings, django_capture_on_commit_callbacks
):
    settings.JOB_STALE_AFTER = 180
    settings.JOB_MAX_ATTEMPTS = 2
    with mock.patch.object(tasks.check_import, "delay"):
        batch = import_services.upload_batch(
            kind="organizations", data=ORGS.encode(), filename="orgs.csv", acting_user=erin
        )
    silent = timezone.now() - datetime.timedelta(minutes=10)
    ImportBatch.objects.filter(pk=batch.pk).update(attempts=1, heartbeat_at=silent)

    with (
        mock.patch.object(tasks.check_import, "delay") as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        done = jobs.reap()

    assert done["imports"]["requeued"] == 1
    sent.assert_called_once_with(batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.heartbeat_at > silent) == ("checking", True)
    assert "attempt 2 of 2" in batch.error or "第 2" in batch.error

    ImportBatch.objects.filter(pk=batch.pk).update(attempts=2, heartbeat_at=silent)
    with mock.patch.object(tasks.check_import, "delay"):
        done = jobs.reap()

    assert done["imports"]["failed"] == 1
    batch.refresh_from_db()
    assert batch.status == "failed"
    assert batch.error


def test_a_failed_import_can_be_confirmed_again(tree, erin):
    batch = import_services.upload_batch(
        kind="organizations", data=ORGS.encode(), filename="orgs.csv", acting_user=erin
    )
    ImportBatch.objects.filter(pk=batch.pk).update(status="failed", error="worker stopped")

    import_services.confirm_batch(batch)

    batch.refresh_from_db()
    assert batch.status == "committed"
    assert Organization.objects.filter(code="C").exists()
