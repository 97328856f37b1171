"""The OpenAPI schema's error answers, declared once for every operation.

Each operation documents what it answers on success and its own refusals; the errors any endpoint
can give (bad input, not signed in, not in scope, body too large or of the wrong type) are added
here, all with the one error body of core.api_errors: ``{"detail": "…", <field>: […]}``.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular import openapi
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    """An error: `detail` says it in one line; a bad field's messages are also under its name."""

    detail = serializers.CharField(label=_("message"))


COMMON_ERRORS = {
    "400": _("Bad input: a malformed parameter or body. Field messages follow `detail`."),
    "401": _("Not signed in, or the token is not valid."),
}
PATH_ERRORS = {"404": _("Not in your scope, or no such object.")}
BODY_ERRORS = {
    "413": _("The request body is too large."),
    "415": _("The body is not of a type this endpoint reads."),
}


class AutoSchema(openapi.AutoSchema):
    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors = dict(COMMON_ERRORS)
        if "{" in self.path:
            errors.update(PATH_ERRORS)
        if self.method in ("POST", "PUT", "PATCH"):
            errors.update(BODY_ERRORS)
        for code, description in errors.items():
            responses.setdefault(code, {"description": description})
        for code, response in responses.items():
            if code.startswith(("4", "5")) and "content" not in response:
                error = OpenApiResponse(ErrorSerializer, description=response["description"])
                responses[code] = self._get_response_for_code(error, code, direction=direction)
        return responses
