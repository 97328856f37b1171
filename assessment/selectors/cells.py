"""The counted values of a period's submissions as typed cells, for the batch scoring engine.

A full recompute reads a million values. They are read as typed columns, not one JSON document
per submission: on PostgreSQL one ``COPY … TO STDOUT (FORMAT binary)`` of fixed-width rows
(submission, indicator, the value's kind, its number) that numpy reads as it comes, without a
Python object per value; the few values no number or boolean holds (an appraisal's votes, text)
are read again as JSON in a second, small query. SQLite (the embedded default, small groups)
reads each value's JSON text and types it in Python. Both give the same `Cells`.

The value scored is the reviewer's where set, as everywhere (``COALESCE(reviewed_value, value)``).
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from django.db import connection

from core.fastjson import loads

from ..models import Indicator, IndicatorValue, Submission
from ..scoring.batch import ABSENT, FLOAT, INTEGER, OTHER, Cells, typed_kind

# One binary COPY row: a field count, then (length, value) per field, big-endian, never NULL.
_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("submission_length", ">i4"),
        ("submission", ">i8"),
        ("indicator_length", ">i4"),
        ("indicator", ">i8"),
        ("kind_length", ">i4"),
        ("kind", ">i2"),
        ("number_length", ">i4"),
        ("number", ">f8"),
    ]
)
_HEADER = 19  # signature (11 bytes), flags (4), header extension length (4, always 0 here)
_TRAILER = 2  # a field count of -1

# A stored value's kind (see scoring.batch), computed by PostgreSQL. `x` is the value scored.
_PG_KIND = """CASE jsonb_typeof(x)
    WHEN 'number' THEN CASE WHEN abs((x)::numeric) > 1e12 THEN 7
                            WHEN scale((x)::numeric) = 0 THEN 3 ELSE 2 END
    WHEN 'boolean' THEN CASE WHEN (x)::boolean THEN 4 ELSE 5 END
    WHEN 'null' THEN 1
    WHEN 'string' THEN CASE WHEN x = '"n/a"'::jsonb THEN 6 ELSE 7 END
    ELSE CASE WHEN x IS NULL THEN 1 ELSE 7 END
END"""
_PG_NUMBER = """CASE WHEN jsonb_typeof(x) = 'number' AND abs((x)::numeric) <= 1e12
    THEN (x)::float8 ELSE 'NaN'::float8 END"""


def framework_columns(framework_id: int) -> tuple[dict[str, int], dict[int, int]]:
    """A column per indicator of the framework: by code, and the column of each indicator id."""
    columns: dict[str, int] = {}
    by_id: dict[int, int] = {}
    for column, (pk, code) in enumerate(
        Indicator.objects.filter(framework_id=framework_id).order_by("pk").values_list("pk", "code")
    ):
        columns[code] = column
        by_id[pk] = column
    return columns, by_id


def _values_sql(select: str, states: int, where: str = "") -> str:
    """The values of the period's submissions in [lo, hi) in `states`, `x` the value scored."""
    quote = connection.ops.quote_name
    v = {f: quote(IndicatorValue._meta.get_field(f).column) for f in ("submission", "indicator")}
    value = quote(IndicatorValue._meta.get_field("value").column)
    reviewed = quote(IndicatorValue._meta.get_field("reviewed_value").column)
    s = {f: quote(Submission._meta.get_field(f).column) for f in ("id", "period", "state")}
    values_table = quote(IndicatorValue._meta.db_table)
    submissions = quote(Submission._meta.db_table)
    sql = (
        f"SELECT {select} FROM (SELECT v.{v['submission']} AS submission_id, "
        f"v.{v['indicator']} AS indicator_id, COALESCE(v.{reviewed}, v.{value}) AS x "
        f"FROM {values_table} v JOIN {submissions} s ON s.{s['id']} = v.{v['submission']} "
        f"WHERE s.{s['period']} = %s AND s.{s['state']} IN ({', '.join(['%s'] * states)}) "
        f"AND v.{v['submission']} >= %s AND v.{v['submission']} < %s) t"
    )
    return sql + (f" WHERE {where}" if where else "")


