"""Meetings of organizational life: recording, changing and deleting them, their attendance and
their attachments.

A meeting is written by someone who enters data for its organization (`Action.ENTER`), on a date
whose records are open (`dates.check_open`), of a kind the framework in force that day declares
for the organization's kind. Its attendance names party members of the organization that day —
those whose membership history puts them in it on the date (`expected_people`), so a member
transferred out is no longer on the roll and one transferred in is only from the day they came.
For a kind whose roll is `members` (a members' meeting, a themed party day…) it names every one of
them; for a kind whose roll is `chosen` (a committee's meeting, a party group's) it names those
who were expected, at least one. Photos and PDFs are accepted by their content and kept under
their SHA-256, as evidence is. Each service is one transaction with its audit entry; a refused
input raises `RecordRefused` (or a subclass) and writes nothing. A meeting written, moved or
deleted calls `records_changed` for its organization and every day it touched, so the counted
values and the members' points of those days follow on commit.
"""

import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import date as Date
from typing import Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from assessment.services.evidence import (
    EvidenceRefused,
    inspect_upload,
    original_name,
    sniff,
    store_content,
)
from audit import hooks as audit_trail
from audit.models import AuditKind
from organizations.choices import Action, PersonKind
from organizations.models import Membership, Organization, Person
from organizations.scope import can

from ..choices import Presence
from ..config import MeetingKind, config_on
from ..models import Attendance, DecisionDocument, Meeting, MeetingAttachment
from ..sources import records_changed
from .dates import NotAllowed, RecordRefused, StaleVersion, check_open

MAX_FILES = 10
# Photos and PDFs only: a meeting's attachments are its pictures, sign-in sheet and minutes.
ATTACHMENT_TYPES = frozenset(
    {"application/pdf", "image/jpeg", "image/png", "image/gif", "image/webp"}
)
PARTY_MEMBERS = (PersonKind.MEMBER, PersonKind.PROBATIONARY)
SNIFF_BYTES = 16
NAMES_SHOWN = 5

# What a caller may give for the roll: {person id: (presence, reason)}, or rows of
# (person id, presence, reason) — rows may name a person twice, which is refused.
AttendanceInput = Mapping[int, tuple[str, str]] | Iterable[tuple[int, str, str]]


# Who is expected ------------------------------------------------------------------------------


def expected_people(organization: Organization, day: Date) -> QuerySet[Person]:
    """The party members (full and probationary) who belonged to the organization on the day."""
    members = Membership.objects.on(day).filter(organization=organization)
    return Person.objects.filter(
        pk__in=members.values("person_id"), kind__in=PARTY_MEMBERS
    ).order_by("employee_number")


def meeting_kinds(organization: Organization, day: Date) -> list[MeetingKind]:
    """The kinds of meeting the framework in force on the day declares for this organization."""
    return config_on(day).kinds_for(organization.kind.code)


# Checks -------------------------------------------------------------------------------------


def can_enter(user, organization: Organization) -> bool:
    return can(user, Action.ENTER, organization)


def _check_enter(user, organization: Organization) -> None:
    if not can_enter(user, organization):
        raise NotAllowed(_("You do not enter records for this organization."))


def _kind(organization: Organization, day: Date, code: str, party_group: str) -> MeetingKind:
    config = config_on(day)
    kind = config.kind(code)
    if kind is None or organization.kind.code not in kind.applies_to:
        names = ", ".join(k.display_name for k in config.kinds_for(organization.kind.code))
        raise RecordRefused(
            _("“%(kind)s” is not a kind of meeting of %(org)s. Kinds: %(kinds)s.")
            % {"kind": code, "org": organization.display_name, "kinds": names or "—"}
        )
    if kind.party_group and not party_group:
        raise RecordRefused(_("Name the party group that met."))
    if party_group and not kind.party_group:
        raise RecordRefused(
            _("Only a party group meeting names a party group; “%(kind)s” does not.")
            % {"kind": kind.display_name}
        )
    return kind


