"""Scores many subjects of one kind at once, column by column: the full recompute's engine.

``score_subject`` scores one subject and explains it (approvals, explanations, what-if);
``score_batch`` gives, for many subjects of one kind, exactly the numbers a stored score holds —
each indicator's points, maximum, fraction, status, rectify and veto flags, the dimensions, the
totals, grade, stars and vetoes — as arrays, one column per indicator. It follows the scalar
engine's plan (`engine._plan`) and its order of operations (sums are taken indicator after
indicator, as the scalar loop takes them), so both give the same floats, not merely close ones:
``tests/assessment/test_batch_scoring.py`` proves it on generated frameworks and values.

Values come typed (`Cells`): a kind and a float per cell. The kinds cover what stored values are
(numbers, integers, booleans, null, "n/a"); anything else (an appraisal's votes, text, a number
written as text) is an ``OTHER`` cell with its raw value, read and scored by the scalar engine's
own functions, as are whole columns of appraisal and text indicators. Formulas are computed per
subject by their compiled closure (``if`` evaluates one branch only, and an error is per subject),
then scored with the rest.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from . import engine
from .spec import (
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
        columns = {code: column for column, code in enumerate(codes)}
        kind = np.full((len(rows), len(columns)), ABSENT, dtype=np.int8)
        number = np.full(kind.shape, np.nan)
        other: dict[tuple[int, int], Any] = {}
        for row, values in enumerate(rows):
            for code, raw in values.items():
                column = columns[code]
                cell = typed_kind(raw)
                kind[row, column] = cell
                if cell in (FLOAT, INTEGER):
                    number[row, column] = raw
                elif cell == OTHER:
                    other[row, column] = raw
        return cls(columns, kind, number, other)

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
        present = self.kind[row] != ABSENT
        return {
            code: self.raw(row, column) for code, column in self.columns.items() if present[column]
        }


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
    # What formulas see, per subject: filled only when a formula needs it.
    env_values: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # item -> (value, usable)
    needed = {ref for _formula, refs in plan.formula_refs for ref in refs}
    envs: list[dict[str, Any]] | None = [{} for _ in range(n)] if plan.formula_refs else None

    for index, item in enumerate(plan.items):
        column = cells.columns.get(item.code)
        if item.formula is not None:
            refs = dict(plan.formula_refs)[index]
            for row in range(n):
                raw = None if column is None else cells.raw(row, column)
                _formula_cell(item, index, row, raw, refs, absent, arrays, envs)
            continue
        if column is None:  # nothing stored for it: missing everywhere
            kinds = np.full(n, ABSENT, dtype=np.int8)
            numbers = np.full(n, np.nan)
        else:
            kinds = cells.kind[:, column]
            numbers = cells.number[:, column]
        vector = item.kind != "appraisal" and item.indicator.value_type in _TYPED
        if vector:
            vector = isinstance(item.indicator.rubric, _VECTOR_RUBRICS) or item.kind == "none"
        if vector:
            env = _vector_column(index, item, kinds, numbers, absent, state, fraction, loose)
            triggered[:, index] = env[2]
            if index in needed:
                env_values[index] = env[:2]
            scalar_rows = np.nonzero(kinds == OTHER)[0]
        else:
            scalar_rows = np.arange(n)
        for row in scalar_rows.tolist():
            raw = None if column is None else cells.raw(row, column)
            _scalar_cell(item, index, row, raw, absent, arrays, envs)
        if envs is not None and vector and index in needed:
            # What the formulas see: the value, None when unusable, _NA when not applicable.
            value, usable = env_values[index]
            seen = np.where(usable, value, np.nan).astype(object)
            seen[np.isnan(value) | ~usable] = None
            seen[kinds == NA] = engine._NA
            code = item.code
            for row, (kind, env_value) in enumerate(
                zip(kinds.tolist(), seen.tolist(), strict=True)
            ):
                if kind != OTHER:  # an OTHER cell's was set by the scalar engine
                    envs[row][code] = env_value
    return _assemble(framework, plan, cells, absent, state, fraction, loose, triggered)


def _vector_column(
    index: int,
    item: engine._Item,
    kinds: np.ndarray,
    numbers: np.ndarray,
    absent: np.ndarray,
    state: np.ndarray,
    fraction: np.ndarray,
    loose: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A typed column read and scored as arrays (OTHER cells are left to the scalar path).

    Returns what formulas see (the value, whether it is usable) and whether a veto fired."""
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
    state[:, index] = np.where(na, SCORED, cell_state)
    if item.scored:
        fraction[:, index] = np.where(scored, frac, 0.0)
    else:
        loose[:, index] = np.where(scored, points, 0.0)
        fired = fired & scored
    return value, valid, fired


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
    item: engine._Item,
    index: int,
    row: int,
    raw: Any,
    absent: np.ndarray,
    arrays: _Readings,
    envs: list[dict[str, Any]] | None,
) -> None:
    """One cell read and scored by the scalar engine's own functions."""
    env = envs[row] if envs is not None else {}
    if type(raw) is str and is_not_applicable(raw):
        absent[row, index] = True
        arrays.not_applicable(index, row)
        env[item.code] = engine._NA
        return
    absent[row, index] = False
    read, _value, result, _notes = engine._read(item, raw, env)
    arrays.record(item, index, row, read, result)


def _formula_cell(
    item: engine._Item,
    index: int,
    row: int,
    raw: Any,
    refs: tuple[int, ...],
    absent: np.ndarray,
    arrays: _Readings,
    envs: list[dict[str, Any]],
) -> None:
    """A formula computed and scored for one subject from what its env holds."""
    env = envs[row]
    if (type(raw) is str and is_not_applicable(raw)) or any(absent[row, m] for m in refs):
        absent[row, index] = True
        arrays.not_applicable(index, row)
        env[item.code] = engine._NA
        return
    assert item.formula is not None
    read, _value, result, _notes = engine._compute(item, item.formula, raw, env)
    arrays.record(item, index, row, read, result)


def _assemble(
    framework: Framework,
    plan: engine._Plan,
    cells: Cells,
    absent: np.ndarray,
    state: np.ndarray,
    fraction: np.ndarray,
    loose: np.ndarray,
    triggered: np.ndarray,
) -> Batch:
    """Weights, points, dimensions, totals and grades from each item's reading."""
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
