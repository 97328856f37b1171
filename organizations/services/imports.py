"""Applying import plans: all rows in one transaction, or nothing.

`import_file` serves the command line (operator rights); the upload page (the administrator's
scope) keeps the file as a batch that a worker checks (`check_batch`) and, once confirmed, imports
(`import_batch`): a file of many thousand rows never holds a request. The plan is always rebuilt
inside the importing transaction, so what is written matches the database at that moment, not at
the preview.
"""

import hashlib
import logging

from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from audit import hooks as audit_trail
from core import jobs
from core.bulk import update_rows

from ..importers import (
    CHUNK,
    CREATE,
    ORGANIZATIONS,
    UPDATE,
    ImportPlan,
    OrganizationItem,
    PersonItem,
    build_plan,
)
from ..models import ImportBatch, Membership, Organization, Person
from .tree import move_organization

logger = logging.getLogger(__name__)


class ImportRejected(Exception):
    """The plan has errors; nothing was written. The plan says why."""

    def __init__(self, plan: ImportPlan) -> None:
        super().__init__(f"{len(plan.errors)} error(s)")
        self.plan = plan


class AlreadyImported(Exception):
    """The batch was committed before (a second click, another tab)."""


def import_file(
    kind: str, data: bytes, filename: str, *, user=None, dry_run: bool = False
) -> ImportPlan:
    """Plan the file and, unless dry-running or in error, apply it and record it in the audit
    trail (the same transaction). `user=None`: full rights."""
    with transaction.atomic():
        plan = build_plan(kind, data, filename, user=user)
        if plan.ok and not dry_run:
            apply_plan(plan)
            audit_trail.file_imported(kind, filename, data, plan.counts)
    return plan


# The kinds of batch this module checks and imports; the records app has kinds of its own.
KINDS = (ORGANIZATIONS, ImportBatch.Kind.PEOPLE)
PREVIEW_ROWS = 500
PREVIEW_ERRORS = 1000
Status = ImportBatch.Status


def upload_batch(
    *, kind: str, data: bytes, filename: str, acting_user, language: str = "zh-hans"
) -> ImportBatch:
    """Keep an uploaded file and have a worker check it (its dry run) for the preview.

    Called outside any transaction: the worker must find the row when the task arrives.
    """
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
    """The uploader confirmed the preview: a worker imports the batch (once).

    A batch with errors is planned again too: the database may have changed since.
    """
    changed = ImportBatch.objects.filter(
        pk=batch.pk, status__in=[Status.PENDING, Status.INVALID, Status.FAILED]
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

    task = tasks.check_import if batch.status == Status.CHECKING else tasks.import_batch
    try:
        task.delay(batch.pk)
    except Exception:
        # The broker is down: the batch stays as it is and the reaper sends it again.
        logger.exception("import batch %s: queueing failed", batch.pk)


def _claim(batch_id: int, status: str) -> ImportBatch | None:
    """Take the batch for this attempt, or None when it is not waiting in `status` any more."""
    if not ImportBatch.objects.filter(pk=batch_id, status=status).update(
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
    # The batch row is not locked while the plan is applied: its heartbeat must stay writable.
    # The outcome is written only if the row is still this attempt's; otherwise all rolls back.
    with (
        jobs.beating(lambda: _touch(batch)),
        translation.override(batch.language),
        transaction.atomic(),
    ):
        plan = build_plan(batch.kind, bytes(batch.content), batch.filename, user=batch.uploaded_by)
        if plan.ok:
            apply_plan(plan)
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
            audit_trail.batch_committed(batch, acting_user=batch.uploaded_by)
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
def apply_plan(plan: ImportPlan) -> None:
    """Write a checked plan: creates, updates and moves of changed rows only."""
    if not plan.ok:
        raise ImportRejected(plan)
    if plan.kind == ORGANIZATIONS:
        _apply_organizations(plan.items, plan.organization_ids)
    else:
        _apply_people(plan.items)


def _apply_organizations(items: list[OrganizationItem], known_ids: dict[str, int]) -> None:
    ids = dict(known_ids)
    new = [item for item in items if item.existing_id is None]
    for depth in sorted({item.depth for item in new}):
        batch = [
            Organization(
                code=item.code,
                name=item.name,
                name_en=item.name_en,
                kind_id=item.kind_id,
                parent_id=ids[item.parent_code] if item.parent_code else None,
            )
            for item in new
            if item.depth == depth
        ]
        Organization.objects.bulk_create(batch, batch_size=CHUNK)
        ids.update((org.code, org.pk) for org in batch)
        _set_paths([org.pk for org in batch])

    changed = [item for item in items if item.existing_id and item.changed_fields]
    now = timezone.now()
    update_rows(
        Organization,
        ["name", "name_en", "kind", "updated_at"],
        [
            (i.existing_id, i.name, i.name_en, i.kind_id, now)
            for i in changed
            if set(i.changed_fields) - {"parent"}
        ],
    )
    moves = [item for item in changed if "parent" in item.changed_fields]
    if moves:
        # Moving in the final tree's top-down order never puts a parent below its own child.
        _move_all(moves, ids)


def _set_paths(pks: list[int]) -> None:
    """Path and depth of freshly created organizations, from their parents (already set)."""
    parent = Organization.objects.filter(pk=OuterRef("parent_id"))
    for start in range(0, len(pks), CHUNK):
        Organization.objects.filter(pk__in=pks[start : start + CHUNK]).update(
            path=Concat(
                Coalesce(Subquery(parent.values("path")[:1]), Value("/")),
                Cast("id", CharField()),
                Value("/"),
            ),
            depth=Coalesce(Subquery(parent.values("depth")[:1]) + 1, Value(0)),
        )


def _move_all(moves: list[OrganizationItem], ids: dict[str, int]) -> None:
    orgs = Organization.objects.in_bulk([item.existing_id for item in moves])
    parents = Organization.objects.in_bulk([ids[i.parent_code] for i in moves if i.parent_code])
    for item in sorted(moves, key=lambda i: i.depth):
        new_parent = parents[ids[item.parent_code]] if item.parent_code else None
        move_organization(orgs[item.existing_id], new_parent)


def _apply_people(items: list[PersonItem]) -> None:
    fields = ["name", "organization_id", "department_id", "kind", "party_member_since", "status"]
    created = Person.objects.bulk_create(
        [
            Person(employee_number=i.employee_number, **{f: getattr(i, f) for f in fields})
            for i in items
            if i.existing_id is None
        ],
        batch_size=CHUNK,
    )
    changed = [i for i in items if i.existing_id and i.changed_fields]
    now = timezone.now()
    update_rows(
        Person,
        [*fields, "updated_at"],
        [(i.existing_id, *(getattr(i, f) for f in fields), now) for i in changed],
    )
    # New members belong since before any record; transfers and departures the file records
    # start or end a membership today.
    if created:
        Membership.objects.open_missing()
    numbers = [i.employee_number for i in changed]
    for start in range(0, len(numbers), CHUNK):
        people = Person.objects.filter(employee_number__in=numbers[start : start + CHUNK])
        Membership.objects.follow(people.only("pk", "organization_id", "status"))
