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

from core.fastjson import dumps, loads

from ..models import Indicator, IndicatorValue, Submission
from ..scoring.batch import Cells

# One binary COPY row: a field count, then (length, value) per field, big-endian, never NULL.
_ROW = np.dtype(
    [
        ("fields", ">i2"),
        ("submission_length", ">i4"),
        ("submission", ">i8"),
        ("column_length", ">i4"),
        ("column", ">i8"),
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


def _values_sql(select: str, states: int, where: str = "") -> str:
    """The values of the period's submissions in [lo, hi) in `states`, of the indicators of one
    framework: `x` the value scored, `col` the indicator's column (its place among `codes`)."""
    quote = connection.ops.quote_name
    v = {f: quote(IndicatorValue._meta.get_field(f).column) for f in ("submission", "indicator")}
    value = quote(IndicatorValue._meta.get_field("value").column)
    reviewed = quote(IndicatorValue._meta.get_field("reviewed_value").column)
    s = {f: quote(Submission._meta.get_field(f).column) for f in ("id", "period", "state")}
    i = {f: quote(Indicator._meta.get_field(f).column) for f in ("id", "code", "framework")}
    if connection.vendor == "postgresql":
        columns = "unnest(%s::text[]) WITH ORDINALITY AS c(code, place)"
        column = "c.place - 1"
    else:
        columns = "json_each(%s) c"
        column = "c.key"
    sql = (
        f"SELECT {select} FROM (SELECT v.{v['submission']} AS submission_id, {column} AS col, "
        f"COALESCE(v.{reviewed}, v.{value}) AS x "
        f"FROM {quote(IndicatorValue._meta.db_table)} v "
        f"JOIN {quote(Submission._meta.db_table)} s ON s.{s['id']} = v.{v['submission']} "
        f"JOIN {quote(Indicator._meta.db_table)} i ON i.{i['id']} = v.{v['indicator']} "
        f"JOIN {columns} ON c.{'code' if connection.vendor == 'postgresql' else 'value'} "
        f"= i.{i['code']} "
        f"WHERE s.{s['period']} = %s AND s.{s['state']} IN ({', '.join(['%s'] * states)}) "
        f"AND i.{i['framework']} = %s "
        f"AND v.{v['submission']} >= %s AND v.{v['submission']} < %s) t"
    )
    return sql + (f" WHERE {where}" if where else "")


def read_cells(
    period_id: int,
    framework_id: int,
    states: Sequence[str],
    submission_ids: Sequence[int],
    codes: Sequence[str],
) -> Cells:
    """The values of `submission_ids` (sorted, counted submissions of the period), a row each
    in that order, a column per code of `codes` (the framework's indicators)."""
    cells = Cells.empty(codes, len(submission_ids))
    if not submission_ids:
        return cells
    ids = np.asarray(submission_ids, dtype=np.int64)
    if connection.vendor == "postgresql":
        params = [list(codes), period_id, *states, framework_id, int(ids[0]), int(ids[-1]) + 1]
        select = f"submission_id::int8, col::int8, ({_PG_KIND})::int2, ({_PG_NUMBER})"
        rows = _copy_binary(_values_sql(select, len(states)), params)
        rows = rows[np.isin(rows["submission"], ids)]
        row = np.searchsorted(ids, rows["submission"])
        cells.kind[row, rows["column"]] = rows["kind"]
        cells.number[row, rows["column"]] = rows["number"]
        sql = _values_sql(
            "submission_id, col, x::text",
            len(states),
            "jsonb_typeof(x) IN ('string', 'object', 'array') AND x <> '\"n/a\"'::jsonb "
            "OR (jsonb_typeof(x) = 'number' AND abs((x)::numeric) > 1e12)",
        )
        texts = _fetch(sql, params)
    else:  # SQLite keeps JSON as text: each value typed here
        params = [dumps(list(codes)), period_id, *states, framework_id, int(ids[0])]
        params.append(int(ids[-1]) + 1)
        texts = _fetch(_values_sql("submission_id, col, x", len(states)), params)
    position = {pk: index for index, pk in enumerate(submission_ids)}
    for submission, column, text in texts:
        row_index = position.get(submission)
        if row_index is None:
            continue
        cells.put(row_index, column, None if text is None else loads(text))
    return cells


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
