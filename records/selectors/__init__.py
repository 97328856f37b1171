"""Reads of the records app that feed pages and endpoints, one module per kind of record.

Every read starts from the scope restriction (`Model.objects.restrict(user, action)`); what all
kinds share sits here: the organization a user's records pages open on.
"""

from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import scope_prefixes


def home_organization(user, action: str = Action.VIEW) -> Organization | None:
    """The highest organization where the user holds the action (a secretary's own branch), or
    None without any: where the records pages open when no organization is named."""
    prefixes = scope_prefixes(user, action)
    queryset = Organization.objects.restrict(user, action).order_by("depth", "path")
    if prefixes is not None:
        queryset = queryset.filter(path__in=prefixes)
    return queryset.select_related("kind").first()
