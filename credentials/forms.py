"""Forms of the token page and the second-factor page."""

from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What the token is for, e.g. the system or script that will use it."),
    )


class RevokeForm(forms.Form):
    token = forms.IntegerField(min_value=1, max_value=2**63 - 1)


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=_("One-time code"),
        regex=r"^\s*\d{3}\s?\d{3}\s*$",
        max_length=16,
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows.")},
    )
