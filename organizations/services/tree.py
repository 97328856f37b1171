"""Writes to the organization tree and to role assignments.

Each function is one transaction; callers (views, API, commands, imports) hold no tree logic.
"""

from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from audit import hooks as audit_trail
from audit.models import AuditKind

from ..models import Organization, OrganizationKind, RoleAssignment
from ..scope import forget_grants

DEFAULT_KINDS = (
    ("group", "集团党组", "Group party leadership", 0),
    ("committee", "党委", "Party committee", 1),
    ("general_branch", "党总支", "General branch", 2),
    ("branch", "党支部", "Branch", 3),
)


def ensure_default_kinds() -> dict[str, int]:
    """The four kinds of the seed document exist (a data migration creates them; a flushed test
    database or a hand-made one may lack them); returns every kind's id by code."""
    for code, name, name_en, rank in DEFAULT_KINDS:
        OrganizationKind.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "rank": rank}
        )
    return dict(OrganizationKind.objects.values_list("code", "id"))


class TreeError(ValueError):
    """A change that would break the tree (a cycle, an unknown parent)."""


@transaction.atomic
def create_organization(
    *,
    code: str,
    name: str,
    kind: OrganizationKind,
    parent: Organization | None = None,
    name_en: str = "",
) -> Organization:
    org = Organization(code=code, name=name, name_en=name_en, kind=kind, parent=parent)
    org.full_clean(exclude=["path", "depth"])
    org.save()
    audit_trail.organization_event(AuditKind.ORGANIZATION_CREATED, org)
    return org


@transaction.atomic
def move_organization(org: Organization, new_parent: Organization | None) -> Organization:
    """Re-hang an organization and its whole subtree under a new parent (one UPDATE)."""
    org = Organization.objects.select_for_update().get(pk=org.pk)
    if new_parent is not None:
        new_parent.refresh_from_db(fields=["path", "depth"])
        if new_parent.path.startswith(org.path):
            raise TreeError(
                _("%(org)s cannot move under %(parent)s: that is inside its own subtree.")
                % {"org": org.code, "parent": new_parent.code}
            )
    old_path, old_parent = org.path, org.parent_id
    new_path = f"{new_parent.path if new_parent else '/'}{org.pk}/"
    delta = new_path.count("/") - old_path.count("/")
    Organization.objects.filter(pk=org.pk).update(parent=new_parent)
    Organization.objects.filter(path__startswith=old_path).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + delta,
    )
    org.refresh_from_db()
    before = {"parent": old_parent, "path": old_path}
    audit_trail.organization_event(AuditKind.ORGANIZATION_MOVED, org, before=before)
    return org


@transaction.atomic
def assign_role(*, user, organization: Organization, role: str) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, organization=organization, role=role
    )
    if created:
        audit_trail.role_event(AuditKind.ROLE_ASSIGNED, assignment)
    forget_grants(user)
    return assignment


@transaction.atomic
def revoke_role(assignment: RoleAssignment) -> None:
    user = assignment.user
    audit_trail.role_event(AuditKind.ROLE_REVOKED, assignment)
    assignment.delete()
    forget_grants(user)
