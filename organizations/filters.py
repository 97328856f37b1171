"""How pages read their query strings about organizations.

`OrganizationSearchFilterSet` narrows organizations the caller has already restricted to the
user's scope; it never widens them. The reports app's organization picker uses it too.
`ListFilterSet` is the base of the list pages' filters (the review queue, rectification items):
``within`` an organization of the user's scope, and tabs counted across the other filters.
"""

from functools import cached_property
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter

from .choices import Action
from .models import Organization

SEARCH_LENGTH = 200  # as long as a name may be: a longer text cannot match


class SearchField(forms.CharField):
    """The words typed in a search box, trimmed and cut to the longest name."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value)[:SEARCH_LENGTH]


class SearchFilter(django_filters.CharFilter):
    field_class = SearchField


class OrganizationSearchFilterSet(django_filters.FilterSet):
    """``?q=``: the organizations whose name, English name or code contains the text typed."""

    q = SearchFilter(method="search", label=_("search"))

    class Meta:
        model = Organization
        fields = ["q"]

    @property
    def query(self) -> str:
        """The text searched for ("" when none was typed)."""
        self.is_valid()
        return self.form.cleaned_data.get("q", "")

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(name__icontains=value) | Q(name_en__icontains=value) | Q(code__icontains=value)
        )


class ListFilterSet(django_filters.FilterSet):
    """The filters of a list page whose rows hang from organizations (a `ScopedQuerySet`).

    A garbled value counts as not given (`values`). ``within`` names an organization the user
    holds `within_action` on: the rows of its subtree; outside that scope it narrows to nothing,
    as an id that does not exist would, so nothing is revealed. The tabs (the filter named
    `tab_filter`) count the list narrowed by every other filter (`across_states`); the rows are
    that narrowed further by the tab. Without the tab's parameter the page shows `default_tab`;
    an empty one shows every tab.
    """

    within = IdFilter(method="filter_within", label=_("within"))

    within_action: str = Action.VIEW
    tab_filter = "state"
    default_tab = ""

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else QueryDict(mutable=True)
        data.setdefault(self.tab_filter, self.default_tab)
        super().__init__(data, *args, **kwargs)

    @property
    def values(self) -> dict[str, Any]:
        """What the list is narrowed to, for the page's filter form (a garbled value: absent)."""
        self.is_valid()
        return self.form.cleaned_data

    @cached_property
    def within_organization(self) -> Organization | None:
        """The organization ``within`` names, if in the user's scope (one query when given)."""
        within = self.values.get("within")
        if within is None:
            return None
        scope = Organization.objects.restrict(self.request.user, self.within_action)
        return scope.filter(pk=within).first()

    @property
    def within_unknown(self) -> bool:
        """Whether ``within`` named an organization outside the user's scope."""
        return self.values.get("within") is not None and self.within_organization is None

    def filter_within(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        if self.within_organization is None:
            return queryset.none()
        return queryset.within(self.within_organization)

    @cached_property
    def across_states(self) -> QuerySet:
        """The list narrowed by every filter but the tab: what the tabs count."""
        queryset = self.queryset.all()
        for name, value in self.values.items():
            if name != self.tab_filter:
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        # `queryset` is `self.queryset`, which `across_states` narrows once for both uses.
        tab = self.tab_filter
        return self.filters[tab].filter(self.across_states, self.values[tab])
