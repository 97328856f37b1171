"""Frameworks in the Django admin: read-only, since every change goes through the services
(loading, the draft editor, publishing and cloning re-validate the whole framework)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import Framework, Indicator


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(Framework)
class FrameworkAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "name", "status", "published_at", "created_at"]
    list_filter = ["status", "code"]
    search_fields = ["code", "version", "name", "name_en"]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name", "framework", "dimension", "weight", "rubric_kind"]
    list_filter = ["framework", "rubric_kind", "value_type"]
    list_select_related = ["framework", "dimension"]
    search_fields = ["code", "name", "name_en"]
