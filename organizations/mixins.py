"""Base classes that apply the access scope to pages and API endpoints.

Views and viewsets never filter by role themselves: they name a model and an action and get a
restricted queryset, so an object outside the user's scope is a 404.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from rest_framework import viewsets

from .choices import Action


class ScopedViewMixin(LoginRequiredMixin):
    """For class-based views: `get_queryset()` is the model restricted to the user's scope."""

    scope_action: str = Action.VIEW

    def get_queryset(self):
        return self.model._default_manager.restrict(self.request.user, self.scope_action)


class ScopedViewSetMixin:
    """For DRF viewsets: the queryset is restricted before filters, search and lookups apply."""

    scope_action: str = Action.VIEW

    def get_queryset(self):
        return super().get_queryset().restrict(self.request.user, self.scope_action)


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass
