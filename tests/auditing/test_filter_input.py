"""Dates the audit filters refuse: a clear 400 or form error, never a 500 (issue 12, item 10).

PostgreSQL holds offsets up to 15:59 only and SQLite's conversion to UTC overflows at the ends of
the calendar; both reached the database and answered 500 (the export streamed an empty file).
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

LIST = reverse("audit:list")
CSV = reverse("audit:export_csv")
XLSX = reverse("audit:export_xlsx")
API = "/api/v1/audit/"

REFUSED = [
    {"since": "2026-01-01T00:00:00+18:00"},
    {"until": "2026-01-01T00:00:00-15:30"},
    {"since": "0001-01-01T00:00:00+01:00"},
    {"until": "9999-12-31T23:00:00-14:00"},
    {"since": "0001-01-01"},
]


@pytest.mark.parametrize("params", REFUSED)
def test_the_api_answers_400_with_the_reason(api_for, erin, params):
    response = api_for(erin).get(API, params)

    assert response.status_code == 400
    body = response.json()
    name = next(iter(params))
    assert body[name]
    assert name in body["detail"]


@pytest.mark.parametrize("params", REFUSED)
def test_the_page_shows_the_form_error(client_for, erin, params):
    response = client_for(erin).get(LIST, params)

    assert response.status_code == 200
    assert next(iter(params)) in response.context["form"].errors


@pytest.mark.parametrize("url", [CSV, XLSX])
@pytest.mark.parametrize("params", REFUSED)
def test_the_exports_answer_400_instead_of_an_empty_file(client_for, erin, url, params):
    response = client_for(erin).get(url, params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")


def test_the_offset_error_is_in_the_readers_language(client_for, erin):
    response = client_for(erin).get(CSV, {"since": "2026-01-01T00:00:00+18:00"})

    assert "时区" in response.content.decode()


def test_a_real_offset_filters_by_the_instant_it_names(api_for, erin):
    client = api_for(erin)
    everything = client.get(API).json()["count"]

    assert client.get(API, {"since": "2000-01-01T00:00:00+14:00"}).json()["count"] == everything
    assert client.get(API, {"until": "2000-01-01T00:00:00-12:00"}).json()["count"] == 0
    assert client.get(API, {"until": "9999-12-31"}).json()["count"] == everything


BEYOND_64_BITS = str(10**20)


@pytest.mark.parametrize(
    "params",
    [
        {"page": BEYOND_64_BITS},
        {"page": str(2**63 - 1)},
        {"page": "-5"},
        {"page": "²"},
        {"within": BEYOND_64_BITS},
        {"within": "²"},
    ],
)
def test_a_garbled_page_or_organization_is_never_a_server_error(client_for, erin, params):
    """GIVEN a page number or an organization id no database column holds, WHEN the list is
    asked for it, THEN it answers (the picker and the page's window once reached SQLite with a
    number beyond 64 bits and answered 500)."""
    response = client_for(erin).get(LIST, params)

    assert response.status_code == 200
    assert response.context["page"]["number"] >= 1
