"""The titles API: scoped list and detail, filters, the decision and its refusals, a subject's
standard."""

import pytest

from organizations.services import assign_role
from standards.choices import Decision
from standards.services import titles as services
from tests.factories import UserFactory

from .titles_data import scored, subject, title_of

__all__ = ["scored"]  # the fixture, used by the tests below

URL = "/api/v1/titles/"


@pytest.fixture
def bert(tree):
    """A reviewer of committee B."""
    user = UserFactory(username="bert")
    assign_role(user=user, organization=tree.b, role="reviewer")
    return user


def names(response) -> list[str]:
    return sorted(row["subject_name"] for row in response.json()["results"])


def test_the_list_is_scoped(client_for, scored, alice, bert, erin):
    assert names(client_for(alice).get(URL)) == ["A1a成员", "甲一第一支部"]
    assert names(client_for(bert).get(URL)) == ["乙一支部"]
    assert len(client_for(erin).get(URL).json()["results"]) == 5


def test_a_title_outside_the_scope_is_not_found(client_for, scored, tree, bert):
    title = title_of(scored, tree.a1a)
    client = client_for(bert)
    assert client.get(f"{URL}{title.pk}/").status_code == 404
    response = client.post(f"{URL}{title.pk}/decide/", {"decision": "confirm", "version": 1})
    assert response.status_code == 404


def test_filters(client_for, scored, tree, erin):
    client = client_for(erin)
    count = lambda query: client.get(f"{URL}?{query}").json()["count"]  # noqa: E731
    assert count("standard=party_member") == 1
    assert count("state=proposed") == 5
    assert count("state=confirmed") == 0
    assert count(f"period={scored.pk}") == 5
    assert count(f"organization={tree.b1.pk}") == 1
    assert count(f"within={tree.a.pk}") == 4
    assert client.get(f"{URL}?period=abc").status_code == 400


def test_the_detail_carries_the_criteria(client_for, scored, tree, carol):
    body = client_for(carol).get(f"{URL}{title_of(scored, tree.a1a).pk}/").json()
    assert body["state"] == "proposed"
    assert body["version"] == 1
    assert [c["dimension"] for c in body["criteria"]] == ["S2.1", "S2.2"]


def test_a_reviewer_confirms_through_the_api(client_for, scored, tree, carol):
    title = title_of(scored, tree.a1a)
    response = client_for(carol).post(
        f"{URL}{title.pk}/decide/",
        {"decision": "confirm", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["state"] == Decision.CONFIRMED
    assert response.json()["version"] == 2
    assert response.json()["decided_by"] == "carol"


def test_a_stale_decision_answers_409(client_for, scored, tree, carol):
    title = title_of(scored, tree.a1a)
    response = client_for(carol).post(
        f"{URL}{title.pk}/decide/",
        {"decision": "confirm", "version": 3},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert response.json()["current_version"] == 1


def test_an_organization_s_own_reviewer_gets_403(client_for, scored, tree, carol):
    title = title_of(scored, tree.a)
    response = client_for(carol).post(
        f"{URL}{title.pk}/decide/",
        {"decision": "confirm", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json()["detail"]


def test_withholding_without_a_reason_and_a_full_quota_answer_400(client_for, scored, tree, carol):
    client = client_for(carol)
    response = client.post(
        f"{URL}{title_of(scored, tree.a1).pk}/decide/",
        {"decision": "withhold", "reason": "", "version": 1},
        content_type="application/json",
    )
    assert response.status_code == 400
    services.decide(
        title_of(scored, tree.a1a), confirm=True, reason="", version=1, acting_user=carol
    )
    response = client.post(
        f"{URL}{title_of(scored, tree.a1).pk}/decide/",
        {"decision": "confirm", "version": 1},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "quota" in response.json()["detail"].lower() or "名额" in response.json()["detail"]
    bad = client.post(
        f"{URL}{title_of(scored, tree.a1).pk}/decide/",
        {"decision": "maybe", "version": 1},
        content_type="application/json",
    )
    assert bad.status_code == 400


def test_a_subject_s_standard(client_for, scored, tree, carol):
    client = client_for(carol)
    body = client.get(f"{URL}standard/{subject(scored, tree.a1b).pk}/").json()
    assert body["scored"] is True
    (standard,) = body["standards"]
    assert standard["met"] is False
    assert standard["criteria"][0]["short_by"] == 30
    assert client.get(f"{URL}standard/{subject(scored, tree.b1).pk}/").status_code == 404


def test_the_list_takes_a_bounded_number_of_queries(
    client_for, scored, erin, django_assert_max_num_queries
):
    client = client_for(erin)
    with django_assert_max_num_queries(5):
        assert client.get(URL).status_code == 200
