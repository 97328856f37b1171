"""The REST API, version 1: its root, the caller's token and identity, then each app's routes."""

from django.urls import include, path

from . import api, api_root

urlpatterns = [
    path("", api_root.APIRootView.as_view(), name="api-root"),
    path("auth/token/", api.TokenView.as_view(), name="api-token"),
    path("me/", api.MeView.as_view(), name="api-me"),
    path("", include("organizations.api.urls")),
    path("", include("assessment.api.urls")),
    path("", include("rectification.api.urls")),
    path("", include("records.api.urls")),
    path("", include("standards.api.urls")),
    path("", include("business.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("auditing.api.urls")),
]
