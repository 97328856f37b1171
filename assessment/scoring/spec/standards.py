"""The rules of the standards section that span the file: the subject kinds, dimensions,
indicators and grades it names must exist and fit together.

The section itself (``shape.StandardsShape``) is kept as written on the framework; the
``standards`` app reads it back through the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from itertools import pairwise
from typing import Any

from . import shape
from .model import GradeBand, Indicator

Loc = tuple[str | int, ...]
Report = Callable[..., None]  # report(loc, message, **params)


def check(
    standards: shape.StandardsShape,
    *,
    report: Report,
    kinds: Mapping[str, str | None],
    units: Mapping[str, str],
    scales: Mapping[str, tuple[GradeBand, ...]],
    default_grades: tuple[str, ...],
    parents: Mapping[str, str | None],
    indicators: Mapping[str, Indicator],
) -> None:
    """Report every reference of ``standards`` that does not resolve.

    ``kinds`` maps each subject kind to its scale (None: the default grade bands), ``units`` to
    its unit (organization, person, …), ``parents`` each dimension to its parent.
    """
    at: Loc = ("standards",)

    def applies_to(codes: tuple[str, ...], loc: Loc) -> None:
        for index, code in enumerate(codes):
            if code not in kinds:
                report((*loc, "applies_to", index), "unknown_subject_kind", code=code)

    def indicator(code: str, loc: Loc, for_kinds: tuple[str, ...]) -> Indicator | None:
        found = indicators.get(code)
        if found is None:
            report(loc, "unknown_standard_indicator", code=code)
            return None
        for kind in for_kinds:
            if kind in kinds and kind not in found.applies_to:
                report(loc, "standard_indicator_kind", code=code, kind=kind)
        return found

    def grades_of(kind: str) -> tuple[str, ...]:
        scale = kinds.get(kind)
        return tuple(b.grade for b in scales[scale]) if scale in scales else default_grades

    def quota(item: shape.QuotaShape, loc: Loc) -> None:
        if item.per not in kinds:
            report((*loc, "per"), "unknown_subject_kind", code=item.per)

    for index, standard in enumerate(standards.seven_good):
        loc = (*at, "seven_good", index)
        applies_to(standard.applies_to, loc)
        if standard.dimension not in parents:
            report((*loc, "dimension"), "unknown_dimension", code=standard.dimension)
        if standard.quota:
            quota(standard.quota, (*loc, "quota"))
        for number, criterion in enumerate(standard.criteria):
            place = (*loc, "criteria", number)
            if criterion.dimension not in parents:
                report((*place, "dimension"), "unknown_dimension", code=criterion.dimension)
            elif standard.dimension not in _ancestors(criterion.dimension, parents):
                report(
                    (*place, "dimension"),
                    "criterion_outside",
                    code=criterion.dimension,
                    parent=standard.dimension,
                )
            for k, code in enumerate(criterion.required):
                indicator(code, (*place, "required", k), ())

    if standards.standardization:
        loc = (*at, "standardization")
        applies_to(standards.standardization.applies_to, loc)
        for index, item in enumerate(standards.standardization.items):
            for k, code in enumerate(item.indicators):
                indicator(
                    code,
                    (*loc, "items", index, "indicators", k),
                    standards.standardization.applies_to,
                )

    if standards.stars:
        loc = (*at, "stars")
        applies_to(standards.stars.applies_to, loc)
        for index, item in enumerate(standards.stars.quotas):
            quota(item, (*loc, "quotas", index))

    appraisal = standards.member_appraisal
    if appraisal:
        loc = (*at, "member_appraisal")
        if appraisal.subject_kind not in kinds:
            report((*loc, "subject_kind"), "unknown_subject_kind", code=appraisal.subject_kind)
        else:
            votes = indicator(appraisal.votes, (*loc, "votes"), (appraisal.subject_kind,))
            if votes is not None and votes.value_type != "appraisal":
                report((*loc, "votes"), "votes_not_appraisal", code=appraisal.votes)
            grades = grades_of(appraisal.subject_kind)
            named = [((*loc, "top_grade"), appraisal.top_grade)] + [
                ((*loc, "follow_up", i, "grade"), f.grade)
                for i, f in enumerate(appraisal.follow_up)
            ]
            for place, grade in named:
                if grade not in grades:
                    report(place, "unknown_grade", grade=grade, grades=", ".join(grades))

    reports = standards.secretary_reports
    if reports:
        loc = (*at, "secretary_reports")
        applies_to(reports.applies_to, loc)
        mins = [rating.min for rating in reports.ratings]
        if any(a <= b for a, b in pairwise(mins)) or mins[-1] != 0:
            report((*loc, "ratings"), "ratings_order", mins=", ".join(f"{m:g}" for m in mins))

    weights = standards.roll_up_units
    for code in weights:
        if code not in kinds:
            report((*at, "roll_up_units", code), "unknown_subject_kind", code=code)
        elif units.get(code) == "organization":
            report((*at, "roll_up_units", code), "roll_up_organization", code=code)
    if sum(weights.values()) >= 1:
        report((*at, "roll_up_units"), "roll_up_weights", total=sum(weights.values()))

    if standards.terms:
        loc = (*at, "terms")
        for index, term in enumerate(standards.terms.kinds):
            applies_to(term.applies_to, (*loc, "kinds", index))
        for key in ("revenue_growth", "profit_growth", "business_grade"):
            code = getattr(standards.terms, key)
            if code is not None:
                indicator(code, (*loc, key), ())


def _ancestors(code: str, parents: Mapping[str, str | None]) -> Iterator[str]:
    """The dimension and every dimension above it."""
    seen: set[str] = set()
    current: str | None = code
    while current is not None and current not in seen:
        seen.add(current)
        yield current
        current = parents.get(current)


def scale_bands(items: Any) -> tuple[Any, ...]:
    """A scale's bands as written (a list), or nothing."""
    return tuple(items) if isinstance(items, list | tuple) else ()
