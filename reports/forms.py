"""Forms of the reports pages: requesting a report, verifying a file, editing a schedule.

Organizations are chosen by id and looked up in the user's scope, never from a list of every
organization: an id outside the scope gets the same error as one that does not exist.
"""

import datetime

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from assessment.choices import PeriodKind
from organizations.models import Organization, RoleAssignment

from . import services
from .choices import ReportFormat
from .models import ReportSchedule

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
SELECT = {"class": "form-select"}


def _organization_in_scope(user, value, action: str = "view") -> Organization:
    org = Organization.objects.restrict(user, action).filter(pk=value, is_active=True).first()
    if org is None:
        raise forms.ValidationError(_("There is no such organization in your scope."))
    return org


class ReportRequestForm(forms.Form):
    organization = forms.IntegerField(label=_("Organization"), widget=forms.HiddenInput)
    period_kind = forms.ChoiceField(
        label=_("Period kind"), choices=PeriodKind.choices, widget=forms.Select(attrs=SELECT)
    )
    start = forms.DateField(label=pgettext_lazy("start date", "From"), widget=DATE)
    end = forms.DateField(label=pgettext_lazy("end date", "To"), widget=DATE)
    format = forms.ChoiceField(
        label=_("Format"),
        choices=ReportFormat.choices,
        initial=ReportFormat.PDF,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        widget=forms.Select(attrs=SELECT),
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        year = datetime.date.today().year
        self.fields["start"].initial = datetime.date(year - 1, 1, 1)
        self.fields["end"].initial = datetime.date(year, 12, 31)
        self.fields["period_kind"].initial = PeriodKind.YEAR

    def clean_organization(self) -> Organization:
        return _organization_in_scope(self.user, self.cleaned_data["organization"])

    def clean(self) -> dict:
        data = super().clean()
        if {"period_kind", "start", "end"} <= set(data):
            try:
                services.resolve_periods(data["period_kind"], data["start"], data["end"])
            except services.ReportError as error:
                self.add_error(error.field, error.message)
        return data


class VerifyForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"class": "form-control"}),
    )
    digest = forms.CharField(
        label=_("or a SHA-256"),
        required=False,
        max_length=64,
        help_text=_("The 64 hexadecimal digits printed at the foot of a PDF report."),
        widget=forms.TextInput(attrs={"class": "form-control font-monospace"}),
    )

    def clean_digest(self) -> str:
        digest = self.cleaned_data["digest"].strip().lower()
        if digest and (len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest)):
            raise forms.ValidationError(_("A SHA-256 is 64 hexadecimal digits."))
        return digest

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("file")
        if not upload and not data.get("digest") and not self.errors:
            raise forms.ValidationError(_("Choose a file, or paste a SHA-256."))
        limit = verify_max_bytes()
        if upload and upload.size > limit:
            from django.template.defaultfilters import filesizeformat

            self.add_error(
                "file",
                _("The file is larger than %(limit)s; no report is that large.")
                % {"limit": filesizeformat(limit)},
            )
        return data


def verify_max_bytes() -> int:
    return int(getattr(settings, "REPORTS_VERIFY_MAX_BYTES", 1024 * 1024 * 1024))


class ScheduleForm(forms.ModelForm):
    organization = forms.IntegerField(label=_("Organization"), widget=forms.HiddenInput)
    formats = forms.MultipleChoiceField(
        label=_("Formats"),
        choices=ReportFormat.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        initial=[ReportFormat.PDF],
    )
    recipients = forms.ModelMultipleChoiceField(
        label=_("Recipients"),
        queryset=get_user_model().objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"class": "form-select", "size": 8}),
        help_text=_("People with a role in your scope; each gets a notice and an e-mail."),
    )

    class Meta:
        model = ReportSchedule
        fields = [
            "name",
            "organization",
            "targets",
            "formats",
            "language",
            "trigger",
            "day_of_month",
            "period_kind",
            "recipients",
            "active",
        ]
        widgets = {
            "name": forms.TextInput(attrs={"class": "form-control"}),
            "targets": forms.Select(attrs=SELECT),
            "language": forms.Select(attrs=SELECT),
            "trigger": forms.Select(attrs=SELECT),
            "day_of_month": forms.NumberInput(attrs={"class": "form-control", "min": 1, "max": 28}),
            "period_kind": forms.Select(attrs=SELECT),
            "active": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            self.initial["organization"] = self.instance.organization_id
        people = RoleAssignment.objects.restrict(user).values("user_id")
        self.fields["recipients"].queryset = (
            get_user_model().objects.filter(pk__in=people, is_active=True).order_by("username")
        )

    def clean_organization(self) -> Organization:
        return _organization_in_scope(self.user, self.cleaned_data["organization"], "manage")

    def clean_day_of_month(self) -> int:
        day = self.cleaned_data["day_of_month"]
        if not 1 <= day <= 28:
            raise forms.ValidationError(_("Choose a day from 1 to 28 (every month has it)."))
        return day
