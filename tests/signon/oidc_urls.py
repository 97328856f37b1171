"""The portal's URLs with OpenID Connect's, as partybuild/urls.py has them when OIDC_RP_CLIENT_ID
is set at start-up (tests switch it on after the URLs were loaded)."""

from django.urls import include, path

from partybuild.urls import handler404
from partybuild.urls import urlpatterns as portal_urls

urlpatterns = [*portal_urls, path("oidc/", include("mozilla_django_oidc.urls"))]

__all__ = ["handler404", "urlpatterns"]
