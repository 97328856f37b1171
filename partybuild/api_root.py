"""/api/v1/ itself: the list of the API's endpoints, by name, for a client to start from.

It is public, like the OpenAPI schema it points to: it names endpoints and holds no data, and a
client has to find the token endpoint before it can sign in. Every endpoint it names is scoped.
"""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter
from rest_framework.views import APIView

from assessment.api import urls as assessment_urls
from auditing.api import urls as audit_urls
from organizations.api import urls as organizations_urls
from rectification.api import urls as rectification_urls
from reports.api import urls as reports_urls

ROUTERS: tuple[SimpleRouter, ...] = (
    organizations_urls.router,
    assessment_urls.router,
    rectification_urls.router,
    reports_urls.router,
    audit_urls.router,
)
OTHER = {"auth/token": "api-token", "me": "api-me", "schema": "api-schema", "docs": "api-docs"}


def endpoint_names() -> dict[str, str]:
    """Each endpoint's name and URL name: the lists of every router, then the others."""
    names = {
        prefix: f"{basename}-list" for router in ROUTERS for prefix, _v, basename in router.registry
    }
    return {**OTHER, **names}


class APIRootView(APIView):
    """The endpoints of the API, each with its address."""

    permission_classes = [permissions.AllowAny]

    @extend_schema(
        operation_id="api_root",
        summary=_("The API's endpoints"),
        responses={
            200: {"type": "object", "additionalProperties": {"type": "string", "format": "uri"}}
        },
        examples=[
            OpenApiExample(
                "root",
                value={"organizations": "https://portal.example/api/v1/organizations/"},
            )
        ],
        auth=[],
        tags=["auth"],
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                name: request.build_absolute_uri(reverse(url_name))
                for name, url_name in endpoint_names().items()
            }
        )
