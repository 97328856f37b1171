"""Long sheets of a workbook written at the speed of the data (issue 19).

openpyxl's write-only mode writes some 55,000 cells a second on a quiet machine (a cell object,
its style and an lxml element each), so the term report's sheet of every value (1.1 million rows
of 13 cells) took minutes.
Here openpyxl still makes the workbook: every sheet with its header row, column widths, frozen
panes and styles, and the short sheets whole. A long sheet is given only its header there and
its rows are handed to `save` as a `Rows`: openpyxl writes the workbook to a temporary file,
then `save` copies it entry by entry into the target and, in the XML of each long sheet, writes
the rows right before ``</sheetData>`` as they come, a chunk at a time, so memory stays flat
whatever the row count.

A row's cells are typed as openpyxl types them: numbers as numbers, booleans as booleans, dates
and times as numbers with openpyxl's own date styles, text as inline strings (as openpyxl's
write-only mode writes them). Text is written as `core.cells.xlsx_value` makes it: stripped of
what XML cannot hold, made inert when it would start a formula, cut to Excel's 32,767
characters; and escaped for XML. None and empty text leave the cell empty. A short text's XML is
kept for its next occurrence (names repeat on every row) in a cache that is emptied when full.
"""

import datetime
import math
import re
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from django.utils.functional import Promise
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from core.cells import xlsx_value

__all__ = ["Rows", "save"]

# Rows per chunk of XML handed to the compressor.
CHUNK_ROWS = 2_000
# zlib's fastest level: the sheet's XML is very repetitive, so level 1 is within about a third of
# level 6 in size at a fraction of its time (docs/benchmarks.md, "Exports at speed").
COMPRESS_LEVEL = 1
# Texts whose XML is kept for their next occurrence: short ones (names, codes, units repeat on
# every row; a long comment seldom does), so the cache stays within a few megabytes.
CACHE_SIZE = 20_000
CACHED_LENGTH = 128
_LAST_ROW = re.compile(rb'<row r="(\d+)"')


@dataclass
class Rows:
    """The rows of a long sheet, written after the rows the sheet was given through openpyxl
    (its header). `progress` is told the count of rows written every `every` rows; `written`
    holds it at the end."""

    sheet: WriteOnlyWorksheet
    rows: Iterable[Sequence[Any]]
    progress: Callable[[int], None] | None = None
    every: int = CHUNK_ROWS
    written: int = 0


def save(book: Workbook, target: str | Path | IO[bytes], streams: Sequence[Rows]) -> None:
    """Write `book` to `target` (a path or a seekable binary file) with each stream's rows in
    its sheet. The workbook cannot be saved again, as with any write-only workbook."""
    styles = _Styles(book, streams[0].sheet) if streams else None
    by_path: dict[str, Rows] = {}
    with tempfile.TemporaryFile() as scratch:
        book.save(scratch)
        for stream in streams:
            by_path[stream.sheet.path.lstrip("/")] = stream
        scratch.seek(0)
        with (
            zipfile.ZipFile(scratch) as source,
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL) as out,
        ):
            for info in source.infolist():
                stream = by_path.get(info.filename)
                if stream is None:
                    out.writestr(info, source.read(info))
                    continue
                assert styles is not None
                _write_sheet(source.read(info), stream, styles, out, info.filename)


def _write_sheet(
    xml: bytes, stream: Rows, styles: "_Styles", out: zipfile.ZipFile, name: str
) -> None:
    if b"<sheetData/>" in xml:
        xml = xml.replace(b"<sheetData/>", b"<sheetData></sheetData>", 1)
    head, tail = xml.split(b"</sheetData>", 1)
    rows = _LAST_ROW.findall(head)
    first = int(rows[-1]) + 1 if rows else 1
    # Zip64 from the start: the XML of a long sheet can pass 4 GB, which cannot be known before
    # it is written (Excel since 2010, LibreOffice and openpyxl read it).
    with out.open(name, "w", force_zip64=True) as handle:
        handle.write(head)
        every = max(stream.every, 1)
        for count, chunk in _chunks(stream.rows, first, styles, min(CHUNK_ROWS, every)):
            handle.write(chunk)
            if stream.progress is not None and count // every > stream.written // every:
                stream.progress(count)
            stream.written = count
        handle.write(b"</sheetData>" + tail)


