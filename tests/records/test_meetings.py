"""Meetings of organizational life: the services' rules, the selectors and the pages.

Alice is the secretary of branch A1a; the year 2026 is open under a framework whose records
section declares the meeting kinds (tests.factories.records.framework_with_records).
"""

import datetime
import hashlib

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from assessment.choices import PeriodStatus
from assessment.models import Period
from audit.models import AuditEntry, AuditKind
from organizations.models import Membership, Person
from records.models import Attendance, Meeting, MeetingAttachment
from records.selectors import meetings as selectors
from records.services import meetings as services
from records.services.dates import NotAllowed, RecordRefused, StaleVersion, check_open
from tests.factories import FrameworkFactory, PeriodFactory, PersonFactory
from tests.factories.records import framework_with_records
from tests.html import page

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    """Messages are matched in English here; the Chinese ones are checked on the pages."""
    with translation.override("en"):
        yield


DAY = datetime.date(2026, 3, 10)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def photo(name: str = "现场.jpg", content: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


@pytest.fixture
def records_period(tree):
    return PeriodFactory(framework=FrameworkFactory(document=framework_with_records()), year=2026)


@pytest.fixture
def members(tree, records_period):
    """A1a's members: the one the tree gave it and two more (one probationary), and a member of
    staff who is not a party member (never expected)."""
    PersonFactory(organization=tree.a1a, name="王五", employee_number="A1A-2")
    PersonFactory(organization=tree.a1a, name="赵六", employee_number="A1A-3", kind="probationary")
    PersonFactory(organization=tree.a1a, name="职工", employee_number="A1A-9", kind="staff")
    return list(services.expected_people(tree.a1a, DAY))


def everyone_present(people) -> dict[int, tuple[str, str]]:
    return {p.pk: ("present", "") for p in people}


def record(tree, alice, people, **changes) -> Meeting:
    fields = {
        "kind": "committee_meeting",
        "date": DAY,
        "topic": "学习二十届三中全会精神",
        "attendance": everyone_present(people),
    }
    return services.record_meeting(tree.a1a, **{**fields, **changes}, acting_user=alice)


def transfer(person: Person, to, day: datetime.date) -> None:
    """The person moves to `to` on `day`: the old membership closes the day before."""
    Person.objects.filter(pk=person.pk).update(organization=to)
    person.refresh_from_db()
    Membership.objects.follow([person], day=day)


# Dates ----------------------------------------------------------------------------------------


def test_a_date_inside_the_open_year_is_open(records_period):
    assert check_open(DAY) == records_period


def test_a_date_in_no_period_is_refused(records_period):
    with pytest.raises(RecordRefused, match="no open assessment period"):
        check_open(datetime.date(2025, 6, 1))


def test_a_date_inside_a_locked_period_is_refused_even_if_another_period_is_open(
    records_period,
):
    month = PeriodFactory(
        framework=records_period.framework,
        kind="month",
        name="2026年3月",
        name_en="March 2026",
        start=datetime.date(2026, 3, 1),
        end=datetime.date(2026, 3, 31),
        deadline=datetime.date(2026, 4, 10),
        opened=False,
    )
    Period.objects.filter(pk=month.pk).update(status=PeriodStatus.LOCKED)
    with pytest.raises(RecordRefused, match=r"March 2026\) is locked"):
        check_open(DAY)
    assert check_open(datetime.date(2026, 4, 1)) == records_period


# Recording ------------------------------------------------------------------------------------


def test_recording_a_meeting_writes_the_roll_the_files_and_an_audit_entry(tree, alice, members):
    wang = next(p for p in members if p.name == "王五")
    attendance = {**everyone_present(members), wang.pk: ("excused", "出差")}
    meeting = record(tree, alice, members, attendance=attendance, files=[photo()])

    rows = {a.person_id: (a.presence, a.reason) for a in meeting.attendance.all()}
    assert rows == attendance
    attachment = meeting.attachments.get()
    assert (attachment.content_type, attachment.sha256) == (
        "image/jpeg",
        hashlib.sha256(JPEG).hexdigest(),
    )
    assert default_storage.exists(attachment.file.name)
    entry = AuditEntry.objects.get(kind=AuditKind.RECORD_SAVED, target=f"meeting:{meeting.pk}")
    assert entry.organization_id == tree.a1a.pk
    assert entry.after["attendance"][str(wang.pk)] == ["excused", "出差"]
    assert entry.after["files"] == ["现场.jpg"]


def test_staff_who_are_not_party_members_are_not_expected(tree, members):
    assert "职工" not in [p.name for p in members]
    assert {p.name for p in members} == {"A1a成员", "王五", "赵六"}


def test_a_date_outside_any_open_period_is_refused(tree, alice, members):
    with pytest.raises(RecordRefused, match="no open assessment period"):
        record(tree, alice, members, date=datetime.date(2027, 1, 5))
    assert not Meeting.objects.exists()


def test_a_meeting_in_a_locked_period_is_refused(tree, alice, members, records_period):
    Period.objects.filter(pk=records_period.pk).update(status=PeriodStatus.LOCKED)
    with pytest.raises(RecordRefused, match="locked"):
        record(tree, alice, members)
    assert not Meeting.objects.exists()


def test_a_kind_the_framework_does_not_declare_for_a_branch_is_refused(tree, alice, members):
    with pytest.raises(RecordRefused, match="not a kind of meeting"):
        record(tree, alice, members, kind="board_meeting")


def test_a_party_group_meeting_must_name_its_group(tree, alice, members):
    with pytest.raises(RecordRefused, match="party group"):
        record(tree, alice, members, kind="group_meeting")
    meeting = record(tree, alice, members, kind="group_meeting", party_group="第一党小组")
    assert meeting.party_group == "第一党小组"


def test_a_secretary_of_a_sibling_branch_may_not_record(tree, bob, members):
    with pytest.raises(NotAllowed):
        record(tree, bob, members)


def test_a_reviewer_above_may_not_record(tree, carol, members):
    with pytest.raises(NotAllowed):
        record(tree, carol, members)


def test_someone_of_another_committee_on_the_roll_is_refused_by_id_only(tree, alice, members):
    """Alice may not see B1's people: the message names the stranger by id, not by name."""
    stranger = Person.objects.get(organization=tree.b1)
    attendance = {**everyone_present(members), stranger.pk: ("present", "")}
    with pytest.raises(
        RecordRefused, match=f"^#{stranger.pk} did not belong to A1a branch on 2026-03-10"
    ):
        record(tree, alice, members, attendance=attendance)
    assert not Meeting.objects.exists()


def test_a_member_transferred_out_is_not_expected_after_the_transfer(tree, alice, members):
    wang = next(p for p in members if p.name == "王五")
    transfer(wang, tree.b1, datetime.date(2026, 3, 5))
    assert wang not in services.expected_people(tree.a1a, DAY)
    assert wang in services.expected_people(tree.a1a, datetime.date(2026, 3, 4))
    with pytest.raises(RecordRefused, match="王五 did not belong"):
        record(tree, alice, members)
    assert not Meeting.objects.exists()


def test_a_member_transferred_in_is_expected_only_from_the_transfer(tree, alice, members):
    newcomer = Person.objects.get(organization=tree.b1)
    transfer(newcomer, tree.a1a, datetime.date(2026, 3, 15))
    before = [p for p in members if p.pk != newcomer.pk]
    with pytest.raises(RecordRefused, match="B1成员 did not belong"):
        record(tree, alice, before, attendance=everyone_present([*before, newcomer]))
    later = datetime.date(2026, 3, 20)
    with pytest.raises(RecordRefused, match="missing: B1成员"):
        record(tree, alice, before, date=later, kind="theme_day")
    meeting = record(tree, alice, [*before, newcomer], date=later)
    assert meeting.attendance.filter(person=newcomer).exists()


def test_the_roll_must_name_everyone_expected(tree, alice, members):
    with pytest.raises(RecordRefused, match="missing: 赵六"):
        record(tree, alice, [p for p in members if p.name != "赵六"], kind="theme_day")
    assert not Meeting.objects.exists()


# A chosen roll: the committee's or a party group's members --------------------------------------


@pytest.fixture
def thirteen(tree, members):
    """A1a with 13 party members: the three of `members` and ten more."""
    for n in range(10):
        PersonFactory(organization=tree.a1a, name=f"党员{n}", employee_number=f"A1A-1{n}")
    people = list(services.expected_people(tree.a1a, DAY))
    assert len(people) == 13
    return people


def test_a_committee_meeting_lists_only_who_was_expected(tree, alice, thirteen):
    committee = thirteen[:3]
    attendance = {**everyone_present(committee), committee[2].pk: ("excused", "出差")}
    meeting = record(tree, alice, committee, attendance=attendance)
    rows = {a.person_id: (a.presence, a.reason) for a in meeting.attendance.all()}
    assert rows == attendance
    assert selectors.meeting_detail(alice, meeting.pk).counts["expected"] == 3


def test_a_committee_meeting_still_refuses_strangers_and_needs_someone(tree, alice, thirteen):
    stranger = Person.objects.get(organization=tree.b1)
    with pytest.raises(RecordRefused, match=f"#{stranger.pk} did not belong"):
        record(tree, alice, [thirteen[0], stranger])
    with pytest.raises(RecordRefused, match="List who was expected at the Branch committee"):
        record(tree, alice, [])
    with translation.override("zh-hans"), pytest.raises(RecordRefused, match="至少一人"):
        record(tree, alice, [])
    assert not Meeting.objects.exists()


def test_a_party_group_meeting_lists_its_groups_members(tree, alice, thirteen):
    meeting = record(tree, alice, thirteen[5:9], kind="group_meeting", party_group="第二党小组")
    assert meeting.attendance.count() == 4


def test_a_themed_party_day_with_a_partial_list_is_refused_naming_the_missing(
    tree, alice, thirteen
):
    listed = [p for p in thirteen if p.name not in ("A1a成员", "赵六")]
    with pytest.raises(RecordRefused, match=r"missing: A1a成员、赵六\.$"):
        record(tree, alice, listed, kind="theme_day")
    assert not Meeting.objects.exists()


def test_changing_a_committee_meeting_into_a_theme_day_checks_the_roll_again(tree, alice, thirteen):
    meeting = record(tree, alice, thirteen[:3])
    with pytest.raises(RecordRefused, match="must name everyone expected"):
        services.change_meeting(meeting, version=1, kind="theme_day", acting_user=alice)
    meeting.refresh_from_db()
    assert (meeting.kind, meeting.version) == ("committee_meeting", 1)
    changed = services.change_meeting(
        meeting,
        version=1,
        kind="theme_day",
        attendance=everyone_present(thirteen),
        acting_user=alice,
    )
    assert changed.attendance.count() == 13


def test_a_person_named_twice_on_the_roll_is_refused(tree, alice, members):
    rows = [(p.pk, "present", "") for p in members] + [(members[0].pk, "absent", "")]
    with pytest.raises(RecordRefused, match="twice"):
        record(tree, alice, members, attendance=rows)
    assert not Meeting.objects.exists()


def test_an_excused_absence_needs_a_reason(tree, alice, members):
    attendance = {**everyone_present(members), members[1].pk: ("excused", "  ")}
    with pytest.raises(RecordRefused, match="needs a reason"):
        record(tree, alice, members, attendance=attendance)


def test_an_unknown_attendance_value_is_refused(tree, alice, members):
    attendance = {**everyone_present(members), members[1].pk: ("late", "")}
    with pytest.raises(RecordRefused, match="not an attendance"):
        record(tree, alice, members, attendance=attendance)


def test_a_text_file_named_jpg_is_refused_and_nothing_is_written(tree, alice, members):
    fake = photo("合影.jpg", b"just some text, not a picture\n")
    with pytest.raises(RecordRefused, match=r"合影\.jpg: only photos"):
        record(tree, alice, members, files=[photo(), fake])
    assert not Meeting.objects.exists()
    assert not Attendance.objects.exists()
    assert not MeetingAttachment.objects.exists()


def test_an_office_file_is_not_a_meeting_attachment(tree, alice, members):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64
    with pytest.raises(RecordRefused, match="only photos"):
        record(tree, alice, members, files=[SimpleUploadedFile("纪要.doc", ole2)])


def test_a_pdf_is_accepted(tree, alice, members):
    meeting = record(tree, alice, members, files=[SimpleUploadedFile("纪要.pdf", PDF)])
    assert meeting.attachments.get().content_type == "application/pdf"


def test_a_file_above_the_size_limit_is_refused(tree, alice, members, settings):
    settings.UPLOAD_MAX_BYTES = 10
    with pytest.raises(RecordRefused, match="too large"):
        record(tree, alice, members, files=[photo()])
    assert not Meeting.objects.exists()


def test_the_host_must_belong_to_the_branch_or_above(tree, alice, members):
    outsider = Person.objects.get(organization=tree.b1)
    with pytest.raises(RecordRefused, match=f"^#{outsider.pk} did not belong"):
        record(tree, alice, members, host=outsider)
    lecturer = Person.objects.get(organization=tree.a)
    assert record(tree, alice, members, kind="lecture", host=lecturer).host == lecturer


# Changing and deleting ------------------------------------------------------------------------


def test_a_change_moves_the_version_on_and_is_audited(tree, alice, members):
    meeting = record(tree, alice, members)
    attendance = {**everyone_present(members), members[0].pk: ("absent", "")}
    changed = services.change_meeting(
        meeting, version=1, topic="新议题", attendance=attendance, acting_user=alice
    )
    assert (changed.version, changed.topic) == (2, "新议题")
    assert changed.attendance.get(person=members[0]).presence == "absent"
    entry = AuditEntry.objects.filter(target=f"meeting:{meeting.pk}").latest("pk")
    assert entry.before["topic"] == "学习二十届三中全会精神"
    assert entry.after["attendance"][str(members[0].pk)] == ["absent", ""]


def test_a_change_from_a_stale_form_is_refused_and_changes_nothing(tree, alice, members):
    meeting = record(tree, alice, members)
    services.change_meeting(meeting, version=1, topic="第一次修改", acting_user=alice)
    with pytest.raises(StaleVersion, match="now version 2"):
        services.change_meeting(meeting, version=1, topic="过时的修改", acting_user=alice)
    meeting.refresh_from_db()
    assert (meeting.version, meeting.topic) == (2, "第一次修改")


def test_moving_a_meeting_to_a_date_after_a_transfer_checks_the_roll_again(tree, alice, members):
    meeting = record(tree, alice, members)
    wang = next(p for p in members if p.name == "王五")
    transfer(wang, tree.b1, datetime.date(2026, 3, 20))
    with pytest.raises(RecordRefused, match="王五 did not belong"):
        services.change_meeting(
            meeting, version=1, date=datetime.date(2026, 3, 25), acting_user=alice
        )
    meeting.refresh_from_db()
    assert meeting.date == DAY


def test_a_meeting_in_a_period_locked_since_cannot_change_or_go(tree, alice, members):
    meeting = record(tree, alice, members)
    Period.objects.update(status=PeriodStatus.LOCKED)
    with pytest.raises(RecordRefused, match="locked"):
        services.change_meeting(meeting, version=1, topic="x", acting_user=alice)
    with pytest.raises(RecordRefused, match="locked"):
        services.delete_meeting(meeting, acting_user=alice)
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_deleting_a_meeting_removes_its_roll_and_unused_files(
    tree, alice, members, django_capture_on_commit_callbacks
):
    meeting = record(tree, alice, members, files=[photo()])
    name = meeting.attachments.get().file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.delete_meeting(meeting, version=1, acting_user=alice)
    assert not Attendance.objects.exists()
    assert not default_storage.exists(name)
    assert AuditEntry.objects.filter(
        kind=AuditKind.RECORD_DELETED, target=f"meeting:{meeting.pk}"
    ).exists()


def test_the_same_photo_on_two_meetings_is_stored_once_and_kept_while_used(
    tree, alice, members, django_capture_on_commit_callbacks
):
    first = record(tree, alice, members, files=[photo()])
    second = record(tree, alice, members, files=[photo("again.jpg")])
    name = first.attachments.get().file.name
    assert second.attachments.get().file.name == name
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_attachment(first.attachments.get(), acting_user=alice)
    assert default_storage.exists(name)


def test_adding_an_attachment_checks_the_content(tree, alice, members):
    meeting = record(tree, alice, members)
    with pytest.raises(RecordRefused, match="only photos"):
        services.add_attachment(meeting, [photo("x.png", b"<svg></svg>")], acting_user=alice)
    services.add_attachment(meeting, [photo()], acting_user=alice)
    assert meeting.attachments.count() == 1


# Selectors ------------------------------------------------------------------------------------


def test_the_detail_counts_attendance_against_who_was_expected(tree, alice, members):
    attendance = {
        **everyone_present(members),
        members[1].pk: ("excused", "病假"),
        members[2].pk: ("absent", ""),
    }
    meeting = record(tree, alice, members, attendance=attendance)
    detail = selectors.meeting_detail(alice, meeting.pk)
    assert detail.counts == {"present": 1, "excused": 1, "absent": 1, "expected": 3}


def test_the_list_filters_by_kind_year_and_month(tree, alice, members):
    record(tree, alice, members, topic="三月支委会")
    record(tree, alice, members, topic="四月党课", kind="lecture", date=datetime.date(2026, 4, 2))
    topics = lambda **f: [m.topic for m in selectors.meetings(alice, tree.a1a, **f)]  # noqa: E731
    assert topics() == ["四月党课", "三月支委会"]
    assert topics(kind="lecture") == ["四月党课"]
    assert topics(year=2026, month=3) == ["三月支委会"]
    assert topics(year=2025) == []


def fresh(user):
    """The user read again: grants are cached per user object, and a page starts without."""
    return type(user).objects.get(pk=user.pk)


def test_the_list_of_meetings_takes_the_same_queries_for_one_or_many(
    tree, alice, members, django_assert_num_queries
):
    def read(user):
        rows = selectors.meetings(user, tree.a1a)
        return [(m.topic, m.organization.code, m.present, m.excused, m.absent) for m in rows]

    record(tree, alice, members)
    user = fresh(alice)
    with django_assert_num_queries(2):  # the grants, the meetings with their counts
        assert len(read(user)) == 1
    for n in range(5):
        record(tree, alice, members, topic=f"会议{n}")
    user = fresh(alice)
    with django_assert_num_queries(2):
        assert read(user)[0][2:] == (3, 0, 0)


def test_the_detail_is_read_in_a_fixed_number_of_queries(
    tree, alice, members, django_assert_num_queries
):
    meeting = record(tree, alice, members, files=[photo()])
    alice = fresh(alice)
    # the grants, the meeting, its roll, its attachments, the expected count
    with django_assert_num_queries(5):
        detail = selectors.meeting_detail(alice, meeting.pk)
        assert [a.person.name for a in detail.meeting.attendance.all()]
        assert list(detail.meeting.attachments.all())


def test_a_meeting_of_a_sibling_branch_is_not_found(tree, alice, bob, members):
    meeting = record(tree, alice, members)
    from django.http import Http404

    with pytest.raises(Http404):
        selectors.meeting_detail(bob, meeting.pk)


# Pages ----------------------------------------------------------------------------------------


def form_data(people, **changes) -> dict:
    data = {
        "kind": "committee_meeting",
        "date": DAY.isoformat(),
        "topic": "支委会",
        "roll": ",".join(str(p.pk) for p in people),
    }
    for person in people:
        data[f"p-{person.pk}"] = "present"
        data[f"r-{person.pk}"] = ""
    return {**data, **changes}


def test_the_form_lists_the_members_expected_today_all_present(client_for, tree, alice, members):
    url = reverse("records:meeting_create", args=[tree.a1a.pk])
    shown = page(client_for(alice).get(f"{url}?date={DAY.isoformat()}"))
    rows = shown.select("[data-roll] [data-person]")
    assert [int(r["data-person"]) for r in rows] == [p.pk for p in members]
    checked = shown.select("[data-roll] input[type=radio][checked]")
    assert [c["value"] for c in checked] == ["present"] * len(members)
    assert not shown.mentions("职工")
    photos = shown.field("photos")
    assert (photos["accept"], photos["capture"]) == ("image/*", "environment")
    assert shown.attr("input[name=date]", "value") == DAY.isoformat()


def test_the_form_opens_on_today(client_for, tree, alice, members):
    from django.utils import timezone

    shown = page(client_for(alice).get(reverse("records:meeting_create", args=[tree.a1a.pk])))
    assert shown.attr("input[name=date]", "value") == timezone.localdate().isoformat()


def test_recording_through_the_page_saves_and_shows_the_meeting(client_for, tree, alice, members):
    client = client_for(alice)
    wang = next(p for p in members if p.name == "王五")
    data = form_data(members, **{f"p-{wang.pk}": "excused", f"r-{wang.pk}": "出差"})
    data["photos"] = photo()
    response = client.post(reverse("records:meeting_create", args=[tree.a1a.pk]), data)
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("records:meeting_detail", args=[meeting.pk])
    shown = page(client.get(response["Location"]))
    assert shown.text("[data-count=present]") == "2"
    assert shown.text("[data-count=excused]") == "1"
    assert shown.text("[data-count=expected]") == "3"
    assert shown.text(f"[data-person='{wang.pk}'] [data-reason]") == "出差"
    attachment = meeting.attachments.get()
    download = client.get(reverse("records:meeting_attachment", args=[attachment.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == JPEG


def test_an_excused_member_without_a_reason_is_shown_the_error_on_their_row(
    client_for, tree, alice, members
):
    data = form_data(members, **{f"p-{members[0].pk}": "excused"})
    response = client_for(alice).post(reverse("records:meeting_create", args=[tree.a1a.pk]), data)
    assert response.status_code == 400
    assert page(response).field_errors(f"r-{members[0].pk}") == ["请说明请假事由。"]
    assert not Meeting.objects.exists()


def test_not_expected_leaves_a_member_off_a_committee_meetings_roll(
    client_for, tree, alice, members
):
    zhao = next(p for p in members if p.name == "赵六")
    url = reverse("records:meeting_create", args=[tree.a1a.pk])
    shown = page(client_for(alice).get(f"{url}?date={DAY.isoformat()}"))
    assert "支部委员会、党小组会" in shown.text("#id_kind + .form-text")
    assert shown.select(f"input[name=p-{zhao.pk}][value=skip]")
    data = form_data(members, **{f"p-{zhao.pk}": "skip"})
    response = client_for(alice).post(url, data)
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert sorted(meeting.attendance.values_list("person_id", flat=True)) == sorted(
        p.pk for p in members if p != zhao
    )
    detail = page(client_for(alice).get(response["Location"]))
    assert detail.text("[data-count=expected]") == "2"
    edit = page(client_for(alice).get(reverse("records:meeting_edit", args=[meeting.pk])))
    checked = {
        int(i["name"][2:]): i["value"]
        for i in edit.select("[data-roll] input[type=radio][checked]")
    }
    assert checked == {**{p.pk: "present" for p in members}, zhao.pk: "skip"}


def test_not_expected_is_refused_for_a_themed_party_day(client_for, tree, alice, members):
    zhao = next(p for p in members if p.name == "赵六")
    data = form_data(members, kind="theme_day", **{f"p-{zhao.pk}": "skip"})
    response = client_for(alice).post(reverse("records:meeting_create", args=[tree.a1a.pk]), data)
    assert response.status_code == 400
    assert page(response).texts(f"[data-person='{zhao.pk}'] .invalid-feedback") == [
        "主题党日应到全体党员：请选择到会、请假或缺席。"
    ]
    assert not Meeting.objects.exists()


def test_a_text_file_named_jpg_is_refused_on_the_page_in_chinese(client_for, tree, alice, members):
    data = {**form_data(members), "photos": photo("合影.jpg", b"plain text\n")}
    response = client_for(alice).post(reverse("records:meeting_create", args=[tree.a1a.pk]), data)
    assert response.status_code == 400
    assert page(response).text("[data-alert]").startswith("合影.jpg：只能附上照片")
    assert not Meeting.objects.exists()


def test_a_roll_filled_for_another_date_is_shown_again_for_the_new_date(
    client_for, tree, alice, members
):
    """The secretary filled the roll of 10 March, then moved the date past a transfer."""
    wang = next(p for p in members if p.name == "王五")
    transfer(wang, tree.b1, datetime.date(2026, 3, 15))
    data = form_data(members, date="2026-03-20")
    response = client_for(alice).post(reverse("records:meeting_create", args=[tree.a1a.pk]), data)
    assert response.status_code == 400
    shown = page(response)
    assert "请核对下方考勤" in shown.text("[data-form-errors]")
    assert wang.pk not in [int(r["data-person"]) for r in shown.select("[data-roll] [data-person]")]
    assert not Meeting.objects.exists()


def test_a_stale_edit_is_refused_with_a_clear_error_and_changes_nothing(
    client_for, tree, alice, members
):
    meeting = record(tree, alice, members)
    services.change_meeting(meeting, version=1, topic="别人先改了", acting_user=alice)
    data = form_data(members, topic="我的修改", version="1")
    response = client_for(alice).post(reverse("records:meeting_edit", args=[meeting.pk]), data)
    assert response.status_code == 409
    assert "现在是第 2 版" in page(response).text("[data-alert]")
    meeting.refresh_from_db()
    assert (meeting.topic, meeting.version) == ("别人先改了", 2)


def test_the_edit_form_shows_the_roll_as_recorded(client_for, tree, alice, members):
    meeting = record(
        tree,
        alice,
        members,
        attendance={**everyone_present(members), members[2].pk: ("absent", "")},
    )
    shown = page(client_for(alice).get(reverse("records:meeting_edit", args=[meeting.pk])))
    checked = {
        int(i["name"][2:]): i["value"]
        for i in shown.select("[data-roll] input[type=radio][checked]")
    }
    assert checked == {members[0].pk: "present", members[1].pk: "present", members[2].pk: "absent"}
    assert shown.field("version")["value"] == "1"


def test_a_sibling_branchs_meeting_and_its_files_are_not_found(
    client_for, tree, alice, bob, members
):
    meeting = record(tree, alice, members, files=[photo()])
    attachment = meeting.attachments.get()
    client = client_for(bob)
    for url in (
        reverse("records:meeting_detail", args=[meeting.pk]),
        reverse("records:meeting_edit", args=[meeting.pk]),
        reverse("records:meeting_attachment", args=[attachment.pk]),
        reverse("records:meeting_list", args=[tree.a1a.pk]),
        reverse("records:meeting_create", args=[tree.a1a.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("records:meeting_delete", args=[meeting.pk])).status_code == 404
    assert Meeting.objects.filter(pk=meeting.pk).exists()


def test_a_reviewer_above_reads_the_meeting_but_cannot_edit_it(
    client_for, tree, alice, carol, members
):
    meeting = record(tree, alice, members)
    client = client_for(carol)
    shown = page(client.get(reverse("records:meeting_detail", args=[meeting.pk])))
    assert shown.text("[data-topic]") == meeting.topic
    assert not shown.has("[data-edit-meeting]")
    assert client.get(reverse("records:meeting_edit", args=[meeting.pk])).status_code == 404
    listing = page(client.get(reverse("records:meeting_list", args=[tree.a.pk])))
    assert listing.text(f"[data-meeting='{meeting.pk}'] a") == meeting.topic
    assert not listing.has("[data-record-meeting]")


def test_the_list_shows_the_kind_and_the_counts(client_for, tree, alice, members):
    record(
        tree,
        alice,
        members,
        attendance={**everyone_present(members), members[0].pk: ("absent", "")},
    )
    shown = page(client_for(alice).get(reverse("records:meeting_list", args=[tree.a1a.pk])))
    assert shown.text("[data-kind]") == "支部委员会"
    assert shown.text("[data-counts]") == "到会 2 人 · 请假 0 人 · 缺席 1 人"


def test_the_records_home_opens_on_the_secretarys_branch(client_for, tree, alice):
    response = client_for(alice).get(reverse("records:meetings"))
    assert response["Location"] == reverse("records:meeting_list", args=[tree.a1a.pk])


def test_deleting_through_the_page(client_for, tree, alice, members):
    meeting = record(tree, alice, members)
    response = client_for(alice).post(
        reverse("records:meeting_delete", args=[meeting.pk]), {"version": "1"}
    )
    assert response["Location"] == reverse("records:meeting_list", args=[tree.a1a.pk])
    assert not Meeting.objects.exists()
