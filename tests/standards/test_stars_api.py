"""The star-rating API: scoped ratings with filters, the committee's `decide` (403, 409, 400),
and a branch's standardization checklist."""

import pytest

from standards.models import StarRating
from standards.services import stars as services

from .stars_builders import FULL, NOT_SET_UP, score_branches, vetoed

URL = "/api/v1/star-ratings/"


@pytest.fixture
def rated(std_period, tree):
    score_branches(std_period, {tree.a1a: FULL, tree.a1b: NOT_SET_UP, tree.b1: vetoed(FULL)})
    services.propose(std_period)
    return std_period


@pytest.fixture
def english(client_for, settings):
    def login(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


def rating_of(period, branch) -> StarRating:
    return StarRating.objects.get(period=period, organization=branch)


def test_the_list_is_scoped(rated, tree, alice, carol, erin, client_for):
    def codes(user):
        body = client_for(user).get(URL).json()
        return sorted(row["organization"] for row in body["results"])

    assert codes(alice) == [tree.a1a.pk]
    assert codes(carol) == sorted([tree.a1a.pk, tree.a1b.pk])
    assert len(codes(erin)) == 3
    b1 = rating_of(rated, tree.b1)
    assert client_for(carol).get(f"{URL}{b1.pk}/").status_code == 404


def test_filters(rated, tree, erin, carol, client_for):
    client = client_for(erin)

    def count(query):
        return client.get(f"{URL}?{query}").json()["count"]

    assert count(f"period={rated.pk}") == 3
    assert count(f"organization={tree.b1.pk}") == 1
    assert count(f"within={tree.a.pk}") == 2
    a1a = rating_of(rated, tree.a1a)
    services.decide(a1a, stars=5, reason="", version=a1a.version, acting_user=carol)
    assert count("state=confirmed") == 1
    assert client.get(f"{URL}?state=nope").status_code == 400
    assert client.get(f"{URL}?period=abc").status_code == 400


def test_the_detail_carries_steps_and_conditions(rated, tree, carol, client_for):
    body = client_for(carol).get(f"{URL}{rating_of(rated, tree.a1b).pk}/").json()

    assert body["proposed"] == 2
    assert body["conditions"]["met"]["standardization"] is False
    assert body["steps"][0] == {"zh": "得分 70，对应 2 星", "en": "Score 70: 2 stars"}


def test_the_committee_decides(rated, tree, carol, client_for):
    a1a = rating_of(rated, tree.a1a)

    response = client_for(carol).post(
        f"{URL}{a1a.pk}/decide/",
        {"stars": 5, "version": a1a.version},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert response.json()["state"] == "confirmed"
    assert response.json()["stars"] == 5
    assert response.json()["version"] == a1a.version + 1


def test_a_stale_decision_is_409(rated, tree, carol, english):
    a1a = rating_of(rated, tree.a1a)

    response = english(carol).post(
        f"{URL}{a1a.pk}/decide/", {"stars": 5, "version": 42}, content_type="application/json"
    )

    assert response.status_code == 409
    assert response.json()["current_version"] == a1a.version
    assert "changed since you opened it" in response.json()["detail"]


def test_the_branch_itself_gets_403(rated, tree, alice, english):
    a1a = rating_of(rated, tree.a1a)

    response = english(alice).post(
        f"{URL}{a1a.pk}/decide/",
        {"stars": 5, "version": a1a.version},
        content_type="application/json",
    )

    assert response.status_code == 403
    assert "committee above it" in response.json()["detail"]


def test_a_sibling_committee_gets_404(rated, tree, carol, client_for):
    b1 = rating_of(rated, tree.b1)

    response = client_for(carol).post(
        f"{URL}{b1.pk}/decide/",
        {"stars": 2, "version": b1.version},
        content_type="application/json",
    )

    assert response.status_code == 404


def test_stars_above_the_entry_conditions_are_400(rated, tree, carol, english):
    a1b = rating_of(rated, tree.a1b)

    response = english(carol).post(
        f"{URL}{a1b.pk}/decide/",
        {"stars": 4, "reason": "补齐了", "version": a1b.version},
        content_type="application/json",
    )

    assert response.status_code == 400
    assert "at most 2 stars" in response.json()["detail"]
    assert rating_of(rated, tree.a1b).state == "proposed"


def test_bad_input_is_400(rated, tree, carol, client_for):
    a1a = rating_of(rated, tree.a1a)

    response = client_for(carol).post(
        f"{URL}{a1a.pk}/decide/", {"stars": 8, "version": "x"}, content_type="application/json"
    )

    assert response.status_code == 400
    assert {"stars", "version"} <= set(response.json())


def test_no_writes_other_than_decide(rated, tree, erin, client_for):
    a1a = rating_of(rated, tree.a1a)
    client = client_for(erin)

    assert client.delete(f"{URL}{a1a.pk}/").status_code == 405
    assert client.post(URL, {}, content_type="application/json").status_code == 405


def test_the_checklist_of_a_branch(rated, tree, carol, client_for):
    body = (
        client_for(carol)
        .get(f"{URL}checklist/", {"period": rated.pk, "organization": tree.a1b.pk})
        .json()
    )

    assert body["met"] is False
    setup = body["items"][0]
    assert (setup["code"], setup["met"]) == ("setup", False)
    assert setup["indicators"][0]["fraction"] == 0.0


def test_the_checklist_outside_the_scope_is_404(rated, tree, carol, client_for):
    response = client_for(carol).get(
        f"{URL}checklist/", {"period": rated.pk, "organization": tree.b1.pk}
    )

    assert response.status_code == 404


def test_the_checklist_needs_a_period_and_an_organization(rated, carol, client_for):
    response = client_for(carol).get(f"{URL}checklist/", {"period": "x"})

    assert response.status_code == 400
