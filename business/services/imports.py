"""Importing files of business figures: all lines in one transaction, or none.

The lifecycle is every batch import's (`organizations.batches`), on `organizations.ImportBatch`
rows of the kind `business_figures`: the upload page keeps the file as a batch, a worker checks it
(`check_batch`, the dry run whose findings the preview shows) and, once the uploader confirmed,
imports it (`import_batch`), planned again inside the importing transaction so that what is
written matches the database at that moment. Each organization and year the file changed gets its
audit entry with the figures before and after (the figures' history), and the batch one more.
"""

from django.db import transaction
from django.utils import timezone

from audit import hooks as audit_trail
from audit.models import AuditKind
from audit.services import record
from organizations.batches import AlreadyImported, BatchImport, ImportRejected
from organizations.importers import ImportPlan
from organizations.models import ImportBatch

from ..choices import FigureSource
from ..importers import KINDS, FigureItem, build_plan
from ..models import BusinessFigure, BusinessMeasure
from .figures import shown

__all__ = [
    "BATCHES",
    "AlreadyImported",
    "ImportRejected",
    "apply_plan",
    "check_batch",
    "confirm_batch",
    "import_batch",
    "upload_batch",
]

BATCH = 2000


def _committed(batch: ImportBatch) -> None:
    record(
        AuditKind.FIGURES_IMPORTED,
        actor=batch.uploaded_by,
        target=f"import:{batch.pk}",
        summary=f"{batch.kind}: {batch.filename}",
        after={"kind": batch.kind, "sha256": batch.sha256, **(batch.summary or {})},
    )


def _tasks():
    from .. import tasks  # imported here: the tasks module imports this one

    return tasks.check_figures_import, tasks.import_figures


BATCHES = BatchImport(
    name="business_imports",
    kinds=KINDS,
    plan=lambda kind, data, filename, user: build_plan(kind, data, filename, user=user),
    apply=lambda plan, user: apply_plan(plan, acting_user=user),
    committed=_committed,
    tasks=_tasks,
)
upload_batch = BATCHES.upload
confirm_batch = BATCHES.confirm
check_batch = BATCHES.check
import_batch = BATCHES.run


@transaction.atomic
def apply_plan(plan: ImportPlan, *, acting_user) -> None:
    """Write a checked plan: new figures created, changed ones updated (their version bumped),
    one audit entry per organization and year with the changed figures before and after."""
    if not plan.ok:
        raise ImportRejected(plan)
    items: list[FigureItem] = [item for item in plan.items if item.changed]
    if not items:
        return
    codes = dict(BusinessMeasure.objects.values_list("pk", "code"))
    stored = {
        (f.organization_id, f.measure_id, f.year): f
        for f in BusinessFigure.objects.select_for_update().filter(
            organization_id__in={item.organization_id for item in items},
            year__in={item.year for item in items},
        )
    }
    created, updated = [], []
    now = timezone.now()
    with audit_trail.batch():
        for item in items:
            before, after = {}, {}
            for measure_id in item.changed:
                value, grade = item.values[measure_id]
                figure = stored.get((item.organization_id, measure_id, item.year))
                before[codes[measure_id]] = shown(figure)
                if figure is None:
                    figure = BusinessFigure(
                        organization_id=item.organization_id,
                        measure_id=measure_id,
                        year=item.year,
                        version=1,
                    )
                    created.append(figure)
                else:
                    figure.version += 1
                    updated.append(figure)
                figure.value, figure.grade = value, grade
                figure.source, figure.updated_by = FigureSource.IMPORTED, acting_user
                figure.updated_at = now
                after[codes[measure_id]] = shown(figure)
            record(
                AuditKind.FIGURES_IMPORTED,
                actor=acting_user,
                organization=item.organization_id,
                target=f"business:{item.organization_id}:{item.year}",
                summary=f"{item.year} {FigureSource.IMPORTED}",
                before=before,
                after=after,
            )
        BusinessFigure.objects.bulk_create(created, batch_size=BATCH)
        BusinessFigure.objects.bulk_update(
            updated,
            ["value", "grade", "source", "updated_by", "version", "updated_at"],
            batch_size=BATCH,
        )
