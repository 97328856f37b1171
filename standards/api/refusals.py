"""How the standards API answers a refused change, and the schema of that answer.

A refusal of the services (`standards.services.refusals`) is a 400 with `detail`; a caller who
may see the object but not make the change gets a 403; a change based on an older version a 409
that also carries `current_version`. Nothing was changed in any of them.
"""

from typing import Any

from rest_framework import serializers
from rest_framework.response import Response

from core.api_schema import ErrorSerializer

from ..services.refusals import Refused, StaleVersion

__all__ = ["StandardsRefusalSerializer", "refusal"]


class StandardsRefusalSerializer(ErrorSerializer):
    """A refused change: `detail` says why; a stale version (409) also gives `current_version`."""

    current_version = serializers.IntegerField(required=False)


def refusal(refused: Refused) -> Response:
    """The answer to a refused change: 400, 403 for `NotAllowed`, 409 for `StaleVersion`."""
    body: dict[str, Any] = {"detail": refused.message}
    if isinstance(refused, StaleVersion):
        body["current_version"] = refused.current
    return Response(body, status=refused.status)
