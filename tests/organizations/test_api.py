"""The organizations API: every endpoint scoped, filters and search, bounded query counts.

The tree (tests/conftest.py): G → A → A1 → {A1a, A1b}, G → B → B1; one person per organization.
alice is secretary of A1a, bob of its sibling A1b, carol reviewer and dave auditor on A, erin
administrator on G, frank has no role.
"""

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from credentials.models import ApiToken
from organizations.choices import PersonKind, PersonStatus
from organizations.models import Organization
from tests.factories import (
    DepartmentFactory,
    LeadingGroupFactory,
    OrganizationFactory,
    PersonFactory,
)
from tests.factories.credentials import api_token

pytestmark = pytest.mark.django_db

LIST_URLS = [
    "/api/v1/organizations/",
    "/api/v1/people/",
    "/api/v1/departments/",
    "/api/v1/leading-groups/",
]


@pytest.fixture
def api_for():
    """An API client authenticated by a real token, as another system would call us."""

    def make(user) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return client

    return make


def org_url(org: Organization, action: str | None = None) -> str:
    if action:
        return reverse(f"organization-{action}", args=[org.pk])
    return reverse("organization-detail", args=[org.pk])


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    return [row["code"] for row in rows]


def person_orgs(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["organization"]["code"] for row in response.json()["results"]}


@pytest.mark.parametrize("url", LIST_URLS)
def test_lists_need_authentication(tree, url):
    assert APIClient().get(url).status_code == 401


def test_details_need_authentication(tree):
    client = APIClient()
    assert client.get(org_url(tree.a1a)).status_code == 401
    assert client.get(org_url(tree.a1a, "children")).status_code == 401
    assert client.get(org_url(tree.a1a, "ancestors")).status_code == 401


def test_secretary_lists_only_her_branch(api_for, tree, alice):
    assert codes(api_for(alice).get("/api/v1/organizations/")) == ["A1a"]


@pytest.mark.parametrize("action", [None, "children", "ancestors"])
def test_secretary_gets_404_for_her_sibling_branch(api_for, tree, alice, action):
    response = api_for(alice).get(org_url(tree.a1b, action))

    assert response.status_code == 404


@pytest.mark.parametrize("action", [None, "children", "ancestors"])
def test_an_id_that_does_not_exist_looks_the_same_as_one_out_of_scope(api_for, tree, alice, action):
    missing = Organization(pk=999_999, path="/999999/")

    assert api_for(alice).get(org_url(missing, action)).json() == (
        api_for(alice).get(org_url(tree.a1b, action)).json()
    )


def test_secretary_sees_the_people_of_her_branch_only(api_for, tree, alice):
    client = api_for(alice)
    assert person_orgs(client.get("/api/v1/people/")) == {"A1a"}
    sibling_person = tree.a1b.people.get()
    assert client.get(f"/api/v1/people/{sibling_person.pk}/").status_code == 404


def test_detail_has_kind_depth_and_counts_but_no_path(api_for, tree, carol):
    data = api_for(carol).get(org_url(tree.a1)).json()

    assert data["code"] == "A1"
    assert data["kind"] == "general_branch"
    assert data["depth"] == 2
    assert data["children_count"] == 2
    assert data["people_count"] == 1
    assert data["parent"] == {
        "id": tree.a.pk,
        "code": "A",
        "name": "甲公司党委",
        "name_en": "A Co.",
        "kind": "committee",
    }
    assert "path" not in data
    assert tree.a1.path not in str(data)


def test_parent_outside_the_scope_is_not_revealed(api_for, tree, alice, carol):
    assert api_for(alice).get(org_url(tree.a1a)).json()["parent"] is None
    assert api_for(carol).get(org_url(tree.a)).json()["parent"] is None


def test_reviewer_sees_exactly_the_subtree(api_for, tree, carol):
    client = api_for(carol)

    assert set(codes(client.get("/api/v1/organizations/"))) == {"A", "A1", "A1a", "A1b"}
    assert person_orgs(client.get("/api/v1/people/")) == {"A", "A1", "A1a", "A1b"}
    for outside in (tree.group, tree.b, tree.b1):
        assert client.get(org_url(outside)).status_code == 404


def test_auditor_has_read_access_to_the_subtree(api_for, tree, dave):
    client = api_for(dave)

    assert set(codes(client.get("/api/v1/organizations/"))) == {"A", "A1", "A1a", "A1b"}
    assert client.get(org_url(tree.a1b)).status_code == 200
    assert person_orgs(client.get("/api/v1/people/")) == {"A", "A1", "A1a", "A1b"}


