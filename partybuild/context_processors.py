"""Template context shared by every page: what the navigation may offer this user."""

from django.http import HttpRequest

from organizations.scope import roles_of


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_roles": frozenset()}
    return {"nav_roles": roles_of(user)}
