"""The one access scope of the portal.

A user holds roles on organizations; each role grants actions over that organization's whole
subtree. `ScopedQuerySet.restrict(user, action)` is the single place where that becomes a filter:
every page, API endpoint, export and report starts from it. Outside the scope an object does not
exist for the user (views answer 404, never 403).
"""

from functools import reduce
from operator import or_

from django.apps import apps
from django.db import models
from django.db.models import Q

from .choices import Action, Role

ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.SECRETARY: frozenset({Action.VIEW, Action.ENTER}),
    Role.REVIEWER: frozenset({Action.VIEW, Action.REVIEW}),
    Role.AUDITOR: frozenset({Action.VIEW, Action.AUDIT}),
    Role.INSPECTOR: frozenset({Action.VIEW, Action.INSPECT}),
    Role.FINANCE: frozenset({Action.VIEW, Action.FIGURES}),
    Role.ADMINISTRATOR: frozenset(Action.values),
}

_CACHE_ATTR = "_partybuild_grants"


def grants_of(user) -> list[tuple[str, str]]:
    """(role, organization path) pairs of the user, read once per user object."""
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        role_assignment = apps.get_model("organizations", "RoleAssignment")
        cached = list(
            role_assignment.objects.filter(user=user, organization__is_active=True).values_list(
                "role", "organization__path"
            )
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_grants(user) -> None:
    """Drop the cached grants after the user's roles changed."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def roles_of(user) -> frozenset[str]:
    if getattr(user, "is_superuser", False):
        return frozenset(Role.values)
    return frozenset(role for role, _path in grants_of(user))


def scope_prefixes(user, action: str = Action.VIEW) -> list[str] | None:
    """Tree paths whose subtrees the user may act on; None means everything (superusers)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return []
    if user.is_superuser:
        return None
    paths = sorted(path for role, path in grants_of(user) if action in ROLE_ACTIONS[role])
    prefixes: list[str] = []
    for path in paths:
        # Sorted order puts an ancestor before its descendants, so nested grants collapse.
        if not prefixes or not path.startswith(prefixes[-1]):
            prefixes.append(path)
    return prefixes


def can(user, action: str, organization) -> bool:
    """Whether the user may perform the action on this organization (for showing controls)."""
    prefixes = scope_prefixes(user, action)
    return prefixes is None or any(organization.path.startswith(p) for p in prefixes)


def can_from_above(user, action: str, organization) -> bool:
    """Whether the user holds the action on a strict ancestor of the organization: what an
    organization's own decisions take (it never approves or confirms its own work)."""
    prefixes = scope_prefixes(user, action)
    path = organization.path
    return prefixes is None or any(path.startswith(p) and path != p for p in prefixes)


def holds_on_a_root(user, action: str) -> bool:
    """Whether one of the user's roles grants the action on a whole tree (a root organization)."""
    return any(
        action in ROLE_ACTIONS[role] and path.count("/") == 2 for role, path in grants_of(user)
    )


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows where its rows hang in the organization tree.

    Subclasses (or models using it directly) name the lookup of the organization path in
    `scope_path_field`; the default suits models with an `organization` foreign key.

    Rows that hang from no organization are seen by superusers only, unless `group_wide_field`
    names the foreign key whose absence makes a row group-wide: those rows are then seen by
    whoever holds the action on a whole tree.
    """

    scope_path_field = "organization__path"
    group_wide_field: str | None = None

    def within(self, organization) -> "ScopedQuerySet":
        """The rows of the organization's subtree (the organization included)."""
        return self.filter(**{f"{self.scope_path_field}__startswith": organization.path})

    def restrict(self, user, action: str = Action.VIEW) -> "ScopedQuerySet":
        prefixes = scope_prefixes(user, action)
        if prefixes is None:
            return self
        if not prefixes:
            return self.none()
        lookup = f"{self.scope_path_field}__startswith"
        condition = reduce(or_, (Q(**{lookup: prefix}) for prefix in prefixes))
        if self.group_wide_field and holds_on_a_root(user, action):
            condition |= Q(**{f"{self.group_wide_field}__isnull": True})
        return self.filter(condition)


def is_group_administrator(user) -> bool:
    """Administrators of a whole tree (a role on a root organization) or superusers.

    Group-wide things that hang from no organization — frameworks, periods — are theirs to change.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(
        role == Role.ADMINISTRATOR and path.count("/") == 2 for role, path in grants_of(user)
    )
