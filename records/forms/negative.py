"""Forms of the negative list's pages: recording or changing an event, the list's filters."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from assessment.forms.base import BootstrapForm
from core.filters import IdField

from ..choices import NegativeCategory, Severity
from ..models import NegativeEvent
from ..services.negative import DESCRIPTION_MAX, MAX_DOCUMENTS, NUMBER_MAX, TITLE_MAX
from .query import QueryForm


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (type by content, size)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class NegativeEventForm(BootstrapForm):
    """What an inspector records; the organization is chosen among those they may record on
    (a new event only: an event stays with its unit). A change carries the version of the event
    it showed (hidden), so a stale one is refused."""

    organization = forms.ModelChoiceField(label=_("Organization"), queryset=None)
    category = forms.ChoiceField(label=_("Category"), choices=NegativeCategory.choices)
    severity = forms.ChoiceField(label=_("Severity"), choices=Severity.choices)
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The date of the decision; it must lie in an open assessment period."),
    )
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    decision_number = forms.CharField(
        label=_("Decision document number"), required=False, max_length=NUMBER_MAX
    )
    documents = MultipleFileField(
        label=_("Decision documents"),
        required=False,
        help_text=_("PDF or images (scans), at most %(n)d.") % {"n": MAX_DOCUMENTS},
    )

    def __init__(
        self, *args: Any, organizations=None, event: NegativeEvent | None = None, **kwargs
    ):
        if event is not None:
            kwargs.setdefault(
                "initial",
                {
                    "category": event.category,
                    "severity": event.severity,
                    "date": event.date,
                    "title": event.title,
                    "description": event.description,
                    "decision_number": event.decision_number,
                    "version": event.version,
                },
            )
        super().__init__(*args, **kwargs)
        if event is not None:
            del self.fields["organization"]
            self.fields["version"] = forms.IntegerField(
                required=False, min_value=1, widget=forms.HiddenInput
            )
            self.fields["remove_documents"] = forms.MultipleChoiceField(
                label=_("Remove documents"),
                required=False,
                choices=[(str(d.pk), d.original_name) for d in event.documents.all()],
                widget=forms.CheckboxSelectMultiple,
            )
        else:
            field = self.fields["organization"]
            field.queryset = organizations
            field.label_from_instance = lambda org: f"{org.display_name} · {org.code}"


class NegativeListForm(QueryForm):
    """``?org=&category=&severity=`` of the list."""

    org = IdField(required=False)
    category = forms.ChoiceField(required=False, choices=[("", ""), *NegativeCategory.choices])
    severity = forms.ChoiceField(required=False, choices=[("", ""), *Severity.choices])
