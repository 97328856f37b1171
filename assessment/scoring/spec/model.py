"""The framework as frozen dataclasses: what a valid framework file becomes.

``parse_framework`` (in ``rules``) builds a ``Framework``; ``Framework.to_dict()`` gives the file's
dict back, so a framework survives a JSON round trip. The engine reads only these classes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, get_args

from ..formula import Formula
from ..text import Text

ValueType = Literal["number", "percentage", "count", "boolean", "appraisal", "text"]
Direction = Literal["higher", "lower"]
Frequency = Literal["month", "quarter", "half_year", "year", "term"]
Unit = Literal["organization", "leading_group", "department", "person"]
VALUE_TYPES: tuple[str, ...] = get_args(ValueType)
DIRECTIONS: tuple[str, ...] = get_args(Direction)
FREQUENCIES: tuple[str, ...] = get_args(Frequency)
UNITS: tuple[str, ...] = get_args(Unit)
RUBRIC_KINDS = (
    "linear",
    "bands",
    "yes_no",
    "bonus",
    "deduction",
    "veto",
    "formula",
    "appraisal",
    "none",
)
SCORED_KINDS = frozenset({"linear", "bands", "yes_no", "deduction", "formula", "appraisal"})
APPRAISAL_CATEGORIES = ("excellent", "competent", "basic", "incompetent")
DEFAULT_RECTIFY_BELOW = 0.6
# The axis of the core business results: party building is measured without it (the roll-up's
# party-building figure), so that business results are compared with party building alone.
BUSINESS_AXIS = "business"


@dataclass(frozen=True, slots=True)
class GradeBand:
    grade: str
    min: float
    name: Text

    def to_dict(self) -> dict[str, Any]:
        return {"grade": self.grade, "min": self.min, "name": self.name.to_dict()}


@dataclass(frozen=True, slots=True)
class StarBand:
    stars: int
    min: float

    def to_dict(self) -> dict[str, Any]:
        return {"stars": self.stars, "min": self.min}


@dataclass(frozen=True, slots=True)
class SubjectKind:
    code: str
    unit: str
    name: Text
    scale: str | None = None  # a key of Framework.grade_scales; None: the grade bands

    def to_dict(self) -> dict[str, Any]:
        out = {"code": self.code, "unit": self.unit, "name": self.name.to_dict()}
        return out | ({"scale": self.scale} if self.scale else {})


@dataclass(frozen=True, slots=True)
class Dimension:
    code: str
    name: Text
    description: Text | None = None
    children: tuple[Dimension, ...] = ()

    def walk(self) -> Iterator[Dimension]:
        """This dimension and all below it, parents first."""
        yield self
        for child in self.children:
            yield from child.walk()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "name": self.name.to_dict()}
        if self.description is not None:
            out["description"] = self.description.to_dict()
        if self.children:
            out["children"] = [child.to_dict() for child in self.children]
        return out


@dataclass(frozen=True, slots=True)
class Axis:
    code: str
    name: Text
    dimensions: tuple[Dimension, ...]

    def walk(self) -> Iterator[Dimension]:
        for dimension in self.dimensions:
            yield from dimension.walk()

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name.to_dict(),
            "dimensions": [d.to_dict() for d in self.dimensions],
        }


@dataclass(frozen=True, slots=True)
class Band:
    """One band: ``limit`` is the band's ``min`` (direction higher) or ``max`` (lower)."""

    limit: float
    fraction: float


@dataclass(frozen=True, slots=True)
class LinearRubric:
    floor: float
    kind: ClassVar[str] = "linear"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "floor": self.floor}


@dataclass(frozen=True, slots=True)
class BandsRubric:
    bands: tuple[Band, ...]
    direction: str = "higher"
    kind: ClassVar[str] = "bands"

    def to_dict(self) -> dict[str, Any]:
        key = "min" if self.direction == "higher" else "max"
        return {
            "kind": self.kind,
            "bands": [{key: b.limit, "fraction": b.fraction} for b in self.bands],
        }


@dataclass(frozen=True, slots=True)
class YesNoRubric:
    yes: float = 1.0
    no: float = 0.0
    kind: ClassVar[str] = "yes_no"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "yes": self.yes, "no": self.no}


@dataclass(frozen=True, slots=True)
class BonusRubric:
    per: float
    cap: float
    kind: ClassVar[str] = "bonus"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "per": self.per, "cap": self.cap}


@dataclass(frozen=True, slots=True)
class DeductionRubric:
    per: float
    floor: float = 0.0
    kind: ClassVar[str] = "deduction"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "per": self.per, "floor": self.floor}


