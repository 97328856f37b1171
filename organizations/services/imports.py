"""Applying import plans: all rows in one transaction, or nothing.

`import_file` serves the command line (operator rights); the upload page (the administrator's
scope) keeps the file as a batch that a worker checks (`check_batch`) and, once confirmed, imports
(`import_batch`), by the lifecycle every batch import shares (`organizations.batches`): a file of
many thousand rows never holds a request, and the plan is rebuilt inside the importing
transaction, so what is written matches the database at that moment, not at the preview.
"""

from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat
from django.utils import timezone

from audit import hooks as audit_trail
from core.bulk import update_rows

from ..batches import AlreadyImported, BatchImport, ImportRejected
from ..importers import (
    CHUNK,
    ORGANIZATIONS,
    ImportPlan,
    OrganizationItem,
    PersonItem,
    build_plan,
)
from ..models import ImportBatch, Membership, Organization, Person
from .tree import move_organization

__all__ = [
    "KINDS",
    "AlreadyImported",
    "ImportRejected",
    "apply_plan",
    "check_batch",
    "confirm_batch",
    "import_batch",
    "import_file",
    "send",
    "upload_batch",
]


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


def _committed(batch: ImportBatch) -> None:
    audit_trail.batch_committed(batch, acting_user=batch.uploaded_by)


def _tasks():
    from .. import tasks  # imported here: the tasks module imports this one

    return tasks.check_import, tasks.import_batch


# The worker-run uploads of organizations and people files (`organizations.batches`); the
# records app has kinds of its own.
BATCHES = BatchImport(
    name="imports",
    kinds=(ORGANIZATIONS, ImportBatch.Kind.PEOPLE),
    plan=lambda kind, data, filename, user: build_plan(kind, data, filename, user=user),
    apply=lambda plan, user: apply_plan(plan),
    committed=_committed,
    tasks=_tasks,
)
KINDS = BATCHES.kinds
upload_batch = BATCHES.upload
confirm_batch = BATCHES.confirm
send = BATCHES.send
check_batch = BATCHES.check
import_batch = BATCHES.run


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
