"""Query filters of the organizations API.

Filters narrow a queryset the viewset has already restricted to the caller's scope. Filters that
name an organization (`within`, `parent`) first check that organization is in scope: outside it
the answer is an empty list, the same as for an id that does not exist, so nothing is revealed.
Foreign keys are filtered by plain ids, never by a model choice field, whose "invalid choice"
error would tell an existing organization outside the scope from a missing one.
"""

import django_filters
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import IntegerFilter

from ..choices import PersonKind, PersonStatus
from ..models import Department, LeadingGroup, Organization, Person


class ScopedFilterSet(django_filters.FilterSet):
    """Adds `within` (an organization id: rows of its subtree) to a filter set.

    `within_path` names the lookup of the row's organization path.
    """

    within_path = "organization__path"

    within = IntegerFilter(
        method="filter_within",
        label=_("within"),
        help_text=_(
            "An organization id: only rows in its subtree. Empty if that organization is not "
            "in your scope."
        ),
    )

    def visible_path(self, org_id: int) -> str | None:
        """The tree path of the organization if the caller may see it, else None."""
        return (
            Organization.objects.restrict(self.request.user)
            .filter(pk=org_id)
            .values_list("path", flat=True)
            .first()
        )

    def filter_within(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        path = self.visible_path(value)
        if path is None:
            return queryset.none()
        return queryset.filter(**{f"{self.within_path}__startswith": path})


class OrganizationFilterSet(ScopedFilterSet):
    within_path = "path"

    kind = django_filters.CharFilter(
        field_name="kind__code", label=_("kind"), help_text=_("Organization kind code.")
    )
    parent = IntegerFilter(
        method="filter_parent",
        label=_("parent"),
        help_text=_(
            "An organization id: its direct children. Empty if that organization is not in "
            "your scope."
        ),
    )
    depth = IntegerFilter(field_name="depth", label=_("depth"))
    is_active = django_filters.BooleanFilter(field_name="is_active", label=_("active"))

    class Meta:
        model = Organization
        fields = ["kind", "parent", "depth", "is_active", "within"]

    def filter_parent(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        if self.visible_path(value) is None:
            return queryset.none()
        return queryset.filter(parent_id=value)


class PersonFilterSet(ScopedFilterSet):
    organization = IntegerFilter(field_name="organization_id", label=_("organization"))
    department = IntegerFilter(field_name="department_id", label=_("department"))
    kind = django_filters.ChoiceFilter(choices=PersonKind.choices, label=_("kind"))
    status = django_filters.ChoiceFilter(choices=PersonStatus.choices, label=_("status"))

    class Meta:
        model = Person
        fields = ["organization", "within", "department", "kind", "status"]


class DepartmentFilterSet(ScopedFilterSet):
    organization = IntegerFilter(field_name="organization_id", label=_("organization"))

    class Meta:
        model = Department
        fields = ["organization", "within"]


class LeadingGroupFilterSet(ScopedFilterSet):
    organization = IntegerFilter(field_name="organization_id", label=_("organization"))

    class Meta:
        model = LeadingGroup
        fields = ["organization", "within"]
