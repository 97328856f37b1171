"""The framework file as frozen dataclasses, and its validator.

``parse_framework(data)`` turns the dict read from a framework file (docs/framework-format.md is the
authoritative description) into a ``Framework``, or raises ``FrameworkError`` listing every problem
with where it is, e.g. ``indicators[12].rubric.kind (C1.03): unknown rubric kind 'linnear'``.
``Framework.to_dict()`` gives the same dict back, so a framework survives a JSON round trip.

Choices the format leaves open, made here:

- ``direction`` may be omitted and is then ``higher``; ``rectify_below`` defaults to 0.6,
  ``evidence_required`` and ``assessed`` to false; ``version`` may be written as a number.
- ``unit`` is required for number, percentage and count indicators.
- A scored rubric (everything but bonus, veto and none) needs a weight above 0; a weight of 0 is
  what kind ``none`` is for.
- The rubric must suit the value type: linear, bands and formula score numbers, percentages or
  counts; yes_no a boolean; bonus and deduction a count; veto a boolean or a count; appraisal an
  appraisal; a text indicator can only use ``none``.
- Bands are ordered best first by their limits (strictly) and their fractions never rise.
- A formula may refer only to number, percentage, count, boolean or formula indicators that apply
  to every subject kind the formula applies to.
- ``also`` names dimensions of other axes than the indicator's own dimension.
- The last grade and star band must start at 0 or below, so every total gets a band.
- Codes used as formula names cannot be one of the formula words (min, max, round, abs, if, and,
  or, not).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar

from .formula import FUNCTIONS, KEYWORDS, Formula, FormulaError, compile_formula, finite

__all__ = [
    "APPRAISAL_CATEGORIES",
    "DIRECTIONS",
    "FREQUENCIES",
    "RUBRIC_KINDS",
    "SCORED_KINDS",
    "UNITS",
    "VALUE_TYPES",
    "AppraisalRubric",
    "Axis",
    "Band",
    "BandsRubric",
    "BonusRubric",
    "DeductionRubric",
    "Dimension",
    "FormulaRubric",
    "Framework",
    "FrameworkError",
    "GradeBand",
    "Indicator",
    "LinearRubric",
    "NoneRubric",
    "Plausible",
    "Rubric",
    "StarBand",
    "SubjectKind",
    "Text",
    "VetoRubric",
    "YesNoRubric",
    "load_file",
    "parse_framework",
]

VALUE_TYPES = ("number", "percentage", "count", "boolean", "appraisal", "text")
DIRECTIONS = ("higher", "lower")
FREQUENCIES = ("month", "quarter", "half_year", "year", "term")
UNITS = ("organization", "leading_group", "department", "person")
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
_CODE_RE = re.compile(r"[A-Za-z][A-Za-z0-9._]*\Z")
_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_RESERVED = FUNCTIONS | KEYWORDS


@dataclass(frozen=True, slots=True)
class Text:
    """A text in both languages."""

    zh: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


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

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "unit": self.unit, "name": self.name.to_dict()}


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
        for band in self.grade_bands:
            if band.grade == grade:
                return band
        raise KeyError(grade)

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
        }


class FrameworkError(ValueError):
    """A framework file is invalid; ``errors`` lists every problem with its location."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


def load_file(path: str | Path) -> dict[str, Any]:
    """Read a YAML or JSON framework file into a dict (it is not validated here)."""
    import yaml  # PyYAML reads JSON as well; imported here so the engine itself needs no package

    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise FrameworkError([f"{path}: the file does not hold a mapping"])
    return data


def _fmt_large(value: int) -> str:
    digits = len(str(abs(value)))
    return f"a number of {digits} digits"


def parse_framework(data: Mapping[str, Any]) -> Framework:
    """Validate a framework dict and build the Framework; FrameworkError lists every problem."""
    return _Parser().parse(data)


class _Loc:
    """A location in the file, e.g. ``indicators[12].rubric.kind (C1.03)``."""

    __slots__ = ("label", "path")

    def __init__(self, path: str, label: str | None = None) -> None:
        self.path = path
        self.label = label

    def __truediv__(self, sub: str | int) -> _Loc:
        part = f"[{sub}]" if isinstance(sub, int) else f".{sub}"
        return _Loc(self.path + part if self.path else str(sub), self.label)

    def __str__(self) -> str:
        where = self.path or "(top level)"
        return f"{where} ({self.label})" if self.label else where


