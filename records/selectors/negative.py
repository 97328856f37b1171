"""Reads of the negative list for its pages and API, always from the access scope.

An event is seen by its unit and everyone above it (`view`); who may record one is the service's
rule (`services.negative.can_record`). Pages read in a fixed number of queries.
"""

from django.db.models import Count, QuerySet
from django.shortcuts import get_object_or_404

from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import scope_prefixes

from ..models import DecisionDocument, NegativeEvent


def visible_events(user) -> QuerySet[NegativeEvent]:
    """Every event the user may read, newest first, with what a list shows."""
    return (
        NegativeEvent.objects.restrict(user)
        .select_related("organization__kind", "entered_by")
        .annotate(document_count=Count("documents"))
        .order_by("-date", "-pk")
    )


def events_under(user, organization: Organization) -> QuerySet[NegativeEvent]:
    """The events of the organization and its subtree that the user may read."""
    return visible_events(user).within(organization)


def detail(user, pk: int) -> NegativeEvent:
    """One event in the user's scope with its documents; 404 outside it."""
    return get_object_or_404(
        NegativeEvent.objects.restrict(user)
        .select_related("organization__kind", "entered_by")
        .prefetch_related("documents__uploaded_by"),
        pk=pk,
    )


def scoped_documents(user) -> QuerySet[DecisionDocument]:
    return DecisionDocument.objects.restrict(user)


def recordable_organizations(user) -> QuerySet[Organization]:
    """Active organizations whose negative events the user may record: strictly below where
    they hold `inspect` (one query when evaluated; the roles are read once per user)."""
    queryset = (
        Organization.objects.restrict(user, Action.INSPECT)
        .filter(is_active=True)
        .select_related("kind")
        .order_by("path")
    )
    prefixes = scope_prefixes(user, Action.INSPECT)
    if prefixes:
        queryset = queryset.exclude(path__in=prefixes)
    return queryset
