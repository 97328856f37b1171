"""Secretaries' annual reports (述职评议): opening them, the secretary's report and the meeting's
votes, the documents, submitting, and the committee's rating.

A report goes draft → submitted → rated. The organization (whoever enters its data:
`can(user, ENTER, organization)`) writes the secretary's name, the summary and the votes and
attaches the documents while it is a draft, then submits it (votes and at least one document
needed). A reviewer strictly above the organization (`can_from_above(user, REVIEW, organization)`)
rates it: the votes' proposal, or another rating with a reason; a rated report may be rated again
while the period is open. Every write needs the period open, locks the report, refuses a stale
`version` and records its audit entry in the same transaction. A rating is counted into the
organization's indicator (source `secretary_report`): its submissions of the period are
recounted in a task after the commit (`sources.report_rated`).

Documents are checked by what they contain (PDF, Word, images), as evidence is, and stored under
their SHA-256; they do not change the report's version (they are rows of their own).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.files.base import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from assessment.choices import PeriodKind, PeriodStatus, SubjectUnit
from assessment.models import Period, Submission
from assessment.scoring.spec.shape import SecretaryReportsShape
from assessment.services import counted
from assessment.services.evidence import (
    EvidenceRefused,
    inspect_upload,
    original_name,
    store_content,
)
from audit import hooks as audit_trail
from audit.models import AuditKind
from organizations.choices import Action
from organizations.scope import can, can_from_above

from .. import config, ratings
from ..choices import ReportState
from ..models import SecretaryReport, SecretaryReportDocument
from ..sources import report_rated
from .refusals import NotAllowed, Refused, StaleVersion

__all__ = [
    "DOCUMENT_TYPES",
    "NotAllowed",
    "ReportRefused",
    "StaleVersion",
    "add_documents",
    "can_enter",
    "can_rate",
    "open_for_period",
    "rate",
    "recount_organization",
    "remove_document",
    "save",
    "submit",
]

NAME_MAX = 100
SUMMARY_MAX = 20_000
REASON_MAX = 2_000
MAX_FILES = 10  # at a time
MAX_DOCUMENTS = 20  # per report

DOCUMENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
    }
)


ReportRefused = Refused


# -- who may do what --------------------------------------------------------------------------


def can_enter(user, report: SecretaryReport) -> bool:
    """The organization's own: whoever enters its data."""
    return can(user, Action.ENTER, report.organization)


def can_rate(user, report: SecretaryReport) -> bool:
    """A reviewer above the organization: it never rates its own secretary."""
    return can_from_above(user, Action.REVIEW, report.organization)


def shape_of(period: Period) -> SecretaryReportsShape | None:
    return config.for_period(period).secretary_reports


def check_open(period: Period) -> None:
    """Refuse a change unless the report's period is open."""
    if period.status == PeriodStatus.OPEN:
        return
    messages = {
        PeriodStatus.LOCKED: _(
            "The assessment period %(period)s is locked: its reports are locked with it."
        ),
        PeriodStatus.CLOSED: _(
            "The assessment period %(period)s is closed: its reports can no longer change."
        ),
    }
    message = messages.get(period.status, _("The assessment period %(period)s is not open yet."))
    raise ReportRefused(message % {"period": period.display_name})


def _lock(report: SecretaryReport) -> SecretaryReport:
    return (
        SecretaryReport.objects.select_for_update(of=("self",))
        .select_related("period__framework", "organization")
        .get(pk=report.pk)
    )


def _check_version(report: SecretaryReport, version: int | None) -> None:
    if version is None or int(version) != report.version:
        raise StaleVersion(
            _(
                "Someone changed this report after you opened it (now version %(v)d). Nothing "
                "was saved: check the report and enter your change again."
            )
            % {"v": report.version},
            report.version,
        )


def _check_draft(report: SecretaryReport, acting_user) -> None:
    if not can_enter(acting_user, report):
        raise NotAllowed(_("You do not enter data for this organization."))
    check_open(report.period)
    if report.state != ReportState.DRAFT:
        raise ReportRefused(_("The report has been submitted: it can no longer change."))


def snapshot(report: SecretaryReport) -> dict[str, Any]:
    """What the trail keeps of a report."""
    return {
        "secretary_name": report.secretary_name,
        "summary": report.summary,
        "votes": dict(report.votes or {}),
        "proposed_rating": report.proposed_rating,
        "rating": report.rating,
        "rating_reason": report.rating_reason,
        "state": report.state,
        "version": report.version,
    }


def _audit(kind: str, report: SecretaryReport, what: str, *, before=None, after=None, user) -> None:
    audit_trail.record_event(
        kind,
        report,
        summary=f"{report.organization.code} {report.period.display_name} {what}",
        before=before,
        after=after,
        acting_user=user,
        period=report.period_id,
    )


