"""The whole review cycle in a real browser.

The secretary fills the form with evidence and submits; the reviewer returns it with a reason;
the secretary fixes it and resubmits; the reviewer approves; closing the period locks it.
"""

import datetime

import pytest
from playwright.sync_api import expect

from assessment.models import Submission
from tests.factories import PASSWORD, FrameworkFactory, PeriodFactory
from tests.html import parse

from .conftest import login, post_and_wait

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def submission(live_server, tree, alice, carol, erin):
    period = PeriodFactory(framework=FrameworkFactory(), deadline=datetime.date(2099, 1, 15))
    return Submission.objects.get(period=period, organization=tree.a1a)


def sign_in_as(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server.url, username, PASSWORD)


def state_of(submission) -> str:
    submission.refresh_from_db()
    return submission.state


def test_the_whole_review_cycle(page, live_server, submission):
    url = f"{live_server.url}/assessment/submissions/{submission.pk}/"

    # The secretary fills the form, attaches the minutes, saves and submits.
    sign_in_as(page, live_server, "alice")
    page.goto(url)
    page.fill("input[name='v-C1.01']", "10")
    page.select_option("select[name='v-C2.01']", "yes")
    post_and_wait(page, page.get_by_role("button", name="保存草稿"))
    expect(page.locator("[data-version]")).to_have_text("2")
    row = page.locator(".entry-row[data-code='C2.01']")
    # Choosing the file uploads it (static/js/entry.js): no upload button, no reload.
    row.locator("input[type=file]").first.set_input_files(
        {"name": "minutes.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    expect(page.locator(".entry-row[data-code='C2.01'] [data-evidence]")).to_contain_text(
        "minutes.pdf"
    )
    post_and_wait(page, page.get_by_role("button", name="提交审核"))
    assert state_of(submission) == "submitted"

    # The reviewer returns it, saying why.
    sign_in_as(page, live_server, "carol")
    page.goto(url)
    # The form at the foot of the page (the review bar above holds a second one).
    page.locator("#return_reason").fill("请补充支委会会议记录")
    post_and_wait(page, page.locator("form:has(#return_reason) button[type=submit]"))
    assert state_of(submission) == "returned"

    # The secretary sees the reason first on their list, fixes the value and resubmits.
    sign_in_as(page, live_server, "alice")
    page.goto(f"{live_server.url}/assessment/my/")
    reason = parse(page.content()).text(f'tr[data-return-reason="{submission.pk}"]')
    assert "请补充支委会会议记录" in reason
    page.goto(url)
    page.fill("input[name='v-C1.01']", "12")
    post_and_wait(page, page.get_by_role("button", name="提交审核"))
    assert state_of(submission) == "submitted"

    # The reviewer sees what changed since the return, and approves.
    sign_in_as(page, live_server, "carol")
    page.goto(url)
    since = page.locator("[data-since]").inner_text()
    assert "C1.01" in since
    assert "10" in since
    assert "12" in since
    post_and_wait(page, page.locator("[data-bar-approve]"))  # the review bar, in view at the top
    assert state_of(submission) == "approved"

    # The administrator closes the period: the approved submission is locked.
    sign_in_as(page, live_server, "erin")
    page.goto(f"{live_server.url}/assessment/periods/")
    post_and_wait(
        page, page.locator(f"form[action$='/periods/{submission.period_id}/close/'] button")
    )
    assert state_of(submission) == "locked"
    page.goto(url)
    assert parse(page.content()).text('header [data-state="locked"]') == "已锁定"
