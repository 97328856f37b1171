"""The form of a heart-to-heart talk: who talked with whom, when and about what; an edit carries
the version of the talk it showed (hidden), so a stale one is refused."""

from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import Person


class TalkForm(forms.Form):
    talker = forms.ModelChoiceField(
        label=_("Talked"),
        queryset=Person.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    partner = forms.ModelChoiceField(
        label=_("With"),
        queryset=Person.objects.none(),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    topic = forms.CharField(
        label=_("Topic"), max_length=300, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, people: Sequence[Person] = (), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        ids = [p.pk for p in people]
        for name in ("talker", "partner"):
            self.fields[name].queryset = Person.objects.filter(pk__in=ids).order_by(
                "employee_number"
            )
            self.fields[name].label_from_instance = lambda p: f"{p.name} ({p.employee_number})"

    def clean(self) -> dict:
        cleaned = super().clean()
        talker, partner = cleaned.get("talker"), cleaned.get("partner")
        if talker and partner and talker == partner:
            self.add_error("partner", _("A talk is between two people: choose someone else."))
        return cleaned
