"""The assessment app in the Django admin: read-only, since every change goes through the
services (frameworks are re-validated, submissions move through the workflow with their history,
scores are derived)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Framework, Indicator, Period, ScoreRun, Submission, ValueChange


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


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "framework", "start", "end", "deadline", "status"]
    list_filter = ["status", "kind"]


@admin.register(Submission)
class SubmissionAdmin(ReadOnlyAdmin):
    list_display = ["subject_name", "subject_kind", "organization", "period", "state", "version"]
    list_filter = ["state", "subject_kind", "period"]
    list_select_related = ["organization", "period"]
    search_fields = ["subject_name", "organization__code"]


@admin.register(ValueChange)
class ValueChangeAdmin(ReadOnlyAdmin):
    list_display = ["submission", "indicator", "field", "old", "new", "changed_by", "changed_at"]
    list_select_related = ["submission", "indicator", "changed_by"]


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnlyAdmin):
    list_display = ["period", "status", "trigger", "progress", "step", "created_at", "finished_at"]
    list_filter = ["status"]
