"""Site-wide pages: the landing page, sign-in and sign-out, and the health check."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from organizations.choices import Role
from organizations.scope import roles_of

from .health import healthz

__all__ = ["LoginView", "LogoutView", "healthz", "home"]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Send the user to their primary place in the portal.

    A secretary lands on their to-do list, a reviewer on the review queue (a user holding both
    roles enters data first), an auditor on the dashboard of their subtree; administrators start
    at the tree browser; a user without
    any role gets a page that says whom to ask (not an error: new accounts are created before
    their roles are assigned). Superusers hold every role implicitly and start at the tree.
    """
    user = request.user
    roles = roles_of(user)
    if not roles:
        return render(request, "no_role.html")
    if not user.is_superuser:
        if Role.SECRETARY in roles:
            return redirect("assessment:my_submissions")
        if Role.REVIEWER in roles:
            return redirect("assessment:queue")
        if Role.AUDITOR in roles and Role.ADMINISTRATOR not in roles:
            return redirect("dashboards:home")
    return redirect("organizations:tree")


class LoginView(auth_views.LoginView):
    """Sign-in; repeated failures are throttled by django-axes (see settings)."""

    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    """Sign-out, by POST only (the navigation bar holds the form)."""
