"""Representations of the organization tree, its units and people in the REST API.

The materialized path never leaves the server: clients see ids, depth and, for a parent or an
ancestor, a summary only when it lies inside the caller's scope.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Department, LeadingGroup, Organization, Person
from ..scope import scope_prefixes


class OrganizationSummarySerializer(serializers.ModelSerializer):
    """An organization named inside another object: enough to show and link it."""

    kind = serializers.CharField(source="kind.code", read_only=True, label=_("kind"))

    class Meta:
        model = Organization
        fields = ["id", "code", "name", "name_en", "kind"]
        read_only_fields = fields


class OrganizationSerializer(serializers.ModelSerializer):
    """An organization of the tree, with its place in it and the size of what hangs below it."""

    kind = serializers.CharField(source="kind.code", read_only=True, label=_("kind"))
    kind_display = serializers.CharField(
        source="kind.display_name", read_only=True, label=_("kind (display name)")
    )
    parent = serializers.SerializerMethodField(
        help_text=_("The parent organization; null at the root or at the top of your scope.")
    )
    children_count = serializers.IntegerField(read_only=True, label=_("number of children"))
    people_count = serializers.IntegerField(read_only=True, label=_("number of people"))

    class Meta:
        model = Organization
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "kind",
            "kind_display",
            "parent",
            "depth",
            "is_active",
            "children_count",
            "people_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OrganizationSummarySerializer(allow_null=True))
    def get_parent(self, org: Organization) -> dict | None:
        parent = org.parent
        if parent is None or not self._visible(parent):
            return None
        return OrganizationSummarySerializer(parent, context=self.context).data

    def _visible(self, org: Organization) -> bool:
        # The scope is a set of subtrees: a path test, no query (the grants are cached per user).
        prefixes = scope_prefixes(self.context["request"].user)
        return prefixes is None or any(org.path.startswith(prefix) for prefix in prefixes)


class DepartmentSummarySerializer(serializers.ModelSerializer):
    """A department named inside another object."""

    class Meta:
        model = Department
        fields = ["id", "code", "name", "name_en"]
        read_only_fields = fields


class DepartmentSerializer(serializers.ModelSerializer):
    """A department of an organization's enterprise unit."""

    organization = OrganizationSummarySerializer(read_only=True)

    class Meta:
        model = Department
        fields = ["id", "organization", "code", "name", "name_en"]
        read_only_fields = fields


class PersonSummarySerializer(serializers.ModelSerializer):
    """A person named inside another object."""

    class Meta:
        model = Person
        fields = ["id", "name", "employee_number"]
        read_only_fields = fields


class LeadingGroupSerializer(serializers.ModelSerializer):
    """A leading group and those of its members the caller may see."""

    organization = OrganizationSummarySerializer(read_only=True)
    members = PersonSummarySerializer(
        source="visible_members", many=True, read_only=True, label=_("members")
    )

    class Meta:
        model = LeadingGroup
        fields = ["id", "organization", "name", "name_en", "members"]
        read_only_fields = fields


class PersonSerializer(serializers.ModelSerializer):
    """A party member or member of staff: every field the portal keeps (deliberately few)."""

    organization = OrganizationSummarySerializer(read_only=True)
    department = DepartmentSummarySerializer(read_only=True, allow_null=True)
    kind_display = serializers.CharField(
        source="get_kind_display", read_only=True, label=_("kind (display name)")
    )
    status_display = serializers.CharField(
        source="get_status_display", read_only=True, label=_("status (display name)")
    )
    is_party_member = serializers.BooleanField(read_only=True, label=_("party member"))

    class Meta:
        model = Person
        fields = [
            "id",
            "name",
            "employee_number",
            "organization",
            "department",
            "kind",
            "kind_display",
            "party_member_since",
            "status",
            "status_display",
            "is_party_member",
            "updated_at",
        ]
        read_only_fields = fields