def _text(value: str | None, label: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RecordRefused(_("%(field)s is required.") % {"field": label})
    return value


def named(ids: Iterable[int], organization: Organization, acting_user) -> str:
    """Names of people for a message: those the user may see or who ever belonged to the
    organization; anyone else only by id (the message must not reveal who a stranger is)."""
    ids = sorted(set(ids))
    known = dict(
        Person.objects.filter(pk__in=ids)
        .filter(
            Q(pk__in=Person.objects.restrict(acting_user).values("pk"))
            | Q(memberships__organization=organization)
        )
        .values_list("pk", "name")
        .distinct()
    )
    shown = [known.get(pk, f"#{pk}") for pk in ids[:NAMES_SHOWN]]
    if len(ids) > NAMES_SHOWN:
        shown.append(_("and %(n)d more") % {"n": len(ids) - NAMES_SHOWN})
    return "、".join(shown)


class DuplicateAttendance(RecordRefused):
    """The roll names someone twice."""

    def __init__(self, ids: list[int]) -> None:
        super().__init__(_("The attendance names the same person twice."))
        self.ids = ids


def _roll(attendance: AttendanceInput) -> dict[int, tuple[str, str]]:
    if isinstance(attendance, Mapping):
        return {int(pk): (presence, reason) for pk, (presence, reason) in attendance.items()}
    roll: dict[int, tuple[str, str]] = {}
    twice: list[int] = []
    for pk, presence, reason in attendance:
        if int(pk) in roll:
            twice.append(int(pk))
        roll[int(pk)] = (presence, reason)
    if twice:
        raise DuplicateAttendance(twice)
    return roll


def _check_attendance(
    organization: Organization,
    day: Date,
    attendance: AttendanceInput,
    acting_user,
    kind: MeetingKind,
) -> list[tuple[int, str, str]]:
    """The roll as rows (person id, presence, reason), each person a party member of the
    organization that day; every one of them for a kind whose roll is `members`, at least one for
    a kind whose roll is `chosen`; an excused absence with its reason."""
    try:
        roll = _roll(attendance)
    except DuplicateAttendance as twice:
        raise RecordRefused(
            _("%(names)s appear twice in the attendance: give each person once.")
            % {"names": named(twice.ids, organization, acting_user)}
        ) from twice
    expected = set(expected_people(organization, day).values_list("pk", flat=True))
    strangers = set(roll) - expected
    if strangers:
        raise RecordRefused(
            _(
                "%(names)s did not belong to %(org)s on %(day)s as party members: they cannot "
                "be on the attendance of its meeting."
            )
            % {
                "names": named(strangers, organization, acting_user),
                "org": organization.display_name,
                "day": day.isoformat(),
            }
        )
    chosen = kind.chosen_roll
    if chosen and not roll:
        raise RecordRefused(
            _("List who was expected at the %(kind)s: at least one person.")
            % {"kind": kind.display_name}
        )
    missing = set() if chosen else expected - set(roll)
    if missing:
        raise RecordRefused(
            _("The attendance must name everyone expected on %(day)s; missing: %(names)s.")
            % {"day": day.isoformat(), "names": named(missing, organization, acting_user)}
        )
    rows = []
    needs_reason = []
    for pk, (presence, reason) in sorted(roll.items()):
        if presence not in Presence.values:
            raise RecordRefused(
                _("“%(value)s” is not an attendance; use present, excused or absent.")
                % {"value": presence}
            )
        reason = "" if presence == Presence.PRESENT else (reason or "").strip()[:200]
        if presence == Presence.EXCUSED and not reason:
            needs_reason.append(pk)
        rows.append((pk, presence, reason))
    if needs_reason:
        raise RecordRefused(
            _("An excused absence needs a reason: %(names)s.")
            % {"names": named(needs_reason, organization, acting_user)}
        )
    return rows


def _check_host(organization: Organization, day: Date, host: Person | None, acting_user) -> None:
    """The host belongs to the organization, one above it (a lecture from the committee) or one
    below it on the day."""
    if host is None:
        return
    line = Q(organization__path__startswith=organization.path) | Q(
        organization_id__in=organization.ancestor_ids
    )
    if not Membership.objects.on(day).filter(line, person=host).exists():
        raise RecordRefused(
            _("%(name)s did not belong to %(org)s or an organization above it on %(day)s.")
            % {
                "name": named([host.pk], organization, acting_user),
                "org": organization.display_name,
                "day": day.isoformat(),
            }
        )


def _check_files(files: Sequence[File]) -> list[tuple[File, tuple[str, str, int]]]:
    """Every file checked (type by content, size) before any is stored: all or nothing."""
    files = [f for f in files if f]
    if len(files) > MAX_FILES:
        raise RecordRefused(_("Attach at most %(n)d files at a time.") % {"n": MAX_FILES})
    return [(f, _inspect(f)) for f in files]


def _inspect(uploaded_file: File) -> tuple[str, str, int]:
    name = os.path.basename((uploaded_file.name or "").replace("\\", "/"))
    uploaded_file.seek(0)
    head = uploaded_file.read(SNIFF_BYTES)
    if head and sniff(head) not in ATTACHMENT_TYPES:
        raise RecordRefused(
            _(
                "%(name)s: only photos (JPEG, PNG, GIF, WebP) and PDF files can be attached to "
                "a meeting; this file is neither, whatever its name says."
            )
            % {"name": name}
        )
    try:
        return inspect_upload(uploaded_file)
    except EvidenceRefused as refused:
        raise RecordRefused(f"{name}: {refused}") from refused


def _store(meeting: Meeting, checked, acting_user) -> list[MeetingAttachment]:
    stored = []
    for uploaded_file, (content_type, sha256, size) in checked:
        attachment = MeetingAttachment(
            meeting=meeting,
            original_name=original_name(uploaded_file),
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=acting_user,
        )
        store_content(attachment, uploaded_file)
        stored.append(attachment)
    return stored


def _remove_unused_on_commit(names: Iterable[str]) -> None:
    """Stored contents go once no row uses them (meeting attachments and decision documents
    share the records/ folder, keyed by hash)."""
    names = [n for n in names if n]

    def remove() -> None:
        for name in names:
            in_use = (
                MeetingAttachment.objects.filter(file=name).exists()
                or DecisionDocument.objects.filter(file=name).exists()
            )
            if not in_use:
                default_storage.delete(name)

    if names:
        transaction.on_commit(remove)


# Audit --------------------------------------------------------------------------------------


def snapshot(meeting: Meeting) -> dict[str, Any]:
    """What the trail keeps of a meeting: its fields and everyone's attendance."""
    return {
        "kind": meeting.kind,
        "date": meeting.date.isoformat(),
        "topic": meeting.topic,
        "place": meeting.place,
        "party_group": meeting.party_group,
        "host": meeting.host_id,
        "minutes": meeting.minutes,
        "version": meeting.version,
        "attendance": {
            str(pk): [presence, reason]
            for pk, presence, reason in meeting.attendance.order_by("person_id").values_list(
                "person_id", "presence", "reason"
            )
        },
    }


def _summary(meeting: Meeting, what: str) -> str:
    return f"{what}: {meeting.date.isoformat()} {meeting.kind} {meeting.topic}"


# Services -----------------------------------------------------------------------------------


@transaction.atomic
def record_meeting(
    organization: Organization,
    *,
    kind: str,
    date: Date,
    topic: str,
    attendance: AttendanceInput,
    place: str = "",
    host: Person | None = None,
    minutes: str = "",
    party_group: str = "",
    files: Sequence[File] = (),
    acting_user,
) -> Meeting:
    """Record a meeting with its full attendance and any photos or PDFs, all or nothing."""
    _check_enter(acting_user, organization)
    check_open(date)
    party_group = _text(party_group, _("Party group"))
    meeting_kind = _kind(organization, date, kind, party_group)
    topic = _text(topic, _("Topic"), required=True)
    _check_host(organization, date, host, acting_user)
    rows = _check_attendance(organization, date, attendance, acting_user, meeting_kind)
    checked = _check_files(files)
    meeting = Meeting.objects.create(
        organization=organization,
        kind=kind,
        date=date,
        topic=topic,
        place=_text(place, _("Place")),
        host=host,
        minutes=_text(minutes, _("Minutes")),
        party_group=party_group,
        created_by=acting_user,
    )
    Attendance.objects.bulk_create(
        Attendance(meeting=meeting, person_id=pk, presence=presence, reason=reason)
        for pk, presence, reason in rows
    )
    stored = _store(meeting, checked, acting_user)
    records_changed(organization.pk, date)
    after = {**snapshot(meeting), "files": [a.original_name for a in stored]}
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        meeting,
        summary=_summary(meeting, "meeting recorded"),
        after=after,
        acting_user=acting_user,
    )
    return meeting


