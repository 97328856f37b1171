"""The header's items by role: a few direct links, the rest in menus; the tools (language,
notices, the user menu with the roles, sign-out) outside the collapsing part for everyone."""

import pytest
from django.urls import reverse

from organizations.services import assign_role
from tests.factories import UserFactory
from tests.html import page

pytestmark = pytest.mark.django_db

TREE = reverse("organizations:tree")


def header(client):
    return page(client.get(TREE, HTTP_ACCEPT_LANGUAGE="en"))


def test_a_secretary_has_their_submissions_as_a_direct_link_and_no_manage_menu(client_for, alice):
    shown = header(client_for(alice))
    assert shown.has(f'.navbar-nav > .nav-item > a[href="{reverse("assessment:my_submissions")}"]')
    assert not shown.has(f'.navbar-nav > .nav-item > a[href="{reverse("assessment:queue")}"]')
    assert not shown.has("[data-nav=admin]")
    for menu in ("work", "records", "standards"):
        assert shown.has(f".navbar-nav > .dropdown > [data-nav={menu}]")


def test_a_reviewer_has_the_queue_as_a_direct_link(client_for, carol):
    shown = header(client_for(carol))
    assert shown.has(f'.navbar-nav > .nav-item > a[href="{reverse("assessment:queue")}"]')


def test_an_auditor_finds_the_audit_trail_in_the_manage_menu(client_for, dave):
    shown = header(client_for(dave))
    assert shown.has(f'.dropdown-menu a[href="{reverse("audit:list")}"]')
    assert not shown.has(f'a[href="{reverse("assessment:score_runs")}"]')


def test_an_administrator_finds_imports_and_score_runs_in_the_manage_menu(client_for, erin):
    shown = header(client_for(erin))
    for url in (reverse("organizations:import"), reverse("assessment:score_runs")):
        assert shown.has(f'.dropdown-menu a[href="{url}"]')


def test_reports_and_business_figures_are_under_results(client_for, carol):
    shown = header(client_for(carol))
    assert shown.has(f'.dropdown-menu a[data-nav=reports][href="{reverse("reports:list")}"]')
    assert shown.has(f'.dropdown-menu a[data-nav=business][href="{reverse("business:table")}"]')


@pytest.mark.parametrize("role", ["secretary", "reviewer", "auditor", "inspector", "finance"])
def test_the_tools_stay_outside_the_collapse_for_every_role(client_for, tree, role):
    user = UserFactory(username=f"u-{role}")
    assign_role(user=user, organization=tree.a1a if role == "secretary" else tree.a, role=role)
    shown = header(client_for(user))
    tools = shown.within(".portal-navtools")
    assert tools.has("[data-nav=notices]")
    assert tools.has(f'form[action="{reverse("logout")}"] button')
    assert tools.has(".portal-language button[value=zh-hans]")
    assert tools.text(".portal-user .dropdown-toggle") == f"u-{role}"
    assert not shown.has("#portal-nav .portal-navtools")
