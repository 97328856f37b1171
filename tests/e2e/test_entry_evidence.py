"""Evidence actions on the entry form keep what the secretary typed (issue 12, item 1).

A secretary types a value and picks yes on another indicator, then attaches a file and removes
it again: after each action every typed value and the live total are as they were.
"""

import datetime

import pytest
from playwright.sync_api import expect

from assessment.models import Submission
from tests.factories import PASSWORD, FrameworkFactory, PeriodFactory

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Playwright's assertions wait 5 s by default: too short on a busy machine.
WAIT = 20_000

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def submission(live_server, tree, alice):
    period = PeriodFactory(framework=FrameworkFactory(), deadline=datetime.date(2099, 1, 15))
    return Submission.objects.get(period=period, organization=tree.a1a)


def expect_as_typed(page, total: str) -> None:
    expect(page.locator("input[name='v-C1.01']")).to_have_value("32", timeout=WAIT)
    expect(page.locator("select[name='v-C2.01']")).to_have_value("yes", timeout=WAIT)
    expect(page.locator("#entry-total [data-total]")).to_have_text(total, timeout=WAIT)


def test_typed_values_survive_uploading_and_removing_evidence(page, live_server, submission):
    """GIVEN a secretary who typed values that are not saved yet
    WHEN they attach a file to one indicator (the upload starts as the file is chosen) and then
    remove it
    THEN the page is not reloaded (the typed values are not even saved: they stay in the form as
    typed), and the values and the live total are still there after each action (issue 17)."""
    login(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/assessment/submissions/{submission.pk}/")
    total = page.locator("#entry-total [data-total]")
    expect(total).to_have_text("0", timeout=WAIT)

    page.fill("input[name='v-C1.01']", "32")
    page.select_option("select[name='v-C2.01']", "yes")
    expect(total).to_have_text(
        "100", timeout=WAIT
    )  # C1.01 above its target gives its 40, yes gives 60
    page.evaluate("window.__notReloaded = true")

    row = page.locator(".entry-row[data-code='C2.01']")
    row.locator("input[type=file]").first.set_input_files(
        {"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    expect(row.locator("[data-evidence-item]")).to_contain_text("minutes.pdf", timeout=WAIT)
    expect_as_typed(page, "100")
    assert page.evaluate("window.__notReloaded === true")
    expect(page.locator("[data-version]")).to_have_text("1")
    submission.refresh_from_db()
    assert submission.version == 1  # nothing was saved behind the secretary's back

    row.get_by_role("button", name="删除 minutes.pdf").click()
    expect(row.locator("[data-evidence-item]")).to_have_count(0, timeout=WAIT)
    expect_as_typed(page, "100")
    assert page.evaluate("window.__notReloaded === true")


def test_enter_in_a_field_saves_the_draft_not_an_evidence_step(page, live_server, submission):
    """The evidence buttons belong to the entry form now; Enter must still mean "save"."""
    login(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/assessment/submissions/{submission.pk}/")
    page.fill("input[name='v-C1.01']", "32")
    page.press("input[name='v-C1.01']", "Enter")
    expect(page.get_by_text("草稿已保存")).to_be_visible(timeout=WAIT)
    expect(page.locator("[data-version]")).to_have_text("2", timeout=WAIT)
    expect(page.locator("input[name='v-C1.01']")).to_have_value("32", timeout=WAIT)
