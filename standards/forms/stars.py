"""Forms of the star-rating pages: the list's query string and the committee's confirmation."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.filters import IdField

from ..choices import Decision

STAR_CHOICES = [(n, "★" * n if n else "☆") for n in range(5, -1, -1)]


class StarListForm(forms.Form):
    """``?period=&org=&state=`` of the list: a missing or garbled value counts as not given."""

    period = IdField(required=False)
    org = IdField(required=False)
    state = forms.ChoiceField(required=False, choices=[("", ""), *Decision.choices])

    def chosen(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            try:
                values[name] = field.clean(self.data.get(name)) or None
            except forms.ValidationError:
                values[name] = None
        return values


class StarDecisionForm(forms.Form):
    """The committee's confirmation: the stars, a reason when they differ from the proposal, and
    the version of the rating the page showed."""

    stars = forms.TypedChoiceField(label=_("Stars"), choices=STAR_CHOICES, coerce=int)
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the stars differ from the proposal."),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
