"""Pages of the organizations app: the tree browser (`views.tree`) and imports (`views.imports`)."""

from django.urls import path

from .views import imports, tree

app_name = "organizations"
urlpatterns = [
    path("", tree.tree, name="tree"),
    path("<int:pk>/", tree.detail, name="detail"),
    path("<int:pk>/children/", tree.children, name="children"),
    path("search/", tree.search, name="search"),
    path("import/", imports.upload, name="import"),
    path("import/<int:pk>/", imports.preview, name="import-preview"),
    path("import/<int:pk>/progress/", imports.progress, name="import-progress"),
    path("import/<int:pk>/commit/", imports.commit, name="import-commit"),
]
