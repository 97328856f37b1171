"""The appraisal list's sorting and exports: the file holds the committee's branches only."""

import csv
import io

import pytest
from django.urls import reverse

from tests.html import page

from .appraisal_builders import appraised_period
from .test_appraisals import NINE

pytestmark = pytest.mark.django_db


@pytest.fixture
def three(std_framework, tree):
    return appraised_period(
        std_framework, {tree.a1a: NINE, tree.a1b: NINE[:4], tree.b1: NINE[:2]}, year=2026
    )


def test_the_list_sorts_by_members_both_ways(three, client_for, carol):
    client = client_for(carol)
    url = reverse("standards:appraisals")
    counts = lambda sort: page(client.get(url, {"sort": sort})).texts(  # noqa: E731
        "[data-appraisal] [data-members]"
    )
    assert counts("members") == ["4", "9"]
    assert counts("-members") == ["9", "4"]


def test_the_export_holds_the_committees_branches_only(three, tree, client_for, carol):
    response = client_for(carol).get(
        reverse("standards:appraisals"), {"export": "csv", "sort": "branch"}
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert [row[0] for row in rows[1:]] == [tree.a1a.display_name, tree.a1b.display_name]
    assert [row[2] for row in rows[1:]] == ["9", "4"]
