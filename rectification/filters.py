"""How the rectification list page reads its query string.

`ItemFilterSet` narrows the items the view has already restricted to the user's scope
(`selectors.visible`); it never widens them. A garbled value (a word for an id, a number out of
range, an unknown state) counts as not given, as the page always did: a query string never makes
the page fail. A ``within`` organization outside the user's scope narrows to nothing, the same as
one that does not exist, so nothing is revealed.
"""

from functools import cached_property
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.filters import IdFilter
from organizations.models import Organization

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


class ItemFilterSet(django_filters.FilterSet):
    """The list's ``?period=&within=&indicator=&overdue=1&state=``.

    The state tabs count every state of the list narrowed by the other filters
    (`across_states`); the rows are that narrowed further by the state. Without a ``state`` the
    list shows the items not closed; ``state=`` (empty) shows every state.
    """

    period = IdFilter(field_name="period_id", label=_("period"))
    within = IdFilter(method="filter_within", label=_("within"))
    indicator = IndicatorFilter(field_name="indicator_code", label=_("indicator"))
    overdue = SwitchFilter(method="filter_overdue", label=_("overdue"))
    state = StateFilter(method="filter_state", label=_("state"))

    class Meta:
        model = Rectification
        fields = ["period", "within", "indicator", "overdue", "state"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        data = data.copy() if data is not None else QueryDict(mutable=True)
        data.setdefault("state", ACTIVE)
        super().__init__(data, *args, **kwargs)

    @property
    def values(self) -> dict[str, Any]:
        """What the list is narrowed to, for the page's filter form (a garbled value: absent)."""
        self.is_valid()
        return self.form.cleaned_data

    @cached_property
    def within_organization(self) -> Organization | None:
        """The organization ``within`` names, if the user may see it (one query when given)."""
        within = self.values.get("within")
        if within is None:
            return None
        return Organization.objects.restrict(self.request.user).filter(pk=within).first()

    @property
    def within_unknown(self) -> bool:
        """Whether ``within`` named an organization outside the user's scope."""
        return self.values.get("within") is not None and self.within_organization is None

    def filter_within(self, queryset: QuerySet, name: str, value: int) -> QuerySet:
        if self.within_organization is None:
            return queryset.none()
        return queryset.within(self.within_organization)

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

    @cached_property
    def across_states(self) -> QuerySet[Rectification]:
        """The list narrowed by every filter but the state: what the state tabs count."""
        queryset = self.queryset.all()
        for name, value in self.values.items():
            if name != "state":
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def filter_queryset(self, queryset: QuerySet[Rectification]) -> QuerySet[Rectification]:
        # `queryset` is `self.queryset`, which `across_states` narrows once for both uses.
        return self.filters["state"].filter(self.across_states, self.values["state"])
