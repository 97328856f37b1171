"""The business API: figures read in the view scope, written by the finance role with versions;
measures read by anyone signed in.

Gina is finance on committee A; carol reviews A (sees, enters nothing); bob is A1b's secretary.
"""

import pytest

from business.models import BusinessFigure
from business.services.figures import save_figures

pytestmark = pytest.mark.django_db

URL = "/api/v1/business-figures/"


@pytest.fixture
def client_for(client_for, settings):
    """Answers in English (the messages matched are the English ones)."""

    def login(user):
        client = client_for(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return login


@pytest.fixture
def figures(tree, erin):
    save_figures(tree.a1, 2024, {"revenue": "100", "sasac_grade": "A"}, acting_user=erin)
    save_figures(tree.a1, 2025, {"revenue": "120"}, acting_user=erin)
    save_figures(tree.b1, 2025, {"revenue": "999"}, acting_user=erin)
    return BusinessFigure.objects.get(organization=tree.a1, year=2025)


def test_the_list_holds_the_callers_scope_only(client_for, carol, figures, tree):
    answer = client_for(carol).get(URL).json()
    assert {(r["organization"]["code"], r["year"], r["measure"]) for r in answer["results"]} == {
        ("A1", 2024, "revenue"),
        ("A1", 2024, "sasac_grade"),
        ("A1", 2025, "revenue"),
    }


def test_the_list_filters_by_year_measure_and_within(client_for, erin, figures, tree):
    client = client_for(erin)
    assert client.get(URL, {"year": 2025}).json()["count"] == 2
    rows = client.get(URL, {"measure": "sasac_grade"}).json()["results"]
    assert [(r["value"], r["year"]) for r in rows] == [("A", 2024)]
    assert client.get(URL, {"within": tree.b.pk}).json()["count"] == 1
    assert client.get(URL, {"organization": tree.a1.pk, "year": 2024}).json()["count"] == 2


def test_a_figure_outside_the_scope_is_a_404(client_for, bob, figures):
    assert client_for(bob).get(f"{URL}{figures.pk}/").status_code == 404


def test_finance_creates_a_figure(client_for, gina, tree):
    answer = client_for(gina).post(
        URL,
        {"organization": tree.a1a.pk, "year": 2025, "measure": "profit", "value": "-12.5"},
        content_type="application/json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["value"], body["version"], body["source"]) == ("-12.5", 1, "api")


def test_a_bad_value_is_a_400_with_the_reason(client_for, gina, tree):
    answer = client_for(gina).post(
        URL,
        {"organization": tree.a1a.pk, "year": 2025, "measure": "sasac_grade", "value": "F"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert "A, B, C or D" in answer.json()["detail"]
    assert not BusinessFigure.objects.exists()


def test_an_organization_outside_the_scope_is_a_400(client_for, gina, tree):
    answer = client_for(gina).post(
        URL,
        {"organization": tree.b1.pk, "year": 2025, "measure": "profit", "value": "1"},
        content_type="application/json",
    )
    assert answer.status_code == 400
    assert not BusinessFigure.objects.exists()


def test_without_the_finance_role_a_write_is_a_403(client_for, carol, figures, tree):
    client = client_for(carol)
    answer = client.patch(
        f"{URL}{figures.pk}/", {"value": "1", "version": 1}, content_type="application/json"
    )
    assert answer.status_code == 403
    assert "may not enter" in answer.json()["detail"]
    answer = client.post(
        URL,
        {"organization": tree.a1.pk, "year": 2023, "measure": "profit", "value": "1"},
        content_type="application/json",
    )
    assert answer.status_code == 403


def test_a_change_with_the_current_version_is_saved(client_for, gina, figures):
    answer = client_for(gina).patch(
        f"{URL}{figures.pk}/", {"value": "130", "version": 1}, content_type="application/json"
    )
    assert answer.status_code == 200
    assert (answer.json()["value"], answer.json()["version"]) == ("130", 2)


def test_a_stale_change_is_a_409_and_changes_nothing(client_for, gina, figures):
    client = client_for(gina)
    client.patch(
        f"{URL}{figures.pk}/", {"value": "130", "version": 1}, content_type="application/json"
    )
    answer = client.patch(
        f"{URL}{figures.pk}/", {"value": "140", "version": 1}, content_type="application/json"
    )
    assert answer.status_code == 409
    assert answer.json()["current_version"] == 2
    figures.refresh_from_db()
    assert figures.value == 130


def test_creating_a_figure_that_exists_is_a_409(client_for, gina, figures, tree):
    answer = client_for(gina).post(
        URL,
        {"organization": tree.a1.pk, "year": 2025, "measure": "revenue", "value": "1"},
        content_type="application/json",
    )
    assert answer.status_code == 409


def test_measures_are_read_by_anyone_signed_in(client_for, frank):
    answer = client_for(frank).get("/api/v1/business-measures/")
    assert [m["code"] for m in answer.json()["results"]][:2] == ["revenue", "profit"]
