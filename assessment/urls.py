"""Pages of the assessment app."""

from django.urls import path

from . import views, views_entry, views_excel, views_lists, views_scores

app_name = "assessment"
urlpatterns = [
    path("frameworks/", views.framework_list, name="framework_list"),
    path("frameworks/compare/", views.framework_compare, name="framework_compare"),
    path("frameworks/<int:pk>/", views.framework_detail, name="framework_detail"),
    path(
        "frameworks/<int:pk>/indicators/<int:indicator_pk>/edit/",
        views.indicator_edit,
        name="indicator_edit",
    ),
    path("frameworks/<int:pk>/publish/", views.framework_publish, name="framework_publish"),
    path("frameworks/<int:pk>/clone/", views.framework_clone, name="framework_clone"),
    path("my/", views_lists.my_submissions, name="my_submissions"),
    path("queue/", views_lists.queue, name="queue"),
    path("completeness/", views_lists.completeness, name="completeness"),
    path("notices/", views_lists.notices, name="notices"),
    path("notices/read/", views_lists.notices_mark_read, name="notices_mark_read"),
    path("periods/", views_lists.period_list, name="period_list"),
    path("periods/new/", views_lists.period_create, name="period_create"),
    path("periods/<int:pk>/open/", views_lists.period_open, name="period_open"),
    path("periods/<int:pk>/close/", views_lists.period_close, name="period_close"),
    path("submissions/<int:pk>/", views_entry.submission_detail, name="submission"),
    path("submissions/<int:pk>/save/", views_entry.submission_save, name="submission_save"),
    path("submissions/<int:pk>/submit/", views_entry.submission_submit, name="submission_submit"),
    path("submissions/<int:pk>/return/", views_entry.submission_return, name="submission_return"),
    path(
        "submissions/<int:pk>/approve/", views_entry.submission_approve, name="submission_approve"
    ),
    path("submissions/<int:pk>/reopen/", views_entry.submission_reopen, name="submission_reopen"),
    path("submissions/<int:pk>/assess/", views_entry.submission_assess, name="submission_assess"),
    path("submissions/<int:pk>/points/", views_entry.submission_points, name="submission_points"),
    path("submissions/<int:pk>/evidence/", views_entry.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views_entry.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views_entry.evidence_delete, name="evidence_delete"),
    path(
        "submissions/<int:pk>/template.xlsx",
        views_excel.submission_template,
        name="excel_template",
    ),
    path(
        "periods/<int:pk>/template.xlsx",
        views_excel.committee_template,
        name="excel_bulk_template",
    ),
    path("excel/upload/", views_excel.upload, name="excel_upload"),
    path("scores/runs/", views_scores.score_runs, name="score_runs"),
    path("scores/runs/table/", views_scores.score_runs_table, name="score_runs_table"),
    path(
        "scores/periods/<int:pk>/recompute/",
        views_scores.score_recompute,
        name="score_recompute",
    ),
    path("scores/settings/", views_scores.rollup_settings, name="rollup_settings"),
]
