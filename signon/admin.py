"""Directory accounts in the admin, to read only: the directory writes them at each sign-in."""

from django.contrib import admin

from .models import DirectoryAccount


@admin.register(DirectoryAccount)
class DirectoryAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "source", "external_id", "employee_number", "person", "last_sign_in"]
    list_filter = ["source"]
    list_select_related = ["user", "person"]
    search_fields = ["user__username", "external_id", "employee_number", "person__name"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
