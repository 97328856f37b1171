"""Checks of entered values by value type, with messages in the user's language.

The entry form, the API and the Excel upload all clean values here before anything is saved; the
scoring engine tolerates anything, but the database only ever holds values that passed. What a
typed value means (the words for yes and no, percentages, full-width digits, "n/a") is decided
once, in `scoring.values`, which the engine reads by too; this module says why a value is refused.
`clean_value` checks one value; `check_computed` what values do together through a formula.
"""

import math
from collections.abc import Callable, Collection, Mapping
from typing import Any

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from .scoring import score_subject, spec, values
from .scoring.rubrics import NOT_A_PERCENTAGE
from .scoring.values import NOT_APPLICABLE, Problem, Refused

__all__ = [
    "APPRAISAL_KEYS",
    "NOT_APPLICABLE",
    "TEXT_MAX",
    "EntryError",
    "check_computed",
    "clean_value",
    "quality_flags",
]

TEXT_MAX = 2000
APPRAISAL_KEYS = ("voters", "excellent", "competent", "basic", "incompetent")
_ERRORS = {
    Problem.NOT_A_NUMBER: gettext_noop("Enter a number."),
    Problem.TOO_LARGE: gettext_noop("The number is too large."),
    Problem.NOT_WHOLE: gettext_noop("Enter a whole number."),
    Problem.NEGATIVE: gettext_noop("A count cannot be negative."),
    Problem.NOT_A_PERCENTAGE: gettext_noop("A percentage lies between 0 and 100."),
    Problem.NOT_YES_OR_NO: gettext_noop("Answer yes or no."),
}


class EntryError(ValueError):
    """A value that cannot be saved; the message is for the user."""


def clean_value(indicator: spec.Indicator, raw: Any) -> Any:
    """The value to store: None for blank, "n/a", or a value of the indicator's type."""
    if values.is_blank(raw):
        return None
    if values.is_not_applicable(raw):
        return NOT_APPLICABLE
    cleaner = _CLEANERS[indicator.value_type]
    return cleaner(raw)


def _read(reader: Callable[[object], Any]) -> Callable[[Any], Any]:
    """A cleaner that reads as `scoring.values` does and says why not in the user's language."""

    def clean(raw: Any) -> Any:
        try:
            return reader(raw)
        except Refused as refused:
            raise EntryError(_(_ERRORS[refused.problem])) from None

    return clean


_number = _read(values.number)
_percentage = _read(values.percentage)
_count = _read(values.count)
_boolean = _read(values.boolean)


def _appraisal(raw: Any) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise EntryError(_("Enter the number of voters and the votes in each category."))
    unknown = set(raw) - set(APPRAISAL_KEYS)
    if unknown:
        raise EntryError(_("Unknown vote categories: %(keys)s.") % {"keys": ", ".join(unknown)})
    votes = {}
    for key in APPRAISAL_KEYS:
        try:
            votes[key] = _count(0 if values.is_blank(raw.get(key)) else raw.get(key))
        except EntryError:
            raise EntryError(_("Votes are whole numbers of 0 or more.")) from None
    cast = sum(votes[k] for k in APPRAISAL_KEYS[1:])
    if votes["voters"] == 0:
        raise EntryError(_("Enter the number of voters."))
    if cast != votes["voters"]:
        raise EntryError(
            _("The votes add up to %(cast)d, but there were %(voters)d voters.")
            % {"cast": cast, "voters": votes["voters"]}
        )
    return votes


def _text(raw: Any) -> str:
    text = str(raw).strip()
    if len(text) > TEXT_MAX:
        raise EntryError(_("At most %(n)d characters.") % {"n": TEXT_MAX})
    return text


_CLEANERS = {
    "number": _number,
    "percentage": _percentage,
    "count": _count,
    "boolean": _boolean,
    "appraisal": _appraisal,
    "text": _text,
}


