"""Site-wide pages: the landing page, sign-in and sign-out, and the health check."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from organizations import selectors
from organizations.scope import roles_of

from .health import healthz

__all__ = ["LoginView", "LogoutView", "healthz", "home"]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to their primary place in the portal.

    A secretary of exactly one organization lands on its page; anyone else with a role starts
    at the tree browser; a user without any role gets a page that says whom to ask (not an error:
    new accounts are created before their roles are assigned).
    """
    user = request.user
    if not roles_of(user):
        return render(request, "no_role.html")
    primary = selectors.primary_organization(user)
    if primary is not None:
        return redirect("organizations:detail", pk=primary.pk)
    return redirect("organizations:tree")


class LoginView(auth_views.LoginView):
    """Sign-in; repeated failures are throttled by django-axes (see settings)."""

    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign-out, by POST only (the navigation bar holds the form)."""
