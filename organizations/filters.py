"""How the organization pages read their query strings.

`OrganizationSearchFilterSet` narrows organizations the caller has already restricted to the
user's scope; it never widens them. The reports app's organization picker uses it too.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

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
