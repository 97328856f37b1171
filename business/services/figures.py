"""Entering business figures and defining measures.

One organization's figures of one year are saved together or not at all: every value is checked
against its measure (a number for a number measure, A–D for a grade measure) and refused by the
measure's name, in the user's language. Each figure carries a version: a figure changed by
someone else since the form was opened is refused as stale. Only users who hold `Action.FIGURES`
on the organization enter figures. Each save records one audit entry with the changed figures
before and after: that trail is the figures' history.

Measures are the group administrators': they add measures and deactivate those not built in.
"""

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import AuditKind
from audit.services import record
from organizations.choices import Action
from organizations.scope import can, is_group_administrator

from ..choices import GRADES, Direction, FigureSource, Scale
from ..models import BusinessFigure, BusinessMeasure

YEAR_MIN = 1990
YEAR_MAX = 2100
VALUE_MAX = Decimal("9999999999999999.9999")
PLACES = Decimal("0.0001")
MEASURE_DEFINED = AuditKind.MEASURE_DEFINED
MEASURE_DEACTIVATED = AuditKind.MEASURE_DEACTIVATED
CODE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
_SPACES = re.compile(r"[\s,，]")


class FiguresRefused(Exception):
    """The figures cannot be saved; `errors` maps a measure code to its message (may be empty
    for a refusal of the whole save). Nothing was written."""

    def __init__(self, message: str, errors: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = dict(errors or {})


class NotAllowed(FiguresRefused):
    """The user may not enter figures (or define measures) here."""


class StaleFigures(FiguresRefused):
    """Someone changed the figures after the form was opened; nothing was written."""

    def __init__(self, codes: list[str]) -> None:
        super().__init__(
            _(
                "Someone changed these figures after you opened them. Nothing was saved: check "
                "the figures as they are now and enter your changes again."
            ),
            {code: _("Changed by someone else meanwhile.") for code in codes},
        )


def parse_number(raw: Any) -> Decimal:
    """A number as written (12,345.6, 12 345.6, −3.5, 8%): ValueError when it is none, or has
    more than four decimals or too many digits."""
    if isinstance(raw, Decimal):
        number = raw
    elif isinstance(raw, int | float) and not isinstance(raw, bool):
        number = Decimal(str(raw))
    else:
        text = _SPACES.sub("", str(raw)).replace("−", "-").rstrip("%")
        try:
            number = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(raw) from exc
    if not number.is_finite() or abs(number) > VALUE_MAX or number != number.quantize(PLACES):
        raise ValueError(raw)
    return number.quantize(PLACES)


def parse_grade(raw: Any) -> str:
    """A grade A–D as written (upper or lower case): ValueError otherwise."""
    text = str(raw).strip().upper()
    if text not in GRADES:
        raise ValueError(raw)
    return text


def is_blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def check_value(measure: BusinessMeasure, raw: Any) -> tuple[Decimal | None, str]:
    """(value, grade) of a raw entry for the measure; ValueError carries the message."""
    if measure.scale == Scale.GRADE:
        try:
            return None, parse_grade(raw)
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a grade for “%(measure)s”: write A, B, C or D.")
                % {"value": raw, "measure": measure.display_name}
            ) from None
    try:
        return parse_number(raw), ""
    except ValueError:
        raise ValueError(
            _(
                "“%(value)s” is not a number for “%(measure)s”: write a number with at most "
                "four decimals, such as 1234.5."
            )
            % {"value": raw, "measure": measure.display_name}
        ) from None


def check_year(year: Any) -> int:
    try:
        number = int(str(year).strip())
    except (TypeError, ValueError):
        number = None
    if number is None or not YEAR_MIN <= number <= YEAR_MAX:
        raise FiguresRefused(
            _("“%(year)s” is not a year from %(min)s to %(max)s.")
            % {"year": year, "min": YEAR_MIN, "max": YEAR_MAX}
        )
    return number


def shown(figure: BusinessFigure | None) -> str | None:
    """A figure as the history records it: the grade, or the number as written."""
    if figure is None:
        return None
    if figure.grade:
        return figure.grade
    return format(figure.value.normalize(), "f") if figure.value is not None else None


