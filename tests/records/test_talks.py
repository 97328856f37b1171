"""Heart-to-heart talks: the services' rules, the list and the pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from assessment.choices import PeriodStatus
from assessment.models import Period
from audit.models import AuditEntry, AuditKind
from organizations.models import Membership, Person
from records.models import Talk
from records.selectors import meetings as selectors
from records.services import talks as services
from records.services.dates import NotAllowed, RecordRefused, StaleVersion
from tests.factories import FrameworkFactory, PeriodFactory, PersonFactory, TalkFactory
from tests.factories.records import framework_with_records
from tests.html import page

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def people(tree):
    """The secretary of A1a and a member, and a member of A1 (the general branch above)."""
    PeriodFactory(framework=FrameworkFactory(document=framework_with_records()), year=2026)
    secretary = PersonFactory(organization=tree.a1a, name="书记")
    member = PersonFactory(organization=tree.a1a, name="党员甲")
    above = PersonFactory(organization=tree.a1, name="总支委员")
    return secretary, member, above


def talk(tree, alice, talker, partner, organization=None, **changes) -> Talk:
    fields = {"date": DAY, "topic": "思想动态", "note": ""}
    return services.record_talk(
        organization or tree.a1a,
        talker=talker,
        partner=partner,
        **{**fields, **changes},
        acting_user=alice,
    )


def test_a_talk_is_recorded_and_audited(tree, alice, people):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    assert (recorded.talker, recorded.partner, recorded.organization) == (
        secretary,
        member,
        tree.a1a,
    )
    entry = AuditEntry.objects.get(target=f"talk:{recorded.pk}")
    assert (entry.kind, entry.after["partner"]) == (AuditKind.RECORD_SAVED, member.pk)


def test_both_people_must_belong_to_the_subtree_on_the_day(tree, alice, people):
    secretary, _member, above = people
    # Alice does not see the general branch's people: the one above is named by id only.
    with pytest.raises(RecordRefused, match=f"^#{above.pk} did not belong to A1a branch"):
        talk(tree, alice, secretary, above)
    assert not Talk.objects.exists()


def test_a_committee_talk_may_reach_into_its_branches(tree, erin, people):
    secretary, _member, above = people
    recorded = talk(tree, erin, above, secretary, organization=tree.a1)
    assert recorded.organization == tree.a1


def test_a_member_who_left_before_the_talk_is_refused(tree, alice, people):
    secretary, member, _above = people
    Person.objects.filter(pk=member.pk).update(organization=tree.b1)
    member.refresh_from_db()
    Membership.objects.follow([member], day=datetime.date(2026, 3, 1))
    with pytest.raises(RecordRefused, match="党员甲 did not belong"):
        talk(tree, alice, secretary, member)
    assert talk(tree, alice, secretary, member, date=datetime.date(2026, 2, 20)).pk


def test_one_cannot_talk_with_oneself(tree, alice, people):
    secretary, _member, _above = people
    with pytest.raises(RecordRefused, match="between two people"):
        talk(tree, alice, secretary, secretary)


def test_a_talk_outside_an_open_period_is_refused(tree, alice, people):
    secretary, member, _above = people
    with pytest.raises(RecordRefused, match="no open assessment period"):
        talk(tree, alice, secretary, member, date=datetime.date(2025, 12, 1))


def test_a_sibling_secretary_may_not_record_for_the_branch(tree, bob, people):
    secretary, member, _above = people
    with pytest.raises(NotAllowed):
        talk(tree, bob, secretary, member)


def test_changing_and_deleting_follow_the_period(tree, alice, people):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    services.change_talk(
        recorded,
        version=1,
        talker=member,
        partner=secretary,
        date=DAY,
        topic="工作困难",
        acting_user=alice,
    )
    recorded.refresh_from_db()
    assert (recorded.talker, recorded.topic) == (member, "工作困难")
    Period.objects.update(status=PeriodStatus.LOCKED)
    with pytest.raises(RecordRefused, match="locked"):
        services.delete_talk(recorded, acting_user=alice)
    Period.objects.update(status=PeriodStatus.OPEN)
    services.delete_talk(recorded, acting_user=alice)
    assert not Talk.objects.exists()
    assert AuditEntry.objects.filter(
        kind=AuditKind.RECORD_DELETED, target=f"talk:{recorded.pk}"
    ).exists()


def change(talk_, alice, version, **changes) -> Talk:
    fields = {
        "talker": talk_.talker,
        "partner": talk_.partner,
        "date": talk_.date,
        "topic": talk_.topic,
        "note": talk_.note,
    }
    return services.change_talk(talk_, version=version, **{**fields, **changes}, acting_user=alice)


def test_a_change_moves_the_version_on_and_is_audited(tree, alice, people):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    assert recorded.version == 1
    changed = change(recorded, alice, 1, topic="工作困难")
    assert (changed.version, changed.topic) == (2, "工作困难")
    recorded.refresh_from_db()
    assert recorded.version == 2
    entry = AuditEntry.objects.filter(target=f"talk:{recorded.pk}").latest("pk")
    assert (entry.before["version"], entry.after["version"]) == (1, 2)


def test_a_change_from_a_stale_form_is_refused_and_changes_nothing(tree, alice, people):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    change(recorded, alice, 1, topic="第一次修改")
    audited = AuditEntry.objects.count()
    with pytest.raises(StaleVersion, match="now version 2"):
        change(recorded, alice, 1, topic="过时的修改")
    recorded.refresh_from_db()
    assert (recorded.version, recorded.topic) == (2, "第一次修改")
    assert AuditEntry.objects.count() == audited


def test_a_stale_deletion_is_refused_and_the_talk_stays(tree, alice, people):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    change(recorded, alice, 1, topic="第一次修改")
    with pytest.raises(StaleVersion):
        services.delete_talk(recorded, version=1, acting_user=alice)
    assert Talk.objects.filter(pk=recorded.pk).exists()
    services.delete_talk(recorded, version=2, acting_user=alice)
    assert not Talk.objects.exists()


def test_the_list_reads_in_a_fixed_number_of_queries(
    tree, alice, people, django_assert_num_queries
):
    secretary, member, _above = people
    for n in range(4):
        TalkFactory(organization=tree.a1a, talker=secretary, partner=member, topic=f"谈话{n}")
    user = type(alice).objects.get(pk=alice.pk)
    with django_assert_num_queries(2):  # the grants, the talks with both people
        rows = [(t.topic, t.talker.name, t.partner.name) for t in selectors.talks(user, tree.a1a)]
    assert len(rows) == 4


# Pages ----------------------------------------------------------------------------------------


def test_recording_a_talk_through_the_page(client_for, tree, alice, people):
    secretary, member, _above = people
    client = client_for(alice)
    form = page(client.get(reverse("records:talk_create", args=[tree.a1a.pk])))
    offered = [o.get_text() for o in form.select("select[name=talker] option[value]")]
    assert "书记 (" in " ".join(offered)
    assert not any(name.startswith("总支委员") for name in offered)
    data = {
        "talker": secretary.pk,
        "partner": member.pk,
        "date": DAY.isoformat(),
        "topic": "谈心谈话",
    }
    response = client.post(reverse("records:talk_create", args=[tree.a1a.pk]), data)
    assert response["Location"] == reverse("records:talk_list", args=[tree.a1a.pk])
    listing = page(client.get(response["Location"]))
    assert listing.text("[data-talk] [data-people]") == "书记 与 党员甲"


def test_a_talk_dated_outside_any_open_period_is_shown_the_reason(client_for, tree, alice, people):
    secretary, member, _above = people
    data = {
        "talker": secretary.pk,
        "partner": member.pk,
        "date": "2025-05-01",
        "topic": "谈心谈话",
    }
    response = client_for(alice).post(reverse("records:talk_create", args=[tree.a1a.pk]), data)
    assert response.status_code == 400
    assert page(response).text("[data-alert]") == "日期 2025-05-01 不在任何开放的考核期内。"
    assert not Talk.objects.exists()


def test_talk_pages_of_a_sibling_branch_are_not_found(client_for, tree, alice, bob, people):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    client = client_for(bob)
    assert client.get(reverse("records:talk_list", args=[tree.a1a.pk])).status_code == 404
    assert client.get(reverse("records:talk_edit", args=[recorded.pk])).status_code == 404
    assert client.post(reverse("records:talk_delete", args=[recorded.pk])).status_code == 404
    assert Talk.objects.filter(pk=recorded.pk).exists()


def edit_data(talk_, **changes) -> dict:
    data = {
        "talker": talk_.talker_id,
        "partner": talk_.partner_id,
        "date": talk_.date.isoformat(),
        "topic": talk_.topic,
        "note": talk_.note,
        "version": str(talk_.version),
    }
    return {**data, **changes}


def test_the_edit_form_carries_the_version_it_shows(client_for, tree, alice, people):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    change(recorded, alice, 1, topic="改过一次")
    shown = page(client_for(alice).get(reverse("records:talk_edit", args=[recorded.pk])))
    assert shown.field("version")["value"] == "2"
    assert shown.field("version")["type"] == "hidden"


def test_editing_a_talk_through_the_page_moves_the_version_on(client_for, tree, alice, people):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    response = client_for(alice).post(
        reverse("records:talk_edit", args=[recorded.pk]), edit_data(recorded, topic="工作困难")
    )
    assert response["Location"] == reverse("records:talk_list", args=[tree.a1a.pk])
    recorded.refresh_from_db()
    assert (recorded.topic, recorded.version) == ("工作困难", 2)


def test_a_stale_edit_is_refused_with_a_clear_error_and_changes_nothing(
    client_for, tree, alice, people
):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    data = edit_data(recorded, topic="我的修改")  # the form as opened, at version 1
    change(recorded, alice, 1, topic="别人先改了")
    response = client_for(alice).post(reverse("records:talk_edit", args=[recorded.pk]), data)
    assert response.status_code == 409
    assert "现在是第 2 版" in page(response).text("[data-alert]")
    recorded.refresh_from_db()
    assert (recorded.topic, recorded.version) == ("别人先改了", 2)


def test_an_edit_without_its_version_is_refused_as_stale(client_for, tree, alice, people):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    data = edit_data(recorded, topic="我的修改")
    del data["version"]
    response = client_for(alice).post(reverse("records:talk_edit", args=[recorded.pk]), data)
    assert response.status_code == 409
    recorded.refresh_from_db()
    assert (recorded.topic, recorded.version) == ("思想动态", 1)


def test_deleting_through_the_page_takes_the_version_shown(client_for, tree, alice, people):
    secretary, member, _above = people
    recorded = talk(tree, alice, secretary, member)
    client = client_for(alice)
    listing = page(client.get(reverse("records:talk_list", args=[tree.a1a.pk])))
    delete_form = listing.form(reverse("records:talk_delete", args=[recorded.pk]))
    assert delete_form.select_one("input[name=version]")["value"] == "1"
    change(recorded, alice, 1, topic="别人先改了")
    stale = client.post(reverse("records:talk_delete", args=[recorded.pk]), {"version": "1"})
    assert stale["Location"] == reverse("records:talk_list", args=[tree.a1a.pk])
    assert any("现在是第 2 版" in m for m in page(client.get(stale["Location"])).messages())
    assert Talk.objects.filter(pk=recorded.pk).exists()
    client.post(reverse("records:talk_delete", args=[recorded.pk]), {"version": "2"})
    assert not Talk.objects.exists()