@pytest.mark.parametrize("url", LIST_URLS)
def test_user_without_roles_sees_empty_lists(api_for, tree, frank, url):
    DepartmentFactory(organization=tree.a1a)
    LeadingGroupFactory(organization=tree.a1a)

    response = api_for(frank).get(url)

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_user_without_roles_gets_404_for_any_organization(api_for, tree, frank):
    assert api_for(frank).get(org_url(tree.group)).status_code == 404


def test_administrator_on_the_root_sees_all(api_for, tree, erin):
    assert api_for(erin).get("/api/v1/organizations/").json()["count"] == 7


def test_children_are_the_direct_children_in_code_order(api_for, tree, carol):
    assert codes(api_for(carol).get(org_url(tree.a1, "children"))) == ["A1a", "A1b"]
    assert codes(api_for(carol).get(org_url(tree.a1a, "children"))) == []


def test_ancestors_are_root_first_and_only_within_the_scope(api_for, tree, carol, erin, alice):
    assert codes(api_for(erin).get(org_url(tree.a1a, "ancestors"))) == ["G", "A", "A1"]
    assert codes(api_for(carol).get(org_url(tree.a1a, "ancestors"))) == ["A", "A1"]
    assert codes(api_for(alice).get(org_url(tree.a1a, "ancestors"))) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=branch", {"A1a", "A1b"}),
        ("kind=committee", {"A"}),
        ("depth=2", {"A1"}),
        ("search=第二", {"A1b"}),
        ("search=general", {"A1"}),
        ("search=a1a", {"A1a"}),
    ],
)
def test_organization_filters_and_search(api_for, tree, carol, query, expected):
    assert set(codes(api_for(carol).get(f"/api/v1/organizations/?{query}"))) == expected


def test_parent_filter_lists_children(api_for, tree, carol):
    response = api_for(carol).get(f"/api/v1/organizations/?parent={tree.a1.pk}")

    assert set(codes(response)) == {"A1a", "A1b"}


def test_parent_filter_on_an_organization_out_of_scope_is_empty(api_for, tree, carol):
    # A is G's child and in carol's scope, but G is not: the answer must not confirm the link.
    response = api_for(carol).get(f"/api/v1/organizations/?parent={tree.group.pk}")

    assert codes(response) == []


def test_is_active_filter(api_for, tree, carol):
    Organization.objects.filter(pk=tree.a1b.pk).update(is_active=False)
    client = api_for(carol)

    assert codes(client.get("/api/v1/organizations/?is_active=false")) == ["A1b"]
    assert "A1b" not in codes(client.get("/api/v1/organizations/?is_active=true"))


def test_within_lists_a_subtree(api_for, tree, carol):
    response = api_for(carol).get(f"/api/v1/organizations/?within={tree.a1.pk}")

    assert set(codes(response)) == {"A1", "A1a", "A1b"}


@pytest.mark.parametrize("target", ["group", "b", "missing"])
def test_within_an_organization_out_of_scope_is_empty_not_an_error(api_for, tree, carol, target):
    org_id = 999_999 if target == "missing" else getattr(tree, target).pk

    response = api_for(carol).get(f"/api/v1/organizations/?within={org_id}")

    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_within_rejects_what_is_not_an_id(api_for, tree, carol):
    assert api_for(carol).get("/api/v1/organizations/?within=abc").status_code == 400


def test_ordering(api_for, tree, carol):
    response = api_for(carol).get("/api/v1/organizations/?ordering=-code")

    assert codes(response) == ["A1b", "A1a", "A1", "A"]


def test_pagination_is_limit_offset(api_for, tree, erin):
    data = api_for(erin).get("/api/v1/organizations/?limit=2&offset=2").json()

    assert data["count"] == 7
    assert len(data["results"]) == 2
    assert "offset=4" in data["next"]


def test_person_exposes_every_field(api_for, tree, carol):
    department = DepartmentFactory(organization=tree.a, code="D1", name="党建部")
    person = PersonFactory(
        organization=tree.a1a,
        department=department,
        name="王五",
        kind=PersonKind.PROBATIONARY,
        party_member_since="2024-07-01",
    )

    data = api_for(carol).get(f"/api/v1/people/{person.pk}/").json()

    assert data == {
        "id": person.pk,
        "name": "王五",
        "employee_number": person.employee_number,
        "organization": {
            "id": tree.a1a.pk,
            "code": "A1a",
            "name": "甲一第一支部",
            "name_en": "A1a branch",
            "kind": "branch",
        },
        "department": {"id": department.pk, "code": "D1", "name": "党建部", "name_en": ""},
        "kind": "probationary",
        "kind_display": "Probationary party member",
        "party_member_since": "2024-07-01",
        "status": "active",
        "status_display": "Active",
        "is_party_member": True,
        "updated_at": data["updated_at"],
    }


