"""The meetings and talks API: scoped lists and details, create and update through the services,
bad input as a 400 in the caller's language, stale versions as a 409, bounded queries."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from organizations.models import Person
from records.models import Meeting, Talk
from records.services import meetings as services
from tests.factories import FrameworkFactory, PeriodFactory, PersonFactory
from tests.factories.records import framework_with_records

pytestmark = pytest.mark.django_db

URL = "/api/v1/meetings/"
TALKS = "/api/v1/talks/"
DAY = datetime.date(2026, 3, 10)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"


@pytest.fixture
def members(tree):
    PeriodFactory(framework=FrameworkFactory(document=framework_with_records()), year=2026)
    PersonFactory(organization=tree.a1a, name="王五", employee_number="A1A-2")
    return list(services.expected_people(tree.a1a, DAY))


def body(tree, people, **changes) -> dict:
    data = {
        "organization": tree.a1a.pk,
        "kind": "committee_meeting",
        "date": DAY.isoformat(),
        "topic": "支委会",
        "attendance": [{"person": p.pk, "presence": "present"} for p in people],
    }
    return {**data, **changes}


def post(client, url, data, language="en"):
    return client.post(url, data, content_type="application/json", HTTP_ACCEPT_LANGUAGE=language)


def test_creating_a_meeting_answers_it_with_its_roll(client_for, tree, alice, members):
    first, wang = sorted(members, key=lambda p: p.name != "A1a成员")
    roll = [
        {"person": first.pk, "presence": "present"},
        {"person": wang.pk, "presence": "excused", "reason": "出差"},
    ]
    response = post(client_for(alice), URL, body(tree, members, attendance=roll))
    assert response.status_code == 201, response.json()
    answer = response.json()
    assert answer["organization"]["code"] == "A1a"
    assert answer["kind_name"] == "Branch committee meeting"
    assert answer["counts"] == {"present": 1, "excused": 1, "absent": 0}
    assert sorted((r["person_name"], r["presence"], r["reason"]) for r in answer["attendance"]) == [
        ("A1a成员", "present", ""),
        ("王五", "excused", "出差"),
    ]
    assert answer["version"] == 1


def test_a_committee_meeting_takes_a_partial_roll_and_a_theme_day_does_not(
    client_for, tree, alice, members
):
    client = client_for(alice)
    first = members[0]
    roll = [{"person": first.pk, "presence": "present"}]
    response = post(client, URL, body(tree, members, attendance=roll))
    assert response.status_code == 201, response.json()
    assert [r["person"] for r in response.json()["attendance"]] == [first.pk]
    refused = post(client, URL, body(tree, members, kind="theme_day", attendance=roll))
    assert refused.status_code == 400
    assert "must name everyone expected" in refused.json()["detail"]
    assert Meeting.objects.count() == 1


def test_the_list_and_detail_are_scoped(client_for, tree, alice, bob, carol, members):
    meeting = services.record_meeting(
        tree.a1a,
        kind="committee_meeting",
        date=DAY,
        topic="支委会",
        attendance={p.pk: ("present", "") for p in members},
        acting_user=alice,
    )
    ids = lambda client: [m["id"] for m in client.get(URL).json()["results"]]  # noqa: E731
    assert ids(client_for(alice)) == [meeting.pk]
    assert ids(client_for(carol)) == [meeting.pk]
    assert ids(client_for(bob)) == []
    assert client_for(bob).get(f"{URL}{meeting.pk}/").status_code == 404
    patch = client_for(bob).patch(
        f"{URL}{meeting.pk}/", {"version": 1, "topic": "x"}, content_type="application/json"
    )
    assert patch.status_code == 404


def test_filters(client_for, tree, erin, alice, members):
    for day, kind in ((DAY, "committee_meeting"), (datetime.date(2026, 4, 2), "lecture")):
        services.record_meeting(
            tree.a1a,
            kind=kind,
            date=day,
            topic=kind,
            attendance={p.pk: ("present", "") for p in members},
            acting_user=alice,
        )
    client = client_for(erin)
    count = lambda query: client.get(f"{URL}?{query}").json()["count"]  # noqa: E731
    assert count("kind=lecture") == 1
    assert count("year=2026&month=3") == 1
    assert count(f"within={tree.a.pk}") == 2
    assert count(f"within={tree.b.pk}") == 0
    assert count("date_after=2026-04-01") == 1


def test_a_meeting_for_a_sibling_branch_is_a_400_like_an_unknown_one(
    client_for, tree, alice, members
):
    response = post(client_for(alice), URL, body(tree, members, organization=tree.b1.pk))
    assert response.status_code == 400
    assert response.json()["detail"] == f"No organization {tree.b1.pk} in your scope."
    assert not Meeting.objects.exists()


def test_a_reviewer_who_sees_the_branch_may_not_record_for_it(client_for, tree, carol, members):
    response = post(client_for(carol), URL, body(tree, members))
    assert response.status_code == 403
    assert response.json()["detail"] == "You do not enter records for this organization."


def test_bad_input_is_a_400_in_the_callers_language(client_for, tree, alice, members):
    client = client_for(alice)
    shut = body(tree, members, date="2027-02-01")
    assert post(client, URL, shut).json() == {
        "detail": "The date 2027-02-01 is in no open assessment period."
    }
    chinese = post(client, URL, shut, language="zh-hans")
    assert chinese.status_code == 400
    assert chinese.json()["detail"] == "日期 2027-02-01 不在任何开放的考核期内。"
    malformed = post(client, URL, body(tree, members, attendance=[{"person": "x"}]))
    assert malformed.status_code == 400
    assert "attendance" in malformed.json()
    assert not Meeting.objects.exists()


def test_a_person_twice_on_the_roll_is_a_400(client_for, tree, alice, members):
    roll = [{"person": p.pk, "presence": "present"} for p in (*members, members[0])]
    response = post(client_for(alice), URL, body(tree, members, attendance=roll))
    assert response.status_code == 400
    assert "twice" in response.json()["detail"]


def test_an_unknown_person_and_one_out_of_reach_get_the_same_answer(
    client_for, tree, alice, members
):
    stranger = Person.objects.get(organization=tree.b1)
    missing_id = Person.objects.order_by("-pk").first().pk + 100
    client = client_for(alice)
    answers = []
    for pk in (stranger.pk, missing_id):
        roll = [{"person": p.pk, "presence": "present"} for p in members]
        response = post(
            client,
            URL,
            body(tree, members, attendance=[*roll, {"person": pk, "presence": "present"}]),
        )
        assert response.status_code == 400
        answers.append(response.json()["detail"].replace(str(pk), "ID"))
    assert answers[0] == answers[1]
    assert "B1成员" not in answers[0]


def test_a_stale_update_is_a_409_and_changes_nothing(client_for, tree, alice, members):
    created = post(client_for(alice), URL, body(tree, members)).json()
    client = client_for(alice)
    first = client.patch(
        f"{URL}{created['id']}/", {"version": 1, "topic": "改过"}, content_type="application/json"
    )
    assert (first.status_code, first.json()["version"]) == (200, 2)
    stale = client.patch(
        f"{URL}{created['id']}/", {"version": 1, "topic": "过时"}, content_type="application/json"
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert Meeting.objects.get().topic == "改过"


def test_an_update_without_its_version_is_a_400(client_for, tree, alice, members):
    created = post(client_for(alice), URL, body(tree, members)).json()
    response = client_for(alice).put(
        f"{URL}{created['id']}/", {"topic": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "version" in response.json()


def test_attaching_a_photo_and_refusing_a_text_file(client_for, tree, alice, members):
    created = post(client_for(alice), URL, body(tree, members)).json()
    client = client_for(alice)
    url = f"{URL}{created['id']}/attachments/"
    fake = SimpleUploadedFile("a.jpg", b"hello, not a photo")
    refused = client.post(url, {"files": [fake]}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 400
    assert "only photos" in refused.json()["detail"]
    done = client.post(url, {"files": [SimpleUploadedFile("p.jpg", JPEG)]})
    assert done.status_code == 200
    assert [a["content_type"] for a in done.json()["attachments"]] == ["image/jpeg"]


def test_the_list_takes_the_same_queries_for_one_meeting_or_many(
    client_for, tree, alice, members, django_assert_num_queries
):
    client = client_for(alice)
    post(client, URL, body(tree, members, topic="0"))
    # session, user, grants, count, page, roll, attachments, meeting kinds
    with django_assert_num_queries(8):
        assert client.get(URL).json()["count"] == 1
    for n in range(1, 6):
        post(client, URL, body(tree, members, topic=str(n)))
    with django_assert_num_queries(8):
        assert client.get(URL).json()["count"] == 6


# Talks ------------------------------------------------------------------------------------------


def test_a_talk_between_two_members_is_recorded(client_for, tree, alice, members):
    data = {
        "organization": tree.a1a.pk,
        "talker": members[0].pk,
        "partner": members[1].pk,
        "date": DAY.isoformat(),
        "topic": "思想动态",
    }
    response = post(client_for(alice), TALKS, data)
    assert response.status_code == 201, response.json()
    assert response.json()["partner_name"] == members[1].name
    assert client_for(alice).get(TALKS).json()["count"] == 1


def test_a_talk_with_someone_outside_the_branch_is_a_400(client_for, tree, alice, members):
    stranger = Person.objects.get(organization=tree.b1)
    data = {
        "organization": tree.a1a.pk,
        "talker": members[0].pk,
        "partner": stranger.pk,
        "date": DAY.isoformat(),
        "topic": "思想动态",
    }
    response = post(client_for(alice), TALKS, data)
    assert response.status_code == 400
    assert response.json()["detail"].startswith(f"#{stranger.pk} did not belong")
    assert not Talk.objects.exists()


def test_talks_of_a_sibling_branch_are_not_found(client_for, tree, alice, bob, members):
    created = post(
        client_for(alice),
        TALKS,
        {
            "organization": tree.a1a.pk,
            "talker": members[0].pk,
            "partner": members[1].pk,
            "date": DAY.isoformat(),
            "topic": "谈心",
        },
    ).json()
    assert client_for(bob).get(f"{TALKS}{created['id']}/").status_code == 404
    assert client_for(bob).get(TALKS).json()["count"] == 0
    refused = client_for(bob).patch(
        f"{TALKS}{created['id']}/", {"version": 1, "topic": "x"}, content_type="application/json"
    )
    assert refused.status_code == 404
    changed = client_for(alice).patch(
        f"{TALKS}{created['id']}/", {"version": 1, "topic": "再谈"}, content_type="application/json"
    )
    assert (changed.status_code, changed.json()["topic"]) == (200, "再谈")


def a_talk(client, tree, members) -> dict:
    data = {
        "organization": tree.a1a.pk,
        "talker": members[0].pk,
        "partner": members[1].pk,
        "date": DAY.isoformat(),
        "topic": "谈心",
    }
    return post(client, TALKS, data).json()


def test_a_talk_is_answered_with_its_version_and_a_change_moves_it_on(
    client_for, tree, alice, members
):
    client = client_for(alice)
    created = a_talk(client, tree, members)
    assert created["version"] == 1
    changed = client.patch(
        f"{TALKS}{created['id']}/",
        {"version": 1, "note": "谈得很好"},
        content_type="application/json",
    )
    assert changed.status_code == 200, changed.json()
    assert (changed.json()["version"], changed.json()["note"]) == (2, "谈得很好")
    assert Talk.objects.get().version == 2


def test_a_stale_talk_update_is_a_409_and_changes_nothing(client_for, tree, alice, members):
    client = client_for(alice)
    created = a_talk(client, tree, members)
    url = f"{TALKS}{created['id']}/"
    first = client.patch(url, {"version": 1, "topic": "改过"}, content_type="application/json")
    assert (first.status_code, first.json()["version"]) == (200, 2)
    stale = client.patch(
        url,
        {"version": 1, "topic": "过时"},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    assert "现在是第 2 版" in stale.json()["detail"]
    assert (Talk.objects.get().topic, Talk.objects.get().version) == ("改过", 2)


def test_a_talk_update_without_its_version_is_a_400(client_for, tree, alice, members):
    client = client_for(alice)
    created = a_talk(client, tree, members)
    response = client.put(
        f"{TALKS}{created['id']}/", {"topic": "x"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "version" in response.json()
    assert Talk.objects.get().topic == "谈心"
