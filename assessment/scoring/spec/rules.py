"""``parse_framework``: the shape checked by ``shape``, then the rules that span fields, then the
``Framework``.

The rules are what one field cannot say alone: that a rubric suits its indicator's value type,
direction and target; that codes are unique and references (dimensions, ``also``, subject kinds,
veto caps, formula inputs) exist; that bands are ordered; that formulas do not depend on each
other in a cycle; that each subject kind's weights add up to ``total_points``. Every problem of the
file is collected, each with where it is, and raised at once as a ``FrameworkError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from itertools import pairwise
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from ..text import Text
from . import shape
from . import standards as standards_rules
from .model import (
    RUBRIC_KINDS,
    SCORED_KINDS,
    VALUE_TYPES,
    AppraisalRubric,
    Axis,
    Band,
    BandsRubric,
    BonusRubric,
    DeductionRubric,
    Dimension,
    FormulaRubric,
    Framework,
    GradeBand,
    Indicator,
    LinearRubric,
    NoneRubric,
    Plausible,
    Rubric,
    Source,
    StarBand,
    SubjectKind,
    VetoRubric,
    YesNoRubric,
)
from .problems import MESSAGES, FrameworkError, Problem, type_name
from .sources import SOURCE_KINDS, units_text

__all__ = ["WEIGHT_TOLERANCE", "parse_framework"]

WEIGHT_TOLERANCE = 0.001

_NUMERIC_TYPES = ("number", "percentage", "count")
_VALUE_TYPES_FOR_KIND = {
    "linear": _NUMERIC_TYPES,
    "bands": _NUMERIC_TYPES,
    "formula": _NUMERIC_TYPES,
    "yes_no": ("boolean",),
    "bonus": ("count",),
    "deduction": ("count",),
    "veto": ("boolean", "count"),
    "appraisal": ("appraisal",),
    "none": VALUE_TYPES,
}
_FORMULA_INPUT_TYPES = ("number", "percentage", "count", "boolean")
# Lists whose items carry a code that names them in messages: ``indicators[12] (C1.03)``.
_LABELLED = frozenset({"indicators", "subject_kinds", "axes", "dimensions", "children"})
_NUMBER: TypeAdapter[float] = TypeAdapter(shape.Number)
_TOTAL_POINTS: TypeAdapter[float] = TypeAdapter(shape.Positive)

# pydantic's own error types, as codes of ``problems.MESSAGES``
_PYDANTIC = {
    "model_attributes_type": "mapping",
    "model_type": "mapping",
    "dict_type": "mapping",
    "list_type": "list",
    "tuple_type": "list",
    "bool_type": "flag",
    "string_type": "string",
    "greater_than_equal": "at_least",
    "less_than_equal": "at_most",
    "greater_than": "above_zero",
    "literal_error": "choice",
}
_PATTERNS = {shape.CODE_PATTERN: "code", shape.NAME_PATTERN: "name_code"}

Loc = tuple[str | int, ...]
M = TypeVar("M", bound=BaseModel)


def parse_framework(data: Mapping[str, Any]) -> Framework:
    """Validate a framework dict and build the Framework; FrameworkError lists every problem."""
    return _Rules(data).parse()


def where(loc: Loc, data: object) -> str:
    """``indicators[12].rubric.kind (C1.03)``: the path, then the code of the item it is in."""
    path = ""
    label = None
    node, parent = data, None
    for part in loc:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
        try:
            node = node[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            node = None
        if isinstance(part, int) and parent in _LABELLED and isinstance(node, Mapping):
            code = node.get("code")
            label = code if isinstance(code, str) and code else None
        parent = part
    return f"{path} ({label})" if label else path


def _problem(error: Mapping[str, Any], loc: Loc, data: object) -> Problem:
    """One pydantic error as a Problem, at the same place in the file."""
    kind, value, params = error["type"], error["input"], dict(error.get("ctx") or {})
    # A discriminated union puts the rubric kind into the path (rubric.linear.floor); the file
    # has no such level.
    parts = (*loc, *error["loc"])
    at = tuple(
        part
        for before, part in zip((None, *parts), parts, strict=False)
        if not (before in ("rubric", "then") and part in RUBRIC_KINDS)
        and not (before == "source" and part in SOURCE_KINDS)
    )
    if kind in ("missing", "extra_forbidden"):
        code = "missing_key" if kind == "missing" else "unknown_key"
        return Problem(where(at[:-1], data), code, {"key": at[-1]})
    if kind == "union_tag_not_found" or (kind == "union_tag_invalid" and value["kind"] is None):
        return Problem(where(at, data), "missing_key", {"key": "kind"})
    if kind == "union_tag_invalid" and at[-1] == "source":
        kinds = ", ".join(SOURCE_KINDS)
        return Problem(
            where((*at, "kind"), data), "unknown_source", {"kind": params["tag"], "kinds": kinds}
        )
    if kind == "union_tag_invalid":
        tag = params["tag"]
        code = "then_kind" if at[-1] == "then" and tag in RUBRIC_KINDS else "unknown_rubric"
        return Problem(where((*at, "kind"), data), code, {"kind": tag})
    code = _PYDANTIC.get(kind, kind)
    if kind == "string_pattern_mismatch":
        code = _PATTERNS.get(params["pattern"], "string")
    elif kind == "literal_error":  # 'higher' or 'lower' -> higher, lower
        params["choices"] = params["expected"].replace("'", "").replace(" or ", ", ")
    if code not in MESSAGES:  # a check of pydantic's this module has no words for
        return Problem(where(at, data), "note", {"text": error["msg"]})
    params.update(value=value, type=type_name(value), what=at[-1] if at else "")
    return Problem(where(at, data), code, params)


class _Rules:
    """Collects every problem while building; raises once at the end."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.problems: list[Problem] = []

    def error(self, loc: Loc, message: str, /, **params: Any) -> None:
        self.problems.append(Problem(where(loc, self.data), message, params))

    def shape(self, model: type[M], raw: object, loc: Loc) -> M | None:
        try:
            return model.model_validate(raw)
        except ValidationError as exc:
            errors = exc.errors(include_url=False)
            self.problems += [_problem(error, loc, self.data) for error in errors]
            return None

    # -- the document --------------------------------------------------------------------------

    def parse(self) -> Framework:
        data = self.data
        top = self.shape(shape.DocumentShape, data, ())
        if top is None and not isinstance(data, Mapping):
            raise FrameworkError(self.problems)
        grade_bands = self.grade_bands(_section(top, data, "grade_bands"))
        scales = self.grade_scales(data.get("grade_scales"), grade_bands)
        star_bands = self.star_bands(_section(top, data, "star_bands"))
        kinds = self.subject_kinds(_section(top, data, "subject_kinds"))
        axes = self.axes(_section(top, data, "axes"))
        # Codes as written, valid or not, so one bad entry is reported once, not again wherever
        # it is referred to.
        self.grades = _written(data, "grade_bands", "grade")
        self.stars = {band.stars for band in star_bands} | _written(data, "star_bands", "stars")
        self.kinds = _written(data, "subject_kinds", "code")
        self.units = {kind.code: kind.unit for kind in kinds}
        records = data.get("records")
        self.meeting_kinds = (
            _written(records, "meeting_kinds", "code") if isinstance(records, Mapping) else set()
        )
        self.meeting_kind_names = _meeting_kind_names(records)
        self.dimension_axis = self.dimension_codes(_section(top, data, "axes"))
        indicators = self.indicators(_section(top, data, "indicators"))
        self.check_formulas(indicators)
        self.check_scales(kinds, scales)
        if top is not None and top.standards is not None:
            self.check_standards(top.standards, kinds, scales, grade_bands, axes, indicators)
        total = top.total_points if top else _valid(_TOTAL_POINTS, data.get("total_points"))
        if total is not None:
            self.check_weights(kinds, total)
        if self.problems or top is None:
            raise FrameworkError(self.problems)
        return Framework(
            code=top.code,
            version=top.version,
            name=top.name,
            goal=top.goal,
            total_points=top.total_points,
            grade_bands=tuple(grade_bands),
            star_bands=tuple(star_bands),
            subject_kinds=tuple(kinds),
            axes=tuple(axes),
            indicators=tuple(indicator for indicator, _ in indicators),
            rectify_below=top.rectify_below,
            records=dict(data.get("records") or {}),
            grade_scales=scales,
            standards=dict(data.get("standards") or {}),
        )

    def grade_bands(self, items: tuple[Any, ...], at: Loc = ("grade_bands",)) -> list[GradeBand]:
        bands: list[GradeBand] = []
        for index, item in enumerate(items):
            loc = (*at, index)
            band = self.shape(shape.GradeBandShape, item, loc)
            if band is None:
                continue
            if any(b.grade == band.grade for b in bands):
                self.error((*loc, "grade"), "duplicate_grade", grade=band.grade)
            bands.append(GradeBand(band.grade, band.min, band.name))
        self.check_descending([b.min for b in bands], "grade", at)
        return bands

    def grade_scales(
        self, written: object, default: list[GradeBand]
    ) -> dict[str, tuple[GradeBand, ...]]:
        """The named scales subject kinds may be graded on; a grade code names one band of one
        scale (the default bands included), so a stored grade is read without its kind."""
        if not isinstance(written, Mapping):
            return {}
        owner = {band.grade: "grade_bands" for band in default}
        scales: dict[str, tuple[GradeBand, ...]] = {}
        for name, items in written.items():
            at: Loc = ("grade_scales", name)
            bands = self.grade_bands(standards_rules.scale_bands(items), at)
            for index, band in enumerate(bands):
                if band.grade in owner:
                    self.error(
                        (*at, index, "grade"),
                        "grade_in_two_scales",
                        grade=band.grade,
                        other=owner[band.grade],
                    )
                owner[band.grade] = f"grade_scales.{name}"
            scales[str(name)] = tuple(bands)
        return scales

    def check_scales(self, kinds: list[SubjectKind], scales: Mapping[str, Any]) -> None:
        for index, kind in enumerate(kinds):
            if kind.scale is not None and kind.scale not in scales:
                self.error(
                    ("subject_kinds", index, "scale"),
                    "unknown_scale",
                    code=kind.scale,
                    scales=", ".join(scales) or "—",
                )

    def check_standards(
        self,
        standards: shape.StandardsShape,
        kinds: list[SubjectKind],
        scales: Mapping[str, tuple[GradeBand, ...]],
        grade_bands: list[GradeBand],
        axes: list[Axis],
        indicators: list[tuple[Indicator, Loc]],
    ) -> None:
        parents: dict[str, str | None] = {}

        def visit(dimension: Dimension, parent: str | None) -> None:
            parents[dimension.code] = parent
            for child in dimension.children:
                visit(child, dimension.code)

        for axis in axes:
            for dimension in axis.dimensions:
                visit(dimension, None)
        standards_rules.check(
            standards,
            report=self.error,
            kinds={kind.code: kind.scale for kind in kinds},
            units={kind.code: kind.unit for kind in kinds},
            scales=scales,
            default_grades=tuple(band.grade for band in grade_bands),
            parents=parents,
            indicators={indicator.code: indicator for indicator, _ in indicators},
        )

    def star_bands(self, items: tuple[Any, ...]) -> list[StarBand]:
        bands: list[StarBand] = []
        for index, item in enumerate(items):
            band = self.shape(shape.StarBandShape, item, ("star_bands", index))
            if band is not None:
                bands.append(StarBand(band.stars, band.min))
        self.check_descending([b.min for b in bands], "star")
        stars = [b.stars for b in bands]
        if any(a <= b for a, b in pairwise(stars)):
            self.error(("star_bands",), "stars_descend", stars=", ".join(map(str, stars)))
        return bands

    def check_descending(self, mins: list[float], what: str, loc: Loc | None = None) -> None:
        loc = loc or (f"{what}_bands",)
        if any(a <= b for a, b in pairwise(mins)):
            self.error(loc, f"{what}_bands_order", mins=_listed(mins))
        if mins and mins[-1] > 0:
            self.error(loc, f"{what}_bands_floor")

    def subject_kinds(self, items: tuple[Any, ...]) -> list[SubjectKind]:
        kinds: list[SubjectKind] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            loc = ("subject_kinds", index)
            code = _get(item, "code")
            if code in seen:
                self.error((*loc, "code"), "duplicate_subject_kind", code=code)
            seen.add(code)
            kind = self.shape(shape.SubjectKindShape, item, loc)
            if kind is not None:
                kinds.append(SubjectKind(kind.code, kind.unit, kind.name, kind.scale))
        return kinds

    def axes(self, items: tuple[Any, ...]) -> list[Axis]:
        axes: list[Axis] = []
        seen: set[str] = set()
        for index, item in enumerate(items):
            loc = ("axes", index)
            code = _get(item, "code")
            if code in seen:
                self.error((*loc, "code"), "duplicate_axis", code=code)
            seen.add(code)
            axis = self.shape(shape.AxisShape, item, loc)
            if axis is not None:
                axes.append(Axis(axis.code, axis.name, tuple(map(_dimension, axis.dimensions))))
        return axes

    def dimension_codes(self, axes: tuple[Any, ...]) -> dict[str, str]:
        """The axis of every dimension code written, valid or not; a repeated code is an error."""
        axis_of: dict[str, str] = {}
        for index, axis in enumerate(axes):
            for loc, code in _written_dimensions(axis, ("axes", index)):
                if code in axis_of:
                    self.error((*loc, "code"), "duplicate_dimension", code=code)
                else:
                    axis_of[code] = _get(axis, "code") or ""
        return axis_of

    # -- indicators ----------------------------------------------------------------------------

    def indicators(self, items: tuple[Any, ...]) -> list[tuple[Indicator, Loc]]:
        # Every indicator as written, valid or not, so one bad indicator does not also show up as
        # an unknown formula name or a wrong weight sum.
        self.codes_written = _written({"indicators": items}, "indicators", "code")
        self.weights_written: list[tuple[tuple[str, ...], float]] = []
        out: list[tuple[Indicator, Loc]] = []
        first: dict[str, int] = {}
        for index, item in enumerate(items):
            loc = ("indicators", index)
            indicator = self.indicator(item, loc)
            if indicator is None:
                continue
            if indicator.code in first:
                self.error(
                    (*loc, "code"),
                    "duplicate_indicator",
                    code=indicator.code,
                    first=first[indicator.code],
                )
                continue
            first[indicator.code] = index
            out.append((indicator, loc))
        return out

    def indicator(self, item: object, loc: Loc) -> Indicator | None:
        before = len(self.problems)
        ind = self.shape(shape.IndicatorShape, item, loc)
        if ind is None:
            self.weights_written += _written_weight(item)
            return None
        applies_to = self.applies_to(ind.applies_to, loc)
        self.weights_written.append((applies_to, ind.weight))
        if ind.unit is None and ind.value_type in _NUMERIC_TYPES:
            self.error(loc, "unit_required", value_type=ind.value_type)
        if ind.target is not None:
            self.in_range(ind.target, (*loc, "target"), ind.value_type, zero=("count",))
        if ind.dimension not in self.dimension_axis:
            self.error((*loc, "dimension"), "unknown_dimension", code=ind.dimension)
        also = self.also(ind, loc)
        kind = ind.rubric.kind
        suits = _VALUE_TYPES_FOR_KIND[kind]
        if ind.value_type not in suits:
            self.error(
                (*loc, "rubric", "kind"),
                "unsuited",
                kind=kind,
                value_type=ind.value_type,
                suits=", ".join(suits),
            )
        rubric = self.rubric(ind.rubric, (*loc, "rubric"), ind)
        source = self.source(ind, applies_to, (*loc, "source")) if ind.source else None
        if kind in SCORED_KINDS and ind.weight <= 0:
            self.error((*loc, "weight"), "weight_needed", kind=kind)
        if kind not in SCORED_KINDS and ind.weight != 0:
            self.error((*loc, "weight"), "weight_zero", kind=kind, weight=ind.weight)
        if len(self.problems) > before or rubric is None:
            return None
        return Indicator(
            code=ind.code,
            name=ind.name,
            dimension=ind.dimension,
            applies_to=applies_to,
            value_type=ind.value_type,
            weight=ind.weight,
            frequency=ind.frequency,
            rubric=rubric,
            direction=ind.direction,
            description=ind.description,
            also=also,
            unit=ind.unit,
            target=ind.target,
            plausible=ind.plausible and _plausible(ind.plausible),
            evidence_required=ind.evidence_required,
            assessed=ind.assessed,
            rectify_below=ind.rectify_below,
            source=source,
        )

    def source(
        self, ind: shape.IndicatorShape, applies_to: tuple[str, ...], loc: Loc
    ) -> Source | None:
        """The indicator's source, checked against its value type, subjects and rubric and the
        meeting kinds of the records section."""
        raw = ind.source
        assert raw is not None
        kind = SOURCE_KINDS[raw.kind]
        before = len(self.problems)
        if ind.value_type not in kind.value_types:
            self.error(
                (*loc, "kind"),
                "source_value_type",
                kind=kind.code,
                value_type=ind.value_type,
                suits=", ".join(kind.value_types),
            )
        for code in applies_to:
            unit = self.units.get(code)
            if unit is not None and unit not in kind.units:
                self.error(
                    (*loc, "kind"),
                    "source_subject",
                    kind=kind.code,
                    code=code,
                    unit=units_text((unit,)),
                    units=units_text(kind.units),
                )
        if ind.rubric.kind == "formula":
            self.error((*loc, "kind"), "source_formula")
        params = raw.model_dump(exclude={"kind"}, exclude_defaults=False)
        named: list[tuple[Loc, str]] = []
        if "meeting_kind" in params:
            named.append(((*loc, "meeting_kind"), params["meeting_kind"]))
        for index, code in enumerate(params.get("meeting_kinds", ())):
            named.append(((*loc, "meeting_kinds", index), code))
        known = ", ".join(sorted(self.meeting_kinds)) or "—"
        for at, code in named:
            if code not in self.meeting_kinds:
                self.error(at, "source_meeting_kind", code=code, kinds=known)
        if len(self.problems) > before:
            return None
        pairs = tuple(
            (name, tuple(value) if isinstance(value, list | tuple) else value)
            for name, value in params.items()
            if value is not None and value != ()
        )
        names = tuple((code, self.meeting_kind_names[code]) for _, code in named)
        return Source(kind.code, pairs, kind_names=names)

    def in_range(self, value: float, loc: Loc, value_type: str, zero: tuple[str, ...] = ()) -> None:
        """A percentage lies in 0..100; the value types in ``zero`` are at least 0 too."""
        if value < 0 and (value_type == "percentage" or value_type in zero):
            self.error(loc, "at_least", ge=0, value=value)
        if value > 100 and value_type == "percentage":
            self.error(loc, "at_most", le=100, value=value)

    def applies_to(self, codes: tuple[str, ...], loc: Loc) -> tuple[str, ...]:
        out: list[str] = []
        for index, kind in enumerate(codes):
            if kind not in self.kinds:
                self.error((*loc, "applies_to", index), "unknown_subject_kind", code=kind)
            elif kind in out:
                self.error((*loc, "applies_to", index), "subject_kind_twice", code=kind)
            else:
                out.append(kind)
        return tuple(out)

    def also(self, ind: shape.IndicatorShape, loc: Loc) -> tuple[str, ...]:
        axis_of = self.dimension_axis
        out: list[str] = []
        for index, code in enumerate(ind.also):
            at = (*loc, "also", index)
            if code not in axis_of:
                self.error(at, "unknown_also", code=code)
            elif code in out:
                self.error(at, "also_twice", code=code)
            elif axis_of[code] == axis_of.get(ind.dimension):
                self.error(
                    at, "also_same_axis", code=code, axis=axis_of[code], dimension=ind.dimension
                )
            else:
                out.append(code)
        return tuple(out)

    # -- rubrics -------------------------------------------------------------------------------

    def rubric(self, raw: Any, loc: Loc, ind: shape.IndicatorShape) -> Rubric | None:
        match raw:
            case shape.LinearShape(floor=floor):
                self.in_range(floor, (*loc, "floor"), ind.value_type)
                self.check_floor(floor, loc, ind)
                return LinearRubric(floor)
            case shape.BandsShape():
                return self.bands(raw, loc, ind)
            case shape.YesNoShape(yes=yes, no=no):
                return YesNoRubric(yes, no)
            case shape.BonusShape(per=per, cap=cap):
                return BonusRubric(per, cap)
            case shape.DeductionShape(per=per, floor=floor):
                if floor > ind.weight:
                    self.error(
                        (*loc, "floor"), "floor_above_weight", floor=floor, weight=ind.weight
                    )
                return DeductionRubric(per, floor)
            case shape.VetoShape(cap_grade=grade, cap_stars=stars):
                if self.grades and grade not in self.grades:
                    grades = ", ".join(sorted(self.grades))
                    self.error((*loc, "cap_grade"), "unknown_grade", grade=grade, grades=grades)
                if self.stars and stars not in self.stars:
                    levels = ", ".join(map(str, sorted(self.stars)))
                    self.error((*loc, "cap_stars"), "unknown_stars", stars=stars, levels=levels)
                return VetoRubric(grade, stars)
            case shape.FormulaShape(expr=formula, then=then):
                inner = self.rubric(then, (*loc, "then"), ind)
                if not isinstance(inner, LinearRubric | BandsRubric | YesNoRubric):
                    return None
                return FormulaRubric(formula.expr, inner, formula)
            case shape.AppraisalShape(weights=weights):
                return AppraisalRubric(**weights.model_dump())
            case _:
                return NoneRubric()

    def check_floor(self, floor: float, loc: Loc, ind: shape.IndicatorShape) -> None:
        target = ind.target
        if target is None:
            self.error(loc, "linear_target")
        elif floor == target:
            self.error((*loc, "floor"), "floor_is_target", floor=floor)
        elif ind.direction == "higher" and floor > target:
            self.error((*loc, "floor"), "floor_above_target", floor=floor, target=target)
        elif ind.direction == "lower" and floor < target:
            self.error((*loc, "floor"), "floor_below_target", floor=floor, target=target)

    def bands(self, raw: shape.BandsShape, loc: Loc, ind: shape.IndicatorShape) -> BandsRubric:
        direction = ind.direction
        key, other = ("min", "max") if direction == "higher" else ("max", "min")
        bands: list[Band] = []
        for index, band in enumerate(raw.bands):
            at = (*loc, "bands", index)
            limit, wrong = getattr(band, key), getattr(band, other)
            if limit is None and wrong is not None:
                self.error(at, "band_key", direction=direction, key=key, other=other)
            elif limit is None:
                self.error(at, "missing_key", key=key)
            elif wrong is not None:
                self.error(at, "unknown_key", key=other)
            else:
                self.in_range(limit, (*at, key), ind.value_type)
                bands.append(Band(limit, band.fraction))
        limits = [b.limit for b in bands]
        sign = 1 if direction == "higher" else -1
        if any(sign * (a - b) <= 0 for a, b in pairwise(limits)):
            self.error((*loc, "bands"), f"bands_order_{key}", limits=_listed(limits))
        fractions = [b.fraction for b in bands]
        if any(a < b for a, b in pairwise(fractions)):
            self.error((*loc, "bands"), "fractions_rise", fractions=_listed(fractions))
        return BandsRubric(tuple(bands), direction)

    # -- whole-framework checks ----------------------------------------------------------------

    def check_formulas(self, indicators: list[tuple[Indicator, Loc]]) -> None:
        by_code = {indicator.code: indicator for indicator, _ in indicators}
        graph: dict[str, list[str]] = {}
        for indicator, loc in indicators:
            rubric = indicator.rubric
            if not isinstance(rubric, FormulaRubric):
                continue
            at = (*loc, "rubric", "expr")
            graph[indicator.code] = []
            for ref in rubric.formula.codes:
                other = by_code.get(ref)
                if other is None:
                    if ref not in self.codes_written:
                        self.error(at, "formula_unknown", code=ref)
                    continue
                if other.kind == "formula":
                    graph[indicator.code].append(ref)
                elif other.value_type not in _FORMULA_INPUT_TYPES:
                    self.error(at, "formula_input", code=ref, value_type=other.value_type)
                lacking = [k for k in indicator.applies_to if k not in other.applies_to]
                if lacking:
                    self.error(at, "formula_scope", code=ref, kinds=", ".join(lacking))
        for cycle in _cycles(graph):
            self.error(("indicators",), "formula_cycle", cycle=cycle)

    def check_weights(self, kinds: list[SubjectKind], total: float) -> None:
        for kind in kinds:
            weights = [w for applies_to, w in self.weights_written if kind.code in applies_to]
            got = sum(weights)
            if abs(got - total) > WEIGHT_TOLERANCE:
                self.error(
                    ("indicators",),
                    "weights",
                    kind=kind.code,
                    got=got,
                    count=len(weights),
                    total=total,
                )


