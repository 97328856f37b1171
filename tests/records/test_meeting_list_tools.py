"""The meeting list's sorting, page size and exports: the file holds the meetings the list holds,
never the branch next door's; the page's queries do not grow with the meetings."""

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records.services import meetings as services
from tests.factories import PersonFactory
from tests.html import page

from .test_meetings import DAY, everyone_present, members, records_period  # noqa: F401

pytestmark = pytest.mark.django_db


def meet(organization, user, people, topic: str, day: datetime.date = DAY):
    return services.record_meeting(
        organization,
        kind="committee_meeting",
        date=day,
        topic=topic,
        attendance=everyone_present(people),
        acting_user=user,
    )


def url(organization, **query) -> str:
    base = reverse("records:meeting_list", args=[organization.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_list_sorts_by_topic_both_ways(tree, alice, members, client_for):  # noqa: F811
    meet(tree.a1a, alice, members, "乙")
    meet(tree.a1a, alice, members, "甲", DAY + datetime.timedelta(days=1))
    client = client_for(alice)
    topics = lambda sort: page(client.get(url(tree.a1a, sort=sort))).texts(  # noqa: E731
        "[data-meeting] a.fw-semibold"
    )
    assert topics("topic") == sorted(["乙", "甲"])
    assert topics("-topic") == sorted(["乙", "甲"], reverse=True)
    assert topics("-date") == ["甲", "乙"]


def test_the_export_holds_the_branchs_meetings_only(tree, alice, bob, members, client_for):  # noqa: F811
    meet(tree.a1a, alice, members, "本支部会议")
    neighbour = [PersonFactory(organization=tree.a1b, name="钱七", employee_number="A1B-2")]
    meet(tree.a1b, bob, services.expected_people(tree.a1b, DAY) or neighbour, "隔壁支部会议")
    response = client_for(alice).get(url(tree.a1a, export="csv"))
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = list(csv.reader(io.StringIO(body)))
    assert [line[1] for line in lines[1:]] == ["本支部会议"]
    assert client_for(alice).get(url(tree.a1b, export="csv")).status_code == 404


def test_the_page_takes_the_same_queries_for_one_or_many(tree, alice, members, client_for):  # noqa: F811
    client = client_for(alice)
    meet(tree.a1a, alice, members, "一")
    counts = []
    for extra in (0, 5):
        for n in range(extra):
            meet(tree.a1a, alice, members, f"会议{n}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url(tree.a1a, per_page=25))
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
