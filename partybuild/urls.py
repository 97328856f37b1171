"""Top-level URL map: pages, the REST API under /api/v1/, the OpenAPI schema and health."""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .metrics import metrics

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("credentials.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("organizations/", include("organizations.urls")),
    path("assessment/", include("assessment.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("rectification/", include("rectification.urls")),
    path("records/", include("records.urls")),
    path("standards/", include("standards.urls")),
    path("business/", include("business.urls")),
    path("reports/", include("reports.urls")),
    path("audit/", include("auditing.urls")),
    path("api/v1/", include("partybuild.api_urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the CSP refuses inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("admin/", admin.site.urls),
]

# OpenID Connect sign-on, when configured (docs/sign-on.md).
if settings.OIDC_RP_CLIENT_ID:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

# An address under /api/ that no route matches gets a JSON 404 like every other API answer.
handler404 = "core.api_errors.not_found"
