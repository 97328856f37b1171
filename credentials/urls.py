"""The account pages: one's API tokens, and the second factor (under /accounts/)."""

from django.urls import path

from . import views

app_name = "credentials"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/revoke/", views.revoke, name="revoke"),
    path("second-factor/", views.second_factor, name="second_factor"),
]
