"""Pages of the assessment app; the views are imported by area (see `assessment.views`)."""

from django.urls import path

from .views import entry, excel, frameworks, lists, periods, review, scores

app_name = "assessment"
urlpatterns = [
    path("frameworks/", frameworks.framework_list, name="framework_list"),
    path("frameworks/compare/", frameworks.framework_compare, name="framework_compare"),
    path("frameworks/<int:pk>/", frameworks.framework_detail, name="framework_detail"),
    path(
        "frameworks/<int:pk>/indicators/<int:indicator_pk>/edit/",
        frameworks.indicator_edit,
        name="indicator_edit",
    ),
    path(
        "frameworks/<int:pk>/indicators/<int:indicator_pk>/preview/",
        frameworks.rubric_preview,
        name="rubric_preview",
    ),
    path(
        "frameworks/<int:pk>/indicators/<int:indicator_pk>/formula/",
        frameworks.formula_check,
        name="formula_check",
    ),
    path("frameworks/<int:pk>/trial/", frameworks.framework_trial, name="framework_trial"),
    path(
        "frameworks/<int:pk>/trial/<int:trial_pk>/",
        frameworks.framework_trial_run,
        name="framework_trial_run",
    ),
    path("frameworks/<int:pk>/publish/", frameworks.framework_publish, name="framework_publish"),
    path("frameworks/<int:pk>/clone/", frameworks.framework_clone, name="framework_clone"),
    path("my/", lists.my_submissions, name="my_submissions"),
    path("queue/", lists.queue, name="queue"),
    path("queue/decide/", review.queue_decide, name="queue_decide"),
    path("completeness/", lists.completeness, name="completeness"),
    path("notices/", lists.notices, name="notices"),
    path("notices/read/", lists.notices_mark_read, name="notices_mark_read"),
    path("periods/", periods.period_list, name="period_list"),
    path("periods/new/", periods.period_create, name="period_create"),
    path("periods/<int:pk>/open/", periods.period_open, name="period_open"),
    path("periods/<int:pk>/close/", periods.period_close, name="period_close"),
    path("submissions/<int:pk>/", entry.submission_detail, name="submission"),
    path("submissions/<int:pk>/save/", entry.submission_save, name="submission_save"),
    path("submissions/<int:pk>/submit/", entry.submission_submit, name="submission_submit"),
    path("submissions/<int:pk>/return/", entry.submission_return, name="submission_return"),
    path("submissions/<int:pk>/approve/", entry.submission_approve, name="submission_approve"),
    path("submissions/<int:pk>/reopen/", entry.submission_reopen, name="submission_reopen"),
    path("submissions/<int:pk>/assess/", entry.submission_assess, name="submission_assess"),
    path("submissions/<int:pk>/points/", entry.submission_points, name="submission_points"),
    path("submissions/<int:pk>/copy/", entry.submission_copy, name="submission_copy"),
    path("submissions/<int:pk>/evidence/", entry.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", entry.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", entry.evidence_delete, name="evidence_delete"),
    path("submissions/<int:pk>/template.xlsx", excel.submission_template, name="excel_template"),
    path("periods/<int:pk>/template.xlsx", excel.committee_template, name="excel_bulk_template"),
    path("excel/upload/", excel.upload, name="excel_upload"),
    path("scores/runs/", scores.score_runs, name="score_runs"),
    path("scores/runs/table/", scores.score_runs_table, name="score_runs_table"),
    path("scores/periods/<int:pk>/recompute/", scores.score_recompute, name="score_recompute"),
    path("scores/settings/", scores.rollup_settings, name="rollup_settings"),
]
