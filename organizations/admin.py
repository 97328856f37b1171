"""Django admin for superusers; everyday administration happens in the portal's own pages."""

from django.contrib import admin

from audit import hooks as audit_trail
from audit.models import AuditKind

from . import services
from .models import (
    Department,
    ImportBatch,
    LeadingGroup,
    Organization,
    OrganizationKind,
    Person,
    RoleAssignment,
)


@admin.register(OrganizationKind)
class OrganizationKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "rank"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "depth", "is_active"]
    list_filter = ["kind", "is_active", "depth"]
    search_fields = ["code", "name", "name_en"]
    autocomplete_fields = ["parent"]
    readonly_fields = ["path", "depth"]

    def get_readonly_fields(self, request, obj=None):
        # Moving a subtree rewrites every path below it: that goes through services, not a form.
        return [*self.readonly_fields, "parent"] if obj else self.readonly_fields


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "organization"]
    search_fields = ["code", "name", "organization__code"]
    raw_id_fields = ["organization"]


@admin.register(LeadingGroup)
class LeadingGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "organization"]
    raw_id_fields = ["organization", "members"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["employee_number", "name", "organization", "kind", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["employee_number", "name"]
    raw_id_fields = ["organization", "department"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    """Role changes made here are recorded like those of the services: each is an audit entry
    (a change of a grant is its revocation and a new assignment), with the administrator as the
    actor."""

    list_display = ["user", "role", "organization", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__code"]
    raw_id_fields = ["user", "organization"]

    def save_model(self, request, obj, form, change):
        before = RoleAssignment.objects.select_related("user").get(pk=obj.pk) if change else None
        super().save_model(request, obj, form, change)
        if before is not None:
            audit_trail.role_event(AuditKind.ROLE_REVOKED, before)
        audit_trail.role_event(AuditKind.ROLE_ASSIGNED, obj)

    def delete_model(self, request, obj):
        services.revoke_role(obj)

    def delete_queryset(self, request, queryset):
        for assignment in queryset.select_related("user"):
            services.revoke_role(assignment)


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "status", "uploaded_by", "created_at"]
    list_filter = ["kind", "status"]
    exclude = ["content"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
