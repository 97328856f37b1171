"""Pages of the standards app: titles and honours, stars, member appraisals and follow-ups,
secretaries' reports, terms, and the personnel export."""

from django.urls import path

from .views import appraisals, exports, reports, stars, terms, titles

app_name = "standards"

urlpatterns = [
    # Seven-good standards and titles
    path("honours/", titles.honours, name="honours"),
    path("titles/", titles.title_list, name="titles"),
    path("titles/<int:pk>/", titles.title_detail, name="title_detail"),
    path("titles/<int:pk>/decide/", titles.title_decide, name="title_decide"),
    path("standard/<int:submission_pk>/", titles.standard_detail, name="standard_detail"),
    # Star-rated branches and standardization
    path("stars/", stars.star_list, name="stars"),
    path("stars/<int:pk>/", stars.star_detail, name="star_detail"),
    path("stars/<int:pk>/decide/", stars.star_decide, name="star_decide"),
    path("stars/branch/<int:organization_pk>/", stars.star_history, name="star_history"),
    # Democratic appraisal of members and follow-up
    path("appraisals/", appraisals.appraisal_list, name="appraisals"),
    path("appraisals/<int:pk>/", appraisals.appraisal_detail, name="appraisal_detail"),
    path("appraisals/<int:pk>/approve/", appraisals.appraisal_approve, name="appraisal_approve"),
    path("follow-ups/", appraisals.follow_up_list, name="follow_ups"),
    path("follow-ups/<int:pk>/", appraisals.follow_up_detail, name="follow_up_detail"),
    path("export/", exports.results_export, name="export"),
    # Secretaries' annual reports
    path("secretary-reports/", reports.report_list, name="secretary_reports"),
    path("secretary-reports/<int:pk>/", reports.report_detail, name="secretary_report"),
    path(
        "secretary-reports/<int:pk>/documents/<int:document_pk>/",
        reports.report_document,
        name="secretary_report_document",
    ),
    path("secretary-reports/<int:pk>/rate/", reports.report_rate, name="secretary_report_rate"),
    # Terms
    path("terms/", terms.term_list, name="terms"),
    path("terms/<int:pk>/", terms.term_detail, name="term_detail"),
]
