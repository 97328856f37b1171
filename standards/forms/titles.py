"""Forms of the title pages: the filters of the lists, and a reviewer's decision."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..choices import Decision


class TitleFilterForm(forms.Form):
    """The lists' filters (``?period=&standard=&state=&org=``); a malformed value is ignored,
    never an error page."""

    period = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    standard = forms.SlugField(required=False, max_length=40)
    state = forms.ChoiceField(required=False, choices=[("", ""), *Decision.choices])
    org = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)

    def chosen(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "period": data.get("period") if "period" not in self.errors else None,
            "standard": data.get("standard") or "" if "standard" not in self.errors else "",
            "state": data.get("state") or "" if "state" not in self.errors else "",
            "org": data.get("org") if "org" not in self.errors else None,
        }


class DecideForm(forms.Form):
    """Confirm or withhold one proposed title, based on the version the reviewer saw."""

    CONFIRM = "confirm"
    WITHHOLD = "withhold"

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(CONFIRM, _("Confirm the title")), (WITHHOLD, _("Withhold the title"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required to withhold the title."),
    )
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("decision") == self.WITHHOLD and not (data.get("reason") or "").strip():
            raise ValidationError({"reason": _("Give the reason the title is withheld.")})
        return data

    @property
    def confirm(self) -> bool:
        return self.cleaned_data["decision"] == self.CONFIRM
