"""The reports app in the Django admin: read-only. Snapshots never change, and schedules are
managed on the portal's schedules page, which audits every change."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Report, ReportDelivery, ReportSchedule


@admin.register(Report)
class ReportAdmin(ReadOnlyAdmin):
    list_display = ["id", "organization", "format", "status", "progress", "sha256", "created_at"]
    list_filter = ["status", "format", "language"]
    list_select_related = ["organization"]
    search_fields = ["=id", "sha256", "content_sha256", "organization__code"]


@admin.register(ReportSchedule)
class ReportScheduleAdmin(ReadOnlyAdmin):
    list_display = ["name", "organization", "trigger", "period_kind", "active"]
    list_filter = ["active", "trigger"]
    list_select_related = ["organization"]


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(ReadOnlyAdmin):
    list_display = ["report", "recipient", "delivered_at", "emailed", "read_at"]
    list_select_related = ["recipient"]
