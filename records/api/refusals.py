"""How the records API answers a refused write: one mapping for every viewset of the app.

A `RecordRefused` from a service is a 400 with its message; `NotAllowed` (the caller may see the
record but not write it) a 403; `StaleVersion` a 409 with the version now stored.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import status
from rest_framework.response import Response

from ..services.dates import NotAllowed, RecordRefused, StaleVersion
from .serializers import RecordErrorSerializer

STALE = {
    409: OpenApiResponse(RecordErrorSerializer, description=_lazy("Changed since your version."))
}


def refusal(refused: RecordRefused) -> Response:
    body: dict[str, Any] = {"detail": refused.message}
    code = status.HTTP_400_BAD_REQUEST
    if isinstance(refused, StaleVersion):
        code = status.HTTP_409_CONFLICT
        body["current_version"] = refused.current
    elif isinstance(refused, NotAllowed):
        code = status.HTTP_403_FORBIDDEN
    return Response(body, status=code)
