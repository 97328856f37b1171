"""The API's JSON parser: DRF's, with limits on what a body may hold.

Python's JSON reader recurses once per nesting level, so a body nested a few thousand levels deep
raised RecursionError (a 500) before any view ran, even on the token endpoint without signing in.
This parser answers 400 for that, refuses bodies nested deeper than MAX_DEPTH (no payload of this
API needs more than a handful of levels, and the code behind it recurses too), bodies larger than
DATA_UPLOAD_MAX_MEMORY_SIZE (413), and NUL characters in any string, which PostgreSQL cannot store.
"""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status

MAX_DEPTH = 32


class BodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class JSONParser(parsers.JSONParser):
    """JSON bodies within the portal's limits; anything else is a 400 (413 for size)."""

    def parse(self, stream, media_type=None, parser_context=None) -> Any:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            request = (parser_context or {}).get("request")
            length = request.META.get("CONTENT_LENGTH") if request is not None else None
            if length and length.isdigit() and int(length) > limit:
                raise BodyTooLarge
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise exceptions.ParseError(_too_deep()) from None
        check_shape(data)
        return data


def _too_deep() -> str:
    return _("The JSON is nested more than %(limit)d levels deep.") % {"limit": MAX_DEPTH}


def check_shape(data: Any) -> None:
    """Raise ParseError if `data` is nested deeper than MAX_DEPTH or holds a NUL character."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise exceptions.ParseError(_("Text may not contain NUL characters (\\u0000)."))
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise exceptions.ParseError(_too_deep())
            if isinstance(value, dict):
                stack.extend((key, depth) for key in value)
                stack.extend((item, depth + 1) for item in value.values())
            else:
                stack.extend((item, depth + 1) for item in value)
