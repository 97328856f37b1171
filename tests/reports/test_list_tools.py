"""The report list's sorting and exports: the file holds the reports the list holds, never
someone else's reports on another organization."""

import csv
import io

import pytest

from tests.html import page

pytestmark = pytest.mark.django_db


def exported(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_list_sorts_by_number_both_ways(scored, tree, dave, client_for, make_report):
    first, second = make_report(dave, tree.a, "csv"), make_report(dave, tree.a1, "csv")
    client = client_for(dave)
    numbers = lambda sort: page(client.get(f"/reports/?sort={sort}")).texts(  # noqa: E731
        "#report-table tbody > tr[data-report] > td:first-child a"
    )
    assert numbers("number") == [str(first.pk), str(second.pk)]
    assert numbers("-number") == [str(second.pk), str(first.pk)]


def test_the_export_holds_the_users_reports_only(scored, tree, dave, erin, client_for, make_report):
    mine = make_report(dave, tree.a1, "csv")
    make_report(erin, tree.b, "csv")  # the administrator's, on B: outside dave's scope
    response = client_for(dave).get("/reports/?export=csv")
    assert response.status_code == 200
    rows = exported(response)
    assert [row[0] for row in rows[1:]] == [str(mine.pk)]
    assert rows[1][1] == tree.a1.display_name
