"""The follow-up list's sorting and exports: the file holds the steps the list holds; the branch
next door exports nothing of them."""

import csv
import io

import pytest
from django.urls import reverse

from tests.html import page

from .test_follow_ups import steps  # noqa: F401

pytestmark = pytest.mark.django_db


def exported(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_list_sorts_by_member_both_ways(steps, client_for, carol):  # noqa: F811
    client = client_for(carol)
    url = reverse("standards:follow_ups")
    names = lambda sort: page(client.get(url, {"sort": sort})).texts(  # noqa: E731
        "[data-follow-up] > td:first-child a"
    )
    assert names("member") == sorted(names("member"))
    assert names("-member") == sorted(names("member"), reverse=True)
    assert len(set(names("member"))) > 1


def test_the_export_holds_what_the_list_holds(steps, client_for, carol, alice, bob):  # noqa: F811
    url = reverse("standards:follow_ups")
    listed = page(client_for(carol).get(url, {"per_page": 200})).count("[data-follow-up]")
    rows = exported(client_for(alice).get(url, {"export": "csv"}))
    assert len(rows) - 1 == listed == 5
    assert exported(client_for(bob).get(url, {"export": "csv"}))[1:] == []
