"""Refuse NUL characters in query parameters and form fields, on every page and API endpoint.

PostgreSQL cannot store or compare text holding NUL (U+0000): a filter such as
``history/?indicator=%00`` reached the database and answered 500. No parameter of the portal has a
use for the character, so it is refused here, once, with a 400 in the reader's language (after
LocaleMiddleware), before any view sees it. API bodies are checked by core.parsers (JSON)
and DRF's serializer fields (forms).
"""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class RefuseNulMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            message = _("Parameters and form fields may not contain NUL characters (%00).")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def _holds_nul(request: HttpRequest) -> bool:
    if "%00" in request.META.get("QUERY_STRING", "") and _any_nul(request.GET):
        return True
    # API bodies are left to DRF: reading them here would keep its parsers from choosing (a form
    # sent to a JSON-only endpoint must stay a 415); its parsers and serializer fields refuse NUL.
    if request.method == "POST" and request.content_type in FORM_TYPES:
        return not request.path.startswith("/api/") and _any_nul(request.POST)
    return False


def _any_nul(data) -> bool:
    return any("\x00" in key or any("\x00" in v for v in values) for key, values in data.lists())