def _section(top: shape.DocumentShape | None, data: Mapping[str, Any], key: str) -> tuple:
    """A list of the document: as validated, or as written when the top level is invalid."""
    if top is not None:
        return getattr(top, key)
    items = data.get(key)
    return tuple(items) if isinstance(items, list | tuple) else ()


def _get(item: object, key: str) -> Any:
    """``item[key]`` when the item is a mapping and the value a non-empty string or whole
    number (a code as written), else None."""
    value = item.get(key) if isinstance(item, Mapping) else None
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        return None
    return value


def _meeting_kind_names(records: object) -> dict[str, Text]:
    """Each meeting kind's name as written (its code where the name is not a valid pair)."""
    if not isinstance(records, Mapping):
        return {}
    names: dict[str, Text] = {}
    for item in records.get("meeting_kinds") or ():
        if isinstance(item, Mapping) and isinstance(item.get("code"), str):
            name = item.get("name")
            code = item["code"]
            if isinstance(name, Mapping) and isinstance(name.get("zh"), str):
                names[code] = Text(name["zh"], name.get("en") or name["zh"])
            else:
                names[code] = Text(code, code)
    return names


def _written(data: Mapping[str, Any], section: str, key: str) -> set[Any]:
    """The codes (or star levels) of a section as written, valid or not."""
    items = data.get(section)
    if not isinstance(items, list | tuple):
        return set()
    return {value for item in items if (value := _get(item, key)) is not None}


