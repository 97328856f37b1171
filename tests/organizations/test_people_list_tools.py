"""The people list of an organization: sorting, page size and the export, which holds the
organization's people and no one else's."""

import csv
import io

import pytest

from tests.factories import PersonFactory
from tests.html import page

pytestmark = pytest.mark.django_db


def detail_url(org) -> str:
    return f"/organizations/{org.pk}/"


def test_the_people_sort_by_name_both_ways(client_for, tree, alice):
    PersonFactory(organization=tree.a1a, name="Zed", employee_number="E-1")
    PersonFactory(organization=tree.a1a, name="Amy", employee_number="E-2")
    client = client_for(alice)
    names = lambda sort: [  # noqa: E731
        row[0]
        for row in page(client.get(detail_url(tree.a1a) + f"?sort={sort}")).rows("#people tbody")
    ]
    assert names("name") == sorted(names("name"))
    assert names("-name") == sorted(names("name"), reverse=True)


def test_the_page_size_is_chosen(client_for, tree, alice):
    PersonFactory.create_batch(30, organization=tree.a1a, name="页测")
    shown = page(client_for(alice).get(detail_url(tree.a1a) + "?per_page=25"))
    assert len(shown.rows("#people tbody")) == 25


def test_the_export_holds_the_organizations_people_only(client_for, tree, alice):
    PersonFactory(organization=tree.a1a, name="本支部", employee_number="E-OWN")
    PersonFactory(organization=tree.a1b, name="隔壁", employee_number="E-NEXT")
    client = client_for(alice)
    response = client.get(detail_url(tree.a1a) + "?export=csv&sort=number")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert "E-OWN" in [row[1] for row in rows]
    assert "E-NEXT" not in body
    assert client.get(detail_url(tree.a1b) + "?export=csv").status_code == 404
