"""Insight routes (included by dashboards.urls, so they share the `dashboards:` namespace)."""

from django.urls import path

from . import views_insight

urlpatterns = [
    path(
        "organizations/<int:pk>/effectiveness/",
        views_insight.effectiveness,
        name="effectiveness",
    ),
    path("explain/scores/<int:pk>/", views_insight.explain_score, name="explain_score"),
    path("explain/rollups/<int:pk>/", views_insight.explain_rollup, name="explain_rollup"),
    path("what-if/scores/<int:pk>/", views_insight.what_if, name="what_if"),
]
