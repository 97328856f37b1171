"""Pages of the business app (mounted at /business/)."""

from django.urls import path

from .views import figures, imports, measures

app_name = "business"

urlpatterns = [
    path("", figures.figure_table, name="table"),
    path("organizations/<int:pk>/", figures.organization_figures, name="organization"),
    path("organizations/<int:pk>/enter/", figures.enter_figures, name="enter"),
    path("measures/", measures.measure_list, name="measures"),
    path("measures/<int:pk>/active/", measures.measure_active, name="measure_active"),
    path("import/", imports.figures_import, name="import"),
    path("imports/<int:pk>/", imports.import_preview, name="import_preview"),
    path("imports/<int:pk>/progress/", imports.import_progress, name="import_progress"),
    path("imports/<int:pk>/commit/", imports.import_commit, name="import_commit"),
]
