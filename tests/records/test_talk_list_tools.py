"""The talk list's sorting and export: the file holds the talks the list holds, never the
branch next door's."""

import csv
import io

import pytest
from django.urls import reverse

from tests.factories import PersonFactory
from tests.factories.records import TalkFactory
from tests.html import page

from .test_talks import people  # noqa: F401

pytestmark = pytest.mark.django_db


def test_the_list_sorts_by_topic_and_exports_the_branchs_talks_only(
    tree,
    alice,
    people,  # noqa: F811
    client_for,
):
    secretary, member, _above = people
    TalkFactory(organization=tree.a1a, talker=secretary, partner=member, topic="乙谈话")
    TalkFactory(organization=tree.a1a, talker=secretary, partner=member, topic="甲谈话")
    neighbours = [PersonFactory(organization=tree.a1b, name=n) for n in ("邻居甲", "邻居乙")]
    TalkFactory(
        organization=tree.a1b, talker=neighbours[0], partner=neighbours[1], topic="隔壁谈话"
    )
    client = client_for(alice)
    url = reverse("records:talk_list", args=[tree.a1a.pk])
    topics = lambda sort: page(client.get(url, {"sort": sort})).texts("[data-topic]")  # noqa: E731
    assert topics("topic") == sorted(["乙谈话", "甲谈话"])
    assert topics("-topic") == sorted(["乙谈话", "甲谈话"], reverse=True)
    response = client.get(url, {"export": "csv"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert sorted(row[1] for row in rows[1:]) == sorted(["乙谈话", "甲谈话"])
    assert "隔壁谈话" not in body
