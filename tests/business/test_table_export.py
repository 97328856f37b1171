"""The year's table of business figures exported: the file holds the table's rows, those of the
caller's scope only (B1's figures never reach carol, who reviews A)."""

import csv
import io

import pytest
from django.urls import reverse

from .test_pages import client_for, figures  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_export_holds_the_scoped_table(client_for, carol, figures, tree):  # noqa: F811
    response = client_for(carol).get(reverse("business:table"), {"year": 2024, "export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[0][0] == "Organization"
    assert [row[0] for row in rows[1:]] == [tree.a1.display_name, tree.a1a.display_name]
    assert "999" not in body


def test_the_workbook_export_answers_a_workbook(client_for, erin, figures):  # noqa: F811
    response = client_for(erin).get(reverse("business:table"), {"year": 2024, "export": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
