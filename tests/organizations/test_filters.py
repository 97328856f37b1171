"""The organization search FilterSet: it narrows organizations in the user's scope by name or
code; a text too long or full of wildcards never fails a page."""

import pytest
from django.http import QueryDict
from django.urls import reverse

from organizations import selectors
from organizations.filters import SEARCH_LENGTH, OrganizationSearchFilterSet

pytestmark = pytest.mark.django_db


def found(user, query: str) -> set[str]:
    search = OrganizationSearchFilterSet(
        QueryDict(query), queryset=selectors.visible_organizations(user)
    )
    return set(search.qs.values_list("code", flat=True))


def test_the_search_narrows_the_organizations_in_scope(tree, alice, erin):
    """GIVEN the tree
    WHEN a name, an English name or a code is searched
    THEN only the matching organizations the reader may see are left."""
    assert found(erin, f"q={tree.a1a.name}") == {tree.a1a.code}
    assert found(erin, f"q={tree.a1a.code}") == {tree.a1a.code}
    assert found(erin, "q=") == found(erin, "")
    assert found(erin, "") > found(erin, f"q={tree.b.name}")
    assert found(alice, f"q={tree.b.name}") == set()


def test_the_search_text_is_trimmed_and_cut():
    search = OrganizationSearchFilterSet(QueryDict(f"q=  {'x' * 1000}  "))
    assert search.query == "x" * SEARCH_LENGTH


@pytest.mark.parametrize("query", ["%", "_", "x" * 5000, "' OR 1=1 --", "\\"])
def test_an_odd_search_never_fails_a_page(client_for, tree, erin, query):
    client = client_for(erin)
    assert client.get(reverse("organizations:tree"), {"q": query}).status_code == 200
    assert client.get(reverse("organizations:search"), {"q": query}).status_code == 200
    assert client.get("/reports/organizations/", {"q": query}).status_code == 200
