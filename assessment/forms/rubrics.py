"""The rubric of a draft indicator as a form per kind, instead of its JSON.

`RubricForm` shows the parameters of every kind (the page shows those of the chosen kind) and
builds from them the rubric's dict in the framework file's shape. It only checks that what was
typed is a number, and that the chosen kind has what it needs; whether the rubric is right (a
fraction from 0 to 1, bands in order, a formula that reads, a weight that suits the kind) is said
by the framework file's own rules (`assessment.scoring.spec`), which the service runs on the whole
framework: `add_problems` puts those of the rubric back on its fields, in the reader's language.
"""

import math
import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Framework, Indicator
from ..scoring.spec import APPRAISAL_CATEGORIES, FrameworkError, Problem
from .base import BootstrapForm

BAND_ROWS = 6  # the shipped framework's rubrics have at most 4 bands

KINDS = (
    ("linear", _("Linear between floor and target")),
    ("bands", _("Threshold bands")),
    ("yes_no", _("Yes / no")),
    ("bonus", _("Bonus per occurrence, capped")),
    ("deduction", _("Deduction per occurrence, floored")),
    ("veto", _("Veto (one-vote rejection)")),
    ("formula", _("Formula over other indicators")),
    ("appraisal", _("Democratic appraisal")),
    ("none", _("Recorded, not scored")),
)
THEN_KINDS = KINDS[:3]
APPRAISAL_LABELS = {
    "excellent": _("Weight of “excellent”"),
    "competent": _("Weight of “competent”"),
    "basic": _("Weight of “basically competent”"),
    "incompetent": _("Weight of “incompetent”"),
}
# What each kind (and a formula's "then" kind) reads from the form.
FIELDS_OF = {
    "linear": ("floor",),
    "bands": tuple(f"band_{n}_{part}" for n in range(BAND_ROWS) for part in ("limit", "fraction")),
    "yes_no": ("yes", "no"),
    "bonus": ("per", "cap"),
    "deduction": ("per", "deduction_floor"),
    "veto": ("cap_grade", "cap_stars"),
    "formula": ("expr", "then"),
    "appraisal": APPRAISAL_CATEGORIES,
    "none": (),
}
_DEFAULTS: dict[str, dict[str, Any]] = {
    "linear": {"floor": 0},
    "bands": {},
    "yes_no": {"yes": 1, "no": 0},
    "bonus": {"per": 1, "cap": 3},
    "deduction": {"per": 1, "deduction_floor": 0},
    "appraisal": {"excellent": 1, "competent": 0.8, "basic": 0.5, "incompetent": 0},
    "formula": {"then": "linear"},
}


class _FiniteFloatField(forms.FloatField):
    """A float that says a number beyond a float's range is too large, not that it is no number
    (Django's FloatField answers "Enter a number." for 1 followed by 400 zeros)."""

    def to_python(self, value: Any) -> float | None:
        text = str(value).strip() if value is not None else ""
        try:
            number = float(text) if text else None
        except ValueError:
            number = None
        if number is not None and math.isinf(number):
            raise forms.ValidationError(
                _("This number is too large (at most about 1.8e308)."), code="too_large"
            )
        return super().to_python(value)


def _number(label: Any, **attrs: Any) -> forms.FloatField:
    widget = forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", **attrs})
    return _FiniteFloatField(label=label, required=False, widget=widget)


