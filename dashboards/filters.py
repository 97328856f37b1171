"""How the dashboard pages read their query strings.

The drill-down lists of the committee dashboard narrow the subtree's subject scores, already
restricted to the reader's scope (`selectors.subtree.subtree_scores`), through `DrillFilterSet`;
it never widens them. Where a page lists every choice and only marks the one asked for (the
period of the dashboard and of the effectiveness page) or switches what it shows (submitted
scores, what-if suggestions), the value is read by a small form, as nothing is narrowed.

A garbled value counts as not given, as the pages always did: a query string never makes a page
fail. Only the effectiveness page answers a period that cannot exist with 404, as it always has.
"""

from typing import Any

import django_filters
from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from assessment.models import SubjectScore
from assessment.scoring import Framework as EngineFramework
from core.filters import IdField

from .selectors import subtree


class PeriodForm(forms.Form):
    """``?period=`` of a page that lists the periods and marks one.

    Each field of these forms stands alone: a garbled switch does not drop the period asked for.
    """

    period = IdField(required=False)

    def chosen_id(self) -> int | None:
        """The id asked for; None when none was given or it was garbled."""
        self.is_valid()
        return self.cleaned_data.get("period")

    def asked(self) -> bool:
        """Whether a period was asked for, well-formed or not."""
        self.is_valid()
        return self.cleaned_data.get("period") is not None or "period" in self.errors


class EffectivenessForm(PeriodForm):
    """The effectiveness page's ``?period=&level=``: the year and the kind of unit compared."""

    level = forms.SlugField(required=False, max_length=40)

    def chosen_level(self) -> str | None:
        self.is_valid()
        return self.cleaned_data.get("level") or None


class BoardForm(PeriodForm):
    """The dashboard's ``?period=&submitted=1``."""

    submitted = forms.ChoiceField(choices=[("1", _("with submitted data"))], required=False)

    def with_submitted(self) -> bool:
        """Whether the switch adding the submitted, not yet approved scores is on."""
        self.is_valid()
        return self.cleaned_data.get("submitted") == "1"


class WhatIfForm(forms.Form):
    """The what-if page's ``?apply=suggestions``: fill the form with the suggested values."""

    apply = forms.ChoiceField(choices=[("suggestions", _("suggestions"))], required=False)

    def applies_suggestions(self) -> bool:
        self.is_valid()
        return self.cleaned_data.get("apply") == "suggestions"


class CodeField(forms.ChoiceField):
    """A code of the framework (trimmed), one of the field's choices."""

    def to_python(self, value: Any) -> str:
        return super().to_python(value).strip()


class CodeFilter(django_filters.Filter):
    field_class = CodeField


class DrillFilterSet(django_filters.FilterSet):
    """The dashboard's drill-down lists: ``?indicator=`` (the subjects weakest on an indicator)
    or ``?kind=&grade=`` (the subjects of a kind that earned a grade).

    The choices are the period's framework's: its indicators, subject kinds and grades. An
    indicator, when asked for, decides the list, whatever the kind and grade.
    """

    indicator = CodeFilter(method="filter_indicator", label=_("indicator"))
    kind = CodeFilter(field_name="subject_kind", label=_("kind"))
    grade = CodeFilter(field_name="grade", label=_("grade"))

    class Meta:
        model = SubjectScore
        fields = ["indicator", "kind", "grade"]

    def __init__(
        self,
        data: Any,
        *,
        queryset: QuerySet[SubjectScore],
        spec: EngineFramework,
        kinds: list[tuple[str, str]],
        grades: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(data, queryset=queryset, **kwargs)
        self.filters["indicator"].extra["choices"] = [(i.code, i.code) for i in spec.indicators]
        self.filters["kind"].extra["choices"] = kinds
        self.filters["grade"].extra["choices"] = [(grade, grade) for grade in grades]

    def asked(self, *names: str) -> bool:
        """Whether any of the named parameters was given, well-formed or not."""
        self.is_valid()
        return any(self.form.cleaned_data.get(n) or n in self.form.errors for n in names)

    def given(self, *names: str) -> bool:
        """Whether every one of the named parameters was given and is one of its choices."""
        self.is_valid()
        return all(self.form.cleaned_data.get(n) for n in names)

    def filter_indicator(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return subtree.weakest_on(queryset, value)

    def filter_queryset(self, queryset: QuerySet[SubjectScore]) -> QuerySet[SubjectScore]:
        if self.given("indicator"):
            return self.filter_indicator(queryset, "indicator", self.form.cleaned_data["indicator"])
        return subtree.lowest_totals(super().filter_queryset(queryset))
