"""Forms of the appraisal, follow-up and export pages: input validation only, no writes."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.filters import MAX_INT64

MAX_REASON = 2000


class VersionForm(forms.Form):
    version = forms.IntegerField(min_value=1, max_value=MAX_INT64, widget=forms.HiddenInput)


class GradesForm(forms.Form):
    """The branch's grades: a select and a reason per member row (`grade-<id>`, `reason-<id>`),
    built from the appraisal's rows and the scale's grades."""

    version = forms.IntegerField(min_value=1, max_value=MAX_INT64, widget=forms.HiddenInput)

    def __init__(self, *args, rows=(), choices=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.row_ids = []
        for row in rows:
            grade = row.grade
            self.row_ids.append(grade.pk)
            self.fields[f"grade-{grade.pk}"] = forms.ChoiceField(
                choices=list(choices),
                required=False,
                initial=grade.grade,
                label=grade.person.name,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
            self.fields[f"reason-{grade.pk}"] = forms.CharField(
                required=False,
                max_length=MAX_REASON,
                initial=grade.reason,
                label=_("reason"),
                widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
            )

    def decisions(self) -> dict[int, tuple[str, str]]:
        """The grades posted; a row missing from the post (a member added since the page was
        opened) is left as it is, and the version then refuses the stale form."""
        data = self.cleaned_data
        return {
            pk: (data[f"grade-{pk}"], data[f"reason-{pk}"])
            for pk in self.row_ids
            if data.get(f"grade-{pk}")
        }


class FollowUpForm(forms.Form):
    done_on = forms.DateField(
        label=_("done on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
    owner = forms.ChoiceField(
        label=_("owner"), required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=MAX_REASON,
        widget=forms.Textarea({"rows": 3, "class": "form-control"}),
    )
    version = forms.IntegerField(min_value=1, max_value=MAX_INT64, widget=forms.HiddenInput)

    def __init__(self, *args, owners=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.owners = {str(u.pk): u for u in owners}
        self.fields["owner"].choices = [("", "—")] + [
            (str(u.pk), u.get_full_name() or u.get_username()) for u in owners
        ]

    def clean_owner(self):
        value = self.cleaned_data.get("owner")
        return self.owners.get(value) if value else None


class ListFilterForm(forms.Form):
    """The lists' filters; a malformed value is ignored, never an error page."""

    period = forms.IntegerField(required=False, min_value=1, max_value=MAX_INT64)
    state = forms.CharField(required=False, max_length=20)
    organization = forms.IntegerField(required=False, min_value=1, max_value=MAX_INT64)

    def values(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or None for name in ("period", "state", "organization")}


EXPORT_PARTS = (
    ("titles", _("Confirmed titles")),
    ("stars", _("Confirmed star ratings")),
    ("grades", _("Approved member grades")),
    ("follow_ups", _("Follow-ups")),
    ("reports", _("Rated secretaries' reports")),
)


class ExportForm(forms.Form):
    period = forms.TypedChoiceField(
        label=_("period"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )
    parts = forms.MultipleChoiceField(
        label=_("include"),
        choices=EXPORT_PARTS,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        initial=[code for code, _label in EXPORT_PARTS],
    )
    organization = forms.IntegerField(
        label=_("organization (id, optional)"),
        required=False,
        min_value=1,
        max_value=MAX_INT64,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
    )
    format = forms.ChoiceField(
        label=_("format"),
        choices=(("xlsx", _("Excel workbook (XLSX)")), ("csv", _("CSV"))),
        initial="xlsx",
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, periods=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.periods = {p.pk: p for p in periods}
        self.fields["period"].choices = [(p.pk, p.display_name) for p in periods]

    def clean_period(self):
        return self.periods[self.cleaned_data["period"]]
