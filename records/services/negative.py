"""The negative list (负面清单): events recorded on a unit by an inspector above it.

Discipline inspection finds and decides these events; the unit never declares them itself. So an
event is written, changed or deleted only by a user who holds `inspect` on a strict ancestor of
its organization (`can_from_above`), never on the unit itself: a secretary or reviewer cannot, and
neither can an inspector whose role sits on the unit. Administrators hold every action and may.

An event's date follows the rule of every record (`dates.check_open`): inside an open period and
no closed or locked one; a change checks the old date and the new one, a deletion the old one.
A change names the version of the event it was based on, as a meeting's does: one based on an
older version raises `StaleVersion` and writes nothing, one that goes through (a field, an added
or a removed document) moves the version on; a deletion may name it too.
Decision documents are PDFs or images, checked by their content and kept under their SHA-256.
Every write is one transaction with its audit entry, and calls `records_changed` for the
organization on every day it touched (the old and the new on a move), so the counted values of the
negative list follow on commit.
"""

import datetime
import os
from collections.abc import Iterable
from typing import Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
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
from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import can_from_above

from ..choices import NegativeCategory, Severity
from ..models import DecisionDocument, MeetingAttachment, NegativeEvent
from ..sources import records_changed
from .dates import NotAllowed, RecordRefused, StaleVersion, check_open

MAX_DOCUMENTS = 10
# Decision documents are read, printed and filed: a PDF or a scan, nothing that runs or edits.
DOCUMENT_TYPES = frozenset(
    {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}
)
TITLE_MAX = NegativeEvent._meta.get_field("title").max_length
NUMBER_MAX = NegativeEvent._meta.get_field("decision_number").max_length
DESCRIPTION_MAX = 10_000


def can_record(user, organization: Organization) -> bool:
    """Whether the user may record (change, delete) negative events of the organization."""
    return can_from_above(user, Action.INSPECT, organization)


def _check_allowed(user, organization: Organization) -> None:
    if not can_record(user, organization):
        raise NotAllowed(
            _(
                "Negative events of %(org)s are recorded by discipline inspection above it, "
                "not by the unit itself: you may not record them."
            )
            % {"org": organization.display_name}
        )


def _clean_text(value: str, *, limit: int, field: str, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise RecordRefused(_("Give the %(field)s.") % {"field": field})
    if len(value) > limit:
        raise RecordRefused(
            _("The %(field)s is too long: at most %(n)d characters.") % {"field": field, "n": limit}
        )
    return value


def _clean_choice(value: str, choices, field: str) -> str:
    if value not in choices.values:
        raise RecordRefused(_("Unknown %(field)s: %(value)s.") % {"field": field, "value": value})
    return value


def _clean_date(value: Any) -> datetime.date:
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        raise RecordRefused(_("Give the date of the event."))
    return value


def _document_name(uploaded_file: File) -> str:
    return os.path.basename((uploaded_file.name or "").replace("\\", "/"))


def _inspect(uploaded_file: File) -> tuple[str, str, int]:
    """(content type, SHA-256, size) of a decision document; RecordRefused if it is not one."""
    name = _document_name(uploaded_file)
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    refused_type = RecordRefused(
        _("%(name)s: a decision document must be a PDF or an image (PNG, JPEG, GIF, WebP).")
        % {"name": name}
    )
    # An empty file is left to inspect_upload, which says so.
    if head and sniff(head) not in DOCUMENT_TYPES:
        raise refused_type
    try:
        facts = inspect_upload(uploaded_file)
    except EvidenceRefused as refused:
        raise RecordRefused(f"{name}: {refused}") from refused
    if facts[0] not in DOCUMENT_TYPES:
        raise refused_type
    return facts


def _check_documents(documents: Iterable[File], already: int = 0) -> list[tuple[File, tuple]]:
    files = [f for f in documents if f]
    if already + len(files) > MAX_DOCUMENTS:
        raise RecordRefused(
            _("An event has at most %(n)d decision documents.") % {"n": MAX_DOCUMENTS}
        )
    # Every file is checked before any is stored: a bad one refuses the whole write.
    return [(f, _inspect(f)) for f in files]


def _store(event: NegativeEvent, checked: list[tuple[File, tuple]], user) -> None:
    for uploaded_file, (content_type, sha256, size) in checked:
        document = DecisionDocument(
            event=event,
            original_name=original_name(uploaded_file),
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=user,
        )
        store_content(document, uploaded_file)


def _snapshot(event: NegativeEvent) -> dict[str, Any]:
    return {
        "category": event.category,
        "severity": event.severity,
        "date": event.date.isoformat(),
        "title": event.title,
        "description": event.description,
        "decision_number": event.decision_number,
        "version": event.version,
        "documents": sorted(
            f"{d.sha256} {d.original_name}" for d in DecisionDocument.objects.filter(event=event)
        ),
    }


def _summary(event: NegativeEvent) -> str:
    return f"{event.organization.code} {event.date.isoformat()} {event.category}/{event.severity}"


@transaction.atomic
def record_negative_event(
    organization: Organization,
    *,
    category: str,
    severity: str,
    date: datetime.date,
    title: str,
    description: str = "",
    decision_number: str = "",
    documents: Iterable[File] = (),
    acting_user,
) -> NegativeEvent:
    """Put an event on the unit's negative list, with its decision documents."""
    _check_allowed(acting_user, organization)
    if not organization.is_active:
        raise RecordRefused(_("%(org)s is no longer active.") % {"org": organization.display_name})
    event = NegativeEvent(
        organization=organization,
        category=_clean_choice(category, NegativeCategory, _("category")),
        severity=_clean_choice(severity, Severity, _("severity")),
        date=_clean_date(date),
        title=_clean_text(title, limit=TITLE_MAX, field=_("title"), required=True),
        description=_clean_text(description, limit=DESCRIPTION_MAX, field=_("description")),
        decision_number=_clean_text(
            decision_number, limit=NUMBER_MAX, field=_("decision document number")
        ),
        entered_by=acting_user,
    )
    check_open(event.date)
    checked = _check_documents(documents)
    event.save()
    _store(event, checked, acting_user)
    # No points rule reads the negative list: only the counted values follow.
    records_changed(organization.pk, event.date, points=False)
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        event,
        summary=_summary(event),
        after=_snapshot(event),
        acting_user=acting_user,
    )
    return event


