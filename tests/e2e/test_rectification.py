"""The rectification loop in a real browser.

A weak score opened an item for alice's branch; she finds it in her list, writes a plan, then
requests closure with a file; carol, reviewer of the committee above, confirms it.
"""

import re

import pytest
from playwright.sync_api import expect

from rectification.models import Rectification
from tests.builders import recompute
from tests.factories import PASSWORD, FrameworkFactory, PeriodFactory
from tests.rectification.conftest import WEAK, set_values

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def item(live_server, tree, alice, carol):
    from tests.rectification.conftest import framework_document

    period = PeriodFactory(framework=FrameworkFactory(document=framework_document()), year=2026)
    set_values(period, tree.a1a, WEAK)
    recompute(period)
    return Rectification.objects.get(organization=tree.a1a)


def sign_in_as(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server.url, username, PASSWORD)


def test_plan_request_closure_and_confirm(page, live_server, item):
    sign_in_as(page, live_server, "alice")
    page.goto(f"{live_server.url}/rectification/")
    page.locator(f"tr[data-item='{item.pk}'] a").click()
    expect(page).to_have_url(re.compile(rf"/rectification/rectifications/{item.pk}/$"))

    page.locator("form[data-form='update'] textarea[name='update-plan']").fill("每月专题学习两次")
    page.locator("form[data-form='update'] button").click()
    expect(page.locator("[data-plan]")).to_contain_text("每月专题学习两次")
    item.refresh_from_db()
    assert item.state == "in_progress"

    closure = page.locator("form[data-form='closure']")
    closure.locator("textarea").fill("已完成整改")
    closure.locator("input[type=file]").set_input_files(
        {"name": "整改报告.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    closure.locator("button").click()
    expect(page.locator("[data-evidence]")).to_contain_text("整改报告.pdf")
    item.refresh_from_db()
    assert item.state == "closure_requested"

    sign_in_as(page, live_server, "carol")
    page.goto(f"{live_server.url}/rectification/?state=closure_requested")
    page.locator(f"tr[data-item='{item.pk}'] a").click()
    page.locator("form[data-form='confirm'] button").click()
    expect(page.locator("[data-confirmed]")).to_be_visible()
    item.refresh_from_db()
    assert (item.state, item.confirmed_by.username) == ("closed", "carol")
