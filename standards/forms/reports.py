"""Forms of the secretaries' reports pages: the list's query string, the organization's report,
the committee's rating. They validate input; the services decide and write."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from assessment.scoring.spec.shape import RatingShape
from core.filters import IdField

from ..choices import ReportState
from ..ratings import MAX_VOTES, VOTE_KINDS, VOTE_NAMES
from ..services.reports import NAME_MAX, REASON_MAX, SUMMARY_MAX


class ReportListForm(forms.Form):
    """``?period=&state=&org=`` of the list: a garbled value counts as not given."""

    period = IdField(required=False)
    state = forms.ChoiceField(required=False, choices=[("", ""), *ReportState.choices])
    org = IdField(required=False)

    def chosen(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            try:
                values[name] = field.clean(self.data.get(name)) or None
            except forms.ValidationError:
                values[name] = None
        return values


class ReportForm(forms.Form):
    """The secretary's report: name, summary and the meeting's votes (all blank: not yet)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    secretary_name = forms.CharField(label=_("Secretary"), max_length=NAME_MAX, required=False)
    summary = forms.CharField(
        label=_("Summary of the report"),
        max_length=SUMMARY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    good = forms.IntegerField(min_value=0, max_value=MAX_VOTES, required=False)
    fairly_good = forms.IntegerField(min_value=0, max_value=MAX_VOTES, required=False)
    average = forms.IntegerField(min_value=0, max_value=MAX_VOTES, required=False)
    poor = forms.IntegerField(min_value=0, max_value=MAX_VOTES, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = get_language() or "zh-hans"
        for kind in VOTE_KINDS:
            self.fields[kind].label = VOTE_NAMES[kind].get(lang)

    def vote_fields(self) -> list[forms.BoundField]:
        return [self[kind] for kind in VOTE_KINDS]

    def votes(self) -> dict[str, int | None]:
        return {kind: self.cleaned_data.get(kind) for kind in VOTE_KINDS}


class SubmitForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class RateForm(forms.Form):
    """The committee's rating: one of the framework's ratings, a reason when it differs."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    rating = forms.ChoiceField(label=_("Rating"), choices=())
    reason = forms.CharField(
        label=_("Reason"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed for a rating other than the one the votes propose."),
    )

    def __init__(self, *args: Any, ratings: Sequence[RatingShape] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lang = get_language() or "zh-hans"
        self.fields["rating"].choices = [(r.code, r.name.get(lang)) for r in ratings]