def test_people_filters_and_search(api_for, tree, carol):
    department = DepartmentFactory(organization=tree.a1)
    staff = PersonFactory(
        organization=tree.a1,
        name="李四",
        employee_number="S-0001",
        kind=PersonKind.STAFF,
        status=PersonStatus.RETIRED,
        department=department,
    )
    client = api_for(carol)

    def names(query: str) -> set[str]:
        response = client.get(f"/api/v1/people/?{query}")
        assert response.status_code == 200, response.content
        return {row["name"] for row in response.json()["results"]}

    assert names(f"organization={tree.a1.pk}") == {"A1成员", "李四"}
    assert names(f"within={tree.a1.pk}") == {"A1成员", "李四", "A1a成员", "A1b成员"}
    assert names(f"within={tree.b.pk}") == set()
    assert names(f"organization={tree.b.pk}") == set()
    assert names("kind=staff") == {"李四"}
    assert names("status=retired") == {"李四"}
    assert names(f"department={department.pk}") == {"李四"}
    assert names("search=李") == {"李四"}
    assert names(f"search={staff.employee_number}") == {"李四"}


def test_departments_are_scoped_and_filterable(api_for, tree, alice, carol):
    own = DepartmentFactory(organization=tree.a1a, code="D-A1a", name="组织部")
    sibling = DepartmentFactory(organization=tree.a1b, code="D-A1b", name="宣传部")

    assert codes(api_for(alice).get("/api/v1/departments/")) == ["D-A1a"]
    assert api_for(alice).get(f"/api/v1/departments/{sibling.pk}/").status_code == 404
    assert api_for(alice).get(f"/api/v1/departments/{own.pk}/").json()["organization"]["code"] == (
        "A1a"
    )
    carol_client = api_for(carol)
    assert codes(carol_client.get(f"/api/v1/departments/?organization={tree.a1b.pk}")) == ["D-A1b"]
    assert codes(carol_client.get("/api/v1/departments/?search=组织")) == ["D-A1a"]


def test_leading_groups_are_scoped_and_hide_members_outside_the_scope(api_for, tree, alice):
    own = LeadingGroupFactory(organization=tree.a1a, name="第一支部班子")
    insider = PersonFactory(organization=tree.a1a, name="内")
    outsider = PersonFactory(organization=tree.b1, name="外")
    own.members.set([insider, outsider])
    sibling = LeadingGroupFactory(organization=tree.a1b)
    client = api_for(alice)

    rows = client.get("/api/v1/leading-groups/").json()["results"]

    assert [row["id"] for row in rows] == [own.pk]
    assert rows[0]["members"] == [
        {"id": insider.pk, "name": "内", "employee_number": insider.employee_number}
    ]
    assert client.get(f"/api/v1/leading-groups/{sibling.pk}/").status_code == 404


def _grow(tree, rows: int) -> None:
    """Add `rows` branches under A1, each with a person, a department and a leading group."""
    for _n in range(rows):
        org = OrganizationFactory(parent=tree.a1)
        department = DepartmentFactory(organization=org)
        person = PersonFactory(organization=org, department=department)
        LeadingGroupFactory(organization=org).members.add(person)


@pytest.mark.parametrize("rows", [5, 40])
@pytest.mark.parametrize(
    "url",
    [
        *LIST_URLS,
        "/api/v1/organizations/?within={a1}&search=Branch",
        "/api/v1/people/?within={a1}",
        "/api/v1/organizations/{a1}/children/",
    ],
)
def test_lists_cost_a_bounded_number_of_queries(
    api_for, tree, carol, rows, url, django_assert_max_num_queries
):
    _grow(tree, rows)
    client = api_for(carol)
    # A token's last use is written at most once a minute (credentials/services.py), so a
    # client's first call pays one write more; this budget is the steady state.
    ApiToken.objects.filter(user=carol).update(last_used=timezone.now())

    url = url.format(a1=tree.a1.pk) + ("&" if "?" in url else "?") + "limit=100"

    # token + user, grants, then count and page, plus one for `within`, the parent of `children`
    # or the members of leading groups: at most five whatever the number of rows.
    with django_assert_max_num_queries(5):
        response = client.get(url)

    assert response.status_code == 200
    assert len(response.json()["results"]) >= rows
