"""Importing payroll sheets (party dues) and study-hour files: all rows in one transaction, or none.

The lifecycle is the people import's (`organizations.batches`), on the same
`organizations.ImportBatch` rows with kinds of their own: the upload page keeps the file as a
batch, a worker checks it (`check_batch`, the dry run whose findings the preview shows) and, once
the uploader confirmed, imports it (`import_batch`), re-planning inside the importing transaction
so that what is written matches the database at that moment. A file of many thousand rows never
holds a request. Once the rows are committed, what every month and organization they touched
counts for (values counted from records, member points) is counted again.

A dues file of kind `dues` only adds months; one of kind `dues_update` also replaces the months
already stored for its members (chosen at upload: an update is never implied).
"""

from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from audit.models import AuditKind
from audit.services import record
from core.bulk import update_rows
from organizations.batches import AlreadyImported, BatchImport, ImportRejected
from organizations.importers import ImportPlan
from organizations.models import ImportBatch

from ..choices import Source
from ..importers import KINDS, STUDY, DuesItem, StudyItem, build_plan
from ..models import DuesPayment, StudyRecord
from ..sources import records_changed

__all__ = [
    "BATCHES",
    "AlreadyImported",
    "ImportRejected",
    "apply_plan",
    "check_batch",
    "confirm_batch",
    "import_batch",
    "send",
    "upload_batch",
]

BATCH = 2000


def _committed(batch: ImportBatch) -> None:
    record(
        AuditKind.RECORDS_IMPORTED,
        actor=batch.uploaded_by,
        target=f"import:{batch.pk}",
        summary=f"{batch.kind}: {batch.filename}",
        after={"kind": batch.kind, "sha256": batch.sha256, **(batch.summary or {})},
    )


def _tasks():
    from .. import tasks  # imported here: the tasks module imports this one

    return tasks.check_records_import, tasks.import_records


# Payroll and study files, by the lifecycle every batch import shares (`organizations.batches`).
BATCHES = BatchImport(
    name="record_imports",
    kinds=KINDS,
    plan=lambda kind, data, filename, user: build_plan(kind, data, filename, user=user),
    apply=lambda plan, user: apply_plan(plan, acting_user=user),
    committed=_committed,
    tasks=_tasks,
)
upload_batch = BATCHES.upload
confirm_batch = BATCHES.confirm
send = BATCHES.send
check_batch = BATCHES.check
import_batch = BATCHES.run


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
