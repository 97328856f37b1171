"""Bulk inserts and updates of database-ready rows, skipping the ORM.

Django's bulk_create spends most of its time preparing values and compiling SQL at the volumes
of a full score run (hundreds of thousands of rows): `insert_rows` streams rows through one COPY
on PostgreSQL (psycopg2) and one executemany elsewhere. `copy_text` streams text its caller has
already written in COPY's text format, whole columns at a time (`copy_field` escapes a field).

The COPY is fed lazily: rows are drawn from the iterable and written out only as psycopg2
reads the stream, so the database parses and indexes one batch while Python makes the next (on
two cores the work of both sides overlaps), and a generator of rows is never held in memory.
"""

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import islice
from typing import Any

from django.db import connection, models

_SPECIAL = re.compile(r"[\\\t\n\r]").search
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(value: str) -> str:
    return value.translate(_ESCAPES) if _SPECIAL(value) else value


# COPY's text format: a value as PostgreSQL reads it, NULL as \N, and in text only the four
# characters the format uses escaped. Unlike CSV, JSON's many quotes are written as they are.
_FORMATS: dict[type, Callable[[Any], str]] = {
    str: _text,
    float: repr,
    int: str,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: "\\N",
}


def _field(value: Any) -> str:
    return _FORMATS.get(type(value), str)(value)


copy_field = _field  # one value as COPY's text format writes it


STREAM_ROWS = 1000  # rows written per read of the COPY stream


class _CopyStream:
    """The file psycopg2's COPY FROM STDIN reads: each read makes the next batch of rows.

    psycopg2 sends whatever a read returns (the size it asks for is a hint) and stops at "".
    psycopg2 turns an exception raised while making rows into a cancelled COPY; `error` keeps the
    original for the caller to raise instead.
    """

    def __init__(self, rows: Iterable[Sequence]) -> None:
        self._rows: Iterator[Sequence] = iter(rows)
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> str:
        try:
            batch = list(islice(self._rows, STREAM_ROWS))
        except BaseException as error:  # SystemExit and KeyboardInterrupt too
            self.error = error
            raise
        return "".join(["\t".join(map(_field, row)) + "\n" for row in batch])


class _TextStream:
    """The file COPY FROM STDIN reads when the caller writes the text: each read is the next
    chunk; like `_CopyStream`, it keeps an error raised while making a chunk."""

    def __init__(self, chunks: Iterable[str]) -> None:
        self._chunks: Iterator[str] = iter(chunks)
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> str:
        try:
            return next(self._chunks, "")
        except BaseException as error:
            self.error = error
            raise


def copy_text(model: type[models.Model], columns: Sequence[str], chunks: Iterable[str]) -> None:
    """Insert rows written in COPY's text format (fields joined by tabs, each line ending in a
    newline, NULL as ``\\N``, fields escaped as `copy_field` does) into the model's table, one
    chunk of whole lines at a time, as PostgreSQL reads them. PostgreSQL only: elsewhere, give
    `insert_rows` the values."""
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        _copy(
            getattr(cursor, "cursor", cursor),
            f"COPY {quote(model._meta.db_table)} ({column_list}) FROM STDIN",
            _TextStream(chunk for chunk in chunks if chunk),  # "" would end the COPY
        )


def _copy(raw: Any, statement: str, stream: _CopyStream | _TextStream) -> None:
    try:
        with connection.wrap_database_errors:  # Django's exceptions, as for execute()
            raw.copy_expert(statement, stream)
    except Exception:
        if stream.error is not None:  # the rows failed, not the database
            raise stream.error from None
        raise


def insert_rows(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Iterable[Sequence],
    *,
    ignore_conflicts: bool = False,
) -> None:
    """Insert rows of database-ready values (in the order of `columns`) into the model's table.

    With `ignore_conflicts`, a row that would break a unique constraint is skipped, as
    bulk_create(ignore_conflicts=True) does: on PostgreSQL the rows are copied into a temporary
    table first, then inserted from it with ON CONFLICT DO NOTHING.
    """
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    column_list = ", ".join(quote(column) for column in columns)
    with connection.cursor() as cursor:
        raw = getattr(cursor, "cursor", cursor)
        if connection.vendor == "postgresql" and hasattr(raw, "copy_expert"):
            target = table
            if ignore_conflicts:
                target = quote(f"staging_{model._meta.db_table}")
                cursor.execute(f"DROP TABLE IF EXISTS {target}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {target} AS SELECT {column_list} FROM {table} "
                    "WITH NO DATA"
                )
            _copy(raw, f"COPY {target} ({column_list}) FROM STDIN", _CopyStream(rows))
            if ignore_conflicts:
                cursor.execute(
                    f"INSERT INTO {table} ({column_list}) SELECT {column_list} FROM {target} "
                    "ON CONFLICT DO NOTHING"
                )
                cursor.execute(f"DROP TABLE {target}")
            return
        placeholders = ", ".join(["%s"] * len(columns))
        conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        cursor.executemany(
            f"INSERT INTO {table} ({column_list}) VALUES ({placeholders}){conflict}", rows
        )


def update_rows(model: type[models.Model], field_names: Sequence[str], rows: Iterable[Sequence]):
    """UPDATE rows by primary key, (pk, *values) per row in the order of `field_names`.

    One prepared statement executed for every row: bulk_update builds one CASE per field and
    batch, many times slower (measured on the people import: 6 s for 3,000 people).
    """
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    params = [
        [f.get_db_prep_save(value, connection) for f, value in zip(fields, values, strict=True)]
        + [pk]
        for pk, *values in rows
    ]
    if params:
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)
