"""The audit trail in the Django admin: read-only, for staff who need the raw rows.

The admin sees every entry (staff are trusted like superusers); auditors use the portal's pages,
which apply the scope.
"""

from django.contrib import admin

from core.admin import ReadOnlyAdmin

from .models import AuditEntry, VerifyRun


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["id", "at", "kind", "actor_name", "ip", "organization_id", "target"]
    list_filter = ["kind"]
    search_fields = ["actor_name", "target", "summary"]
    date_hierarchy = "at"
    # The list shows the plain columns: no joins, and no lookups of users or units deleted since.
    show_full_result_count = False


@admin.register(VerifyRun)
class VerifyRunAdmin(ReadOnlyAdmin):
    list_display = ["checked_at", "intact", "entries", "last_id", "broken_id"]
