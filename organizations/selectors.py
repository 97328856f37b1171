"""Reads of the organization tree for pages and the API, always through the access scope."""

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from .choices import Action
from .models import Organization, Person, RoleAssignment
from .scope import scope_prefixes


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


def _with_tree_counts(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    return qs.annotate(
        has_children=Exists(Organization.objects.filter(parent=OuterRef("pk"))),
        people_count=Count("people", distinct=True),
    )


def breadcrumbs(user, org: Organization) -> list[Organization]:
    """The ancestors the user may see, root first, then the organization itself."""
    ancestors = visible_organizations(user).filter(pk__in=org.ancestor_ids).order_by("depth")
    return [*ancestors, org]


def search_organizations(user, query: str, *, limit: int = 50) -> QuerySet[Organization]:
    query = query.strip()
    if not query:
        return Organization.objects.none()
    return (
        visible_organizations(user)
        .filter(Q(name__icontains=query) | Q(name_en__icontains=query) | Q(code__icontains=query))
        .order_by("depth", "code")[:limit]
    )


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