def _lock(meeting: Meeting, version: int | None) -> Meeting:
    locked = (
        Meeting.objects.select_for_update(of=("self",))
        .select_related("organization__kind")
        .get(pk=meeting.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(locked.version)
    return locked


UNCHANGED: Any = object()


@transaction.atomic
def change_meeting(
    meeting: Meeting,
    *,
    version: int | None,
    kind: str = UNCHANGED,
    date: Date = UNCHANGED,
    topic: str = UNCHANGED,
    attendance: AttendanceInput = UNCHANGED,
    place: str = UNCHANGED,
    host: Person | None = UNCHANGED,
    minutes: str = UNCHANGED,
    party_group: str = UNCHANGED,
    files: Sequence[File] = (),
    acting_user,
) -> Meeting:
    """Change what is given of a meeting (the rest stays), based on the version the user saw.

    A change based on an older version raises StaleVersion. The old date and the new must both
    be open. When the date or the kind changes the roll is checked again (against the people
    expected on the new date, by the new kind's rule), whether or not a new roll is given.
    """
    meeting = _lock(meeting, version)
    organization = meeting.organization
    _check_enter(acting_user, organization)
    check_open(meeting.date)
    before = snapshot(meeting)
    old_day = meeting.date
    day = meeting.date if date is UNCHANGED else date
    if day != meeting.date:
        check_open(day)
    new_kind = meeting.kind if kind is UNCHANGED else kind
    group = meeting.party_group if party_group is UNCHANGED else _text(party_group, "")
    checked_kind = _kind(organization, day, new_kind, group)
    new_host = meeting.host if host is UNCHANGED else host
    if host is not UNCHANGED or day != meeting.date:
        _check_host(organization, day, new_host, acting_user)
    if attendance is UNCHANGED and (day != meeting.date or new_kind != meeting.kind):
        attendance = {
            pk: (presence, reason)
            for pk, presence, reason in meeting.attendance.values_list(
                "person_id", "presence", "reason"
            )
        }
    rows = None
    if attendance is not UNCHANGED:
        rows = _check_attendance(organization, day, attendance, acting_user, checked_kind)
    checked = _check_files(files)

    meeting.kind = new_kind
    meeting.date = day
    meeting.party_group = group
    meeting.host = new_host
    if topic is not UNCHANGED:
        meeting.topic = _text(topic, _("Topic"), required=True)
    if place is not UNCHANGED:
        meeting.place = _text(place, "")
    if minutes is not UNCHANGED:
        meeting.minutes = _text(minutes, "")
    meeting.version += 1
    meeting.save()
    if rows is not None:
        meeting.attendance.all().delete()
        Attendance.objects.bulk_create(
            Attendance(meeting=meeting, person_id=pk, presence=presence, reason=reason)
            for pk, presence, reason in rows
        )
    stored = _store(meeting, checked, acting_user)
    for touched in sorted({old_day, day}):
        records_changed(organization.pk, touched)
    after = snapshot(meeting)
    if stored:
        after["files"] = [a.original_name for a in stored]
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        meeting,
        summary=_summary(meeting, "meeting changed"),
        before=before,
        after=after,
        acting_user=acting_user,
    )
    return meeting


@transaction.atomic
def delete_meeting(meeting: Meeting, *, version: int | None = None, acting_user) -> None:
    """Delete a meeting with its attendance and attachments (its date must still be open)."""
    meeting = _lock(meeting, version)
    _check_enter(acting_user, meeting.organization)
    check_open(meeting.date)
    names = list(meeting.attachments.values_list("file", flat=True))
    before = {
        **snapshot(meeting),
        "files": list(meeting.attachments.values_list("original_name", flat=True)),
    }
    audit_trail.record_event(
        AuditKind.RECORD_DELETED,
        meeting,
        summary=_summary(meeting, "meeting deleted"),
        before=before,
        acting_user=acting_user,
    )
    records_changed(meeting.organization_id, meeting.date)
    meeting.delete()
    _remove_unused_on_commit(names)


@transaction.atomic
def add_attachment(
    meeting: Meeting, files: Sequence[File], *, acting_user
) -> list[MeetingAttachment]:
    """Attach photos or PDFs to a meeting; every file is checked before any is stored."""
    meeting = _lock(meeting, None)
    _check_enter(acting_user, meeting.organization)
    check_open(meeting.date)
    checked = _check_files(files)
    if not checked:
        raise RecordRefused(_("Choose a photo or a PDF file to attach."))
    stored = _store(meeting, checked, acting_user)
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        meeting,
        summary=_summary(meeting, "meeting attachment added"),
        after={"files": [a.original_name for a in stored], "sha256": [a.sha256 for a in stored]},
        acting_user=acting_user,
    )
    return stored


@transaction.atomic
def remove_attachment(attachment: MeetingAttachment, *, acting_user) -> None:
    """Remove one attachment; its stored content goes when nothing else uses it."""
    meeting = _lock(attachment.meeting, None)
    _check_enter(acting_user, meeting.organization)
    check_open(meeting.date)
    name = attachment.file.name
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        meeting,
        summary=_summary(meeting, "meeting attachment removed"),
        before={"files": [attachment.original_name], "sha256": [attachment.sha256]},
        acting_user=acting_user,
    )
    attachment.delete()
    _remove_unused_on_commit([name])
