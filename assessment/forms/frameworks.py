"""Forms of the framework pages: editing a draft indicator, cloning a version, comparing two.

The forms only check the shape of what was typed; whether the framework still adds up is the
service's question (`services.update_indicator` re-validates the whole framework).
"""

import json
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..choices import FrameworkStatus, Frequency
from ..models import Framework, Indicator
from ..scoring.formula import FormulaError, NumberTooLarge, compile_formula, finite
from ..services import EDITABLE_INDICATOR_FIELDS
from .base import BootstrapForm


class RubricField(forms.JSONField):
    """JSON shown indented, so a rubric's parameters read one per line."""

    def prepare_value(self, value: Any) -> str:
        if isinstance(value, forms.fields.InvalidJSONInput):
            return value
        return json.dumps(value, ensure_ascii=False, indent=2, cls=self.encoder)


def _holds_too_large_number(value: Any) -> bool:
    """Whether a number in the rubric, or in its formula, is beyond what the engine computes with.

    The framework check says so too; this says it on the rubric field, before the framework is
    checked.
    """
    if isinstance(value, dict):
        if isinstance(value.get("expr"), str):
            try:
                compile_formula(value["expr"])
            except NumberTooLarge:
                return True
            except FormulaError:
                pass  # the framework check names what else is wrong
        return any(_holds_too_large_number(item) for item in value.values())
    if isinstance(value, list):
        return any(_holds_too_large_number(item) for item in value)
    return isinstance(value, int | float) and not isinstance(value, bool) and finite(value) is None


class IndicatorForm(BootstrapForm):
    """The editable fields of one indicator of a draft; the rubric as its JSON parameters."""

    name = forms.CharField(label=_("Name (Chinese)"), max_length=300)
    name_en = forms.CharField(label=_("Name (English)"), max_length=300)
    description = forms.CharField(
        label=_("Description (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    unit = forms.CharField(label=_("Unit (Chinese)"), max_length=40, required=False)
    unit_en = forms.CharField(label=_("Unit (English)"), max_length=40, required=False)
    target = forms.FloatField(label=_("Target"), required=False)
    plausible_min = forms.FloatField(label=_("Plausible minimum"), required=False)
    plausible_max = forms.FloatField(label=_("Plausible maximum"), required=False)
    weight = forms.FloatField(label=_("Weight"), min_value=0)
    frequency = forms.ChoiceField(label=_("Frequency"), choices=Frequency.choices)
    evidence_required = forms.BooleanField(label=_("Evidence required"), required=False)
    assessed = forms.BooleanField(
        label=_("Judgement"),
        required=False,
        help_text=_("A judgement the reviewer confirms."),
    )
    rectify_below = forms.FloatField(
        label=_("Rectify below"),
        required=False,
        min_value=0,
        max_value=1,
        help_text=_(
            "The share of its points under which the indicator opens a rectification item; "
            "empty: the framework's default."
        ),
    )
    rubric = RubricField(
        label=_("Rubric"),
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace", "spellcheck": "false"}),
        help_text=_('The rubric\'s parameters as a JSON object with its "kind".'),
    )

    def __init__(self, *args: Any, indicator: Indicator, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial", {name: getattr(indicator, name) for name in EDITABLE_INDICATOR_FIELDS}
        )
        super().__init__(*args, **kwargs)
        self.indicator = indicator

    def clean_rubric(self) -> dict[str, Any]:
        rubric = self.cleaned_data["rubric"]
        if not isinstance(rubric, dict):
            raise forms.ValidationError(
                _('The rubric must be a JSON object such as {"kind": "linear", "floor": 0}.')
            )
        if not rubric.get("kind"):
            raise forms.ValidationError(_('The rubric needs a "kind".'))
        if _holds_too_large_number(rubric):
            raise forms.ValidationError(
                _("A number in the rubric is too large: numbers must stay within ±1.8 × 10³⁰⁸."),
                code="too_large",
            )
        return rubric

    def changes(self) -> dict[str, Any]:
        """The fields whose values differ from the indicator's, for `services.update_indicator`."""
        return {name: self.cleaned_data[name] for name in self.changed_data}


class CloneForm(BootstrapForm):
    """The version string of the new draft."""

    version = forms.CharField(
        label=_("New version"),
        max_length=40,
        validators=[
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._-]*\Z",
                _("Use letters, digits, dots, dashes and underscores, e.g. 2027 or 2027.1."),
            )
        ],
        help_text=_("For example the year the new version applies to."),
    )


class FrameworkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Framework) -> str:
        return f"{obj.display_name} {obj.version} ({obj.get_status_display()})"


class CompareForm(BootstrapForm):
    """Two versions to compare: from ``a`` (before) to ``b`` (after)."""

    a = FrameworkChoiceField(label=_("From version"), queryset=Framework.objects.none())
    b = FrameworkChoiceField(label=_("To version"), queryset=Framework.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = selectors.frameworks()
        self.fields["a"].queryset = versions
        self.fields["b"].queryset = versions
        if not self.is_bound:
            self._suggest_pair(list(versions))

    def _suggest_pair(self, versions: list[Framework]) -> None:
        """Fill in what was not chosen. By default from the published version to the newest other
        version of its code; given only ``b``, from the version it was cloned from (or else the
        published one, or else the version before it)."""
        by_pk = {str(f.pk): f for f in versions}
        published = next((f for f in versions if f.status == FrameworkStatus.PUBLISHED), None)
        if "b" in self.initial:
            after = by_pk.get(str(self.initial["b"]))
        elif published is not None:
            after = next((f for f in versions if f.code == published.code and f != published), None)
        else:
            after = versions[0] if versions else None
        if after is None:
            return
        self.initial.setdefault("b", after.pk)
        if "a" in self.initial:
            return
        older = [f for f in versions[versions.index(after) + 1 :] if f.code == after.code]
        for before in (after.cloned_from, published, *older[:1]):
            if before is not None and before != after:
                self.initial["a"] = before.pk
                return