@dataclass(frozen=True, slots=True)
class VetoRubric:
    cap_grade: str = "D"
    cap_stars: int = 1
    kind: ClassVar[str] = "veto"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "cap_grade": self.cap_grade, "cap_stars": self.cap_stars}


@dataclass(frozen=True, slots=True)
class AppraisalRubric:
    excellent: float = 1.0
    competent: float = 0.8
    basic: float = 0.5
    incompetent: float = 0.0
    kind: ClassVar[str] = "appraisal"

    def weight_of(self, category: str) -> float:
        return getattr(self, category)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "weights": {c: self.weight_of(c) for c in APPRAISAL_CATEGORIES},
        }


@dataclass(frozen=True, slots=True)
class NoneRubric:
    kind: ClassVar[str] = "none"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind}


ThenRubric = LinearRubric | BandsRubric | YesNoRubric


@dataclass(frozen=True, slots=True)
class FormulaRubric:
    expr: str
    then: ThenRubric
    formula: Formula = field(repr=False, compare=False)
    kind: ClassVar[str] = "formula"

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "expr": self.expr, "then": self.then.to_dict()}


Rubric = (
    LinearRubric
    | BandsRubric
    | YesNoRubric
    | BonusRubric
    | DeductionRubric
    | VetoRubric
    | FormulaRubric
    | AppraisalRubric
    | NoneRubric
)


@dataclass(frozen=True, slots=True)
class Plausible:
    min: float | None = None
    max: float | None = None

    def contains(self, value: float) -> bool:
        return (self.min is None or value >= self.min) and (self.max is None or value <= self.max)

    def to_dict(self) -> dict[str, float]:
        out = {}
        if self.min is not None:
            out["min"] = self.min
        if self.max is not None:
            out["max"] = self.max
        return out


@dataclass(frozen=True, slots=True)
class Source:
    """Where an indicator's value is counted from: a kind of ``sources.SOURCE_KINDS`` and its
    parameters as (name, value) pairs, lists as tuples, so the source stays hashable."""

    kind: str
    params: tuple[tuple[str, Any], ...] = ()
    # The names of the meeting kinds it names, from the records section: how it is described in
    # words (``sources.describe_source``); not part of the source itself.
    kind_names: tuple[tuple[str, Text], ...] = field(default=(), compare=False)

    def param(self, name: str, default: Any = None) -> Any:
        return dict(self.params).get(name, default)

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            **{k: list(v) if isinstance(v, tuple) else v for k, v in self.params},
        }


@dataclass(frozen=True, slots=True)
class Indicator:
    code: str
    name: Text
    dimension: str
    applies_to: tuple[str, ...]
    value_type: str
    weight: float
    frequency: str
    rubric: Rubric
    direction: str = "higher"
    description: Text | None = None
    also: tuple[str, ...] = ()
    unit: Text | None = None
    target: float | None = None
    plausible: Plausible | None = None
    evidence_required: bool = False
    assessed: bool = False
    rectify_below: float | None = None
    source: Source | None = None

    @property
    def kind(self) -> str:
        return self.rubric.kind

    @property
    def scored(self) -> bool:
        """True when the indicator's weight counts toward the total (not bonus, veto or none)."""
        return self.rubric.kind in SCORED_KINDS

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"code": self.code, "name": self.name.to_dict()}
        if self.description is not None:
            out["description"] = self.description.to_dict()
        out["dimension"] = self.dimension
        if self.also:
            out["also"] = list(self.also)
        out["applies_to"] = list(self.applies_to)
        out["value_type"] = self.value_type
        if self.unit is not None:
            out["unit"] = self.unit.to_dict()
        out["direction"] = self.direction
        if self.target is not None:
            out["target"] = self.target
        if self.plausible is not None:
            out["plausible"] = self.plausible.to_dict()
        out["weight"] = self.weight
        out["frequency"] = self.frequency
        out["evidence_required"] = self.evidence_required
        out["assessed"] = self.assessed
        if self.rectify_below is not None:
            out["rectify_below"] = self.rectify_below
        out["rubric"] = self.rubric.to_dict()
        if self.source is not None:
            out["source"] = self.source.to_dict()
        return out


@dataclass(frozen=True, slots=True)
class DimensionPlace:
    """Where a dimension sits: its axis, its parent (None at the top), its depth (0 at the top)."""

    dimension: Dimension
    axis: str
    parent: str | None
    depth: int


