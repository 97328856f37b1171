"""Bulk inserts of database-ready rows, skipping the ORM.

Django's bulk_create spends most of its time preparing values and compiling SQL at the volumes
of a full score run (hundreds of thousands of rows): `insert_rows` streams rows through one COPY
on PostgreSQL (psycopg2) and one executemany elsewhere.

The COPY is fed lazily: rows are drawn from the iterable and written as CSV only as psycopg2
reads the stream, so the database parses and indexes one batch while Python makes the next (on
two cores the work of both sides overlaps), and a generator of rows is never held in memory.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice

from django.db import connection, models


class _Null(float):
    """How NULL is written into the COPY stream: the csv module leaves a number unquoted and
    writes a float by its repr, so this prints a bare ``\\N`` (the COPY's NULL marker), while every
    string, ``"\\N"`` included, is quoted and so never read as NULL. (Python 3.12's
    ``QUOTE_NOTNULL`` would do this without the trick; we support 3.11.)"""

    def __repr__(self) -> str:
        return "\\N"

    __str__ = __repr__


NULL = _Null()


STREAM_ROWS = 1000  # rows written per read of the COPY stream


class _CsvStream:
    """The file psycopg2's COPY FROM STDIN reads: each read makes the next batch of rows.

    psycopg2 sends whatever a read returns (the size it asks for is a hint) and stops at "".
    Numbers and booleans are written bare and every other value quoted (see _Null). psycopg2
    turns an exception raised while making rows into a cancelled COPY; `error` keeps the
    original for the caller to raise instead.
    """

    def __init__(self, rows: Iterable[Sequence]) -> None:
        self._rows: Iterator[Sequence] = iter(rows)
        self._buffer = io.StringIO()
        self._writer = csv.writer(self._buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
        self.error: BaseException | None = None

    def read(self, size: int = -1) -> str:
        try:
            batch = list(islice(self._rows, STREAM_ROWS))
        except BaseException as error:  # SystemExit and KeyboardInterrupt too
            self.error = error
            raise
        if not batch:
            return ""
        self._buffer.seek(0)
        self._buffer.truncate()
        self._writer.writerows(
            [NULL if value is None else value for value in row] if None in row else row
            for row in batch
        )
        return self._buffer.getvalue()


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
            stream = _CsvStream(rows)
            try:
                with connection.wrap_database_errors:  # Django's exceptions, as for execute()
                    raw.copy_expert(
                        f"COPY {target} ({column_list}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                        stream,
                    )
            except Exception:
                if stream.error is not None:  # the rows failed, not the database
                    raise stream.error from None
                raise
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
