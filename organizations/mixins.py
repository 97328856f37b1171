"""Base classes that apply the access scope to API endpoints.

Viewsets never filter by role themselves: they name a model and an action and get a restricted
queryset, so an object outside the user's scope is a 404. Pages read their objects through
`.restrict(user, action)` (a small getter per views module, see docs/architecture.md).
"""

from rest_framework import viewsets

from .choices import Action


class ScopedViewSetMixin:
    """For DRF viewsets: the queryset is restricted before filters, search and lookups apply."""

    scope_action: str = Action.VIEW

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, self.scope_action)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
