"""Forms of the ledger pages: the month's dues sheet, study entry, awards and deductions, the
quarter to publish, and the uploads of payroll and study files. Validation only, no writes."""

import datetime
import re
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from organizations.forms import ImportForm
from organizations.models import ImportBatch

from ..choices import PointsKind, StudyKind
from ..config import PointsRule

MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
# Months and years further ahead mean a typing error (and 9999-12 has no month after it).
LAST_YEAR = 2999


def read_month(value: Any) -> datetime.date | None:
    """A month written YYYY-MM as its first day; None for anything else."""
    found = MONTH.match(str(value or "").strip())
    if not found or not 1 <= int(found[2]) <= 12 or not 1900 <= int(found[1]) <= LAST_YEAR:
        return None
    return datetime.date(int(found[1]), int(found[2]), 1)


def this_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


class MonthField(forms.CharField):
    default_error_messages = {"invalid": _("Write the month as YYYY-MM.")}

    def clean(self, value: Any) -> datetime.date | None:
        text = super().clean(value)
        if not text:
            return None
        month = read_month(text)
        if month is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return month


def _money(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, required=False, min_value=0, max_digits=10, decimal_places=2
    )


class DuesLineForm(forms.Form):
    """One member's line of the month's sheet."""

    person = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    base = _money(_("base"))
    paid = _money(_("paid"))
    paid_on = forms.DateField(
        label=_("paid on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_paid_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("paid_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("The date is in the future."))
        return day


DuesLineFormSet = forms.formset_factory(DuesLineForm, extra=0, max_num=5000, validate_max=True)


class DuesSheetForm(forms.Form):
    """What the sheet was based on: its month and the fingerprint of the stored rows."""

    month = MonthField(widget=forms.HiddenInput)
    version = forms.CharField(widget=forms.HiddenInput, max_length=40, required=False)


class StudyForm(forms.Form):
    person = forms.TypedChoiceField(label=_("member"), coerce=int)
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("kind"), choices=StudyKind.choices)
    title = forms.CharField(label=_("title"), max_length=300)
    hours = forms.DecimalField(
        label=_("hours"), min_value=0.1, max_value=9999.9, max_digits=5, decimal_places=1
    )

    def __init__(self, *args: Any, people=(), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, f"{p.name} ({p.employee_number})") for p in people]


class ProposalForm(forms.Form):
    """An award or a deduction the secretary proposes; approved from above."""

    person = forms.TypedChoiceField(label=_("member"), coerce=int)
    month = MonthField(label=_("month"))
    kind = forms.ChoiceField(
        label=_("kind"),
        choices=[
            (PointsKind.AWARD, PointsKind.AWARD.label),
            (PointsKind.DEDUCTION, PointsKind.DEDUCTION.label),
        ],
    )
    rule = forms.ChoiceField(label=_("award rule"), required=False)
    points = forms.DecimalField(
        label=_("points"),
        required=False,
        min_value=0.1,
        max_value=999.9,
        max_digits=4,
        decimal_places=1,
        help_text=_("Empty with an award rule: the rule's points."),
    )
    reason = forms.CharField(label=_("reason"), max_length=300)

    def __init__(self, *args: Any, people=(), rules: list[PointsRule] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = [(p.pk, f"{p.name} ({p.employee_number})") for p in people]
        self.fields["rule"].choices = [("", "—")] + [
            (r.code, f"{r.display_name} ({r.points:+})") for r in rules
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("rule") and data.get("points") is None and "points" not in self.errors:
            self.add_error("points", _("Give the points, or choose an award rule."))
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("refuse", _("Refuse"))])
    note = forms.CharField(label=_("note"), max_length=300, required=False)


class QuarterForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=LAST_YEAR)
    quarter = forms.IntegerField(min_value=1, max_value=4)


DUES_KINDS = [
    (ImportBatch.Kind.DUES, _("New months only: a month already stored is an error")),
    (ImportBatch.Kind.DUES_UPDATE, _("Update: replace the months already stored")),
]


class DuesImportForm(ImportForm):
    """The payroll sheet; whether it may replace stored months is said here, never implied."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        kind.label, kind.choices, kind.initial = (
            _("Months already stored"),
            DUES_KINDS,
            DUES_KINDS[0][0],
        )


class StudyImportForm(ImportForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind = self.fields["kind"]
        kind.choices, kind.initial = (
            [(ImportBatch.Kind.STUDY, ImportBatch.Kind.STUDY.label)],
            ImportBatch.Kind.STUDY,
        )
        kind.widget = forms.HiddenInput()
