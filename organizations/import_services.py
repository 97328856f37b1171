"""Applying import plans: all rows in one transaction, or nothing.

`import_file` serves the command line (operator rights), `upload_batch` and `commit_batch` the
upload page (the administrator's scope). The plan is always rebuilt inside the committing
transaction, so what is written matches the database at that moment, not at the preview.
"""

import hashlib

from django.db import connection, transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import hooks as audit_trail

from .importers import (
    CHUNK,
    ORGANIZATIONS,
    ImportPlan,
    OrganizationItem,
    PersonItem,
    build_plan,
)
from .models import ImportBatch, Organization, Person
from .services import move_organization


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


def upload_batch(*, kind: str, data: bytes, filename: str, acting_user) -> ImportBatch:
    """Keep an uploaded file with its dry-run summary until the user confirms it."""
    plan = build_plan(kind, data, filename, user=acting_user)
    return ImportBatch.objects.create(
        kind=kind,
        filename=filename[:255],
        content=data,
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=acting_user,
        status=ImportBatch.Status.PENDING if plan.ok else ImportBatch.Status.INVALID,
        summary=_summary(plan),
    )


@transaction.atomic
def commit_batch(batch: ImportBatch, *, acting_user) -> ImportPlan:
    """Apply a batch once; raises ImportRejected (nothing written) if it has errors now.

    A batch that had errors at upload is planned again too: the database may have changed since.
    """
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status == ImportBatch.Status.COMMITTED:
        raise AlreadyImported(_("This file has already been imported."))
    plan = build_plan(batch.kind, bytes(batch.content), batch.filename, user=acting_user)
    if not plan.ok:
        raise ImportRejected(plan)
    apply_plan(plan)
    batch.status = ImportBatch.Status.COMMITTED
    batch.committed_at = timezone.now()
    batch.summary = _summary(plan)
    batch.save(update_fields=["status", "committed_at", "summary"])
    audit_trail.batch_committed(batch, acting_user=acting_user)
    return plan


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
    _update_rows(
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
    Person.objects.bulk_create(
        [
            Person(employee_number=i.employee_number, **{f: getattr(i, f) for f in fields})
            for i in items
            if i.existing_id is None
        ],
        batch_size=CHUNK,
    )
    changed = [i for i in items if i.existing_id and i.changed_fields]
    now = timezone.now()
    _update_rows(
        Person,
        [*fields, "updated_at"],
        [(i.existing_id, *(getattr(i, f) for f in fields), now) for i in changed],
    )


def _update_rows(model, field_names: list[str], rows: list[tuple]) -> None:
    """UPDATE changed rows by primary key: (pk, *values) per row, one prepared statement.

    bulk_update builds one CASE per field and batch (measured here: 6 s for 3,000 people);
    the same UPDATE executed for many parameter rows takes a fraction of that.
    """
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
        f"WHERE {quote(model._meta.pk.column)} = %s"
    )
    params = [
        [f.get_db_prep_save(value, connection) for f, value in zip(fields, values, strict=True)]
        + [pk]
        for pk, *values in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
