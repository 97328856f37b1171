"""The terms API: scoped term results, the business grade action and the group's record."""

import pytest

from standards.models import TermResult
from standards.services import terms as services

from .terms_data import scored_years

TERMS = "/api/v1/terms/"
RECORD = "/api/v1/terms/group-record/"


@pytest.fixture
def years(tree):
    data = scored_years(tree)
    services.compute_for_period(data.periods[2026])
    return data


def term_of(organization) -> TermResult:
    return TermResult.objects.get(organization=organization)


def grade(client, term, **body):
    return client.post(f"{TERMS}{term.pk}/business-grade/", body, content_type="application/json")


def test_terms_are_listed_within_the_scope(tree, years, alice, bob, client_for):
    rows = client_for(alice).get(TERMS).json()["results"]
    assert [r["organization"]["id"] for r in rows] == [tree.a1a.pk]
    assert rows[0]["years"][0] == {
        "year": 2024,
        "score": 38.0,
        "grade": "D",
        "vetoed": False,
        "revenue_growth": None,
        "profit_growth": None,
        "business": "",
    }
    assert client_for(bob).get(f"{TERMS}{term_of(tree.a1a).pk}/").status_code == 404


def test_filters(tree, years, erin, client_for):
    client = client_for(erin)
    assert client.get(TERMS, {"organization": tree.a.pk}).json()["count"] == 1
    assert client.get(TERMS, {"first_year": 2022}).json()["count"] == 3
    assert client.get(TERMS, {"within": tree.a1.pk}).json()["count"] == 3
    assert client.get(TERMS, {"first_year": "x"}).status_code == 400


def test_a_reviewer_above_sets_the_business_grade(tree, years, carol, client_for):
    term = term_of(tree.a1)
    response = grade(client_for(carol), term, grade="B", version=term.version)
    assert response.status_code == 200
    assert response.json()["business_grade"] == "B"
    assert response.json()["version"] == term.version + 1


def test_a_stale_version_is_a_409(tree, years, carol, client_for):
    term = term_of(tree.a1)
    client = client_for(carol)
    grade(client, term, grade="B", version=term.version)
    response = grade(client, term, grade="A", version=term.version)
    assert response.status_code == 409
    assert response.json()["current_version"] == term.version + 1
    assert term_of(tree.a1).business_grade == "B"


def test_refusals(tree, years, carol, alice, bob, client_for):
    term = term_of(tree.a1a)
    assert grade(client_for(carol), term, grade="E", version=1).status_code == 400
    assert grade(client_for(alice), term, grade="A", version=1).status_code == 403
    assert grade(client_for(bob), term, grade="A", version=1).status_code == 404
    assert term_of(tree.a1a).business_grade == ""


def test_the_group_record(tree, years, erin, carol, client_for):
    record = client_for(erin).get(RECORD).json()
    assert record["organization"] == tree.group.pk
    assert record["streak"]["length"] == 0  # 2026 was a C for the group
    assert record["longest"] == {"length": 2, "first_year": 2024, "last_year": 2025}
    assert record["business_longest"]["length"] == 2
    assert record["revenue_growth"] == pytest.approx(20.1, abs=0.01)
    assert record["revenue_meets"] is True
    assert record["profit_meets"] is False
    outside = client_for(carol).get(RECORD)  # no root in carol's scope
    assert outside.status_code == 404
    assert outside.json()["detail"]  # a JSON error like every other 404 of the API


def test_the_list_reads_in_a_fixed_number_of_queries(
    tree, years, erin, client_for, django_assert_max_num_queries
):
    client = client_for(erin)
    client.get(TERMS)
    # session, user, grants, count, the page of terms
    with django_assert_max_num_queries(6):
        assert client.get(TERMS).json()["count"] == 7
