"""Pages of the organizations app."""

from django.urls import path

from . import import_views, views

app_name = "organizations"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("<int:pk>/", views.OrganizationDetailView.as_view(), name="detail"),
    path("<int:pk>/children/", views.children, name="children"),
    path("search/", views.search, name="search"),
    path("import/", import_views.upload, name="import"),
    path("import/<int:pk>/", import_views.preview, name="import-preview"),
    path("import/<int:pk>/progress/", import_views.progress, name="import-progress"),
    path("import/<int:pk>/commit/", import_views.commit, name="import-commit"),
]