@transaction.atomic
def save_figures(
    organization,
    year,
    values: Mapping[str, Any],
    *,
    versions: Mapping[str, int] | None = None,
    acting_user,
    source: str = FigureSource.ENTERED,
    note: str = "",
) -> list[BusinessFigure]:
    """Save one organization's figures of a year, all or none.

    `values` maps measure codes to what was entered; an empty entry removes the figure.
    `versions` maps codes to the version the user saw (0 or absent: no figure then); a figure
    changed since is refused as stale. Answers the figures of the year after the save.
    """
    if not can(acting_user, Action.FIGURES, organization):
        raise NotAllowed(_("You may not enter business figures for this organization."))
    year = check_year(year)
    versions = versions or {}
    measures = {m.code: m for m in BusinessMeasure.objects.filter(code__in=list(values))}
    errors: dict[str, str] = {}
    checked: dict[str, tuple[Decimal | None, str] | None] = {}
    for code, raw in values.items():
        measure = measures.get(code)
        if measure is None:
            errors[code] = _("There is no measure “%(code)s”.") % {"code": code}
            continue
        if is_blank(raw):
            checked[code] = None
            continue
        if not measure.is_active:
            errors[code] = _("The measure “%(measure)s” is no longer in use.") % {
                "measure": measure.display_name
            }
            continue
        try:
            checked[code] = check_value(measure, raw)
        except ValueError as exc:
            errors[code] = str(exc)
    if errors:
        raise FiguresRefused(
            _("%(count)s figures cannot be saved: nothing was saved.") % {"count": len(errors)},
            errors,
        )
    stored = {
        figure.measure.code: figure
        for figure in BusinessFigure.objects.select_for_update()
        .filter(organization=organization, year=year, measure__code__in=list(checked))
        .select_related("measure")
    }
    stale = [
        code
        for code in checked
        if int(versions.get(code) or 0) != (stored[code].version if code in stored else 0)
    ]
    if stale:
        raise StaleFigures(sorted(stale))
    before: dict[str, str | None] = {}
    after: dict[str, str | None] = {}
    for code, entry in checked.items():
        figure = stored.get(code)
        old = shown(figure)
        if entry is None:
            if figure is not None:
                figure.delete()
                before[code], after[code] = old, None
            continue
        value, grade = entry
        if figure is None:
            figure = BusinessFigure(organization=organization, measure=measures[code], year=year)
        elif figure.value == value and figure.grade == grade:
            continue
        else:
            figure.version += 1
        figure.value, figure.grade = value, grade
        figure.source, figure.updated_by = source, acting_user
        if note:
            figure.note = note[:300]
        figure.save()
        before[code], after[code] = old, shown(figure)
    if after:
        record(
            AuditKind.FIGURES_SAVED,
            actor=acting_user,
            organization=organization.pk,
            target=f"business:{organization.pk}:{year}",
            summary=f"{organization.code} {year} {source}",
            before=before,
            after=after,
        )
    return list(
        BusinessFigure.objects.filter(organization=organization, year=year).select_related(
            "measure"
        )
    )


def _facts(measure: BusinessMeasure) -> dict:
    return {
        "code": measure.code,
        "name": measure.name,
        "name_en": measure.name_en,
        "unit": measure.unit,
        "unit_en": measure.unit_en,
        "scale": measure.scale,
        "direction": measure.direction,
        "is_active": measure.is_active,
    }


def _check_administrator(user) -> None:
    if not is_group_administrator(user):
        raise NotAllowed(_("Only the group's administrators define business measures."))


@transaction.atomic
def define_measure(
    code: str,
    *,
    name: str,
    name_en: str = "",
    unit: str = "",
    unit_en: str = "",
    scale: str = Scale.NUMBER,
    direction: str = Direction.HIGHER,
    acting_user,
) -> BusinessMeasure:
    """Add a measure (a group administrator's): a new code of lower-case letters, digits and
    underscores; a name in Chinese and, optionally, English."""
    _check_administrator(acting_user)
    code = (code or "").strip()
    errors = {}
    if not CODE.match(code):
        errors["code"] = _(
            "A code is 2 to 40 lower-case letters, digits or underscores, starting with a letter."
        )
    elif BusinessMeasure.objects.filter(code=code).exists():
        errors["code"] = _("There is already a measure “%(code)s”.") % {"code": code}
    if not (name or "").strip():
        errors["name"] = _("Give the measure a name.")
    if scale not in Scale.values:
        errors["scale"] = _("Choose a scale: number or grade.")
    if direction not in Direction.values:
        errors["direction"] = _("Choose whether higher or lower is better.")
    if errors:
        raise FiguresRefused(_("The measure cannot be defined."), errors)
    last = BusinessMeasure.objects.order_by("-position").values_list("position", flat=True).first()
    measure = BusinessMeasure.objects.create(
        code=code,
        name=name.strip()[:200],
        name_en=(name_en or name).strip()[:200],
        unit=(unit or "").strip()[:40],
        unit_en=(unit_en or unit or "").strip()[:40],
        scale=scale,
        direction=direction,
        position=(last or 0) + 1,
    )
    record(
        MEASURE_DEFINED,
        actor=acting_user,
        target=f"business-measure:{measure.pk}",
        summary=code,
        after=_facts(measure),
    )
    return measure


@transaction.atomic
def set_measure_active(measure: BusinessMeasure, active: bool, *, acting_user) -> BusinessMeasure:
    """Deactivate (or use again) a measure not built in; its figures stay."""
    _check_administrator(acting_user)
    measure = BusinessMeasure.objects.select_for_update().get(pk=measure.pk)
    if measure.built_in:
        raise FiguresRefused(_("A built-in measure cannot be deactivated."))
    if measure.is_active == active:
        return measure
    before = _facts(measure)
    measure.is_active = active
    measure.save(update_fields=["is_active"])
    record(
        MEASURE_DEACTIVATED if not active else MEASURE_DEFINED,
        actor=acting_user,
        target=f"business-measure:{measure.pk}",
        summary=measure.code,
        before=before,
        after=_facts(measure),
    )
    return measure
