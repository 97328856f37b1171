"""The demo secretary in a real browser: their branch, a sibling's page by URL, the language."""

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from organizations.models import Organization, RoleAssignment
from tests.html import parse

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(live_server):
    call_command("seed_demo", scale=0.05, verbosity=0)
    branch = RoleAssignment.objects.get(user__username="secretary").organization
    sibling = Organization.objects.filter(parent=branch.parent).exclude(pk=branch.pk).first()
    return branch, sibling


def test_the_secretary_sees_their_branch_and_nothing_beside_it(page, live_server, demo):
    branch, sibling = demo
    login(page, live_server.url, "secretary", settings.DEMO_PASSWORD)

    page.goto(f"{live_server.url}/organizations/{branch.pk}/")
    assert branch.name in parse(page.content()).text("h1")

    response = page.goto(f"{live_server.url}/organizations/{sibling.pk}/")
    assert response.status == 404
    assert not parse(page.content()).mentions(sibling.name)

    page.goto(f"{live_server.url}/organizations/")
    assert not parse(page.content()).mentions(sibling.name)


def test_the_secretary_switches_the_language(page, live_server, demo):
    branch, _sibling = demo
    login(page, live_server.url, "secretary", settings.DEMO_PASSWORD)
    page.goto(f"{live_server.url}/organizations/{branch.pk}/")
    assert page.get_attribute("html", "lang") == "zh-hans"

    page.locator(".portal-language button[value=en]").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Sign out").first).to_be_attached()