# -- opening ----------------------------------------------------------------------------------


def open_for_period(period: Period, submission_ids: Iterable[int] | None = None) -> int:
    """One report per organization of the kinds the framework names (`applies_to`) in a year
    period; answers how many were made. Idempotent: organizations that have one are skipped.

    The organizations are those with a submission of the period (the ones of `submission_ids`
    only, when given: what a period's opening just made). Three queries whatever the number.
    """
    shape = shape_of(period)
    if shape is None or period.kind != PeriodKind.YEAR:
        return 0
    subjects = Submission.objects.filter(
        period=period,
        subject_unit=SubjectUnit.ORGANIZATION,
        subject_kind__in=list(shape.applies_to),
    )
    if submission_ids is not None:
        subjects = subjects.filter(pk__in=sorted(set(submission_ids)))
    organizations = set(subjects.values_list("organization_id", flat=True))
    have = set(
        SecretaryReport.objects.filter(period=period, organization_id__in=sorted(organizations))
        .values_list("organization_id", flat=True)
        .order_by()
    )
    missing = sorted(organizations - have)
    SecretaryReport.objects.bulk_create(
        [SecretaryReport(period=period, organization_id=org) for org in missing],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(missing)


# -- the organization's report ----------------------------------------------------------------


def _votes(raw: Mapping[str, object] | None) -> dict[str, int]:
    """The votes to keep: none when every count is blank (not entered yet), else checked."""
    if raw is None:
        return {}
    blank = isinstance(raw, Mapping) and all(
        kind in ratings.VOTE_KINDS and value in (None, "") for kind, value in raw.items()
    )
    if blank:
        return {}
    try:
        return ratings.check_votes(raw)
    except ratings.VotesRefused as refused:
        raise ReportRefused(" ".join(refused.messages(get_language() or "zh-hans"))) from refused


def _proposal(report: SecretaryReport, votes: Mapping[str, int]) -> str:
    shape = shape_of(report.period)
    if shape is None or not votes:
        return ""
    rating = ratings.proposed(votes, shape.votes, shape.ratings).rating
    return rating.code if rating else ""


@transaction.atomic
def save(
    report: SecretaryReport,
    *,
    secretary_name: str,
    summary: str,
    votes: Mapping[str, object] | None,
    version: int | None,
    acting_user,
) -> SecretaryReport:
    """The organization saves its draft: the secretary's name, the summary and the votes (all
    blank: not entered yet); the proposed rating follows the votes."""
    report = _lock(report)
    _check_draft(report, acting_user)
    _check_version(report, version)
    secretary_name = (secretary_name or "").strip()
    summary = (summary or "").strip()
    if len(secretary_name) > NAME_MAX:
        raise ReportRefused(
            _("The secretary's name is too long: at most %(n)d characters.") % {"n": NAME_MAX}
        )
    if len(summary) > SUMMARY_MAX:
        raise ReportRefused(
            _("The summary is too long: at most %(n)d characters.") % {"n": SUMMARY_MAX}
        )
    checked = _votes(votes)
    before = snapshot(report)
    report.secretary_name = secretary_name
    report.summary = summary
    report.votes = checked
    report.proposed_rating = _proposal(report, checked)
    report.version += 1
    report.save()
    _audit(
        AuditKind.SECRETARY_REPORT_SAVED,
        report,
        "saved",
        before=before,
        after=snapshot(report),
        user=acting_user,
    )
    return report


def _inspect(uploaded_file: File) -> tuple[str, str, int]:
    name = original_name(uploaded_file)
    try:
        content_type, sha256, size = inspect_upload(uploaded_file)
    except EvidenceRefused as refused:
        raise ReportRefused(f"{name}: {refused}") from refused
    if content_type not in DOCUMENT_TYPES:
        raise ReportRefused(
            _(
                "%(name)s: only PDF, Word documents and images (JPEG, PNG, GIF, WebP) can be "
                "attached to a report; this file is none of these, whatever its name says."
            )
            % {"name": name}
        )
    return content_type, sha256, size


@transaction.atomic
def add_documents(
    report: SecretaryReport, files: Sequence[File], *, acting_user
) -> list[SecretaryReportDocument]:
    """Attach the report's documents; every file is checked before any is stored."""
    report = _lock(report)
    _check_draft(report, acting_user)
    files = [f for f in files if f]
    if not files:
        raise ReportRefused(_("Choose a PDF, Word or image file to attach."))
    if len(files) > MAX_FILES:
        raise ReportRefused(_("Attach at most %(n)d files at a time.") % {"n": MAX_FILES})
    if report.documents.count() + len(files) > MAX_DOCUMENTS:
        raise ReportRefused(
            _("A report has at most %(n)d documents: remove one first.") % {"n": MAX_DOCUMENTS}
        )
    checked = [(f, _inspect(f)) for f in files]
    stored = []
    for uploaded_file, (content_type, sha256, size) in checked:
        document = SecretaryReportDocument(
            report=report,
            original_name=original_name(uploaded_file),
            content_type=content_type,
            size=size,
            sha256=sha256,
            uploaded_by=acting_user,
        )
        store_content(document, uploaded_file)
        stored.append(document)
    _audit(
        AuditKind.SECRETARY_REPORT_SAVED,
        report,
        "document added",
        after={"files": [d.original_name for d in stored], "sha256": [d.sha256 for d in stored]},
        user=acting_user,
    )
    return stored


def _remove_unused_on_commit(name: str) -> None:
    def remove() -> None:
        if not SecretaryReportDocument.objects.filter(file=name).exists():
            default_storage.delete(name)

    if name:
        transaction.on_commit(remove)


@transaction.atomic
def remove_document(document: SecretaryReportDocument, *, acting_user) -> None:
    """Remove one document of a draft; its stored content goes when no report uses it."""
    report = _lock(document.report)
    _check_draft(report, acting_user)
    name = document.file.name
    _audit(
        AuditKind.SECRETARY_REPORT_SAVED,
        report,
        "document removed",
        before={"files": [document.original_name], "sha256": [document.sha256]},
        user=acting_user,
    )
    document.delete()
    _remove_unused_on_commit(name)


@transaction.atomic
def submit(report: SecretaryReport, *, version: int | None, acting_user) -> SecretaryReport:
    """The organization hands its report to the committee above: votes and a document needed."""
    report = _lock(report)
    _check_draft(report, acting_user)
    _check_version(report, version)
    problems = []
    if not ratings.voters(report.votes or {}):
        problems.append(_("Enter the meeting's votes before submitting."))
    if not report.documents.exists():
        problems.append(_("Attach the report (a PDF, Word or image file) before submitting."))
    if problems:
        raise ReportRefused(" ".join(problems))
    before = snapshot(report)
    report.state = ReportState.SUBMITTED
    report.submitted_at = timezone.now()
    report.version += 1
    report.save()
    _audit(
        AuditKind.SECRETARY_REPORT_SAVED,
        report,
        "submitted",
        before=before,
        after=snapshot(report),
        user=acting_user,
    )
    return report


# -- the committee's rating -------------------------------------------------------------------


@transaction.atomic
def rate(
    report: SecretaryReport, *, rating: str, reason: str, version: int | None, acting_user
) -> SecretaryReport:
    """A reviewer above the organization rates a submitted report (or rates it again): the
    votes' proposal, or another rating with a reason. The rating is counted into the
    organization's indicator after the commit."""
    report = _lock(report)
    if not can_rate(acting_user, report):
        raise NotAllowed(_("Only a reviewer above this organization rates its secretary's report."))
    check_open(report.period)
    _check_version(report, version)
    if report.state == ReportState.DRAFT:
        raise ReportRefused(_("The report has not been submitted yet."))
    shape = shape_of(report.period)
    chosen = ratings.rating_named(shape.ratings, rating or "") if shape else None
    if chosen is None:
        raise ReportRefused(_("Choose one of the ratings."))
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX:
        raise ReportRefused(
            _("The reason is too long: at most %(n)d characters.") % {"n": REASON_MAX}
        )
    if chosen.code != report.proposed_rating and not reason:
        raise ReportRefused(_("Give a reason for a rating other than the one the votes propose."))
    before = snapshot(report)
    report.rating = chosen.code
    report.rating_reason = reason
    report.state = ReportState.RATED
    report.rated_by = acting_user
    report.rated_at = timezone.now()
    report.version += 1
    report.save()
    _audit(
        AuditKind.SECRETARY_REPORT_RATED,
        report,
        f"rated {chosen.code}",
        before=before,
        after=snapshot(report),
        user=acting_user,
    )
    report_rated(report)
    return report


def recount_organization(period_id: int, organization_id: int) -> int:
    """Recount the organization's submissions of the period (what its rating feeds); the task
    sent after a rating calls this. Nothing in a locked period."""
    period = Period.objects.select_related("framework").filter(pk=period_id).first()
    if period is None:
        return 0
    submissions = list(
        Submission.objects.filter(period=period, organization_id=organization_id).only("id")
    )
    if not submissions:
        return 0
    return counted.recount(period, submissions)
