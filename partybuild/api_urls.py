"""The REST API, version 1: each app contributes its routes."""

from django.urls import include, path

urlpatterns = [
    path("", include("organizations.api.urls")),
    path("", include("assessment.api.urls")),
]