@dataclass(frozen=True, slots=True)
class Framework:
    code: str
    version: str
    name: Text
    goal: Text
    total_points: float
    grade_bands: tuple[GradeBand, ...]
    star_bands: tuple[StarBand, ...]
    subject_kinds: tuple[SubjectKind, ...]
    axes: tuple[Axis, ...]
    indicators: tuple[Indicator, ...]
    rectify_below: float = DEFAULT_RECTIFY_BELOW
    # The records section as written (validated by the shape): plain data the records app reads.
    records: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # Named grade scales a subject kind may be graded on instead of grade_bands (members are
    # appraised 优秀 / 合格 / 基本合格 / 不合格); grade codes are unique across all of them.
    grade_scales: Mapping[str, tuple[GradeBand, ...]] = field(default_factory=dict, compare=False)
    # The standards section as written (validated by the shape): the standards app reads it.
    standards: Mapping[str, Any] = field(default_factory=dict, compare=False)
    _by_code: dict[str, Indicator] = field(init=False, repr=False, compare=False)
    _places: dict[str, DimensionPlace] = field(init=False, repr=False, compare=False)
    _plans: dict[Hashable, object] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        places: dict[str, DimensionPlace] = {}

        def visit(dimension: Dimension, axis: str, parent: str | None, depth: int) -> None:
            places[dimension.code] = DimensionPlace(dimension, axis, parent, depth)
            for child in dimension.children:
                visit(child, axis, dimension.code, depth + 1)

        for axis in self.axes:
            for dimension in axis.dimensions:
                visit(dimension, axis.code, None, 0)
        object.__setattr__(self, "_by_code", {i.code: i for i in self.indicators})
        object.__setattr__(self, "_places", places)
        object.__setattr__(self, "_plans", {})

    def memo(self, key: Hashable, build: Callable[[], object]) -> object:
        """Derived data kept with this framework (the engine's plans), built on first use."""
        value = self._plans.get(key)
        if value is None:
            value = self._plans[key] = build()
        return value

    def indicator(self, code: str) -> Indicator:
        return self._by_code[code]

    def dimension(self, code: str) -> Dimension:
        return self._places[code].dimension

    def place(self, code: str) -> DimensionPlace:
        """The axis, parent and depth of a dimension."""
        return self._places[code]

    def dimension_places(self) -> tuple[DimensionPlace, ...]:
        """Every dimension of every axis, axis by axis, parents before their children."""
        return tuple(self._places.values())

    def business_dimensions(self) -> tuple[str, ...]:
        """The top dimensions of the business axis (``BUSINESS_AXIS``), none when it has none."""
        return tuple(
            place.dimension.code
            for place in self._places.values()
            if place.axis == BUSINESS_AXIS and place.depth == 0
        )

    def subject_kind(self, code: str) -> SubjectKind:
        for kind in self.subject_kinds:
            if kind.code == code:
                return kind
        raise KeyError(code)

    def indicators_for(self, subject_kind: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if subject_kind in i.applies_to)

    def bonus_reach(self, subject_kind: str | None = None) -> float:
        """The most bonus points a subject of this kind (of any kind, when None) can earn on
        top of ``total_points``: the sum of its bonus indicators' caps."""
        kinds = [subject_kind] if subject_kind else [k.code for k in self.subject_kinds]
        return max(
            (
                sum(
                    i.rubric.cap
                    for i in self.indicators_for(kind)
                    if isinstance(i.rubric, BonusRubric)
                )
                for kind in kinds
            ),
            default=0.0,
        )

    def grade_band(self, grade: str) -> GradeBand:
        """The band of a grade code, on whichever scale it is (codes are unique across them)."""
        for bands in (self.grade_bands, *self.grade_scales.values()):
            for band in bands:
                if band.grade == grade:
                    return band
        raise KeyError(grade)

    def bands_for(self, subject_kind: str | None) -> tuple[GradeBand, ...]:
        """The grade bands a subject of this kind is graded on."""
        scale = None
        for kind in self.subject_kinds:
            if kind.code == subject_kind:
                scale = kind.scale
        return self.grade_scales.get(scale, self.grade_bands) if scale else self.grade_bands

    def rectify_threshold(self, indicator: Indicator) -> float:
        if indicator.rectify_below is not None:
            return indicator.rectify_below
        return self.rectify_below

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "version": self.version,
            "name": self.name.to_dict(),
            "goal": self.goal.to_dict(),
            "total_points": self.total_points,
            "grade_bands": [b.to_dict() for b in self.grade_bands],
            "star_bands": [b.to_dict() for b in self.star_bands],
            "rectify_below": self.rectify_below,
            "subject_kinds": [k.to_dict() for k in self.subject_kinds],
            "axes": [a.to_dict() for a in self.axes],
            "indicators": [i.to_dict() for i in self.indicators],
            **({"records": dict(self.records)} if self.records else {}),
            **(
                {
                    "grade_scales": {
                        name: [b.to_dict() for b in bands]
                        for name, bands in self.grade_scales.items()
                    }
                }
                if self.grade_scales
                else {}
            ),
            **({"standards": dict(self.standards)} if self.standards else {}),
        }
