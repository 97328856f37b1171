"""The rectification list's sorting, page size and exports: the file holds what the list holds,
never another organization's items."""

import csv
import io

import pytest

from tests.html import page

from .test_views import make_many

pytestmark = pytest.mark.django_db


def rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_list_sorts_by_a_column_both_ways(period, tree, alice, client_for):
    make_many(period, tree.a1a, 3, alice)
    client = client_for(alice)
    shown = page(client.get("/rectification/?sort=-indicator"))
    codes = [t.split()[0] for t in shown.texts("tbody > tr[data-item] > td:first-child a")]
    assert codes == ["C1.002", "C1.001", "C1.000"]
    shown = page(client.get("/rectification/?sort=indicator"))
    codes = [t.split()[0] for t in shown.texts("tbody > tr[data-item] > td:first-child a")]
    assert codes == ["C1.000", "C1.001", "C1.002"]


def test_the_page_size_is_chosen(period, tree, alice, client_for):
    make_many(period, tree.a1a, 30, alice)
    shown = page(client_for(alice).get("/rectification/?per_page=25"))
    assert shown.count("tbody > tr[data-item]") == 25
    assert shown.has('[data-per-page="25"][aria-current="true"]')


def test_the_export_holds_the_secretarys_items_only(period, tree, alice, client_for):
    make_many(period, tree.a1a, 2, alice)
    make_many(period, tree.a1b, 3, None)  # the sibling branch's, out of alice's scope
    response = client_for(alice).get("/rectification/?export=csv&state=&sort=indicator")
    assert response.status_code == 200
    lines = rows(response)
    assert len(lines) == 3  # the headings and alice's two
    assert {line[1] for line in lines[1:]} == {tree.a1a.display_name}


def test_the_export_follows_the_filters(period, tree, alice, erin, client_for):
    make_many(period, tree.a1a, 2, alice)
    make_many(period, tree.b1, 2, None)
    response = client_for(erin).get(f"/rectification/?export=xlsx&within={tree.b.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    response = client_for(erin).get(f"/rectification/?export=csv&within={tree.b.pk}")
    assert {line[1] for line in rows(response)[1:]} == {tree.b1.display_name}
