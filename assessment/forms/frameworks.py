"""Forms of the framework pages: editing a draft indicator, cloning a version, comparing two.

The indicator's rubric is edited through `rubrics.RubricForm`, a form per kind.

The forms only check the shape of what was typed; whether the framework still adds up is the
service's question (`services.update_indicator` re-validates the whole framework).
"""

import re
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .. import selectors
from ..choices import FrameworkStatus, Frequency
from ..models import Framework, Indicator
from ..scoring.spec import FrameworkError, Problem
from ..services import EDITABLE_INDICATOR_FIELDS
from .base import BootstrapForm
from .rubrics import RubricForm


class IndicatorForm(BootstrapForm):
    """The editable fields of one indicator of a draft; its rubric in `rubric_form`."""

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

    def __init__(self, data: Any = None, *, indicator: Indicator, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {n: getattr(indicator, n) for n in EDITABLE_INDICATOR_FIELDS if n != "rubric"},
        )
        super().__init__(data, **kwargs)
        self.indicator = indicator
        self.rubric_form = RubricForm(data, indicator=indicator, framework=indicator.framework)

    def is_valid(self) -> bool:
        own = super().is_valid()
        return self.rubric_form.is_valid() and own

    def changes(self) -> dict[str, Any]:
        """The fields whose values differ from the indicator's, for `services.update_indicator`;
        the rubric when the one the rubric form makes differs from the stored one."""
        out = {name: self.cleaned_data[name] for name in self.changed_data}
        if self.rubric_form.rubric != self.indicator.rubric:
            out["rubric"] = self.rubric_form.rubric
        return out

    def add_problems(self, error: FrameworkError, lang: str) -> list[str]:
        """The framework's problems with this edit: those of the rubric and of this indicator's
        own fields (its weight, its target) go on those fields, the others are returned, all in
        `lang`."""
        rest = []
        code = re.escape(self.indicator.code)
        for problem in self.rubric_form.add_problems(error, lang, raw=True):
            match = re.search(rf"^indicators\[\d+\]\.(\w+) \({code}\)$", problem.where or "")
            if match and match.group(1) in self.fields:
                self.add_error(
                    match.group(1), Problem(None, problem.code, problem.params).text(lang)
                )
            else:
                rest.append(problem.text(lang))
        return rest


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
    """Two versions to compare: from ``a`` (before) to ``b`` (after), never a version with
    itself."""

    a = FrameworkChoiceField(label=_("From version"), queryset=Framework.objects.none())
    b = FrameworkChoiceField(label=_("To version"), queryset=Framework.objects.none())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        versions = selectors.frameworks()
        self.fields["a"].queryset = versions
        self.fields["b"].queryset = versions
        if not self.is_bound:
            self._suggest_pair(list(versions))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("a") is not None and data.get("a") == data.get("b"):
            raise forms.ValidationError(
                _(
                    "Choose two different versions: a version compared with itself has no "
                    "differences to show."
                ),
                code="same_version",
            )
        return data

    def _suggest_pair(self, versions: list[Framework]) -> None:
        """Fill in what was not chosen, older version first. By default the published version
        and the newest other version of its code; given only ``b``, from the version it was
        cloned from (or else the published one, or else the version before it)."""
        by_pk = {str(f.pk): f for f in versions}
        published = next((f for f in versions if f.status == FrameworkStatus.PUBLISHED), None)
        given_b = "b" in self.initial
        if given_b:
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
        before = next(
            (f for f in (after.cloned_from, published, *older[:1]) if f is not None and f != after),
            None,
        )
        if before is None:
            return
        if not given_b and _age(before) > _age(after):  # both suggested: older → newer
            before, after = after, before
            self.initial["b"] = after.pk
        self.initial["a"] = before.pk


def _age(framework: Framework) -> tuple:
    """Which of two versions is newer: the one loaded or cloned later."""
    return (framework.created_at, framework.pk)
