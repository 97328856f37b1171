"""The form of the score runs page: how one framework's scores roll up the tree."""

from django import forms
from django.utils.translation import gettext as _

from ..models import RollupSettings


class RollupSettingsForm(forms.ModelForm):
    """How one framework's scores roll up the tree."""

    class Meta:
        model = RollupSettings
        fields = ["own_weight", "children", "missing"]
        widgets = {
            "own_weight": forms.NumberInput(
                attrs={"min": 0, "max": 1, "step": 0.05, "class": "form-control form-control-sm"}
            ),
            "children": forms.Select(attrs={"class": "form-select form-select-sm"}),
            "missing": forms.Select(attrs={"class": "form-select form-select-sm"}),
        }

    def clean_own_weight(self) -> float:
        weight = self.cleaned_data["own_weight"]
        if not 0 <= weight <= 1:
            raise forms.ValidationError(_("The weight of the own score runs from 0 to 1."))
        return weight
