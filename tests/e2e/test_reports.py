"""An auditor requests a term report in a real browser, watches it finish and downloads it."""

import hashlib
from unittest import mock

import pytest
from playwright.sync_api import expect

from reports import services
from reports.models import Report
from tests.builders import approved_period
from tests.factories import PASSWORD, FrameworkFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scored_periods(live_server, framework, tree, alice, bob, erin, dave):
    return approved_period(
        framework,
        2026,
        {
            tree.a1a: (alice, {"C1.01": "12", "C2.01": "yes"}),
            tree.a1b: (bob, {"C1.01": "9", "C2.01": "no"}),
        },
        reviewer=erin,
    )


@pytest.fixture
def framework(db):
    return FrameworkFactory()


def test_an_auditor_requests_watches_and_downloads_a_report(
    page, live_server, scored_periods, tree
):
    login(page, live_server.url, "dave", PASSWORD)
    page.goto(f"{live_server.url}/reports/")
    page.get_by_role("link", name="新建报告").or_(
        page.get_by_role("link", name="New report")
    ).click()

    page.fill("input[name=q]", "甲公司")
    # The search replaces the options when it answers (after its 300 ms delay): wait for its
    # answer, not for an option the first list had, or the answer wipes the choice made before it.
    expect(page.locator("#org-select option", has_text="甲一党总支")).to_have_count(0)
    page.select_option("#org-select", str(tree.a.pk))
    expect(page.locator("#org-select")).to_have_value(str(tree.a.pk))
    page.select_option("select[name=period_kind]", "year")
    page.fill("input[name=start]", "2026-01-01")
    page.fill("input[name=end]", "2026-12-31")
    page.check("input[name=format][value=pdf]")
    # The task is held back so the page can be seen following it (tasks run eagerly here).
    with mock.patch("reports.services.enqueue"):
        page.click("form button[type=submit]")
        page.wait_for_selector("#report-progress[data-status=queued]")
    report = Report.objects.get()

    # A worker's task has taken it (its id is the claim) and is part-way through.
    Report.objects.filter(pk=report.pk).update(
        status="running", task_id="e2e-task", progress=40, step="rendering"
    )
    page.wait_for_selector("#report-progress [data-progress='40']")
    services.generate(report.pk, token="e2e-task")
    page.wait_for_selector("#report-progress[data-status=done]")
    bar = page.locator("#report-progress [data-progress]")
    assert bar.get_attribute("data-progress") == "100"
    report.refresh_from_db()
    assert page.locator("[data-sha256]").inner_text().strip() == report.sha256

    with page.expect_download() as info:
        page.click("[data-download]")
    download = info.value
    assert download.suggested_filename == report.filename
    with open(download.path(), "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == report.sha256
