"""The audit page in a real browser: an administrator filters, opens a row's changes and asks
for a verification; the badge then says the chain is intact."""

import re

import pytest
from playwright.sync_api import expect

from audit.services import record
from tests.e2e.conftest import login
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_administrator_searches_and_verifies_the_trail(page, live_server, tree, erin):
    record(
        "value.changed",
        actor=erin,
        organization=tree.a1a,
        target="submission:7",
        summary="甲一第一支部 v2 value",
        before={"C1.01": 3},
        after={"C1.01": 5},
    )
    record("value.changed", organization=tree.b1, target="submission:8", summary="乙一支部")
    login(page, live_server.url, "erin", PASSWORD)
    page.goto(f"{live_server.url}/audit/?lang=en")
    expect(page.locator("#audit-badge")).to_be_visible()

    page.fill("#f-q", "submission:7")
    page.locator("form.audit-filters button.btn-portal").click()
    expect(page).to_have_url(re.compile(r"q=submission%3A7"))
    rows = page.locator("table.audit-table > tbody > tr")
    expect(rows).to_have_count(1)
    rows.first.locator("summary").click()
    changed = rows.first.locator("tr.audit-changed")
    expect(changed).to_have_count(1)
    expect(changed).to_contain_text("C1.01")

    page.locator("#audit-badge button").click()
    expect(page.locator("#audit-badge [data-intact=true]")).to_be_visible()
