"""The form for creating an assessment period (group administrators).

The form checks what was typed and that no such period exists yet; the rules of periods
themselves (a published framework, dates in order) are `services.periods.create_period`'s, whose
refusal the view shows on the form.
"""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import FrameworkStatus, PeriodKind
from ..models import Framework, Period
from .base import BootstrapForm


class DateInput(forms.DateInput):
    """The browser's date picker; the value is sent as YYYY-MM-DD whatever the language."""

    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class PeriodForm(BootstrapForm):
    """A new period: its framework (a published version), kind, names and dates."""

    framework = forms.ModelChoiceField(
        label=_("Framework"),
        queryset=Framework.objects.filter(status=FrameworkStatus.PUBLISHED).order_by(
            "code", "-version"
        ),
        help_text=_("Only published versions can be assessed."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=PeriodKind.choices)
    name = forms.CharField(label=_("Name (Chinese)"), max_length=100)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    start = forms.DateField(label=_("Start"), widget=DateInput())
    end = forms.DateField(label=_("End"), widget=DateInput())
    deadline = forms.DateField(
        label=_("Deadline"),
        widget=DateInput(),
        help_text=_("The day by which submissions are due."),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end, deadline = data.get("start"), data.get("end"), data.get("deadline")
        if start and end and end < start:
            self.add_error("end", _("The end must not come before the start."))
        if start and deadline and deadline < start:
            self.add_error("deadline", _("The deadline must not come before the start."))
        framework, kind = data.get("framework"), data.get("kind")
        if (
            framework
            and kind
            and start
            and Period.objects.filter(framework=framework, kind=kind, start=start).exists()
        ):
            self.add_error(
                "start",
                _("A period of this kind starting on this day already exists for the framework."),
            )
        return data
