"""Pages of the dashboards app: the committee dashboard (`views.board`) and the insight pages —
effectiveness, explain and what-if panels (`views.insight`), all in the `dashboards:` namespace."""

from django.urls import path

from .views import board, insight

app_name = "dashboards"
urlpatterns = [
    path("", board.home, name="home"),
    path("organizations/<int:pk>/", board.organization, name="organization"),
    path(
        "organizations/<int:pk>/effectiveness/",
        insight.effectiveness,
        name="effectiveness",
    ),
    path("explain/scores/<int:pk>/", insight.explain_score, name="explain_score"),
    path("explain/rollups/<int:pk>/", insight.explain_rollup, name="explain_rollup"),
    path("what-if/scores/<int:pk>/", insight.what_if, name="what_if"),
]
