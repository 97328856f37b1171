"""The list page's FilterSet: it narrows the items in scope; a garbled value is ignored."""

import datetime

import pytest
from django.http import QueryDict
from django.test import RequestFactory

from rectification import selectors
from rectification.filters import ItemFilterSet
from tests.factories import RectificationFactory

pytestmark = pytest.mark.django_db


def items(period, org, codes: list[str], *, state: str = "open", days: int = 5) -> None:
    due = datetime.date.today() + datetime.timedelta(days=days)
    for code in codes:
        RectificationFactory(
            organization=org, period=period, indicator_code=code, state=state, due_date=due
        )


def filtered(user, query: str) -> ItemFilterSet:
    request = RequestFactory().get("/rectification/", QueryDict(query))
    request.user = user
    return ItemFilterSet(request.GET, queryset=selectors.visible(user), request=request)


def codes(filterset: ItemFilterSet) -> set[str]:
    return set(filterset.qs.values_list("indicator_code", flat=True))


def test_the_filters_narrow_the_items_in_scope(period, tree, alice, erin):
    """GIVEN open items in two subtrees, a closed one and a late one
    WHEN the list is narrowed by subtree, indicator, state and lateness
    THEN each filter keeps only its items, and never an item outside the reader's scope."""
    items(period, tree.a1a, ["A.1", "A.2"])
    items(period, tree.b1, ["B.1"])
    items(period, tree.b1, ["B.closed"], state="closed")
    items(period, tree.b1, ["B.late"], days=-1)

    assert codes(filtered(erin, "")) == {"A.1", "A.2", "B.1", "B.late"}
    assert codes(filtered(erin, f"within={tree.b.pk}")) == {"B.1", "B.late"}
    assert codes(filtered(erin, f"within={tree.b.pk}&indicator=B.1")) == {"B.1"}
    assert codes(filtered(erin, "state=closed")) == {"B.closed"}
    assert codes(filtered(erin, "state=")) == {"A.1", "A.2", "B.1", "B.closed", "B.late"}
    assert codes(filtered(erin, "overdue=1")) == {"B.late"}
    assert codes(filtered(erin, f"period={period.pk + 1}")) == set()
    assert codes(filtered(alice, "state=")) == {"A.1", "A.2"}
    outside = filtered(alice, f"within={tree.b.pk}")
    assert codes(outside) == set()
    assert outside.within_unknown


def test_the_state_tabs_count_every_state_of_the_narrowed_list(period, tree, erin):
    items(period, tree.b1, ["B.1"])
    items(period, tree.b1, ["B.closed"], state="closed")
    filterset = filtered(erin, "state=closed")
    assert set(filterset.across_states.values_list("indicator_code", flat=True)) == {
        "B.1",
        "B.closed",
    }


@pytest.mark.parametrize(
    "query",
    [
        "period=abc",
        "period=-1",
        f"period={2**63}",
        "within=x",
        f"within={10**30}",
        "state=nope",
        "overdue=yes",
        "indicator=" + "x" * 500,
    ],
)
def test_a_garbled_value_counts_as_not_given(period, tree, erin, client_for, query):
    items(period, tree.a1a, ["A.1"])
    filterset = filtered(erin, query)
    assert codes(filterset) == ({"A.1"} if "indicator" not in query else set())
    assert filterset.values["state"] == selectors.ACTIVE
    assert client_for(erin).get(f"/rectification/?{query}").status_code == 200
