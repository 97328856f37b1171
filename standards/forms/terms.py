"""Forms of the term pages: the list's filters and the business term grade."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import OrganizationKind

from ..terms import BUSINESS_CHOICES


class TermFilterForm(forms.Form):
    """The list's query string: an organization kind and a term (its first year). A malformed
    value is ignored, never an error page."""

    kind = forms.ChoiceField(label=_("Kind"), required=False)
    term = forms.IntegerField(label=_("Term"), required=False, min_value=1990, max_value=2200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("All kinds"))] + [
            (k.code, k.display_name) for k in OrganizationKind.objects.order_by("pk")
        ]

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            cleaned = getattr(self, "cleaned_data", {})
            return {
                "kind": cleaned.get("kind") or None,
                "term": cleaned.get("term"),
            }
        return {
            "kind": self.cleaned_data["kind"] or None,
            "term": self.cleaned_data["term"],
        }


class BusinessGradeForm(forms.Form):
    """The regulator's grade of the term's business (A–D), with the version of the term shown."""

    grade = forms.ChoiceField(
        label=_("Business term grade"), choices=[(g, g) for g in BUSINESS_CHOICES]
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
