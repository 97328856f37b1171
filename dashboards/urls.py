"""Pages of the dashboards app: the committee dashboard (views) and the insight pages —
effectiveness, explain and what-if panels (views_insight)."""

from django.urls import include, path

from . import views

app_name = "dashboards"
urlpatterns = [
    path("", views.home, name="home"),
    path("organizations/<int:pk>/", views.organization, name="organization"),
    path("", include("dashboards.urls_insight")),
]
