"""Evidence files: accepted by what they contain (never by their name), stored under their hash.

`add_evidence` reads an upload once, in chunks, computing its SHA-256 and refusing it above
`settings.UPLOAD_MAX_BYTES`; the type is sniffed from the first bytes (and, for Office files, from
the zip's table of contents, which is read without unpacking anything). Only documents and images
a reviewer can open safely are accepted: PDF, PNG, JPEG, GIF, WebP, Office (OOXML and legacy).
HTML, SVG, scripts and programs are refused whatever they are called.
"""

import hashlib
import os
import zipfile
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _

from audit import hooks as audit_trail
from audit.models import AuditKind

from ..choices import PeriodStatus
from ..models import Evidence, Indicator, Submission
from . import rollup
from .submissions import EDITABLE, NotAllowed, WorkflowError, can_enter, entry_indicators

CHUNK = 64 * 1024
ALLOWED_TYPES = "PDF, PNG, JPEG, GIF, WebP, Word, Excel, PowerPoint"

_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# An OLE2 container does not say cheaply which program wrote it; the name's extension picks the
# type among the three legacy formats (the content has already been checked to be OLE2).
_LEGACY_OFFICE = {
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}
_LEGACY_DEFAULT = "application/vnd.ms-office"


class EvidenceRefused(WorkflowError):
    """A file that is not accepted as evidence; the message is for the user."""


def sniff(head: bytes) -> str | None:
    """The content type told by a file's first bytes; "zip" for a zip archive; None otherwise."""
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(_OLE2):
        return _LEGACY_DEFAULT
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    return None


def office_type(stream: IO[bytes]) -> str | None:
    """The OOXML type of a zip archive, or None when it is not a Word, Excel or PowerPoint file.

    Only the archive's directory is read: nothing is decompressed.
    """
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for prefix, content_type in _OOXML.items():
        if any(name.startswith(prefix) for name in names):
            return content_type
    return None


def _refuse_type() -> EvidenceRefused:
    return EvidenceRefused(
        _("This type of file is not accepted as evidence. Allowed: %(types)s.")
        % {"types": ALLOWED_TYPES}
    )


def _limit_mb() -> str:
    return f"{settings.UPLOAD_MAX_BYTES / (1024 * 1024):g}"


def _refuse_size() -> EvidenceRefused:
    return EvidenceRefused(_("The file is too large: at most %(mb)s MB.") % {"mb": _limit_mb()})


def inspect_upload(uploaded_file: File) -> tuple[str, str, int]:
    """Check an upload and return (content type, SHA-256, size); raise EvidenceRefused if bad.

    The file is read once, in chunks; reading stops as soon as it passes the size limit.
    """
    limit = settings.UPLOAD_MAX_BYTES
    declared = getattr(uploaded_file, "size", None)
    if declared is not None and declared > limit:
        raise _refuse_size()
    digest = hashlib.sha256()
    head = b""
    size = 0
    uploaded_file.seek(0)
    for chunk in uploaded_file.chunks(CHUNK):
        size += len(chunk)
        if size > limit:
            raise _refuse_size()
        if len(head) < 16:
            head += chunk[: 16 - len(head)]
        digest.update(chunk)
    if size == 0:
        raise EvidenceRefused(_("The file is empty."))
    content_type = sniff(head)
    if content_type == "zip":
        uploaded_file.seek(0)
        content_type = office_type(uploaded_file)
    if content_type is None:
        raise _refuse_type()
    if content_type == _LEGACY_DEFAULT:
        extension = os.path.splitext(uploaded_file.name or "")[1].lower()
        content_type = _LEGACY_OFFICE.get(extension, _LEGACY_DEFAULT)
    uploaded_file.seek(0)
    return content_type, digest.hexdigest(), size


def original_name(uploaded_file: File) -> str:
    """The user's file name, kept only as a record: no path, printable, at most 255 characters."""
    name = os.path.basename((uploaded_file.name or "").replace("\\", "/")).strip()
    name = "".join(ch for ch in name if ch.isprintable())
    return name[-255:] or "evidence"


def _lock(submission: Submission) -> Submission:
    # As submissions._lock: the period shared, the submission alone exclusively (no deadlock
    # with the audit chain's lock).
    rollup.lock_period(submission.period_id, shared=True)
    return (
        Submission.objects.select_for_update(of=("self",))
        .select_related("period__framework", "organization")
        .get(pk=submission.pk)
    )


def _check_editable(submission: Submission, acting_user) -> None:
    if not can_enter(acting_user, submission):
        raise NotAllowed(_("You do not enter data for this organization."))
    if submission.state not in EDITABLE:
        raise WorkflowError(_("Evidence can only be changed while the submission is editable."))
    if submission.period.status != PeriodStatus.OPEN:
        raise WorkflowError(_("The period is not open."))


@transaction.atomic
def add_evidence(
    submission: Submission, indicator_code: str, uploaded_file: File, *, acting_user
) -> Evidence:
    """Attach a file to one indicator of an editable submission.

    The file is stored under its SHA-256 (the same content is stored once); the name the user
    gave it is kept only as a record, for downloads.
    """
    submission = _lock(submission)
    _check_editable(submission, acting_user)
    if indicator_code not in {i.code for i in entry_indicators(submission)}:
        raise WorkflowError(_("Not an indicator of this submission."))
    content_type, sha256, size = inspect_upload(uploaded_file)
    indicator = Indicator.objects.get(framework=submission.period.framework_id, code=indicator_code)
    evidence = Evidence(
        submission=submission,
        indicator=indicator,
        original_name=original_name(uploaded_file),
        content_type=content_type,
        size=size,
        sha256=sha256,
        uploaded_by=acting_user,
    )
    store_content(evidence, uploaded_file)
    audit_trail.evidence_event(AuditKind.EVIDENCE_ADDED, evidence, acting_user=acting_user)
    return evidence


def store_content(record, uploaded_file: File) -> None:
    """Save a record whose `file` is named by the content's hash: content stored already (the
    same file uploaded before) is shared, not written again."""
    stored_as = record.file.field.generate_filename(record, "upload")
    if default_storage.exists(stored_as):
        record.file.name = stored_as
    else:
        record.file.save("upload", uploaded_file, save=False)
    record.save()


@transaction.atomic
def delete_evidence(evidence: Evidence, *, acting_user) -> None:
    """Remove a file from an editable submission; the stored content goes when nothing uses it."""
    submission = _lock(evidence.submission)
    _check_editable(submission, acting_user)
    name = evidence.file.name
    audit_trail.evidence_event(AuditKind.EVIDENCE_REMOVED, evidence, acting_user=acting_user)
    evidence.delete()

    def remove_unused() -> None:
        if name and not Evidence.objects.filter(file=name).exists():
            default_storage.delete(name)

    transaction.on_commit(remove_unused)
