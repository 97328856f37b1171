"""The negative list's sorting and export: the file holds the events the list holds, never those
of the branch next door."""

import csv
import io

import pytest

from tests.html import page

from .test_negative import client_for, english, ivan, record  # noqa: F401

pytestmark = pytest.mark.django_db

LIST = "/records/negative-events/"


def exported(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_the_list_sorts_by_event_both_ways(tree, period, ivan, client_for):  # noqa: F811
    record(tree.a1a, ivan, title="甲事件")
    record(tree.a1b, ivan, title="乙事件")
    client = client_for(ivan)
    titles = lambda sort: page(client.get(f"{LIST}?sort={sort}")).texts(  # noqa: E731
        "[data-event] td:nth-child(3) > a:first-child"
    )
    assert titles("event") == sorted(["甲事件", "乙事件"])
    assert titles("-event") == sorted(["甲事件", "乙事件"], reverse=True)


def test_the_export_holds_the_secretarys_branch_only(tree, period, ivan, alice, client_for):  # noqa: F811
    record(tree.a1a, ivan, title="本支部事件")
    record(tree.a1b, ivan, title="隔壁支部事件")
    rows = exported(client_for(alice).get(f"{LIST}?export=csv"))
    assert [row[2] for row in rows[1:]] == ["本支部事件"]
