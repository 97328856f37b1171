"""Django admin for superusers; everyday administration happens in the portal's own pages."""

from django.contrib import admin

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
    list_display = ["user", "role", "organization", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organization__code"]
    raw_id_fields = ["user", "organization"]


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["pk", "kind", "status", "uploaded_by", "created_at"]
    list_filter = ["kind", "status"]
    exclude = ["content"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False
