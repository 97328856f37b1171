"""Insight routes (included by dashboards.urls, so they share the `dashboards:` namespace)."""

from django.urls import path

from . import views_insight

urlpatterns = [
    path(
        "organizations/<int:pk>/effectiveness/",
        views_insight.EffectivenessView.as_view(),
        name="effectiveness",
    ),
    path(
        "explain/scores/<int:pk>/",
        views_insight.ExplainScoreView.as_view(),
        name="explain_score",
    ),
    path(
        "explain/rollups/<int:pk>/",
        views_insight.ExplainRollupView.as_view(),
        name="explain_rollup",
    ),
    path("what-if/scores/<int:pk>/", views_insight.WhatIfView.as_view(), name="what_if"),
]