_MISSING = object()


def _fmt(value: float) -> str:
    return f"{value:g}"


@dataclass(frozen=True, slots=True)
class _RubricContext:
    """What a rubric's checks need to know about its indicator and the framework."""

    value_type: str | None
    direction: str
    target: float | None
    weight: float | None
    grades: frozenset[str]
    stars: frozenset[int]

    @property
    def percent(self) -> bool:
        return self.value_type == "percentage"


class _Parser:
    """Collects every problem while building; raises once at the end."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.dimension_axis: dict[str, str] = {}
        self.kinds_seen: set[str] = set()
        self.grades_seen: set[str] = set()
        self.stars_seen: set[int] = set()
        # Every indicator as written, valid or not, so one bad indicator does not also show up as
        # an unknown formula name or a wrong weight sum.
        self.all_codes: set[str] = set()
        self.all_weights: list[tuple[tuple[str, ...], float]] = []

    def error(self, loc: _Loc, message: str) -> None:
        self.errors.append(f"{loc}: {message}")

    # -- primitives ----------------------------------------------------------------------------

    def mapping(
        self,
        obj: object,
        loc: _Loc,
        required: tuple[str, ...],
        optional: tuple[str, ...] = (),
    ) -> Mapping[str, Any] | None:
        if not isinstance(obj, Mapping):
            self.error(loc, f"must be a mapping, not {_type_name(obj)}")
            return None
        for key in required:
            if obj.get(key) is None:
                self.error(loc, f"missing key '{key}'")
        allowed = set(required) | set(optional)
        for key in obj:
            if key not in allowed:
                self.error(loc, f"unknown key '{key}'")
        return obj

    def number(
        self,
        obj: Mapping[str, Any],
        key: str,
        loc: _Loc,
        *,
        default: Any = _MISSING,
        minimum: float | None = None,
        maximum: float | None = None,
        integer: bool = False,
    ) -> Any:
        value = obj.get(key)
        if value is None:
            return None if default is _MISSING else default
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            self.error(loc / key, f"must be a number, not {_type_name(value)}")
            return None
        if isinstance(value, Decimal):
            value = int(value) if value == value.to_integral_value() else float(value)
        if isinstance(value, int) and finite(value) is None:  # the engine computes in floats
            self.error(loc / key, f"is too large: {_fmt_large(value)} (at most about 1.8e308)")
            return None
        if not math.isfinite(value):
            self.error(loc / key, "must be a finite number")
            return None
        if integer and value != int(value):
            self.error(loc / key, f"must be a whole number, not {_fmt(value)}")
            return None
        if minimum is not None and value < minimum:
            self.error(loc / key, f"must be at least {_fmt(minimum)}, not {_fmt(value)}")
        if maximum is not None and value > maximum:
            self.error(loc / key, f"must be at most {_fmt(maximum)}, not {_fmt(value)}")
        return int(value) if integer else value

    def string(self, obj: Mapping[str, Any], key: str, loc: _Loc) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool) and key == "version":
            return str(value)
        if not isinstance(value, str) or not value.strip():
            self.error(loc / key, f"must be a non-empty string, not {_type_name(value)}")
            return None
        return value

    def code(self, obj: Mapping[str, Any], key: str, loc: _Loc, pattern: re.Pattern[str]) -> str:
        value = self.string(obj, key, loc)
        if value is None:
            return ""
        if not pattern.match(value):
            allowed = (
                "letters, digits, '.' and '_'" if pattern is _CODE_RE else "letters, digits and '_'"
            )
            self.error(loc / key, f"invalid code {value!r}: use {allowed}, starting with a letter")
        return value

    def choice(
        self, obj: Mapping[str, Any], key: str, loc: _Loc, choices: tuple[str, ...], what: str
    ) -> str | None:
        value = obj.get(key)
        if value is None:
            return None
        if value not in choices:
            self.error(loc / key, f"unknown {what} {value!r} (one of {', '.join(choices)})")
            return None
        return value

    def flag(self, obj: Mapping[str, Any], key: str, loc: _Loc, default: bool) -> bool:
        value = obj.get(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.error(loc / key, f"must be true or false, not {_type_name(value)}")
            return default
        return value

    def items(self, obj: Mapping[str, Any], key: str, loc: _Loc) -> list[Any]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            self.error(loc / key, f"must be a list, not {_type_name(value)}")
            return []
        return list(value)

    def text(self, obj: Mapping[str, Any], key: str, loc: _Loc) -> Text | None:
        value = obj.get(key)
        if value is None:
            return None
        where = loc / key
        if not isinstance(value, Mapping):
            self.error(where, "must be a {zh: …, en: …} pair")
            return None
        for lang in value:
            if lang not in ("zh", "en"):
                self.error(where, f"unknown language {lang!r} (zh and en)")
        texts = []
        for lang in ("zh", "en"):
            part = value.get(lang)
            if not isinstance(part, str) or not part.strip():
                self.error(where, f"missing {lang} text")
                part = ""
            texts.append(part)
        return Text(*texts)

    # -- the document --------------------------------------------------------------------------

    def parse(self, data: Mapping[str, Any]) -> Framework:
        top = _Loc("")
        doc = self.mapping(
            data,
            top,
            (
                "code",
                "version",
                "name",
                "goal",
                "total_points",
                "grade_bands",
                "star_bands",
                "subject_kinds",
                "axes",
                "indicators",
            ),
            ("rectify_below",),
        )
        if doc is None:
            raise FrameworkError(self.errors)
        code = self.string(doc, "code", top) or ""
        version = self.string(doc, "version", top) or ""
        name = self.text(doc, "name", top)
        goal = self.text(doc, "goal", top)
        total = self.number(doc, "total_points", top, minimum=0)
        if total is not None and total <= 0:
            self.error(top / "total_points", "must be above 0")
        rectify_below = self.number(
            doc, "rectify_below", top, default=DEFAULT_RECTIFY_BELOW, minimum=0, maximum=1
        )
        grade_bands = self.grade_bands(doc, top)
        star_bands = self.star_bands(doc, top)
        kinds = self.subject_kinds(doc, top)
        axes = self.axes(doc, top)
        places = self.dimension_axis
        # Codes as written, valid or not, so one bad entry is reported once, not again wherever
        # it is referred to.
        grades = frozenset(self.grades_seen)
        stars = frozenset(self.stars_seen)
        indicators, locs = self.indicators(doc, top, self.kinds_seen, places, grades, stars)
        self.check_formulas(indicators, locs)
        if total is not None:
            self.check_weights(kinds, total)
        if self.errors:
            raise FrameworkError(self.errors)
        # With no errors recorded, every required part was read.
        assert name is not None
        assert goal is not None
        assert rectify_below is not None
        return Framework(
            code=code,
            version=version,
            name=name,
            goal=goal,
            total_points=total,
            grade_bands=tuple(grade_bands),
            star_bands=tuple(star_bands),
            subject_kinds=tuple(kinds),
            axes=tuple(axes),
            indicators=tuple(indicators),
            rectify_below=rectify_below,
        )

    def grade_bands(self, doc: Mapping[str, Any], top: _Loc) -> list[GradeBand]:
        bands: list[GradeBand] = []
        seen: set[str] = set()
        raw = self.items(doc, "grade_bands", top)
        if doc.get("grade_bands") is not None and not raw:
            self.error(top / "grade_bands", "needs at least one band")
        for index, item in enumerate(raw):
            loc = top / "grade_bands" / index
            obj = self.mapping(item, loc, ("grade", "min", "name"))
            if obj is None:
                continue
            grade = self.string(obj, "grade", loc)
            minimum = self.number(obj, "min", loc)
            name = self.text(obj, "name", loc)
            if grade in seen:
                self.error(loc / "grade", f"duplicate grade {grade!r}")
            if grade is not None:
                seen.add(grade)
                self.grades_seen.add(grade)
            if grade is not None and minimum is not None and name is not None:
                bands.append(GradeBand(grade, minimum, name))
        self.check_descending([b.min for b in bands], top / "grade_bands", "grade")
        return bands

    def star_bands(self, doc: Mapping[str, Any], top: _Loc) -> list[StarBand]:
        bands: list[StarBand] = []
        raw = self.items(doc, "star_bands", top)
        if doc.get("star_bands") is not None and not raw:
            self.error(top / "star_bands", "needs at least one band")
        for index, item in enumerate(raw):
            loc = top / "star_bands" / index
            obj = self.mapping(item, loc, ("stars", "min"))
            if obj is None:
                continue
            stars = self.number(obj, "stars", loc, integer=True, minimum=0)
            minimum = self.number(obj, "min", loc)
            if stars is not None:
                self.stars_seen.add(stars)
            if stars is not None and minimum is not None:
                bands.append(StarBand(stars, minimum))
        self.check_descending([b.min for b in bands], top / "star_bands", "star")
        stars_seen = [b.stars for b in bands]
        if any(a <= b for a, b in pairwise(stars_seen)):
            self.error(
                top / "star_bands",
                f"stars must descend, highest first (got {', '.join(map(str, stars_seen))})",
            )
        return bands

    def check_descending(self, mins: list[float], loc: _Loc, what: str) -> None:
        if any(a <= b for a, b in pairwise(mins)):
            listed = ", ".join(_fmt(m) for m in mins)
            self.error(loc, f"{what} bands must be ordered highest first by min (got {listed})")
        if mins and mins[-1] > 0:
            self.error(loc, f"the last {what} band must start at 0 so every total gets one")

    def subject_kinds(self, doc: Mapping[str, Any], top: _Loc) -> list[SubjectKind]:
        kinds: list[SubjectKind] = []
        seen: set[str] = set()
        for index, item in enumerate(self.items(doc, "subject_kinds", top)):
            loc = top / "subject_kinds" / index
            obj = self.mapping(item, loc, ("code", "unit", "name"))
            if obj is None:
                continue
            code = self.code(obj, "code", loc, _NAME_RE)
            loc.label = code or None
            unit = self.choice(obj, "unit", loc, UNITS, "unit")
            name = self.text(obj, "name", loc)
            if code in seen:
                self.error(loc / "code", f"duplicate subject kind code {code!r}")
            seen.add(code)
            self.kinds_seen.add(code)
            if code and unit and name:
                kinds.append(SubjectKind(code, unit, name))
        if doc.get("subject_kinds") is not None and not doc["subject_kinds"]:
            self.error(top / "subject_kinds", "needs at least one subject kind")
        return kinds

    def axes(self, doc: Mapping[str, Any], top: _Loc) -> list[Axis]:
        axes: list[Axis] = []
        axis_codes: set[str] = set()
        for index, item in enumerate(self.items(doc, "axes", top)):
            loc = top / "axes" / index
            obj = self.mapping(item, loc, ("code", "name", "dimensions"))
            if obj is None:
                continue
            code = self.code(obj, "code", loc, _NAME_RE)
            loc.label = code or None
            if code in axis_codes:
                self.error(loc / "code", f"duplicate axis code {code!r}")
            axis_codes.add(code)
            name = self.text(obj, "name", loc)
            dimensions = self.dimensions(obj, "dimensions", loc, code)
            if obj.get("dimensions") is not None and not dimensions:
                self.error(loc / "dimensions", "needs at least one dimension")
            if code and name:
                axes.append(Axis(code, name, tuple(dimensions)))
        return axes

    def dimensions(
        self, obj: Mapping[str, Any], key: str, parent: _Loc, axis: str
    ) -> list[Dimension]:
        out: list[Dimension] = []
        for index, item in enumerate(self.items(obj, key, parent)):
            loc = _Loc((parent / key / index).path)
            dim = self.mapping(item, loc, ("code", "name"), ("description", "children"))
            if dim is None:
                continue
            code = self.code(dim, "code", loc, _CODE_RE)
            loc.label = code or None
            if code in self.dimension_axis:
                self.error(loc / "code", f"duplicate dimension code {code!r}")
            else:
                self.dimension_axis[code] = axis
            name = self.text(dim, "name", loc)
            description = self.text(dim, "description", loc)
            children = self.dimensions(dim, "children", loc, axis)
            if code and name:
                out.append(Dimension(code, name, description, tuple(children)))
        return out

    def indicators(
        self,
        doc: Mapping[str, Any],
        top: _Loc,
        kinds: set[str],
        places: dict[str, str],
        grades: frozenset[str],
        stars: frozenset[int],
    ) -> tuple[list[Indicator], list[_Loc]]:
        out: list[Indicator] = []
        locs: list[_Loc] = []
        seen: dict[str, int] = {}
        raw = self.items(doc, "indicators", top)
        if doc.get("indicators") is not None and not raw:
            self.error(top / "indicators", "needs at least one indicator")
        for index, item in enumerate(raw):
            loc = top / "indicators" / index
            indicator = self.indicator(item, loc, kinds, places, grades, stars)
            if indicator is None:
                continue
            if indicator.code in seen:
                self.error(
                    loc / "code",
                    f"duplicate indicator code {indicator.code!r} "
                    f"(first at indicators[{seen[indicator.code]}])",
                )
                continue
            seen[indicator.code] = index
            out.append(indicator)
            locs.append(loc)
        return out, locs

    def indicator(
        self,
        item: object,
        loc: _Loc,
        kinds: set[str],
        places: dict[str, str],
        grades: frozenset[str],
        stars: frozenset[int],
    ) -> Indicator | None:
        if isinstance(item, Mapping) and isinstance(item.get("code"), str):
            loc.label = item["code"]
        errors_before = len(self.errors)
        obj = self.mapping(
            item,
            loc,
            (
                "code",
                "name",
                "dimension",
                "applies_to",
                "value_type",
                "weight",
                "frequency",
                "rubric",
            ),
            (
                "description",
                "also",
                "unit",
                "direction",
                "target",
                "plausible",
                "evidence_required",
                "assessed",
                "rectify_below",
            ),
        )
        if obj is None:
            return None
        code = self.code(obj, "code", loc, _CODE_RE)
        self.all_codes.add(code)
        if code in _RESERVED:
            self.error(loc / "code", f"{code!r} is a formula word and cannot be an indicator code")
        name = self.text(obj, "name", loc)
        description = self.text(obj, "description", loc)
        value_type = self.choice(obj, "value_type", loc, VALUE_TYPES, "value_type")
        direction = self.choice(obj, "direction", loc, DIRECTIONS, "direction") or "higher"
        frequency = self.choice(obj, "frequency", loc, FREQUENCIES, "frequency")
        unit = self.text(obj, "unit", loc)
        if unit is None and value_type in _NUMERIC_TYPES:
            self.error(loc, f"missing key 'unit' (required for {value_type} indicators)")
        percent = value_type == "percentage"
        target = self.number(
            obj,
            "target",
            loc,
            minimum=0 if value_type in ("percentage", "count") else None,
            maximum=100 if percent else None,
        )
        plausible = self.plausible(obj, loc)
        weight = self.number(obj, "weight", loc, minimum=0)
        evidence_required = self.flag(obj, "evidence_required", loc, False)
        assessed = self.flag(obj, "assessed", loc, False)
        rectify_below = self.number(obj, "rectify_below", loc, minimum=0, maximum=1)

        dimension = self.string(obj, "dimension", loc)
        if dimension is not None and dimension not in places:
            self.error(loc / "dimension", f"unknown dimension {dimension!r}")
        also = self.also(obj, loc, dimension, places)
        applies_to = self.applies_to(obj, loc, kinds)
        if weight is not None:
            self.all_weights.append((applies_to, weight))

        rubric = None
        if obj.get("rubric") is not None:
            context = _RubricContext(value_type, direction, target, weight, grades, stars)
            rubric = self.rubric(obj["rubric"], loc / "rubric", context)
            self.check_weight(obj["rubric"], loc, weight)
        if len(self.errors) > errors_before:
            return None
        assert name is not None
        assert dimension is not None
        assert value_type is not None
        assert frequency is not None
        assert weight is not None
        assert rubric is not None
        return Indicator(
            code=code,
            name=name,
            dimension=dimension,
            applies_to=applies_to,
            value_type=value_type,
            weight=weight,
            frequency=frequency,
            rubric=rubric,
            direction=direction,
            description=description,
            also=also,
            unit=unit,
            target=target,
            plausible=plausible,
            evidence_required=evidence_required,
            assessed=assessed,
            rectify_below=rectify_below,
        )

    def plausible(self, obj: Mapping[str, Any], loc: _Loc) -> Plausible | None:
        if obj.get("plausible") is None:
            return None
        where = loc / "plausible"
        raw = self.mapping(obj["plausible"], where, (), ("min", "max"))
        if raw is None:
            return None
        low = self.number(raw, "min", where)
        high = self.number(raw, "max", where)
        if low is None and high is None:
            self.error(where, "needs min, max or both")
        if low is not None and high is not None and low > high:
            self.error(where, f"min {_fmt(low)} is above max {_fmt(high)}")
        return Plausible(low, high)

    def also(
        self, obj: Mapping[str, Any], loc: _Loc, dimension: str | None, places: dict[str, str]
    ) -> tuple[str, ...]:
        out: list[str] = []
        for index, code in enumerate(self.items(obj, "also", loc)):
            where = loc / "also" / index
            if code not in places:
                self.error(where, f"unknown also dimension {code!r}")
            elif code in out:
                self.error(where, f"dimension {code!r} is listed twice")
            elif dimension in places and places[code] == places[dimension]:
                self.error(
                    where,
                    f"dimension {code!r} is on the same axis ({places[code]}) as the indicator's "
                    f"dimension {dimension!r}; also is for other axes",
                )
            else:
                out.append(code)
        return tuple(out)

    def applies_to(self, obj: Mapping[str, Any], loc: _Loc, kinds: set[str]) -> tuple[str, ...]:
        out: list[str] = []
        raw = self.items(obj, "applies_to", loc)
        if obj.get("applies_to") is not None and not raw:
            self.error(loc / "applies_to", "needs at least one subject kind")
        for index, kind in enumerate(raw):
            where = loc / "applies_to" / index
            if kind not in kinds:
                self.error(where, f"unknown subject kind {kind!r}")
            elif kind in out:
                self.error(where, f"subject kind {kind!r} is listed twice")
            else:
                out.append(kind)
        return tuple(out)

    # -- rubrics -------------------------------------------------------------------------------

    def rubric(
        self, raw: object, loc: _Loc, ctx: _RubricContext, *, inner: bool = False
    ) -> Rubric | None:
        if not isinstance(raw, Mapping):
            self.error(loc, f"must be a mapping, not {_type_name(raw)}")
            return None
        kind = raw.get("kind")
        allowed = ("linear", "bands", "yes_no") if inner else RUBRIC_KINDS
        if kind is None:
            self.error(loc, "missing key 'kind'")
            return None
        if kind not in allowed:
            if kind in RUBRIC_KINDS:
                self.error(loc / "kind", f"a formula's then rubric cannot be {kind!r}")
            else:
                self.error(loc / "kind", f"unknown rubric kind {kind!r}")
            return None
        suits = _VALUE_TYPES_FOR_KIND[kind]
        if ctx.value_type is not None and not inner and ctx.value_type not in suits:
            self.error(
                loc / "kind",
                f"rubric {kind!r} does not suit value_type {ctx.value_type!r} "
                f"(it takes {', '.join(suits)})",
            )
        return getattr(self, f"rubric_{kind}")(raw, loc, ctx)

    def check_weight(self, raw_rubric: object, loc: _Loc, weight: float | None) -> None:
        kind = raw_rubric.get("kind") if isinstance(raw_rubric, Mapping) else None
        if weight is None or kind not in RUBRIC_KINDS:
            return
        if kind in SCORED_KINDS and weight <= 0:
            self.error(
                loc / "weight",
                f"a {kind} indicator needs a weight above 0 (use kind none to record only)",
            )
        if kind not in SCORED_KINDS and weight != 0:
            self.error(loc / "weight", f"a {kind} indicator must have weight 0, not {_fmt(weight)}")

    def rubric_linear(
        self, raw: Mapping[str, Any], loc: _Loc, ctx: _RubricContext
    ) -> LinearRubric | None:
        obj = self.mapping(raw, loc, ("kind", "floor"))
        if obj is None:
            return None
        floor = self.number(
            obj,
            "floor",
            loc,
            minimum=0 if ctx.percent else None,
            maximum=100 if ctx.percent else None,
        )
        target = ctx.target
        if target is None:
            self.error(loc, "a linear rubric needs the indicator's target")
        elif floor is not None:
            if floor == target:
                self.error(loc / "floor", f"floor {_fmt(floor)} equals the target")
            elif ctx.direction == "higher" and floor > target:
                self.error(
                    loc / "floor",
                    f"floor {_fmt(floor)} is above the target {_fmt(target)}; for direction "
                    "'higher' the floor must be below the target",
                )
            elif ctx.direction == "lower" and floor < target:
                self.error(
                    loc / "floor",
                    f"floor {_fmt(floor)} is below the target {_fmt(target)}; for direction "
                    "'lower' the floor must be above the target",
                )
        return None if floor is None else LinearRubric(floor)

    def rubric_bands(
        self, raw: Mapping[str, Any], loc: _Loc, ctx: _RubricContext
    ) -> BandsRubric | None:
        obj = self.mapping(raw, loc, ("kind", "bands"))
        if obj is None:
            return None
        direction, percent = ctx.direction, ctx.percent
        key, other = ("min", "max") if direction == "higher" else ("max", "min")
        bands: list[Band] = []
        items = self.items(obj, "bands", loc)
        if obj.get("bands") is not None and not items:
            self.error(loc / "bands", "needs at least one band")
        for index, item in enumerate(items):
            where = loc / "bands" / index
            if isinstance(item, Mapping) and other in item and key not in item:
                self.error(where, f"bands for direction {direction!r} use {key!r}, not {other!r}")
                continue
            band = self.mapping(item, where, (key, "fraction"))
            if band is None:
                continue
            limit = self.number(
                band, key, where, minimum=0 if percent else None, maximum=100 if percent else None
            )
            fraction = self.number(band, "fraction", where, minimum=0, maximum=1)
            if limit is not None and fraction is not None:
                bands.append(Band(limit, fraction))
        limits = [b.limit for b in bands]
        sign = 1 if direction == "higher" else -1
        if any(sign * (a - b) <= 0 for a, b in pairwise(limits)):
            order = "descending 'min'" if direction == "higher" else "ascending 'max'"
            self.error(
                loc / "bands",
                f"bands must be ordered best first ({order}); got "
                f"{', '.join(_fmt(x) for x in limits)}",
            )
        fractions = [b.fraction for b in bands]
        if any(a < b for a, b in pairwise(fractions)):
            self.error(
                loc / "bands",
                "band fractions must not rise from the best band to the worst; got "
                f"{', '.join(_fmt(x) for x in fractions)}",
            )
        return BandsRubric(tuple(bands), direction)

    def rubric_yes_no(
        self, raw: Mapping[str, Any], loc: _Loc, ctx: _RubricContext
    ) -> YesNoRubric | None:
        obj = self.mapping(raw, loc, ("kind",), ("yes", "no"))
        if obj is None:
            return None
        yes = self.number(obj, "yes", loc, default=1.0, minimum=0, maximum=1)
        no = self.number(obj, "no", loc, default=0.0, minimum=0, maximum=1)
        return YesNoRubric(yes, no) if yes is not None and no is not None else None

    def rubric_bonus(
        self, raw: Mapping[str, Any], loc: _Loc, ctx: _RubricContext
    ) -> BonusRubric | None:
        obj = self.mapping(raw, loc, ("kind", "per", "cap"))
        if obj is None:
            return None
        per = self.positive(obj, "per", loc)
        cap = self.positive(obj, "cap", loc)
        return BonusRubric(per, cap) if per is not None and cap is not None else None

    def rubric_deduction(
        self, raw: Mapping[str, Any], loc: _Loc, ctx: _RubricContext
    ) -> DeductionRubric | None:
        weight = ctx.weight
        obj = self.mapping(raw, loc, ("kind", "per"), ("floor",))
        if obj is None:
            return None
        per = self.positive(obj, "per", loc)
        floor = self.number(obj, "floor", loc, default=0.0, minimum=0)
        if floor is not None and weight is not None and floor > weight:
            self.error(loc / "floor", f"floor {_fmt(floor)} is above the weight {_fmt(weight)}")
        return DeductionRubric(per, floor) if per is not None and floor is not None else None

    def rubric_veto(
        self, raw: Mapping[str, Any], loc: _Loc, ctx: _RubricContext
    ) -> VetoRubric | None:
        grades, stars = ctx.grades, ctx.stars
        obj = self.mapping(raw, loc, ("kind",), ("cap_grade", "cap_stars"))
        if obj is None:
            return None
        cap_grade = self.string(obj, "cap_grade", loc) or "D"
        cap_stars = self.number(obj, "cap_stars", loc, default=1, integer=True)
        if grades and cap_grade not in grades:
            self.error(
                loc / "cap_grade",
                f"unknown grade {cap_grade!r} (grades: {', '.join(sorted(grades))})",
            )
        if stars and cap_stars is not None and cap_stars not in stars:
            levels = ", ".join(str(s) for s in sorted(stars))
            self.error(loc / "cap_stars", f"unknown star level {cap_stars} (levels: {levels})")
        return VetoRubric(cap_grade, cap_stars) if cap_stars is not None else None

    def rubric_formula(
        self, raw: Mapping[str, Any], loc: _Loc, ctx: _RubricContext
    ) -> FormulaRubric | None:
        obj = self.mapping(raw, loc, ("kind", "expr", "then"))
        if obj is None:
            return None
        expr = self.string(obj, "expr", loc)
        formula = None
        if expr is not None:
            try:
                formula = compile_formula(expr)
            except FormulaError as exc:
                self.error(loc / "expr", str(exc))
        then = None
        if obj.get("then") is not None:
            then = self.rubric(obj["then"], loc / "then", ctx, inner=True)
        if expr is None or formula is None or then is None:
            return None
        assert isinstance(then, LinearRubric | BandsRubric | YesNoRubric)  # inner=True saw to it
        return FormulaRubric(expr, then, formula)

    def rubric_appraisal(
        self, raw: Mapping[str, Any], loc: _Loc, ctx: _RubricContext
    ) -> AppraisalRubric | None:
        obj = self.mapping(raw, loc, ("kind",), ("weights",))
        if obj is None:
            return None
        if obj.get("weights") is None:
            return AppraisalRubric()
        where = loc / "weights"
        weights = self.mapping(obj["weights"], where, (), APPRAISAL_CATEGORIES)
        if weights is None:
            return None
        values = {}
        for category in APPRAISAL_CATEGORIES:
            default = getattr(AppraisalRubric, category)
            values[category] = self.number(
                weights, category, where, default=default, minimum=0, maximum=1
            )
        if any(v is None for v in values.values()):
            return None
        return AppraisalRubric(**values)

    def rubric_none(self, raw: Mapping[str, Any], loc: _Loc, ctx: _RubricContext) -> NoneRubric:
        self.mapping(raw, loc, ("kind",))
        return NoneRubric()

    def positive(self, obj: Mapping[str, Any], key: str, loc: _Loc) -> float | None:
        value = self.number(obj, key, loc)
        if value is not None and value <= 0:
            self.error(loc / key, f"must be above 0, not {_fmt(value)}")
            return None
        return value

    # -- whole-framework checks ----------------------------------------------------------------

    def check_formulas(self, indicators: list[Indicator], locs: list[_Loc]) -> None:
        by_code = {i.code: i for i in indicators}
        graph: dict[str, list[str]] = {}
        for indicator, loc in zip(indicators, locs, strict=True):
            rubric = indicator.rubric
            if not isinstance(rubric, FormulaRubric):
                continue
            where = loc / "rubric" / "expr"
            graph[indicator.code] = []
            for ref in rubric.formula.codes:
                other = by_code.get(ref)
                if other is None:
                    if ref not in self.all_codes:
                        self.error(where, f"the formula names unknown indicator {ref!r}")
                    continue
                if other.kind == "formula":
                    graph[indicator.code].append(ref)
                elif other.value_type not in _FORMULA_INPUT_TYPES:
                    self.error(
                        where,
                        f"the formula uses {ref!r}, a {other.value_type} indicator; formulas take "
                        "numbers, percentages, counts, booleans and other formulas",
                    )
                lacking = [k for k in indicator.applies_to if k not in other.applies_to]
                if lacking:
                    self.error(
                        where,
                        f"the formula uses {ref!r}, which does not apply to {', '.join(lacking)}",
                    )
        for cycle in _cycles(graph):
            self.error(_Loc("indicators"), f"formulas depend on each other in a cycle: {cycle}")

    def check_weights(self, kinds: list[SubjectKind], total: float) -> None:
        for kind in kinds:
            weights = [w for applies_to, w in self.all_weights if kind.code in applies_to]
            got = sum(weights)
            if abs(got - total) > WEIGHT_TOLERANCE:
                self.error(
                    _Loc("indicators"),
                    f"the weights of subject kind {kind.code!r} add up to {got:g} over "
                    f"{len(weights)} indicators, expected total_points {_fmt(total)}",
                )


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


def _type_name(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return f"the string {value!r}"
    return type(value).__name__
