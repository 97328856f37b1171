"""Scores many subjects of one kind at once, column by column: the full recompute's engine.

``score_subject`` scores one subject and explains it (approvals, explanations, what-if);
``score_batch`` gives, for many subjects of one kind, exactly the numbers a stored score holds —
each indicator's points, maximum, fraction, status, rectify and veto flags, the dimensions, the
totals, grade, stars and vetoes — as arrays, one column per indicator. It follows the scalar
engine's plan (`engine._plan`) and its order of operations (sums are taken indicator after
indicator, as the scalar loop takes them), so both give the same floats, not merely close ones:
``tests/scoring/test_batch.py`` proves it on drawn frameworks and values.

Values come typed (`Cells`): a kind and a float per cell. The kinds cover what stored values are
(numbers, integers, booleans, null, "n/a"); anything else (an appraisal's votes, text, a number
written as text) is an ``OTHER`` cell with its raw value. Well-formed votes are scored as arrays;
every other OTHER cell, and whole columns of text indicators, are read and scored by the scalar
engine's own functions, cell by cell. Formulas are evaluated over columns (`formula_arrays`, with
the error each subject's evaluation would raise), then scored by their ``then`` rubric.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import engine, formula_arrays
from .spec import (
    APPRAISAL_CATEGORIES,
    BandsRubric,
    BonusRubric,
    DeductionRubric,
    Framework,
    LinearRubric,
    VetoRubric,
    YesNoRubric,
)
from .values import DIGITS, LIMIT, NOT_APPLICABLE, is_not_applicable, rounded

__all__ = [
    "ABSENT",
    "FALSE",
    "FLOAT",
    "INTEGER",
    "NA",
    "NULL",
    "OTHER",
    "TRUE",
    "Batch",
    "Cells",
    "round6",
    "score_batch",
    "typed_kind",
]

# The kind of a typed cell. ABSENT: no value stored; NULL: a stored null; NA: exactly "n/a".
ABSENT, NULL, FLOAT, INTEGER, TRUE, FALSE, NA, OTHER = range(8)
# An indicator result's status, as `Batch.status` holds it (in SubjectScore.Status's order).
SCORED, MISSING, INVALID, NOT_APPLICABLE_STATUS = range(4)
STATUS_CODES = ("scored", "missing", "invalid", NOT_APPLICABLE)

_TYPED = {"number", "percentage", "count", "boolean"}  # value types read from typed cells
_VECTOR_RUBRICS = (
    LinearRubric,
    BandsRubric,
    YesNoRubric,
    BonusRubric,
    DeductionRubric,
    VetoRubric,
)


@dataclass
class Cells:
    """Typed values of ``n`` subjects: ``kind`` and ``number`` are (n, columns) arrays, with a
    column per indicator code (``columns``); ``number`` holds a FLOAT or INTEGER cell's value
    (NaN elsewhere), ``other`` an OTHER cell's raw value by (row, column)."""

    columns: Mapping[str, int]
    kind: np.ndarray
    number: np.ndarray
    other: dict[tuple[int, int], Any]

    def __len__(self) -> int:
        return self.kind.shape[0]

    @classmethod
    def from_values(cls, codes: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> Cells:
        """Cells of values given by code (as `score_subject` takes them), a column per code."""
        cells = cls.empty(codes, len(rows))
        for row, values in enumerate(rows):
            for code, raw in values.items():
                cells.put(row, cells.columns[code], raw)
        return cells

    @classmethod
    def empty(cls, codes: Sequence[str], rows: int) -> Cells:
        """Cells of `rows` subjects with nothing stored, a column per code."""
        kind = np.full((rows, len(codes)), ABSENT, dtype=np.int8)
        columns = {code: column for column, code in enumerate(codes)}
        return cls(columns, kind, np.full(kind.shape, np.nan), {})

    def put(self, row: int, column: int, raw: Any) -> None:
        """Store one value as it was stored (JSON's types)."""
        cell = typed_kind(raw)
        self.kind[row, column] = cell
        if cell in (FLOAT, INTEGER):
            self.number[row, column] = raw
        elif cell == OTHER:
            self.other[row, column] = raw

    def take(self, rows: Sequence[int]) -> Cells:
        """The cells of some rows, in the order given."""
        position = {row: new for new, row in enumerate(rows)}
        other = {
            (position[row], column): raw
            for (row, column), raw in self.other.items()
            if row in position
        }
        index = np.asarray(rows, dtype=np.int64)
        return Cells(self.columns, self.kind[index], self.number[index], other)

    def raw(self, row: int, column: int) -> Any:
        """The value as stored (what the scalar engine and `SubjectScore.inputs` take)."""
        kind = int(self.kind[row, column])
        if kind == FLOAT:
            return float(self.number[row, column])
        if kind == INTEGER:
            return int(self.number[row, column])
        if kind in (TRUE, FALSE):
            return kind == TRUE
        if kind == NA:
            return NOT_APPLICABLE
        if kind == OTHER:
            return self.other[row, column]
        return None

    def values(self, row: int) -> dict[str, Any]:
        """One subject's stored values by code (ABSENT cells left out)."""
        return self.documents([row])[0]

    def documents(self, rows: Sequence[int] | None = None) -> list[dict[str, Any]]:
        """The stored values by code of each row (all rows by default), ABSENT cells left out:
        `SubjectScore.inputs`. Made from whole rows at once (a million cells in a full run)."""
        index = slice(None) if rows is None else np.asarray(rows, dtype=np.int64)
        kinds = self.kind[index].tolist()
        numbers = self.number[index].tolist()
        positions = range(len(kinds)) if rows is None else rows
        codes = list(self.columns.items())
        other = self.other
        out = []
        for position, kind_row, number_row in zip(positions, kinds, numbers, strict=True):
            document = {}
            for code, column in codes:
                kind = kind_row[column]
                if kind == FLOAT:
                    document[code] = number_row[column]
                elif kind == ABSENT:
                    continue
                elif kind == INTEGER:
                    document[code] = int(number_row[column])
                elif kind == OTHER:
                    document[code] = other[position, column]
                else:
                    document[code] = _CONSTANTS[kind]
            out.append(document)
        return out


_CONSTANTS = {NULL: None, TRUE: True, FALSE: False, NA: NOT_APPLICABLE}


@dataclass
class Batch:
    """Results of ``n`` subjects of one kind; indicator arrays are (n, indicators) in framework
    order (``codes``), dimension arrays (n, dimensions) in ``dimensions`` order. ``fraction`` and
    a dimension's ``share`` are NaN where the scalar engine says None; ``grade`` and ``stars``
    None where no indicator applies."""

    codes: tuple[str, ...]
    points: np.ndarray
    max: np.ndarray
    fraction: np.ndarray
    status: np.ndarray
    rectify: np.ndarray
    triggered: np.ndarray
    dimensions: tuple[str, ...]
    dim_points: np.ndarray
    dim_max: np.ndarray
    dim_also_points: np.ndarray
    dim_also_max: np.ndarray
    dim_bonus: np.ndarray
    dim_share: np.ndarray
    base: np.ndarray
    bonus: np.ndarray
    deductions: np.ndarray
    total: np.ndarray
    max_total: np.ndarray
    grade: list[str | None]
    stars: list[int | None]
    vetoes: list[tuple[str, ...]]
    missing: np.ndarray  # how many indicators have no usable value entered (missing)


def typed_kind(raw: Any) -> int:
    """The kind of cell a stored value makes (`ABSENT` aside: there is no value)."""
    kind = type(raw)
    if kind is float:
        return FLOAT if -LIMIT <= raw <= LIMIT else OTHER  # NaN and infinities too
    if kind is int:
        return INTEGER if -LIMIT <= raw <= LIMIT else OTHER
    if kind is bool:
        return TRUE if raw else FALSE
    if raw is None:
        return NULL
    if raw == NOT_APPLICABLE and kind is str:
        return NA
    return OTHER


def round6(values: np.ndarray) -> np.ndarray:
    """``round(x, 6)`` of every element, exactly as Python rounds (`values.rounded`).

    numpy scales, rounds and scales back; where the scaled value lies within a few units in the
    last place of a half, its rounding may differ from Python's correctly rounded one, so those
    few are rounded by Python."""
    out = np.round(values, DIGITS)
    scaled = values * 10.0**DIGITS
    with np.errstate(invalid="ignore"):
        near_half = np.abs(np.abs(scaled - np.trunc(scaled)) - 0.5) <= np.abs(scaled) * 1e-15
        huge = np.abs(scaled) >= 2.0**52
    for index in zip(*np.nonzero(near_half | huge), strict=True):
        out[index] = rounded(float(values[index]))
    return out


def score_batch(framework: Framework, subject_kind: str, cells: Cells) -> Batch:
    """Score every subject of ``cells`` (all of ``subject_kind``); see the module docstring."""
    plan = engine._plan(framework, subject_kind)
    n = len(cells)
    count = len(plan.items)
    absent = np.zeros((n, count), dtype=bool)
    state = np.zeros((n, count), dtype=np.int8)
    fraction = np.full((n, count), np.nan)  # the rubric's fraction (scored: None read as 0)
    loose = np.zeros((n, count))  # points of unweighted items (bonus)
    triggered = np.zeros((n, count), dtype=bool)
    arrays = _Readings(state, fraction, loose, triggered)
    refs_of = dict(plan.formula_refs)
    needed = {ref for refs in refs_of.values() for ref in refs}
    # What formulas see of the items they use: the value, NaN when there is none to use.
    seen: dict[int, np.ndarray] = {}

    for index, item in enumerate(plan.items):
        column = cells.columns.get(item.code)
        if column is None:  # nothing stored for it: missing everywhere
            kinds = np.full(n, ABSENT, dtype=np.int8)
            numbers = np.full(n, np.nan)
        else:
            kinds = cells.kind[:, column]
            numbers = cells.number[:, column]
        if item.formula is not None:
            refs = refs_of[index]
            seen[index] = _formula_column(
                item, index, kinds, cells, column, refs, [seen[m] for m in refs], absent, arrays
            )
            continue
        env = np.full(n, np.nan)
        if item.kind == "appraisal":
            scalar_rows = _appraisal_column(item, index, kinds, cells, column, absent, arrays)
        elif item.indicator.value_type in _TYPED and (
            isinstance(item.indicator.rubric, _VECTOR_RUBRICS) or item.kind == "none"
        ):
            value, usable = _vector_column(index, item, kinds, numbers, absent, arrays)
            env = np.where(usable, value, np.nan)
            scalar_rows = np.nonzero(kinds == OTHER)[0].tolist()
        else:
            scalar_rows = range(n)
        for row in scalar_rows:
            raw = None if column is None else cells.raw(row, column)
            env[row] = _scalar_cell(item, index, row, raw, absent, arrays)
        if index in needed:
            seen[index] = env
    return _assemble(framework, plan, absent, arrays)


def _vector_column(
    index: int,
    item: engine._Item,
    kinds: np.ndarray,
    numbers: np.ndarray,
    absent: np.ndarray,
    arrays: _Readings,
) -> tuple[np.ndarray, np.ndarray]:
    """A typed column read and scored as arrays (OTHER cells are left to the scalar path).

    Returns what formulas see: the value and whether it is usable."""
    value_type = item.indicator.value_type
    is_number = (kinds == FLOAT) | (kinds == INTEGER)
    is_bool = (kinds == TRUE) | (kinds == FALSE)
    with np.errstate(invalid="ignore"):
        if value_type == "number":
            valid = is_number & (np.abs(numbers) <= LIMIT)
            value = numbers
        elif value_type == "percentage":
            valid = is_number & (numbers >= 0) & (numbers <= 100)
            value = numbers
        elif value_type == "count":
            valid = is_number & (numbers >= 0) & (numbers <= LIMIT) & (numbers == np.floor(numbers))
            value = numbers
        else:  # boolean: true, false, or a number 1 or 0
            value = np.where(is_bool, (kinds == TRUE).astype(float), numbers)
            valid = is_bool | (is_number & ((numbers == 1) | (numbers == 0)))
    value = np.where(valid, value, 0.0)
    missing = (kinds == ABSENT) | (kinds == NULL)
    na = kinds == NA
    absent[:, index] = na
    # A coerced value that is not of the indicator's type: invalid, 0 points.
    cell_state = np.where(missing, MISSING, np.where(valid, SCORED, INVALID)).astype(np.int8)
    frac = np.zeros(len(kinds))  # scored items: the fraction; None is read as 0
    points = np.zeros(len(kinds))  # unweighted items: the points added
    fired = np.zeros(len(kinds), dtype=bool)
    rubric = item.indicator.rubric
    # A yes/no value is no count: bonus and deduction refuse it (`rubrics._bad_count`).
    counts = np.zeros_like(valid) if value_type == "boolean" else valid
    if isinstance(rubric, LinearRubric):
        floor, target = rubric.floor, float(item.indicator.target)
        share = (value - floor) / (target - floor)
        frac = np.where(share <= 0, 0.0, np.where(share >= 1, 1.0, share))
    elif isinstance(rubric, BandsRubric):
        higher = item.indicator.direction == "higher"
        frac = np.zeros(len(kinds))
        for band in reversed(rubric.bands):  # the first band reached wins
            reached = value >= band.limit if higher else value <= band.limit
            frac = np.where(reached, band.fraction, frac)
    elif isinstance(rubric, YesNoRubric):
        frac = np.where(value != 0, rubric.yes, rubric.no)
    elif isinstance(rubric, BonusRubric):
        good = counts & (value >= 0)
        cell_state = np.where(valid & ~good, INVALID, cell_state).astype(np.int8)
        points = np.where(good, np.minimum(rubric.cap, rubric.per * value), 0.0)
    elif isinstance(rubric, DeductionRubric):
        good = counts & (value >= 0)
        cell_state = np.where(valid & ~good, INVALID, cell_state).astype(np.int8)
        weight = item.weight
        kept = np.maximum(rubric.floor, weight - rubric.per * value)
        frac = np.where(good, kept / weight if weight else 0.0, 0.0)
    elif isinstance(rubric, VetoRubric):
        if value_type == "boolean":
            fired = valid & (value != 0)
        else:
            good = valid & (value >= 0)
            cell_state = np.where(valid & ~good, INVALID, cell_state).astype(np.int8)
            fired = good & (value > 0)
    # else: recorded, not scored
    scored = cell_state == SCORED
    arrays.state[:, index] = np.where(na, SCORED, cell_state)
    if item.scored:
        arrays.fraction[:, index] = np.where(scored, frac, 0.0)
    else:
        arrays.loose[:, index] = np.where(scored, points, 0.0)
        fired = fired & scored
    arrays.triggered[:, index] = fired
    return value, valid


@dataclass
class _Readings:
    """Each item's reading per subject, before weights: the arrays the scalar cells write."""

    state: np.ndarray
    fraction: np.ndarray
    loose: np.ndarray
    triggered: np.ndarray

    def record(self, item: engine._Item, index: int, row: int, read: int, result) -> None:
        """A reading of the scalar engine (`engine._read` or `engine._compute`)."""
        self.state[row, index] = _STATE[read]
        self.triggered[row, index] = result.triggered
        if item.scored:
            self.fraction[row, index] = result.fraction or 0.0
        else:
            scored = read == engine._SCORED and result.fraction is not None
            self.fraction[row, index] = result.fraction if scored else np.nan
            self.loose[row, index] = result.points

    def not_applicable(self, index: int, row: int) -> None:
        self.state[row, index] = SCORED
        self.fraction[row, index] = np.nan
        self.loose[row, index] = 0.0
        self.triggered[row, index] = False


_STATE = {engine._SCORED: SCORED, engine._MISSING: MISSING, engine._INVALID: INVALID}


def _scalar_cell(
    item: engine._Item, index: int, row: int, raw: Any, absent: np.ndarray, arrays: _Readings
) -> float:
    """One cell read and scored by the scalar engine's own functions; returns what formulas see
    of it (NaN for nothing usable)."""
    if type(raw) is str and is_not_applicable(raw):
        absent[row, index] = True
        arrays.not_applicable(index, row)
        return np.nan
    absent[row, index] = False
    env: dict[str, Any] = {}
    read, _value, result, _notes = engine._read(item, raw, env)
    arrays.record(item, index, row, read, result)
    value = env.get(item.code)
    return value if type(value) is float else np.nan


def _appraisal_column(
    item: engine._Item,
    index: int,
    kinds: np.ndarray,
    cells: Cells,
    column: int | None,
    absent: np.ndarray,
    arrays: _Readings,
) -> list[int]:
    """An appraisal's well-formed votes scored as arrays; returns the rows left to the scalar
    engine (everything else: no votes, bad votes, n/a spellings)."""
    rubric = item.indicator.rubric
    weights = [rubric.weight_of(category) for category in APPRAISAL_CATEGORIES]
    keys = {"voters", *APPRAISAL_CATEGORIES}
    rows, votes = [], []
    scalar_rows = []
    for row in range(len(kinds)):
        raw = cells.other.get((row, column)) if kinds[row] == OTHER else None
        if type(raw) is dict and "voters" in raw and keys.issuperset(raw):
            counts = [raw["voters"], *(raw.get(c, 0) for c in APPRAISAL_CATEGORIES)]
            whole = all(type(c) is int and 0 <= c <= LIMIT for c in counts)
            if whole and counts[0] > 0 and sum(counts[1:]) == counts[0]:
                rows.append(row)
                votes.append(counts)
                continue
        scalar_rows.append(row)
    if rows:
        matrix = np.array(votes, dtype=np.float64)
        weighted = np.zeros(len(rows))
        for position, weight in enumerate(weights, start=1):  # in order, as the rubric sums
            weighted = weighted + matrix[:, position] * weight
        share = np.minimum(1.0, weighted / matrix[:, 0])
        arrays.state[rows, index] = SCORED
        arrays.triggered[rows, index] = False
        if item.scored:
            arrays.fraction[rows, index] = share
        else:
            arrays.fraction[rows, index] = share
            arrays.loose[rows, index] = share * item.weight
    return scalar_rows


def _formula_column(
    item: engine._Item,
    index: int,
    kinds: np.ndarray,
    cells: Cells,
    column: int | None,
    refs: tuple[int, ...],
    inputs: list[np.ndarray],
    absent: np.ndarray,
    arrays: _Readings,
) -> np.ndarray:
    """A formula computed over every subject from what it sees of its inputs, then scored by its
    ``then`` rubric (the scalar `engine._compute`); returns its values as formulas see them."""
    assert item.formula is not None
    n = len(kinds)
    # Not applicable: entered as such, or using an input that does not apply.
    na = kinds == NA
    for row in np.nonzero(kinds == OTHER)[0].tolist():
        na[row] = is_not_applicable(cells.other[row, column])
    if refs:
        na = na | absent[:, list(refs)].any(axis=1)
    absent[:, index] = na
    value, error = formula_arrays.evaluate_columns(item.formula.formula, inputs, n)
    ok = error == formula_arrays.OK
    if item.share:  # a computed percentage outside 0–100 earns nothing (see the engine)
        ok = ok & (value >= 0) & (value <= 100)
    missing = error == formula_arrays.MISSING
    value = np.where(ok, value, 0.0)
    then = item.formula.then
    if isinstance(then, LinearRubric):
        floor, target = then.floor, item.indicator.target
        share = (value - floor) / (target - floor)
        frac = np.where(share <= 0, 0.0, np.where(share >= 1, 1.0, share))
    elif isinstance(then, BandsRubric):
        higher = item.indicator.direction == "higher"
        frac = np.zeros(n)
        for band in reversed(then.bands):
            frac = np.where(
                value >= band.limit if higher else value <= band.limit, band.fraction, frac
            )
    else:
        frac = np.where(value != 0, then.yes, then.no)
    ok = ok & ~na
    arrays.state[:, index] = np.where(ok | na, SCORED, np.where(missing, MISSING, INVALID))
    arrays.triggered[:, index] = False
    if item.scored:
        arrays.fraction[:, index] = np.where(ok, frac, np.where(na, np.nan, 0.0))
    else:
        arrays.fraction[:, index] = np.where(ok, frac, np.nan)
        arrays.loose[:, index] = np.where(ok, frac * item.weight, 0.0)
    return np.where(ok, value, np.nan)


def _assemble(
    framework: Framework, plan: engine._Plan, absent: np.ndarray, arrays: _Readings
) -> Batch:
    """Weights, points, dimensions, totals and grades from each item's reading."""
    state, fraction, loose, triggered = (
        arrays.state,
        arrays.fraction,
        arrays.loose,
        arrays.triggered,
    )
    n, count = absent.shape
    items = plan.items
    total_points = float(framework.total_points)
    # Re-normalisation, group by group (the scalar `_renormalise`).
    factors = np.ones((n, count))
    kept = np.zeros(n)
    for weight, members in plan.groups:
        applicable = np.zeros(n)
        for m in members:  # in order: the same float sum as the scalar loop
            applicable = applicable + np.where(absent[:, m], 0.0, items[m].weight)
        some = applicable > 0
        kept = kept + np.where(some, weight, 0.0)
        moved = some & (applicable != weight)
        local = np.divide(weight, applicable, out=np.ones(n), where=moved)
        for m in members:
            factors[:, m] = local
    with np.errstate(divide="ignore"):
        scale = np.where(kept > 0, total_points / np.where(kept > 0, kept, 1.0), 0.0)
    for m in plan.scored:
        factors[:, m] = factors[:, m] * scale

    points = np.zeros((n, count))
    top = np.zeros((n, count))
    base = np.zeros(n)
    bonus = np.zeros(n)
    deductions = np.zeros(n)
    rectify = np.zeros((n, count), dtype=bool)
    fired = triggered & ~absent
    for m, item in enumerate(items):
        here = ~absent[:, m]
        if item.scored:
            frac = np.where(here, fraction[:, m], 0.0)
            cap = item.weight * factors[:, m]
            got = frac * cap
            base = base + np.where(here, got, 0.0)
            if item.kind == "deduction":
                deductions = deductions + np.where(here & (state[:, m] == SCORED), cap - got, 0.0)
            rectify[:, m] = here & (frac < item.rectify_below)
            points[:, m] = np.where(here, got, 0.0)
            top[:, m] = np.where(here, cap, 0.0)
        else:
            got = np.where(here, loose[:, m], 0.0)
            bonus = bonus + got
            rectify[:, m] = fired[:, m]
            points[:, m] = got
            top[:, m] = np.where(here, item.bonus_cap, 0.0)
    status = np.where(absent, NOT_APPLICABLE_STATUS, state).astype(np.int8)
    shown_fraction = np.where(absent, np.nan, fraction)
    missing = (status == MISSING).sum(axis=1)

    # Dimensions (the scalar `_score_dimensions`): sums item after item.
    renormalised = absent.any(axis=1)
    dims = plan.dimensions
    shape = (n, len(dims))
    d_points, d_max, d_also, d_also_max, d_bonus = (np.zeros(shape) for _ in range(5))
    for d, dim in enumerate(dims):
        d_points[:, d] = _sum(points, dim.primary, n)
        d_also[:, d] = _sum(points, dim.also, n)
        d_bonus[:, d] = _sum(points, dim.bonuses, n)
        d_max[:, d] = np.where(renormalised, _sum(top, dim.primary, n), dim.weight)
        d_also_max[:, d] = np.where(renormalised, _sum(top, dim.also, n), dim.also_weight)
    whole = d_max + d_also_max
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(whole > 0, (d_points + d_also) / np.where(whole > 0, whole, 1.0), np.nan)

    total = base + bonus
    applies = kept > 0
    order = plan.output
    codes = tuple(items[m].code for m in order)
    veto_items = [
        (m, item.code, item.params) for m, item in enumerate(items) if item.kind == "veto"
    ]
    grades: list[str | None] = []
    stars: list[int | None] = []
    vetoes: list[tuple[str, ...]] = []
    for row in range(n):
        hits = [
            engine.VetoHit(code, params["cap_grade"], params["cap_stars"])
            for m, code, params in veto_items
            if fired[row, m]
        ]
        vetoes.append(tuple(hit.code for hit in hits))
        if applies[row]:
            grade = engine._grade(plan, framework, float(total[row]), hits)
            grades.append(grade.grade)
            stars.append(grade.stars)
        else:
            grades.append(None)
            stars.append(None)
    return Batch(
        codes=codes,
        points=points[:, order],
        max=top[:, order],
        fraction=shown_fraction[:, order],
        status=status[:, order],
        rectify=rectify[:, order],
        triggered=fired[:, order],
        dimensions=tuple(dim.code for dim in dims),
        dim_points=d_points,
        dim_max=d_max,
        dim_also_points=d_also,
        dim_also_max=d_also_max,
        dim_bonus=d_bonus,
        dim_share=share,
        base=base,
        bonus=bonus,
        deductions=deductions,
        total=total,
        max_total=np.where(applies, total_points, 0.0),
        grade=grades,
        stars=stars,
        vetoes=vetoes,
        missing=missing,
    )


def _sum(matrix: np.ndarray, columns: Sequence[int], n: int) -> np.ndarray:
    """The columns added one after the other, from 0 (Python's ``sum`` of the same floats)."""
    acc = np.zeros(n)
    for m in columns:
        acc = acc + matrix[:, m]
    return acc
