"""One gate for the second factor: an administrator who must use one and has not entered a code
in this session reaches no page but the second-factor page, sign-out and the language switch.
Pages redirect there; API calls made with the session answer 403 (API tokens are asked for a
code when they are issued, credentials/api.py)."""

from collections.abc import Callable

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from .second_factor import must_use_second_factor

# Routes an unverified administrator may still reach, by view name.
OPEN_ROUTES = frozenset(
    {"credentials:second_factor", "login", "logout", "set_language", "healthz", "api-token"}
)


class SecondFactorMiddleware:
    """After django-otp's OTPMiddleware, which tells whether this session is verified."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.resolver_match.view_name in OPEN_ROUTES:
            return None
        if not must_use_second_factor(user) or user.is_verified():
            return None
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": _("Enter the code of your authenticator app in the portal first.")},
                status=403,
            )
        return redirect_to_login(request.get_full_path(), reverse("credentials:second_factor"))