def _valid(adapter: TypeAdapter[Any], value: object) -> Any:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        return None


def _written_weight(item: object) -> list[tuple[tuple[str, ...], float]]:
    """What an invalid indicator would add to its subject kinds' sums (nothing when its weight
    is no number), so the sums are not also reported wrong because of it."""
    weight = _valid(_NUMBER, item.get("weight")) if isinstance(item, Mapping) else None
    if weight is None:
        return []
    kinds = item.get("applies_to")
    codes = tuple(k for k in kinds if isinstance(k, str)) if isinstance(kinds, list) else ()
    return [(codes, weight)]


def _written_dimensions(node: object, loc: Loc) -> Iterator[tuple[Loc, str]]:
    """Every dimension code written under an axis or dimension, parents first."""
    if not isinstance(node, Mapping):
        return
    key = "dimensions" if "dimensions" in node else "children"
    children = node.get(key)
    if not isinstance(children, list | tuple):
        return
    for index, child in enumerate(children):
        at = (*loc, key, index)
        code = _get(child, "code")
        if isinstance(code, str):
            yield at, code
        yield from _written_dimensions(child, at)


def _dimension(raw: shape.DimensionShape) -> Dimension:
    return Dimension(raw.code, raw.name, raw.description, tuple(map(_dimension, raw.children)))


def _plausible(raw: shape.PlausibleShape) -> Plausible:
    return Plausible(raw.min, raw.max)


def _listed(values: list[float]) -> str:
    return ", ".join(f"{v:g}" for v in values)


def _cycles(graph: dict[str, list[str]]) -> list[str]:
    """Each dependency cycle once, written ``A → B → A``, starting from its first-defined code."""
    found: list[str] = []
    seen_sets: set[frozenset[str]] = set()
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :]
                key = frozenset(cycle)
                if key not in seen_sets:
                    seen_sets.add(key)
                    found.append(" → ".join([*cycle, nxt]))
            elif nxt in graph and state.get(nxt) is None:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for node in graph:
        if state.get(node) is None:
            visit(node)
    return found