class _Styles:
    """Style ids of dates and times, as openpyxl gives a cell holding one (registered in the
    workbook before it is saved, so they are in its styles)."""

    def __init__(self, book: Workbook, sheet: WriteOnlyWorksheet) -> None:
        self.epoch = book.epoch
        self.date = str(WriteOnlyCell(sheet, value=datetime.date(2000, 1, 1)).style_id)
        self.datetime = str(WriteOnlyCell(sheet, value=datetime.datetime(2000, 1, 1)).style_id)


def _chunks(
    rows: Iterable[Sequence[Any]], first: int, styles: _Styles, size: int
) -> Iterator[tuple[int, bytes]]:
    """(rows written so far, UTF-8 XML of a chunk of rows), chunk after chunk."""
    texts: dict[str, str] = {}
    letters = [get_column_letter(index) for index in range(1, 27)]
    number = first
    out: list[str] = []
    for row in rows:
        if len(row) > len(letters):
            letters += [get_column_letter(i) for i in range(len(letters) + 1, len(row) + 1)]
        at = str(number)
        cells = ['<row r="', at, '">']
        for letter, value in zip(letters, row, strict=False):
            kind = type(value)
            if kind is str:
                xml = texts.get(value)
                if xml is None:
                    xml = _text(value)
                    if len(value) <= CACHED_LENGTH:
                        if len(texts) >= CACHE_SIZE:
                            texts.clear()
                        texts[value] = xml
                if xml:
                    cells.append(f'<c r="{letter}{at}{xml}')
            elif kind is int:
                cells.append(f'<c r="{letter}{at}"><v>{value}</v></c>')
            elif kind is float and math.isfinite(value):
                cells.append(f'<c r="{letter}{at}"><v>{value!r}</v></c>')
            elif kind is bool:
                cells.append(f'<c r="{letter}{at}" t="b"><v>{value:d}</v></c>')
            elif value is not None:
                xml = _other(value, styles)
                if xml:
                    cells.append(f'<c r="{letter}{at}{xml}')
        cells.append("</row>")
        out.append("".join(cells))
        number += 1
        if len(out) == size:
            yield number - first, "".join(out).encode()
            out = []
    if out:
        yield number - first, "".join(out).encode()


def _text(value: str) -> str:
    """A text cell's XML after its reference: attributes, content and end; "" when empty."""
    value = xlsx_value(value)
    if not value:
        return ""
    space = ' xml:space="preserve"' if value.strip() != value else ""
    # A carriage return as a reference: an XML reader turns a bare one into a line feed.
    text = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = text.replace("\r", "&#13;")
    return f'" t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _other(value: Any, styles: _Styles) -> str:
    """The XML after the reference of a cell that is not plain text, an int, a finite float or a
    boolean: a subclass of those, a decimal, a date, a time, lazy text."""
    if isinstance(value, bool):
        return f'" t="b"><v>{value:d}</v></c>'
    if isinstance(value, int | float | Decimal):
        if not math.isfinite(value):
            return _text(str(value))  # Excel holds no NaN or infinity: shown as text
        return f'"><v>{int(value) if isinstance(value, int) else value}</v></c>'
    if isinstance(value, str | Promise):
        return _text(str(value))
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            raise TypeError("Excel holds no time zones: convert to local time first.")
        return f'" s="{styles.datetime}"><v>{to_excel(value, styles.epoch)!r}</v></c>'
    if isinstance(value, datetime.date):
        return f'" s="{styles.date}"><v>{to_excel(value, styles.epoch)}</v></c>'
    raise TypeError(f"Cannot write {type(value).__name__} to a workbook cell: {value!r}")
