"""Importing payroll sheets (party dues) and study-hour files: all rows in one transaction, or none.

The design is the people import's (`organizations.services.imports`), on the same
`organizations.ImportBatch` rows with kinds of their own: the upload page keeps the file as a
batch, a worker checks it (`check_batch`, the dry run whose findings the preview shows) and, once
the uploader confirmed, imports it (`import_batch`), re-planning inside the importing transaction
so that what is written matches the database at that moment. A file of many thousand rows never
holds a request. After the rows are written the points of every month and organization they
touched are counted again, in the same transaction.

A dues file of kind `dues` only adds months; one of kind `dues_update` also replaces the months
already stored for its members (chosen at upload: an update is never implied).
"""

import hashlib
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit.models import AuditKind
from audit.services import record
from core import jobs
from core.bulk import update_rows
from organizations.importers import CREATE, UPDATE, ImportPlan
from organizations.models import ImportBatch

from ..choices import Source
from ..importers import KINDS, STUDY, DuesItem, StudyItem, build_plan
from ..models import DuesPayment, StudyRecord
from ..sources import records_changed

logger = logging.getLogger(__name__)

PREVIEW_ROWS = 500
PREVIEW_ERRORS = 1000
BATCH = 2000
Status = ImportBatch.Status


class ImportRejected(Exception):
    """The plan has errors; nothing was written. The plan says why."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(f"{len(plan.errors)} error(s)")
        self.plan = plan


class AlreadyImported(Exception):
    """The batch was committed before (a second click, another tab)."""


def upload_batch(
    *, kind: str, data: bytes, filename: str, acting_user, language: str = "zh-hans"
) -> ImportBatch:
    """Keep an uploaded file and have a worker check it for the preview.

    Called outside any transaction: the worker must find the row when the task arrives.
    """
    if kind not in KINDS:
        raise ValueError(kind)
    batch = ImportBatch.objects.create(
        kind=kind,
        filename=filename[:255],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=acting_user,
        language=language,
        status=Status.CHECKING,
        heartbeat_at=timezone.now(),
    )
    send(batch)
    return batch


def confirm_batch(batch: ImportBatch) -> ImportBatch:
    """The uploader confirmed the preview: a worker imports the batch (once). A batch with errors
    is planned again too: the database may have changed since."""
    changed = ImportBatch.objects.filter(
        pk=batch.pk, kind__in=KINDS, status__in=[Status.PENDING, Status.INVALID, Status.FAILED]
    ).update(status=Status.IMPORTING, heartbeat_at=timezone.now(), attempts=0, error="")
    batch.refresh_from_db()
    if not changed:
        if batch.status == Status.COMMITTED:
            raise AlreadyImported(_("This file has already been imported."))
        return batch  # being checked or imported already: a second click changes nothing
    send(batch)
    return batch


def send(batch: ImportBatch) -> None:
    from .. import tasks  # imported here: the tasks module imports this one

    task = tasks.check_records_import if batch.status == Status.CHECKING else tasks.import_records
    try:
        task.delay(batch.pk)
    except Exception:
        # The broker is down: the batch stays as it is and the reaper sends it again.
        logger.exception("records import batch %s: queueing failed", batch.pk)


def _claim(batch_id: int, status: str) -> ImportBatch | None:
    """Take the batch for this attempt, or None when it is not waiting in `status` any more."""
    if not ImportBatch.objects.filter(pk=batch_id, kind__in=KINDS, status=status).update(
        attempts=F("attempts") + 1, heartbeat_at=timezone.now()
    ):
        return None
    return ImportBatch.objects.select_related("uploaded_by").get(pk=batch_id)


def _touch(batch: ImportBatch) -> bool:
    return bool(
        ImportBatch.objects.filter(
            pk=batch.pk, status=batch.status, attempts=batch.attempts
        ).update(heartbeat_at=timezone.now())
    )


def check_batch(batch_id: int) -> ImportBatch | None:
    """The dry run of an uploaded batch, in the uploader's scope and language (a worker's job)."""
    batch = _claim(batch_id, Status.CHECKING)
    if batch is None:
        return None
    with jobs.beating(lambda: _touch(batch)), translation.override(batch.language):
        plan = build_plan(batch.kind, bytes(batch.content), batch.filename, user=batch.uploaded_by)
        fields = {
            "status": Status.PENDING if plan.ok else Status.INVALID,
            "summary": _summary(plan),
            "preview": _preview(plan),
        }
    ImportBatch.objects.filter(pk=batch.pk, status=Status.CHECKING, attempts=batch.attempts).update(
        heartbeat_at=None, error="", **fields
    )
    batch.refresh_from_db()
    return batch


def import_batch(batch_id: int) -> ImportBatch | None:
    """Apply a confirmed batch once, planned again against the database as it is now; a plan with
    errors leaves everything as it was and the batch invalid with its findings (a worker's job)."""
    batch = _claim(batch_id, Status.IMPORTING)
    if batch is None:
        return None
    with (
        jobs.beating(lambda: _touch(batch)),
        translation.override(batch.language),
        transaction.atomic(),
    ):
        plan = build_plan(batch.kind, bytes(batch.content), batch.filename, user=batch.uploaded_by)
        if plan.ok:
            apply_plan(plan, acting_user=batch.uploaded_by)
        outcome = {
            "status": Status.COMMITTED if plan.ok else Status.INVALID,
            "committed_at": timezone.now() if plan.ok else None,
            "summary": _summary(plan),
            "preview": _preview(plan),
            "heartbeat_at": None,
        }
        if not ImportBatch.objects.filter(
            pk=batch.pk, status=Status.IMPORTING, attempts=batch.attempts
        ).update(**outcome):
            transaction.set_rollback(True)  # the reaper gave this attempt up meanwhile
            return None
        batch.refresh_from_db()
        if plan.ok:
            record(
                AuditKind.RECORDS_IMPORTED,
                actor=batch.uploaded_by,
                target=f"import:{batch.pk}",
                summary=f"{batch.kind}: {batch.filename}",
                after={"kind": batch.kind, "sha256": batch.sha256, **(batch.summary or {})},
            )
    return batch


def _preview(plan: ImportPlan) -> dict:
    """What the preview page shows, in plain JSON: errors by line, then the changes, capped."""
    errors = plan.errors
    changes = [
        {
            "line": row.line,
            "key": row.key,
            "name": row.name,
            "change": row.change,
            "fields": row.changed_fields,
        }
        for row in plan.rows
        if row.change in (CREATE, UPDATE)
    ]
    return {
        "errors": [[issue.line, issue.message] for issue in errors[:PREVIEW_ERRORS]],
        "more_errors": max(0, len(errors) - PREVIEW_ERRORS),
        "changes": changes[:PREVIEW_ROWS],
        "more_changes": max(0, len(changes) - PREVIEW_ROWS),
        "ok": plan.ok,
    }


def _summary(plan: ImportPlan) -> dict:
    return {"counts": plan.counts, "errors": len(plan.errors)}


@transaction.atomic
def apply_plan(plan: ImportPlan, *, acting_user) -> None:
    """Write a checked plan; the months and organizations it touched are counted again after
    commit (`records_changed`: counted values and member points)."""
    if not plan.ok:
        raise ImportRejected(plan)
    if plan.kind == STUDY:
        touched = _apply_study(plan.items, acting_user)
    else:
        touched = _apply_dues(plan.items, acting_user)
    for month, organization_ids in sorted(touched.items()):
        for organization_id in sorted(organization_ids):
            records_changed(organization_id, month)


def _apply_dues(items: list[DuesItem], user) -> dict:
    touched: dict = defaultdict(set)
    fields = ["organization_id", "base", "rate", "due", "paid", "paid_on"]
    DuesPayment.objects.bulk_create(
        [
            DuesPayment(
                person_id=item.person_id,
                month=item.month,
                source=Source.IMPORTED,
                updated_by=user,
                **{name: getattr(item, name) for name in fields},
            )
            for item in items
            if item.existing_id is None
        ],
        batch_size=BATCH,
    )
    changed = [item for item in items if item.existing_id and item.changed_fields]
    previous = dict(
        DuesPayment.objects.filter(pk__in=[item.existing_id for item in changed]).values_list(
            "pk", "organization_id"
        )
    )
    now = timezone.now()
    update_rows(
        DuesPayment,
        [*fields, "source", "updated_by_id", "updated_at"],
        [
            (item.existing_id, *(getattr(item, f) for f in fields), Source.IMPORTED, user.pk, now)
            for item in changed
        ],
    )
    for item in changed:
        touched[item.month].add(previous[item.existing_id])
    for item in items:
        if item.existing_id is None or item.changed_fields:
            touched[item.month].add(item.organization_id)
    return touched


def _apply_study(items: list[StudyItem], user) -> dict:
    touched: dict = defaultdict(set)
    StudyRecord.objects.bulk_create(
        [
            StudyRecord(
                person_id=item.person_id,
                organization_id=item.organization_id,
                date=item.date,
                kind=item.kind,
                title=item.title,
                hours=item.hours,
                source=Source.IMPORTED,
                created_by=user,
            )
            for item in items
        ],
        batch_size=BATCH,
    )
    for item in items:
        touched[item.date.replace(day=1)].add(item.organization_id)
    return touched