def _lock(event: NegativeEvent, version: int | None) -> NegativeEvent:
    locked = (
        NegativeEvent.objects.select_for_update(of=("self",))
        .select_related("organization")
        .get(pk=event.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(locked.version)
    return locked


@transaction.atomic
def change_negative_event(
    event: NegativeEvent,
    *,
    version: int | None,
    acting_user,
    category: str | None = None,
    severity: str | None = None,
    date: datetime.date | None = None,
    title: str | None = None,
    description: str | None = None,
    decision_number: str | None = None,
    documents: Iterable[File] = (),
    remove_documents: Iterable[int] = (),
) -> NegativeEvent:
    """Change what is given (None: unchanged), add documents and remove some by id, based on
    the version the user saw: a change based on an older one raises StaleVersion."""
    event = _lock(event, version)
    _check_allowed(acting_user, event.organization)
    check_open(event.date)
    before = _snapshot(event)
    old_day = event.date
    changed: list[str] = []
    updates = {
        "category": None
        if category is None
        else _clean_choice(category, NegativeCategory, _("category")),
        "severity": None if severity is None else _clean_choice(severity, Severity, _("severity")),
        "date": None if date is None else _clean_date(date),
        "title": None
        if title is None
        else _clean_text(title, limit=TITLE_MAX, field=_("title"), required=True),
        "description": None
        if description is None
        else _clean_text(description, limit=DESCRIPTION_MAX, field=_("description")),
        "decision_number": None
        if decision_number is None
        else _clean_text(decision_number, limit=NUMBER_MAX, field=_("decision document number")),
    }
    for name, value in updates.items():
        if value is not None and value != getattr(event, name):
            setattr(event, name, value)
            changed.append(name)
    if "date" in changed:
        check_open(event.date)
    removed = list(DecisionDocument.objects.filter(event=event, pk__in=set(remove_documents)))
    kept = DecisionDocument.objects.filter(event=event).count() - len(removed)
    checked = _check_documents(documents, already=kept)
    if not (changed or removed or checked):
        raise RecordRefused(_("Nothing was changed."))
    event.version += 1
    event.save(update_fields=[*changed, "version", "updated_at"])
    names = [d.file.name for d in removed]
    DecisionDocument.objects.filter(pk__in=[d.pk for d in removed]).delete()
    _store(event, checked, acting_user)
    _remove_unused_on_commit(names)
    if changed:  # documents alone count for nothing
        for touched in sorted({old_day, event.date}):
            records_changed(event.organization_id, touched, points=False)
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        event,
        summary=_summary(event),
        before=before,
        after=_snapshot(event),
        acting_user=acting_user,
    )
    return event


@transaction.atomic
def delete_negative_event(event: NegativeEvent, *, version: int | None = None, acting_user) -> None:
    """Take an event off the list with its documents (the trail keeps what it was); with a
    version, only if it is still the one the user saw."""
    event = _lock(event, version)
    _check_allowed(acting_user, event.organization)
    check_open(event.date)
    before = _snapshot(event)
    names = list(DecisionDocument.objects.filter(event=event).values_list("file", flat=True))
    # The entry names the event by its id, which the deletion clears: recorded first.
    audit_trail.record_event(
        AuditKind.RECORD_DELETED,
        event,
        summary=_summary(event),
        before=before,
        acting_user=acting_user,
    )
    records_changed(event.organization_id, event.date, points=False)
    event.delete()
    _remove_unused_on_commit(names)


def _remove_unused_on_commit(names: list[str]) -> None:
    """Delete stored contents nothing refers to any more, once the deletion is committed.

    Contents are shared by hash with other decision documents and with meeting attachments
    (both kept under records/), so a file goes only when neither uses it.
    """
    if not names:
        return

    def remove() -> None:
        used = set(
            DecisionDocument.objects.filter(file__in=names).values_list("file", flat=True)
        ) | set(MeetingAttachment.objects.filter(file__in=names).values_list("file", flat=True))
        for name in set(names) - used:
            default_storage.delete(name)

    transaction.on_commit(remove)
