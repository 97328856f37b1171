"""Pages of the records app: meetings, talks, dues, study, points, the negative list, calendar."""

from django.urls import path

from .views import calendar as calendar_views
from .views import ledgers as ledger_views
from .views import meetings as meeting_views
from .views import negative as negative_views
from .views import talks as talk_views

app_name = "records"

urlpatterns = [
    # Meetings of organizational life and heart-to-heart talks.
    path("meetings/", meeting_views.home, name="meetings"),
    path(
        "organizations/<int:organization_pk>/meetings/",
        meeting_views.meeting_list,
        name="meeting_list",
    ),
    path(
        "organizations/<int:organization_pk>/meetings/new/",
        meeting_views.meeting_create,
        name="meeting_create",
    ),
    path("meetings/<int:pk>/", meeting_views.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meeting_views.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/delete/", meeting_views.meeting_delete, name="meeting_delete"),
    path("meetings/<int:pk>/attachments/", meeting_views.meeting_attach, name="meeting_attach"),
    path(
        "meeting-attachments/<int:pk>/",
        meeting_views.attachment_download,
        name="meeting_attachment",
    ),
    path(
        "meeting-attachments/<int:pk>/remove/",
        meeting_views.attachment_remove,
        name="meeting_attachment_remove",
    ),
    path("talks/", talk_views.home, name="talks"),
    path("organizations/<int:organization_pk>/talks/", talk_views.talk_list, name="talk_list"),
    path(
        "organizations/<int:organization_pk>/talks/new/",
        talk_views.talk_create,
        name="talk_create",
    ),
    path("talks/<int:pk>/edit/", talk_views.talk_edit, name="talk_edit"),
    path("talks/<int:pk>/delete/", talk_views.talk_delete, name="talk_delete"),
    # The calendar of organizational life and the negative list.
    path("negative-events/", negative_views.negative_list, name="negative_list"),
    path("negative-events/new/", negative_views.negative_new, name="negative_new"),
    path("negative-events/<int:pk>/", negative_views.negative_detail, name="negative_detail"),
    path("negative-events/<int:pk>/edit/", negative_views.negative_edit, name="negative_edit"),
    path(
        "negative-events/<int:pk>/delete/", negative_views.negative_delete, name="negative_delete"
    ),
    path(
        "decision-documents/<int:pk>/", negative_views.decision_document, name="decision_document"
    ),
    path("calendar/", calendar_views.calendar, name="calendar"),
    # Party dues, study hours and member points; uploads of payroll and study files.
    path("organizations/<int:organization_pk>/dues/", ledger_views.dues_sheet, name="dues_sheet"),
    path("organizations/<int:organization_pk>/study/", ledger_views.study_list, name="study_list"),
    path(
        "organizations/<int:organization_pk>/points/",
        ledger_views.points_ledger,
        name="points_ledger",
    ),
    path(
        "organizations/<int:organization_pk>/points/propose/",
        ledger_views.points_propose,
        name="points_propose",
    ),
    path(
        "organizations/<int:organization_pk>/points/publish/",
        ledger_views.points_publish,
        name="points_publish",
    ),
    path(
        "organizations/<int:organization_pk>/points/published/",
        ledger_views.points_published,
        name="points_published",
    ),
    path("points/<int:points_entry_pk>/decide/", ledger_views.points_decide, name="points_decide"),
    path("dues/import/", ledger_views.dues_import, name="dues_import"),
    path("study/import/", ledger_views.study_import, name="study_import"),
    path("imports/<int:pk>/", ledger_views.import_preview, name="import_preview"),
    path("imports/<int:pk>/progress/", ledger_views.import_progress, name="import_progress"),
    path("imports/<int:pk>/commit/", ledger_views.import_commit, name="import_commit"),
]
