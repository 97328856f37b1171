"""Read-only API endpoints of the organization tree, its units and people.

Every viewset starts from the model restricted to the caller's scope (`ScopedReadOnlyViewSet`);
filters, search, ordering and lookups narrow that, so anything outside the scope is a 404 or
simply absent from a list. Writes go through imports and services, not through this API.
"""

from django.db.models import Count, IntegerField, OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from ..mixins import ScopedReadOnlyViewSet
from ..models import Department, LeadingGroup, Organization, Person
from . import filters, serializers


def _count_of(model: type, fk: str) -> Subquery:
    """How many rows of `model` point at the outer organization through `fk` (a subquery)."""
    rows = (
        model._default_manager.filter(**{fk: OuterRef("pk")})
        .order_by()
        .values(fk)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def with_counts(queryset: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate children and people counts: two correlated subqueries, no query per row.

    The counts need no scope of their own: the scope is a set of whole subtrees, so the children
    and people of an organization in scope are in scope too.
    """
    return queryset.annotate(
        children_count=_count_of(Organization, "parent"),
        people_count=_count_of(Person, "organization"),
    )


@extend_schema_view(
    list=extend_schema(summary=_("Organizations in your scope")),
    retrieve=extend_schema(summary=_("One organization")),
)
@extend_schema(tags=["organizations"])
class OrganizationViewSet(ScopedReadOnlyViewSet):
    """The organizations of the caller's scope; the raw tree path is never exposed."""

    queryset = Organization.objects.all()
    serializer_class = serializers.OrganizationSerializer
    filterset_class = filters.OrganizationFilterSet
    search_fields = ["name", "name_en", "code"]
    ordering_fields = ["code", "name", "depth"]

    def get_queryset(self) -> QuerySet[Organization]:
        return with_counts(super().get_queryset().select_related("kind", "parent__kind"))

    @extend_schema(
        summary=_("Children of an organization"),
        responses=serializers.OrganizationSerializer(many=True),
    )
    @action(detail=True, filter_backends=[])
    def children(self, request: Request, pk: str | None = None) -> Response:
        org = self.get_object()
        page = self.paginate_queryset(self.get_queryset().filter(parent=org).order_by("code"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary=_("Ancestors of an organization in your scope, root first"),
        responses=serializers.OrganizationSerializer(many=True),
    )
    @action(detail=True, filter_backends=[], pagination_class=None)
    def ancestors(self, request: Request, pk: str | None = None) -> Response:
        org = self.get_object()
        ancestors = self.get_queryset().filter(pk__in=org.ancestor_ids).order_by("depth")
        return Response(self.get_serializer(ancestors, many=True).data)


@extend_schema_view(
    list=extend_schema(summary=_("People in your scope")),
    retrieve=extend_schema(summary=_("One person")),
)
@extend_schema(tags=["people"])
class PersonViewSet(ScopedReadOnlyViewSet):
    """Party members and staff of the organizations in the caller's scope."""

    queryset = Person.objects.select_related("organization__kind", "department")
    serializer_class = serializers.PersonSerializer
    filterset_class = filters.PersonFilterSet
    search_fields = ["name", "employee_number"]
    ordering_fields = ["name", "employee_number"]


@extend_schema_view(
    list=extend_schema(summary=_("Departments in your scope")),
    retrieve=extend_schema(summary=_("One department")),
)
@extend_schema(tags=["departments"])
class DepartmentViewSet(ScopedReadOnlyViewSet):
    """Departments of the organizations in the caller's scope."""

    queryset = Department.objects.select_related("organization__kind")
    serializer_class = serializers.DepartmentSerializer
    filterset_class = filters.DepartmentFilterSet
    search_fields = ["name", "name_en", "code"]
    ordering_fields = ["code", "name"]


@extend_schema_view(
    list=extend_schema(summary=_("Leading groups in your scope")),
    retrieve=extend_schema(summary=_("One leading group")),
)
@extend_schema(tags=["leading-groups"])
class LeadingGroupViewSet(ScopedReadOnlyViewSet):
    """Leading groups of the organizations in the caller's scope, with their visible members."""

    queryset = LeadingGroup.objects.select_related("organization__kind")
    serializer_class = serializers.LeadingGroupSerializer
    filterset_class = filters.LeadingGroupFilterSet
    search_fields = ["name", "name_en"]
    ordering_fields = ["name"]

    def get_queryset(self) -> QuerySet[LeadingGroup]:
        # A member may belong to an organization outside the caller's scope: such members are
        # left out rather than shown.
        members = Person.objects.restrict(self.request.user).order_by("employee_number")
        return (
            super()
            .get_queryset()
            .prefetch_related(Prefetch("members", queryset=members, to_attr="visible_members"))
        )
