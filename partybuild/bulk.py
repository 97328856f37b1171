"""Bulk inserts of database-ready rows, skipping the ORM.

Django's bulk_create spends most of its time preparing values and compiling SQL at the volumes
of a full score run (hundreds of thousands of rows): `insert_rows` streams rows through one COPY
on PostgreSQL (psycopg2) and one executemany elsewhere.
"""

import csv
import io
from collections.abc import Iterable, Sequence

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


def _copy_rows(rows: Iterable[Sequence]) -> Iterable[Sequence]:
    for row in rows:
        yield [NULL if value is None else value for value in row] if None in row else row


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
            buffer = io.StringIO()
            # Numbers and booleans bare, every other value quoted (see _Null).
            writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
            writer.writerows(_copy_rows(rows))
            buffer.seek(0)
            target = table
            if ignore_conflicts:
                target = quote(f"staging_{model._meta.db_table}")
                cursor.execute(f"DROP TABLE IF EXISTS {target}")
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {target} AS SELECT {column_list} FROM {table} "
                    "WITH NO DATA"
                )
            with connection.wrap_database_errors:  # Django's exceptions, as for execute()
                raw.copy_expert(
                    f"COPY {target} ({column_list}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                    buffer,
                )
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
