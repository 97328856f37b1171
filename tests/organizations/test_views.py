"""Pages of the organization tree: the browser, its search, children (HTMX) and one organization."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from organizations.choices import PersonKind
from organizations.services import assign_role
from tests.factories import (
    DepartmentFactory,
    LeadingGroupFactory,
    OrganizationFactory,
    PersonFactory,
    UserFactory,
)
from tests.html import Page, page

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def tree_url(**params) -> str:
    url = reverse("organizations:tree")
    return f"{url}?q={params['q']}" if "q" in params else url


def detail_url(org) -> str:
    return reverse("organizations:detail", args=[org.pk])


def children_url(org) -> str:
    return reverse("organizations:children", args=[org.pk])


def search_url(query: str) -> str:
    return f"{reverse('organizations:search')}?q={query}"


def listed_codes(response) -> set[str]:
    """Codes of the organizations a tree, children or search fragment lists."""
    return {node["data-code"] for node in page(response).select("[data-code]")}


# The tree browser


def test_the_tree_needs_a_sign_in(client, tree):
    response = client.get(tree_url())
    assert response.status_code == 302


def test_the_tree_starts_at_the_secretarys_branch(client_for, alice):
    response = client_for(alice).get(tree_url())
    assert response.status_code == 200
    assert listed_codes(response) == {"A1a"}


def test_the_tree_starts_at_the_reviewers_committee(client_for, carol):
    assert listed_codes(client_for(carol).get(tree_url())) == {"A"}


def test_the_tree_starts_at_the_root_for_the_administrator(client_for, erin):
    assert listed_codes(client_for(erin).get(tree_url())) == {"G"}


def test_a_node_shows_kind_code_people_and_a_link(client_for, tree, carol):
    node = page(client_for(carol).get(tree_url(), HTTP_ACCEPT_LANGUAGE="en")).within(
        '.portal-tree-node[data-code="A"]'
    )
    assert node.text(".portal-kind") == tree.a.kind.name_en
    assert node.text(".portal-tree-link") == tree.a.name_en
    assert node.attr(".portal-tree-link", "href") == detail_url(tree.a)
    assert node.attr(".portal-tree-toggle", "hx-get") == children_url(tree.a)


def test_a_leaf_offers_no_expansion(client_for, tree, alice):
    shown = page(client_for(alice).get(tree_url()))
    assert not shown.refers_to(children_url(tree.a1a))
    assert not shown.has(".portal-tree-toggle")


def test_children_expand_in_place(client_for, tree, carol):
    response = client_for(carol).get(children_url(tree.a1), **HTMX)
    assert response.status_code == 200
    assert listed_codes(response) == {"A1a", "A1b"}
    assert not page(response).has("html, body, main")  # a fragment, not a page


def test_children_of_an_organization_outside_scope_are_404(client_for, tree, alice):
    assert client_for(alice).get(children_url(tree.a1), **HTMX).status_code == 404
    assert client_for(alice).get(children_url(tree.b), **HTMX).status_code == 404


def test_children_stop_at_the_scope(client_for, tree, carol):
    """Carol reviews A: the root G is outside her scope, so its children are not hers to list."""
    assert client_for(carol).get(children_url(tree.group), **HTMX).status_code == 404


# Search


def test_search_finds_only_within_scope(client_for, tree, alice):
    response = client_for(alice).get(search_url("支部"), **HTMX)
    assert response.status_code == 200
    assert listed_codes(response) == {"A1a"}


def test_search_for_the_reviewer_covers_the_subtree(client_for, tree, carol):
    assert listed_codes(client_for(carol).get(search_url("支部"), **HTMX)) == {"A1a", "A1b"}


def test_search_matches_codes(client_for, tree, erin):
    assert listed_codes(client_for(erin).get(search_url("b1"), **HTMX)) == {"B1"}


def test_search_results_show_the_path_within_scope(client_for, tree, carol):
    shown = page(client_for(carol).get(search_url("A1b"), **HTMX))
    path = shown.text('[data-code="A1b"] nav')
    assert tree.a.name in path
    assert tree.a1.name in path
    assert not shown.mentions(tree.group.name)  # G is above carol's scope


def test_search_works_without_javascript(client_for, tree, alice):
    response = client_for(alice).get(tree_url(q="支部"))
    assert response.status_code == 200
    shown = page(response)
    assert shown.has("html > body main")  # the whole page
    assert shown.field("q")["value"] == "支部"
    assert listed_codes(response) == {"A1a"}  # the one match; her tree is A1a too


def test_search_says_when_nothing_matches(client_for, tree, alice):
    response = client_for(alice).get(search_url("乙"), HTTP_ACCEPT_LANGUAGE="en", **HTMX)
    assert listed_codes(response) == set()
    assert "No organization in your scope matches" in page(response).text("p")


def test_an_empty_search_lists_nothing(client_for, tree, alice):
    response = client_for(alice).get(search_url("  "), **HTMX)
    assert response.status_code == 200
    assert listed_codes(response) == set()


# One organization


def test_the_organization_page_shows_the_essentials(client_for, tree, carol):
    response = client_for(carol).get(detail_url(tree.a1), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    shown = page(response)
    assert shown.text("h1") == tree.a1.name_en
    assert f"Code: {tree.a1.code}" in shown.text("header")
    assert listed_codes(response) == {"A1a", "A1b"}
    assert [row[0] for row in shown.rows("#people tbody")] == ["A1成员"]


def test_breadcrumbs_link_only_ancestors_within_scope(client_for, tree, carol):
    shown = page(client_for(carol).get(detail_url(tree.a1b)))
    crumbs = shown.within(".breadcrumb")
    assert crumbs.link(detail_url(tree.a))
    assert crumbs.link(detail_url(tree.a1))
    assert not shown.refers_to(detail_url(tree.group))
    assert not shown.mentions(tree.group.name)


def test_a_secretary_sees_no_ancestors_at_all(client_for, tree, alice):
    shown = page(client_for(alice).get(detail_url(tree.a1a)))
    for ancestor in (tree.group, tree.a, tree.a1):
        assert not shown.refers_to(detail_url(ancestor))
        assert not shown.mentions(ancestor.name)


def test_the_organization_page_is_404_outside_scope(client_for, tree, alice):
    for org in (tree.a1b, tree.a1, tree.b1, tree.group):
        assert client_for(alice).get(detail_url(org)).status_code == 404


def test_people_show_their_details(client_for, tree, alice):
    department = DepartmentFactory(organization=tree.a1a, name="党建工作部")
    PersonFactory(
        organization=tree.a1a,
        name="李四",
        employee_number="E-LI-4",
        department=department,
        kind=PersonKind.PROBATIONARY,
        party_member_since=datetime.date(2021, 7, 1),
    )
    response = client_for(alice).get(detail_url(tree.a1a), HTTP_ACCEPT_LANGUAGE="en")
    people = {row[0]: row[1:5] for row in page(response).rows("#people tbody")}
    assert people["李四"] == ["E-LI-4", "Probationary party member", "党建工作部", "2021-07-01"]


def test_people_are_paginated_by_fifty(client_for, tree, alice):
    PersonFactory.create_batch(60, organization=tree.a1a, name="页测")
    client = client_for(alice)
    first = page(client.get(detail_url(tree.a1a)))
    second = page(client.get(detail_url(tree.a1a) + "?page=2"))

    def rows(shown: Page) -> int:
        return sum(row[0] in ("页测", "A1a成员") for row in shown.rows("#people tbody"))

    assert (rows(first), rows(second)) == (50, 11)  # the fixture's member and the 60 new ones


def test_departments_leading_groups_and_role_holders(client_for, tree, alice, bob, carol):
    DepartmentFactory(organization=tree.a1a, name="综合办公室", code="OFFICE")
    group = LeadingGroupFactory(organization=tree.a1a, name="第一支部班子")
    group.members.add(PersonFactory(organization=tree.a1a, name="王五"))
    shown = page(client_for(carol).get(detail_url(tree.a1a)))
    departments = shown.text('[aria-labelledby="departments-heading"]')
    assert "综合办公室 OFFICE" in departments
    leading_group = shown.within('[aria-labelledby="leading-groups-heading"] .list-group-item')
    assert leading_group.text(".fw-medium") == "第一支部班子"
    assert leading_group.texts("li") == ["王五"]
    roles = shown.texts('[aria-labelledby="roles-heading"] li > span:first-child')
    assert roles == ["alice"]
    assert not shown.mentions("bob")  # bob holds his role on A1b, not here


def _big_branch(size: int, parent):
    org = OrganizationFactory(parent=parent, code=f"BIG{size}")
    department = DepartmentFactory(organization=org)
    for _ in range(size):
        OrganizationFactory(parent=org)
        PersonFactory(organization=org, department=department)
    group = LeadingGroupFactory(organization=org)
    group.members.add(*PersonFactory.create_batch(size, organization=org))
    DepartmentFactory.create_batch(size, organization=org)
    for _ in range(size):
        assign_role(user=UserFactory(), organization=org, role="secretary")
    return org


def test_the_organization_page_costs_the_same_queries_whatever_its_size(
    client_for, tree, carol, django_assert_max_num_queries
):
    small, big = _big_branch(2, tree.a1), _big_branch(40, tree.a1)
    client = client_for(carol)
    client.get(detail_url(small))  # warm up the session and whatever is cached per process

    with CaptureQueriesContext(connection) as small_queries:
        assert client.get(detail_url(small)).status_code == 200
    with django_assert_max_num_queries(len(small_queries)):
        response = client.get(detail_url(big))

    assert response.status_code == 200
    assert len(listed_codes(response)) == 40