def check_computed(
    framework: spec.Framework,
    subject_kind: str,
    values: Mapping[str, Any],
    changed: Collection[str],
) -> dict[str, str]:
    """Errors, by entered indicator, that the values would cause through a formula.

    A percentage computed by a formula lies in 0–100 like a typed one (the engine scores one
    outside as invalid): more actual attendances than expected ones would make an attendance
    rate of 110 %. `values` are all the subject's values as they would be saved; the error goes
    to each input of the formula among `changed` (what is being saved now), so a value saved
    earlier never blocks an unrelated save.
    """
    rates = _computed_percentages(framework, subject_kind)
    if not any(code in changed for codes in rates.values() for code in codes):
        return {}  # most saves: nothing they change feeds a computed percentage
    english = (get_language() or "").startswith("en")
    errors: dict[str, str] = {}
    for result in score_subject(framework, subject_kind, dict(values)).indicators:
        if not any(message.code == NOT_A_PERCENTAGE for message in result.messages):
            continue
        indicator = framework.indicator(result.code)
        inputs = [code for code in indicator.rubric.formula.codes if code in changed]
        message = _(
            "%(code)s %(name)s would come to %(value)s%%, but a percentage lies between 0 and "
            "100: check %(inputs)s."
        ) % {
            "code": indicator.code,
            "name": indicator.name.en if english else indicator.name.zh,
            "value": result.provenance["intermediates"].get("out_of_range", ""),
            "inputs": ", ".join(indicator.rubric.formula.codes),
        }
        for code in inputs:
            errors.setdefault(code, message)
    return errors


def _computed_percentages(framework: spec.Framework, subject_kind: str) -> dict[str, tuple]:
    """The formula percentages of a subject kind and the codes each reads, worked out once."""

    def build() -> dict[str, tuple]:
        return {
            i.code: i.rubric.formula.codes
            for i in framework.indicators_for(subject_kind)
            if i.value_type == "percentage" and isinstance(i.rubric, spec.FormulaRubric)
        }

    return framework.memo(("computed percentages", subject_kind), build)  # type: ignore[return-value]


def quality_flags(
    indicator: spec.Indicator,
    value: Any,
    history: list[float],
    labels: list[str] | None = None,
) -> list[str]:
    """Reasons a reviewer should look twice at a value (never a reason to refuse it).

    Outside the indicator's plausible range, or far from the subject's own earlier values (more
    than three standard deviations, or ten times the mean, once there are three earlier values).
    A value at the indicator's target is what the framework asks for, so it is never flagged.
    The message names what it compares with (the last three earlier values, by period where
    `labels` names them) and rounds the average, so the reader can judge it at a glance.
    """
    if not isinstance(value, int | float) or isinstance(value, bool):
        return []
    target = indicator.target
    if isinstance(target, int | float) and math.isclose(value, target, abs_tol=1e-9):
        return []
    flags = []
    plausible = indicator.plausible
    if plausible is not None and not plausible.contains(value):
        flags.append(_("Outside the plausible range for this indicator."))
    if len(history) >= 3:
        mean = sum(history) / len(history)
        spread = math.sqrt(sum((h - mean) ** 2 for h in history) / len(history))
        far = abs(value - mean) > 3 * spread if spread > 0 else value != mean
        if far and (spread > 0 or abs(value - mean) > max(1.0, abs(mean)) * 0.5):
            flags.append(
                _("Far from this unit's earlier values (%(earlier)s; average %(mean)s).")
                % {"earlier": _earlier_text(history, labels), "mean": short_number(mean)}
            )
    return flags


def short_number(x: float) -> str:
    """A number with as many digits as a reader needs: 33.3, 0.46, 12, never 33.33333."""
    if x == 0 or abs(x) >= 1:
        return f"{x:.1f}".rstrip("0").rstrip(".")
    return f"{x:.2g}"


def _earlier_text(history: list[float], labels: list[str] | None) -> str:
    """The last three earlier values, oldest first, with their periods where known."""
    last = history[-3:]
    if labels and len(labels) == len(history):
        return ", ".join(
            f"{label}: {short_number(v)}" for label, v in zip(labels[-3:], last, strict=True)
        )
    return ", ".join(short_number(v) for v in last)
