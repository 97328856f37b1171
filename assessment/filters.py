"""How the assessment pages read their query strings.

A FilterSet narrows a queryset the view has already restricted to the user's scope
(`.restrict(user, action)`); it never widens it. Where a page lists every choice and only marks
the one asked for (the period of the completeness page, the subject kind of a framework), the
choice is read by a small form instead, as nothing is narrowed.

A garbled value (a word for an id, a number out of range, an unknown state) counts as not given,
as the pages always did: a query string never makes a page fail. An organization id outside the
user's scope narrows to nothing, the same as an id that does not exist, so nothing is revealed.
"""

from collections.abc import Mapping, Sequence
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from core.filters import IdField, IdFilter
from core.lists import PAGE_SIZES
from organizations.choices import Action
from organizations.filters import ListFilterSet, SearchFilter
from organizations.models import Organization

from .choices import SubmissionState
from .models import Submission
from .selectors.queues import QUEUE_SORTS, WARNING_FILTERS


class QueueStateField(forms.ChoiceField):
    """A submission state, or "" for every state; a state the queue does not know is "submitted"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["choices"] = [("", _("All")), *SubmissionState.choices]
        super().__init__(*args, **kwargs)

    def clean(self, value: Any) -> str:
        value = self.to_python(value)
        return value if self.valid_value(value) else SubmissionState.SUBMITTED


class QueueStateFilter(django_filters.Filter):
    field_class = QueueStateField


class QueueFilterSet(ListFilterSet):
    """The review queue's ``?q=&period=&subject_kind=&within=&state=``: ``q`` words of the
    unit's name (or its organization's name or code), ``within`` an organization the user
    reviews; without a ``state`` the queue shows what waits for review, ``state=`` (empty) every
    state (`ListFilterSet`).
    """

    q = SearchFilter(method="search", label=_("search"))
    period = IdFilter(field_name="period_id", label=_("period"))
    subject_kind = django_filters.CharFilter(label=_("subject kind"))
    state = QueueStateFilter(field_name="state", label=_("state"))

    within_action = Action.REVIEW
    default_tab = SubmissionState.SUBMITTED

    class Meta:
        model = Submission
        fields = ["q", "period", "subject_kind", "within", "state"]

    def search(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(
            Q(subject_name__icontains=value)
            | Q(organization__name__icontains=value)
            | Q(organization__name_en__icontains=value)
            | Q(organization__code__icontains=value)
        )


DEFAULT_PAGE_SIZE = 50  # one of the list pages' `PAGE_SIZES`


class QueueViewForm(forms.Form):
    """How the queue is shown: ``?sort=`` a column (``-`` before it: descending), ``?warnings=``
    (clean, warned or vetoed: the engine's findings, so not a FilterSet filter) and
    ``?per_page=``. A garbled value counts as not given."""

    sort = forms.ChoiceField(
        required=False,
        choices=[("", "")] + [(f"{sign}{key}", key) for key in QUEUE_SORTS for sign in ("", "-")],
    )
    warnings = forms.ChoiceField(
        required=False,
        choices=[
            ("", _("Any")),
            *zip(
                WARNING_FILTERS,
                (_("No warning, no veto"), _("With warnings"), _("With a veto")),
                strict=True,
            ),
        ],
    )
    per_page = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=DEFAULT_PAGE_SIZE,
        choices=[(str(size), str(size)) for size in PAGE_SIZES],
    )

    def value(self, name: str) -> Any:
        """The value of one field; its default when it was not given or garbled."""
        self.is_valid()
        return self.cleaned_data.get(name, DEFAULT_PAGE_SIZE if name == "per_page" else "")


class OrganizationChoiceFilterSet(django_filters.FilterSet):
    """``?org=``: the organizations a page may use (in the user's scope), narrowed to one."""

    org = IdFilter(field_name="pk", label=_("organization"))

    class Meta:
        model = Organization
        fields = ["org"]

    @property
    def asked(self) -> bool:
        """Whether a well-formed ``org`` was given (in scope or not)."""
        return self.is_valid() and self.form.cleaned_data.get("org") is not None


class PeriodChoiceForm(forms.Form):
    """``?period=`` of a page that lists the periods and marks one."""

    period = IdField(required=False)

    def chosen_id(self) -> int | None:
        """The id asked for; None when none was given or it was garbled."""
        return self.cleaned_data.get("period") if self.is_valid() else None


class SubjectKindChoiceForm(forms.Form):
    """``?kind=`` of the framework page: one of the framework's subject kinds."""

    kind = forms.ChoiceField(required=False)

    def __init__(self, data: Mapping[str, Any] | None, *, kinds: Sequence[str]) -> None:
        super().__init__(data)
        self.kinds = list(kinds)
        self.fields["kind"].choices = [(code, code) for code in self.kinds]

    def chosen(self) -> str | None:
        """The kind asked for; the framework's first kind when it is missing or unknown."""
        if self.is_valid() and self.cleaned_data["kind"]:
            return self.cleaned_data["kind"]
        return self.kinds[0] if self.kinds else None
