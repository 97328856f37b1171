"""The meeting form, made for a phone: kind, date, topic, and the roll of the members expected
that day with everyone present until tapped otherwise; place, host and minutes are optional.

The roll is built from the people expected on the date (`services.meetings.expected_people`):
one presence (`p-<id>`) and one reason (`r-<id>`) per person. A kind whose roll is chosen (a
committee's meeting, a party group's) lists only who was expected: the others are marked "not
expected" (`NOT_EXPECTED`) and left off; for any other kind that choice is an error on the row.
The form carries the ids it showed (`roll`); when the date moves to a day with other members the
posted roll no longer matches and the form asks to check it again rather than guess.
"""

import datetime
from collections.abc import Sequence

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import Person

from ..choices import Presence
from ..config import MeetingKind

FILE_ACCEPT = "image/*,application/pdf"
# The fourth choice of a row: the person is not on this meeting's roll (chosen-roll kinds only).
NOT_EXPECTED = "skip"


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


def read_date(value: str | None, default: datetime.date) -> datetime.date:
    """A date typed in the form (YYYY-MM-DD), or the default when it is missing or malformed:
    which members to show is decided before the form is validated."""
    try:
        return datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return default


class RollRow:
    """One person on the roll with their two bound fields, for the template."""

    def __init__(self, person: Person, presence, reason) -> None:
        self.person = person
        self.presence = presence
        self.reason = reason


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), widget=forms.Select(attrs={"class": "form-select"}))
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )
    topic = forms.CharField(
        label=_("Topic"),
        max_length=300,
        widget=forms.TextInput(attrs={"class": "form-control", "autocomplete": "off"}),
    )
    party_group = forms.CharField(
        label=_("Party group"),
        required=False,
        max_length=100,
        help_text=_("Only for a party group meeting: which group met."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    place = forms.CharField(
        label=_("Place"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    host = forms.ModelChoiceField(
        label=_("Host"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    minutes = forms.CharField(
        label=_("Minutes"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )
    photos = MultipleFileField(
        label=_("Photos"),
        required=False,
        help_text=_(
            "Take a photo or choose pictures (JPEG, PNG, GIF, WebP); PDF files can be added on "
            "the meeting's page."
        ),
        widget=MultipleFileInput(
            attrs={"class": "form-control", "accept": "image/*", "capture": "environment"}
        ),
    )
    roll = forms.CharField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(
        self,
        data=None,
        files=None,
        *,
        kinds: Sequence[MeetingKind],
        roster: Sequence[Person],
        roll_initial: dict[int, tuple[str, str]] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(data, files, **kwargs)
        self.roster = list(roster)
        self.kinds = {k.code: k for k in kinds}
        self.fields["kind"].choices = [(k.code, k.display_name) for k in kinds]
        chosen = [k.display_name for k in kinds if k.chosen_roll]
        if chosen:
            self.fields["kind"].help_text = _(
                "%(kinds)s: mark those not expected (who are not members of the committee or "
                "the group) “Not expected”; every other kind expects every member."
            ) % {"kinds": "、".join(chosen)}
        self.fields["host"].queryset = Person.objects.filter(pk__in=[p.pk for p in self.roster])
        self.fields["host"].label_from_instance = lambda p: p.name
        self.fields["roll"].initial = ",".join(str(p.pk) for p in self.roster)
        roll_initial = roll_initial or {}
        for person in self.roster:
            presence, reason = roll_initial.get(person.pk, (Presence.PRESENT, ""))
            self.fields[f"p-{person.pk}"] = forms.ChoiceField(
                label=person.name,
                choices=[*Presence.choices, (NOT_EXPECTED, _("Not expected"))],
                initial=presence,
            )
            self.fields[f"r-{person.pk}"] = forms.CharField(
                label=_("Reason"),
                required=False,
                max_length=200,
                initial=reason,
                widget=forms.TextInput(
                    attrs={"class": "form-control form-control-sm", "placeholder": _("Reason")}
                ),
            )

    @property
    def roll_rows(self) -> list[RollRow]:
        return [RollRow(p, self[f"p-{p.pk}"], self[f"r-{p.pk}"]) for p in self.roster]

    @property
    def detail_fields(self) -> list:
        """The optional fields, shown folded on a phone."""
        return [self[name] for name in ("place", "host", "minutes")]

    def clean(self) -> dict:
        cleaned = super().clean()
        shown = cleaned.get("roll") or ""
        expected = ",".join(str(p.pk) for p in self.roster)
        if self.is_bound and shown != expected:
            raise forms.ValidationError(
                _(
                    "The members expected on this date differ from the list you filled in: "
                    "check the attendance below and save again."
                ),
                code="roll_changed",
            )
        kind = self.kinds.get(cleaned.get("kind") or "")
        attendance = {}
        for person in self.roster:
            presence = cleaned.get(f"p-{person.pk}")
            reason = (cleaned.get(f"r-{person.pk}") or "").strip()
            if presence == NOT_EXPECTED:
                if kind is not None and not kind.chosen_roll:
                    self.add_error(
                        f"p-{person.pk}",
                        _("Everyone is expected at the %(kind)s: mark present, excused or absent.")
                        % {"kind": kind.display_name},
                    )
                continue
            if presence == Presence.EXCUSED and not reason:
                self.add_error(f"r-{person.pk}", _("Give the reason for the excused absence."))
            attendance[person.pk] = (presence, reason)
        cleaned["attendance"] = attendance
        return cleaned


class AttachmentForm(forms.Form):
    files = MultipleFileField(
        label=_("Add photos or PDF"),
        widget=MultipleFileInput(attrs={"class": "form-control", "accept": FILE_ACCEPT}),
    )


class VersionForm(forms.Form):
    version = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class MeetingFilterForm(forms.Form):
    """The list's filters; a malformed value is ignored, never an error page."""

    kind = forms.CharField(required=False, max_length=40)
    year = forms.IntegerField(required=False, min_value=2000, max_value=2100)
    month = forms.IntegerField(required=False, min_value=1, max_value=12)

    def values(self) -> dict:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {name: data.get(name) or None for name in ("kind", "year", "month")}