class RubricForm(BootstrapForm):
    """The rubric's kind and the parameters of each kind; `rubric` is the dict it makes."""

    prefix = "rubric"

    kind = forms.ChoiceField(label=_("Rubric"), choices=KINDS)
    floor = _number(_("Zero points at"))
    yes = _number(_("Share of the points for yes"), min="0", max="1")
    no = _number(_("Share of the points for no"), min="0", max="1")
    per = _number(_("Points per occurrence"))
    cap = _number(_("At most (points)"))
    deduction_floor = _number(_("At least (points)"))
    cap_grade = forms.ChoiceField(label=_("Grade at most"), required=False)
    cap_stars = forms.TypedChoiceField(label=_("Stars at most"), required=False, coerce=int)
    expr = forms.CharField(
        label=_("Formula"),
        required=False,
        max_length=500,
        widget=forms.TextInput(
            attrs={"class": "font-monospace", "spellcheck": "false", "autocomplete": "off"}
        ),
        help_text=_(
            "Indicator codes and numbers with + − * / ( ), min, max, round, abs and "
            "if(condition, then, else), e.g. C2.17 / C2.16 * 100."
        ),
    )
    then = forms.ChoiceField(label=_("The computed value is scored"), choices=THEN_KINDS)

    def __init__(
        self, *args: Any, indicator: Indicator, framework: Framework, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", initial_of(indicator.rubric))
        super().__init__(*args, **kwargs)
        self.indicator = indicator
        self.then_required = False
        higher = indicator.direction != "lower"
        for n in range(BAND_ROWS):
            self.fields[f"band_{n}_limit"] = _number(
                _("Band %(n)s: at least") % {"n": n + 1}
                if higher
                else _("Band %(n)s: at most") % {"n": n + 1}
            )
            self.fields[f"band_{n}_fraction"] = _number(
                _("Band %(n)s: share of the points") % {"n": n + 1}, min="0", max="1"
            )
        for category in APPRAISAL_CATEGORIES:
            self.fields[category] = _number(APPRAISAL_LABELS[category], min="0", max="1")
        grades = [band["grade"] for band in framework.grade_bands]
        self.fields["cap_grade"].choices = [(grade, grade) for grade in grades]
        stars = sorted(band["stars"] for band in framework.star_bands)
        self.fields["cap_stars"].choices = [(star, "★" * star) for star in stars]
        self.fields["floor"].help_text = (
            _("The value that earns no points; the target (%(target)s) earns them all.")
            % {"target": _shown(indicator.target)}
            if indicator.target is not None
            else _("The value that earns no points; the indicator needs a target.")
        )
        self.initial.setdefault("cap_grade", grades[-1] if grades else "")
        self.initial.setdefault("cap_stars", stars[0] if stars else 1)
        for name in (*self._band_names(), *APPRAISAL_CATEGORIES):
            widget = self.fields[name].widget  # added after the base class dressed the others
            widget.attrs["class"] = f"form-control {widget.attrs.get('class', '')}".strip()

    @staticmethod
    def _band_names() -> tuple[str, ...]:
        return FIELDS_OF["bands"]

    @property
    def shown(self) -> dict[str, bool]:
        """Which groups of fields the chosen kind uses (rubric.js keeps this as the kind
        changes; without scripts the page shows the groups of the kind it was loaded with)."""
        kind = self["kind"].value()
        then = self["then"].value() if kind == "formula" else None
        return {
            "formula": kind == "formula",
            "linear": "linear" in (kind, then),
            "bands": "bands" in (kind, then),
            "yes_no": "yes_no" in (kind, then),
            "per": kind in ("bonus", "deduction"),
            "cap": kind == "bonus",
            "deduction": kind == "deduction",
            "veto": kind == "veto",
            "appraisal": kind == "appraisal",
            "try": kind not in ("formula", "none"),
        }

    @property
    def band_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"band_{n}_limit"], self[f"band_{n}_fraction"]) for n in range(BAND_ROWS)]

    @property
    def appraisal_fields(self) -> list[forms.BoundField]:
        return [self[category] for category in APPRAISAL_CATEGORIES]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        if not kind:
            return data
        self.rubric = self._build(kind, data)
        return data

    def _build(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """The rubric in the file's shape (`Rubric.to_dict`), a missing value as the error of
        its field."""

        def need(name: str) -> Any:
            value = data.get(name)
            if (value is None or value == "") and name not in self.errors:
                self.add_error(name, _("This rubric needs a value here."))
            return value

        match kind:
            case "linear":
                return {"kind": kind, "floor": need("floor")}
            case "bands":
                return {"kind": kind, "bands": self._bands(data)}
            case "yes_no":
                return {"kind": kind, "yes": need("yes"), "no": need("no")}
            case "bonus":
                return {"kind": kind, "per": need("per"), "cap": need("cap")}
            case "deduction":
                return {"kind": kind, "per": need("per"), "floor": need("deduction_floor")}
            case "veto":
                return {
                    "kind": kind,
                    "cap_grade": need("cap_grade"),
                    "cap_stars": need("cap_stars"),
                }
            case "formula":
                then = data.get("then") or "linear"
                inner = self._build(then, data)
                return {"kind": kind, "expr": (need("expr") or "").strip(), "then": inner}
            case "appraisal":
                return {"kind": kind, "weights": {c: need(c) for c in APPRAISAL_CATEGORIES}}
        return {"kind": "none"}

    def _bands(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        key = "max" if self.indicator.direction == "lower" else "min"
        bands = []
        for n in range(BAND_ROWS):
            limit, fraction = data.get(f"band_{n}_limit"), data.get(f"band_{n}_fraction")
            if limit is None and fraction is None:
                continue  # an empty row: fewer bands
            for part, value in (("limit", limit), ("fraction", fraction)):
                if value is None and f"band_{n}_{part}" not in self.errors:
                    self.add_error(f"band_{n}_{part}", _("This rubric needs a value here."))
            bands.append({key: limit, "fraction": fraction})
        if not bands:
            self.add_error("band_0_limit", _("Give at least one band."))
        return bands

    def add_problems(self, error: FrameworkError, lang: str, *, raw: bool = False) -> list[Any]:
        """Put the problems of this indicator's rubric on the fields they are about, in `lang`;
        the others are returned (as the framework's problems in `lang`, or as they are with
        `raw`)."""
        rest = []
        code = re.escape(self.indicator.code)
        for problem in error.problems:
            match = re.search(rf"\.rubric((?:\.\w+|\[\d+\])*) \({code}\)$", problem.where or "")
            name = _field_of(match.group(1), self.cleaned_data.get("kind")) if match else None
            if name is None or name not in self.fields:
                rest.append(problem if raw else problem.text(lang))
                continue
            self.add_error(name, Problem(None, problem.code, problem.params).text(lang))
        return rest


def _field_of(path: str, kind: str | None) -> str:
    """The form field a problem at ``rubric<path>`` is about."""
    path = path.removeprefix(".then")
    band = re.match(r"\.bands\[(\d+)\]\.?(\w+)?", path)
    if band:
        part = "fraction" if band.group(2) == "fraction" else "limit"
        return f"band_{band.group(1)}_{part}"
    if path.startswith(".weights."):
        return path.removeprefix(".weights.")
    name = path.lstrip(".") or "kind"
    if name == "bands":
        return "band_0_limit"
    if name == "floor" and kind == "deduction":
        return "deduction_floor"
    return name


def initial_of(rubric: dict[str, Any]) -> dict[str, Any]:
    """The form's initial values for a stored rubric: its own parameters, and every other kind's
    usual ones, so switching kind starts from something sensible."""
    initial: dict[str, Any] = {}
    for defaults in _DEFAULTS.values():
        initial.update(defaults)
    initial["kind"] = rubric.get("kind", "none")
    _fill(initial, rubric)
    if rubric.get("kind") == "formula":
        initial["expr"] = rubric.get("expr", "")
        then = rubric.get("then") or {}
        initial["then"] = then.get("kind", "linear")
        _fill(initial, then)
    return initial


def _fill(initial: dict[str, Any], rubric: dict[str, Any]) -> None:
    kind = rubric.get("kind")
    for name in ("floor", "yes", "no", "per", "cap", "cap_grade", "cap_stars"):
        if name in rubric:
            as_name = "deduction_floor" if (kind, name) == ("deduction", "floor") else name
            initial[as_name] = rubric[name]
    for n, band in enumerate(rubric.get("bands") or []):
        initial[f"band_{n}_limit"] = band.get("min", band.get("max"))
        initial[f"band_{n}_fraction"] = band.get("fraction")
    for category, weight in (rubric.get("weights") or {}).items():
        initial[category] = weight


def _shown(value: float | None) -> str:
    return "" if value is None else f"{value:g}"
