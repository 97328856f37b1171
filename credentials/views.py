"""The account pages of credentials: one's API tokens, and the second factor."""

from base64 import b32encode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from . import services
from .forms import CodeForm, RevokeForm, TokenForm
from .qr import qr_svg
from .second_factor import (
    check_code,
    confirmed_device,
    must_use_second_factor,
    pending_device,
    wait_seconds,
)
from .selectors import tokens_of


@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    """List the user's tokens; a POST issues one, shown on this answer only."""
    form = TokenForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        token, plain = services.issue_token(
            request.user, name=form.cleaned_data["name"], acting_user=request.user
        )
        issued = {"token": token, "plain": plain}
        form = TokenForm()
    context = {
        "tokens": tokens_of(request.user),
        "form": form,
        "issued": issued,
        "lifetime_days": services.token_lifetime().days,
    }
    response = render(request, "credentials/tokens.html", context)
    if issued:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    form = RevokeForm(request.POST)
    if not form.is_valid():
        return redirect("credentials:tokens")
    token = get_object_or_404(
        tokens_of(request.user).select_related("user"), pk=form.cleaned_data["token"]
    )
    if services.revoke_token(token, acting_user=request.user):
        messages.success(request, _("Token %(prefix)s… revoked.") % {"prefix": token.prefix})
    return redirect("credentials:tokens")


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if safe else "/"


@login_required
def second_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app (QR code and secret), or enter its code for this session."""
    user = request.user
    if not must_use_second_factor(user) or user.is_verified():
        return HttpResponseRedirect(_next(request))
    device = confirmed_device(user)
    enrolling = device is None
    if enrolling:
        device = pending_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if wait := wait_seconds(device):
            form.add_error(
                "code",
                _("Too many wrong codes: try again in %(seconds)d seconds.") % {"seconds": wait},
            )
        elif check_code(device, form.cleaned_data["code"]):
            if enrolling:
                services.confirm_device(device, acting_user=user)
            otp_login(request, device)
            return HttpResponseRedirect(_next(request))
        else:
            form.add_error("code", _("That code is wrong or has expired."))
    context = {"form": form, "enrolling": enrolling, "next": _next(request)}
    if enrolling:
        context["qr"] = qr_svg(device.config_url, label=_("QR code for your authenticator app"))
        context["secret"] = _secret_text(device)
    return render(request, "credentials/second_factor.html", context)


def _secret_text(device) -> str:
    """The key in base32, in groups of four, for typing into an app that cannot scan."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
