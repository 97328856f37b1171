"""Pages of the reports app."""

from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("organizations/", views.organization_options, name="organization_options"),
    path("verify/", views.verify, name="verify"),
    path("<int:pk>/", views.ReportDetailView.as_view(), name="detail"),
    path("<int:pk>/progress/", views.ReportProgressView.as_view(), name="progress"),
    path("<int:pk>/download/", views.ReportDownloadView.as_view(), name="download"),
    path("schedules/", views.schedule_list, name="schedules"),
    path("schedules/new/", views.schedule_new, name="schedule_new"),
    path("schedules/<int:pk>/", views.ScheduleEditView.as_view(), name="schedule_edit"),
    path(
        "schedules/<int:pk>/deactivate/",
        views.ScheduleDeactivateView.as_view(),
        name="schedule_deactivate",
    ),
]
