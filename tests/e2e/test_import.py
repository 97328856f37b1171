"""An administrator uploads an organizations file in a real browser: the page follows the worker
checking it, then shows the preview; confirming imports it, followed the same way."""

from unittest import mock

import pytest

from organizations import tasks
from organizations.models import ImportBatch, Organization
from organizations.services import imports as import_services
from tests.factories import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ORGS = "code,name,name_en,kind,parent_code\r\nC,丙公司党委,C Co.,committee,G\r\n"


def test_the_preview_follows_the_worker_through_checking_and_importing(
    page, live_server, tree, erin, tmp_path
):
    upload = tmp_path / "orgs.csv"
    upload.write_text(ORGS, encoding="utf-8")
    login(page, live_server.url, "erin", PASSWORD)
    page.goto(f"{live_server.url}/organizations/import/")

    # The worker is held back, so the page shows the batch being checked.
    with mock.patch.object(tasks.check_import, "delay"):
        page.set_input_files("input[type=file]", str(upload))
        page.locator("form button[type=submit]").last.click()
        page.wait_for_selector("#import-progress[data-status=checking]")
    batch = ImportBatch.objects.get()

    import_services.check_batch(batch.pk)
    page.wait_for_selector("[data-count=create]")
    assert page.locator("[data-count=create]").inner_text() == "1"

    with mock.patch.object(tasks.import_batch, "delay"):
        page.locator("form[action$='/commit/'] button").click()
        page.wait_for_selector("#import-progress[data-status=importing]")
    import_services.import_batch(batch.pk)
    page.wait_for_selector("#import-result")
    assert Organization.objects.filter(code="C", parent=tree.group).exists()
