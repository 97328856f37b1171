"""The star list's sorting and exports: the file holds the ratings the list holds, never those of
another committee's branches."""

import csv
import io

import pytest
from django.urls import reverse

from standards.services import stars as services
from tests.html import page

from .stars_builders import FOUR, FULL, score_branches, vetoed

pytestmark = pytest.mark.django_db


@pytest.fixture
def rated(std_period, tree):
    score_branches(
        std_period, {tree.a1a: FULL, tree.a1b: {**FULL, "C1.03": "90"}, tree.b1: vetoed(FOUR)}
    )
    services.propose(std_period)
    return std_period


def test_the_list_sorts_by_branch_both_ways(rated, tree, carol, client_for):
    client = client_for(carol)
    url = reverse("standards:stars")
    names = lambda sort: page(  # noqa: E731
        client.get(url, {"period": rated.pk, "sort": sort})
    ).texts("tr[data-rating] > td:first-child > a:first-child")
    assert names("branch") == [tree.a1a.display_name, tree.a1b.display_name]
    assert names("-branch") == [tree.a1b.display_name, tree.a1a.display_name]


def test_the_export_holds_the_committees_branches_only(rated, tree, carol, client_for):
    response = client_for(carol).get(
        reverse("standards:stars"), {"period": rated.pk, "export": "csv", "sort": "branch"}
    )
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    assert [line[0] for line in lines[1:]] == [tree.a1a.display_name, tree.a1b.display_name]


def test_the_workbook_export_answers_a_workbook(rated, carol, client_for):
    response = client_for(carol).get(
        reverse("standards:stars"), {"period": rated.pk, "export": "xlsx"}
    )
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
