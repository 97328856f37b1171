"""Site-wide pages: the landing page, sign-in and sign-out, and the health check."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from .health import healthz

__all__ = ["LoginView", "LogoutView", "healthz", "home"]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("organizations:tree")


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    pass
