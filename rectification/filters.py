"""How the rectification list page reads its query string.

`ItemFilterSet` narrows the items the view has already restricted to the user's scope
(`selectors.visible`); it never widens them. A garbled value (a word for an id, a number out of
range, an unknown state) counts as not given, as the page always did: a query string never makes
the page fail. A ``within`` organization outside the user's scope narrows to nothing, the same as
one that does not exist, so nothing is revealed.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from organizations.filters import ListFilterSet

from .models import Rectification
from .selectors import ACTIVE

INDICATOR_LENGTH = 40  # the list's indicator box holds no more (maxlength)


class StateField(forms.ChoiceField):
    """ "active" (not closed), a state, or "" for every state; anything else is "active"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["choices"] = [
            ("", _("All")),
            (ACTIVE, _("Not closed")),
            *Rectification.State.choices,
        ]
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = self.to_python(value)
        return value if self.valid_value(value) else ACTIVE


class StateFilter(django_filters.Filter):
    field_class = StateField


class SwitchField(forms.Field):
    """A link's on/off switch: on for "1" only (what the page's links send), off otherwise."""

    def to_python(self, value: Any) -> bool:
        return value == "1"


class SwitchFilter(django_filters.Filter):
    field_class = SwitchField


class IndicatorField(forms.CharField):
    """An indicator code, trimmed, and cut to the length the page's box allows."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value)[:INDICATOR_LENGTH]


class IndicatorFilter(django_filters.CharFilter):
    field_class = IndicatorField


class ItemFilterSet(ListFilterSet):
    """The list's ``?period=&within=&indicator=&overdue=1&state=``: ``within`` an organization
    the user may see; without a ``state`` the list shows the items not closed, ``state=``
    (empty) every state (`ListFilterSet`).
    """

    period = IdFilter(field_name="period_id", label=_("period"))
    indicator = IndicatorFilter(field_name="indicator_code", label=_("indicator"))
    overdue = SwitchFilter(method="filter_overdue", label=_("overdue"))
    state = StateFilter(method="filter_state", label=_("state"))

    default_tab = ACTIVE

    class Meta:
        model = Rectification
        fields = ["period", "within", "indicator", "overdue", "state"]

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(
            ~Q(state=Rectification.State.CLOSED), due_date__lt=timezone.localdate()
        )

    def filter_state(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == ACTIVE:
            return queryset.filter(~Q(state=Rectification.State.CLOSED))
        return queryset.filter(state=value)
