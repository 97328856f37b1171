"""Reads of the organization tree for pages and the API, always through the access scope."""

from collections.abc import Iterable

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .choices import Action, Role
from .models import Department, LeadingGroup, Organization, Person, RoleAssignment
from .scope import grants_of, scope_prefixes


def visible_organizations(user, action: str = Action.VIEW) -> QuerySet[Organization]:
    return Organization.objects.restrict(user, action).select_related("kind")


def scope_roots(user) -> QuerySet[Organization]:
    """The top organizations of the user's scope: where their tree browser starts."""
    prefixes = scope_prefixes(user, Action.VIEW)
    qs = visible_organizations(user)
    if prefixes is None:
        return _with_tree_counts(qs.filter(parent__isnull=True))
    return _with_tree_counts(qs.filter(path__in=prefixes))


def children_of(user, org: Organization) -> QuerySet[Organization]:
    return _with_tree_counts(visible_organizations(user).filter(parent=org)).order_by("code")


def _count_of(related: QuerySet, field: str) -> Coalesce:
    """A correlated COUNT subquery: no join multiplies the outer rows, no GROUP BY needed."""
    counted = (
        related.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), 0)


def _with_tree_counts(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    return qs.annotate(
        has_children=Exists(Organization.objects.filter(parent=OuterRef("pk"))),
        children_count=_count_of(Organization.objects.all(), "parent"),
        people_count=_count_of(Person.objects.all(), "organization"),
    )


def breadcrumbs(user, org: Organization) -> list[Organization]:
    """The ancestors the user may see, root first, then the organization itself."""
    ancestors = visible_organizations(user).filter(pk__in=org.ancestor_ids).order_by("depth")
    return [*ancestors, org]


def people_of(user, org: Organization) -> QuerySet[Person]:
    return (
        Person.objects.restrict(user)
        .filter(organization=org)
        .select_related("department")
        .order_by("employee_number")
    )


def role_holders(user, org: Organization) -> QuerySet[RoleAssignment]:
    return (
        RoleAssignment.objects.restrict(user)
        .filter(organization=org)
        .select_related("user")
        .order_by("role", "user__username")
    )


def with_trails(user, orgs) -> list[tuple[Organization, list[Organization]]]:
    """Each organization with its ancestors the user may see, root first (one query in all)."""
    orgs = list(orgs)
    ancestor_ids = {pk for org in orgs for pk in org.ancestor_ids}
    visible = {
        ancestor.pk: ancestor
        for ancestor in Organization.objects.restrict(user).filter(pk__in=ancestor_ids)
    }
    return [(org, [visible[pk] for pk in org.ancestor_ids if pk in visible]) for org in orgs]


def departments_of(user, org: Organization) -> QuerySet[Department]:
    return (
        Department.objects.restrict(user)
        .filter(organization=org)
        .annotate(people_count=Count("people"))
        .order_by("code")
    )


def leading_groups_of(user, org: Organization) -> QuerySet[LeadingGroup]:
    """Leading groups with their members prefetched (two queries whatever the size)."""
    members = Person.objects.restrict(user).order_by("name", "employee_number")
    return (
        LeadingGroup.objects.restrict(user)
        .filter(organization=org)
        .prefetch_related(Prefetch("members", queryset=members))
        .order_by("name")
    )


def primary_organization(user) -> Organization | None:
    """The one organization a secretary works for, when that is all the user holds.

    The landing page sends such a user straight there; anyone else starts at the tree browser.
    """
    grants = grants_of(user)
    if getattr(user, "is_superuser", False) or not grants:
        return None
    if {role for role, _path in grants} != {Role.SECRETARY}:
        return None
    paths = {path for _role, path in grants}
    if len(paths) != 1:
        return None
    return visible_organizations(user).filter(path=paths.pop()).first()


def active_role_holders(
    organization_ids: Iterable[int], roles: Iterable[str]
) -> dict[tuple[str, int], list]:
    """Active users holding each of the roles on each of the organizations, in the order the
    roles were given, keyed by (role, organization id): one query, for notices and defaults
    that concern many organizations at once."""
    holders: dict[tuple[str, int], list] = {}
    assignments = (
        RoleAssignment.objects.filter(
            role__in=list(roles), user__is_active=True, organization_id__in=set(organization_ids)
        )
        .select_related("user")
        .order_by("organization_id", "pk")
    )
    for assignment in assignments:
        key = (assignment.role, assignment.organization_id)
        holders.setdefault(key, []).append(assignment.user)
    return holders
