"""Forms of the rectification pages; each carries the item's version, so a stale one is refused."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Rectification


class VersionedForm(forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class UpdateForm(VersionedForm):
    """Plan, progress, owner and due date (all optional: only what changed is written)."""

    plan = forms.CharField(
        label=_("Plan"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("What the unit will do, by when and who is responsible."),
    )
    progress_note = forms.CharField(
        label=_("Progress"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, owners=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()

    @classmethod
    def for_item(cls, item: Rectification, owners, data=None) -> "UpdateForm":
        initial = {
            "version": item.version,
            "plan": item.plan,
            "progress_note": item.progress_note,
            "owner": item.owner_id,
            "due_date": item.due_date,
        }
        return cls(data, initial=initial, owners=owners, prefix="update")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (type by content, size)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class ClosureForm(VersionedForm):
    closing_note = forms.CharField(
        label=_("Closing note"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        help_text=_("What was done and with what result."),
    )
    files = MultipleFileField(
        label=_("Evidence"),
        required=False,
        help_text=_("PDF, images or Office files; at least one, unless already attached."),
    )


class ConfirmForm(VersionedForm):
    note = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class RejectForm(VersionedForm):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        help_text=_("What is still missing; the item goes back to the unit."),
    )
