"""Admin registrations of the records app: read only, as every record is written by its service
(open period, membership on the day, audit entry). Other kinds of record add theirs here."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import Attendance, Meeting, MeetingAttachment, Talk


class AttendanceInline(admin.TabularInline):
    model = Attendance
    fields = ["person", "presence", "reason"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class MeetingAttachmentInline(admin.TabularInline):
    model = MeetingAttachment
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["date", "kind", "topic", "organization", "version", "created_by"]
    list_filter = ["kind"]
    list_select_related = ["organization", "created_by"]
    search_fields = ["topic", "organization__code", "organization__name"]
    date_hierarchy = "date"
    inlines = [AttendanceInline, MeetingAttachmentInline]


@admin.register(Talk)
class TalkAdmin(ReadOnlyAdmin):
    list_display = ["date", "topic", "talker", "partner", "organization"]
    list_select_related = ["organization", "talker", "partner"]
    search_fields = ["topic", "organization__code", "talker__name", "partner__name"]
    date_hierarchy = "date"
