"""The secretaries' reports list: sorting and the export, which holds the reports the list holds
(a secretary's own, never the branch next door's), with the ratings named as on the page."""

import csv
import io

import pytest
from django.urls import reverse

from standards.services import reports as services
from tests.html import page

from .secretary_report_rows import submitted

pytestmark = pytest.mark.django_db

LIST = reverse("standards:secretary_reports")


@pytest.fixture
def period(std_period):
    services.open_for_period(std_period)
    return std_period


def exported(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_list_sorts_by_organization_both_ways(period, tree, client_for, carol):
    client = client_for(carol)
    names = lambda sort: page(client.get(LIST, {"sort": sort})).texts(  # noqa: E731
        "tr[data-report] td:nth-child(2) > a:first-child"
    )
    assert names("organization") == [
        tree.a.display_name,
        tree.a1.display_name,
        tree.a1a.display_name,
        tree.a1b.display_name,
    ]
    assert names("-organization") == list(reversed(names("organization")))


def test_the_export_holds_the_secretarys_report_only(period, tree, client_for, alice):
    submitted(period, tree.a1a, by=alice)
    rows = exported(client_for(alice).get(LIST, {"export": "csv"}))
    assert [row[1] for row in rows[1:]] == [tree.a1a.display_name]
    shown = page(client_for(alice).get(LIST))
    assert rows[1][4] == shown.text("tr[data-report] [data-proposed]")
