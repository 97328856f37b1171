"""CSV and XLSX files of audit entries, written row by row in constant memory (the workbook's
rows by `core.xlsx`).

Every text cell goes through `core.cells.neutralise`, and XLSX text cells are typed as
strings, so nothing a user typed (a summary, a name) can run as a formula in a spreadsheet.
"""

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import xlsx
from core.cells import neutralise, xlsx_cell

# One sheet holds 1,048,576 rows; past this the export says it stopped.
XLSX_MAX_ROWS = 1_000_000
WIDTHS = {"A": 8, "B": 20, "C": 22, "D": 16, "E": 16, "F": 12, "G": 24, "H": 16, "I": 24, "J": 40}


def headers() -> list[str]:
    return [
        _("Entry"),
        _("Time"),
        _("Kind"),
        _("User"),
        _("Address"),
        _("Organization code"),
        _("Organization"),
        _("Period"),
        _("Target"),
        _("Summary"),
        _("Before"),
        _("After"),
        _("Previous hash"),
        _("Hash"),
    ]


def _plain(row: tuple) -> list[Any]:
    """A row's values as cells: local time, JSON as compact text, text made inert."""
    values = list(row)
    values[1] = timezone.localtime(values[1]).strftime("%Y-%m-%d %H:%M:%S")
    for index in (10, 11):
        if values[index] is not None:
            values[index] = json.dumps(values[index], ensure_ascii=False, sort_keys=True)
    return [neutralise(value) for value in values]


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[tuple]) -> Iterator[str]:
    """CSV text line by line (with a BOM so Excel reads UTF-8), for a StreamingHttpResponse."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([neutralise(h) for h in headers()])
    for row in rows:
        yield writer.writerow(_plain(row))


def _xlsx_rows(rows: Iterable[tuple]) -> Iterator[list[Any]]:
    for written, row in enumerate(rows):
        if written == XLSX_MAX_ROWS:
            yield [_("Stopped here: export fewer entries with filters.")]
            return
        yield _plain(row)


def write_xlsx(rows: Iterable[tuple]):
    """A spooled temporary file holding the workbook, rewound; the caller closes it. The header
    is openpyxl's, the rows are written by `core.xlsx` (text typed as text, as `xlsx_cell`)."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Audit trail"))
    for letter, width in WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.append([xlsx_cell(sheet, h) for h in headers()])
    # Handed to the response, which closes it once sent.
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    xlsx.save(book, out, [xlsx.Rows(sheet, _xlsx_rows(rows))])
    out.seek(0)
    return out
