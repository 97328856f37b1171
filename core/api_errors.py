"""Every API error body has a `detail` message, as the schema says; 404s under /api/ are JSON.

DRF answers a validation error with the fields' messages alone (``{"username": [...]}``) or with
a bare list. This handler keeps those field messages as they are and puts a `detail` in front that
says the same in one line, so a client can always show ``body["detail"]``.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.defaults import page_not_found
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and "detail" in data:
        return response
    messages = "; ".join(_flatten(data))
    detail = _("Invalid input: %(errors)s") % {"errors": messages}
    response.data = {"detail": detail, **data} if isinstance(data, dict) else {"detail": detail}
    return response


def _flatten(data: Any, prefix: str = "") -> list[str]:
    """The messages of a DRF error body, each after the field it is about."""
    if isinstance(data, dict):
        return [
            line
            for key, value in data.items()
            for line in _flatten(value, key if key == "non_field_errors" else _join(prefix, key))
        ]
    if isinstance(data, list):
        return [line for item in data for line in _flatten(item, prefix)]
    return [f"{prefix}: {data}" if prefix and prefix != "non_field_errors" else str(data)]


def _join(prefix: str, key: object) -> str:
    return f"{prefix}.{key}" if prefix and prefix != "non_field_errors" else str(key)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for an address no route matches: JSON under /api/, like every API answer."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _("Not found.")}, status=404)
    return page_not_found(request, exception)