def read_cells(
    period_id: int,
    states: Sequence[str],
    submission_ids: Sequence[int],
    columns: dict[str, int],
    column_of: dict[int, int],
) -> Cells:
    """The values of `submission_ids` (sorted, counted submissions of the period), a row each
    in that order; values of indicators outside `column_of` (another framework's) are left out."""
    n = len(submission_ids)
    kind = np.full((n, len(columns)), ABSENT, dtype=np.int8)
    number = np.full(kind.shape, np.nan)
    other: dict[tuple[int, int], object] = {}
    if not n:
        return Cells(columns, kind, number, other)
    ids = np.asarray(submission_ids, dtype=np.int64)
    params = [period_id, *states, int(ids[0]), int(ids[-1]) + 1]
    lookup = _column_lookup(column_of)
    if connection.vendor == "postgresql":
        select = f"submission_id::int8, indicator_id::int8, ({_PG_KIND})::int2, ({_PG_NUMBER})"
        rows = _copy_binary(_values_sql(select, len(states)), params)
        rows = rows[np.isin(rows["submission"], ids)]
        column = _columns_of(lookup, rows["indicator"])
        keep = column >= 0
        row = np.searchsorted(ids, rows["submission"][keep])
        kind[row, column[keep]] = rows["kind"][keep]
        number[row, column[keep]] = rows["number"][keep]
        sql = _values_sql(
            "submission_id, indicator_id, x::text",
            len(states),
            "jsonb_typeof(x) IN ('string', 'object', 'array') AND x <> '\"n/a\"'::jsonb "
            "OR (jsonb_typeof(x) = 'number' AND abs((x)::numeric) > 1e12)",
        )
        texts = _fetch(sql, params)
    else:  # SQLite keeps JSON as text: each value typed here
        texts = _fetch(_values_sql("submission_id, indicator_id, x", len(states)), params)
    position = {pk: index for index, pk in enumerate(submission_ids)}
    for submission, indicator, text in texts:
        row_index = position.get(submission)
        col = column_of.get(indicator)
        if row_index is None or col is None:
            continue
        raw = None if text is None else loads(text)
        cell = typed_kind(raw)
        kind[row_index, col] = cell
        if cell in (FLOAT, INTEGER):
            number[row_index, col] = raw
        elif cell == OTHER:
            other[row_index, col] = raw
    return Cells(columns, kind, number, other)


def _column_lookup(column_of: dict[int, int]) -> tuple[int, np.ndarray]:
    low = min(column_of, default=0)
    table = np.full(max(column_of, default=0) - low + 1, -1, dtype=np.int64)
    for pk, column in column_of.items():
        table[pk - low] = column
    return low, table


def _columns_of(lookup: tuple[int, np.ndarray], indicator_ids: np.ndarray) -> np.ndarray:
    low, table = lookup
    offset = indicator_ids.astype(np.int64) - low
    inside = (offset >= 0) & (offset < len(table))
    return np.where(inside, table[np.clip(offset, 0, len(table) - 1)], -1)


def _copy_binary(sql: str, params: list) -> np.ndarray:
    """Rows of `sql` through a binary COPY, as a structured array of `_ROW`."""
    buffer = io.BytesIO()
    with connection.cursor() as cursor:
        raw = cursor.cursor
        query = raw.mogrify(sql, params).decode()
        with connection.wrap_database_errors:
            raw.copy_expert(f"COPY ({query}) TO STDOUT WITH (FORMAT binary)", buffer)
    data = buffer.getbuffer()[_HEADER : len(buffer.getbuffer()) - _TRAILER]
    return np.frombuffer(data, dtype=_ROW).copy()


def _fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
