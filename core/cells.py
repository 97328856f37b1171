"""Spreadsheet cells safe to open: text typed by users never runs as a formula.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheet programs strip before reading the rest) is taken for a formula by Excel and
LibreOffice, in XLSX and CSV alike. Every export passes user text through `neutralise`, which
prefixes such text with an apostrophe: shown as typed, never evaluated (the OWASP advice).
"""

import re
from typing import Any

from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# What XML 1.0 cannot hold: control characters but tab, newline and carriage return, halves of
# surrogate pairs (they cannot be encoded) and U+FFFE, U+FFFF. openpyxl strips the first only.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Excel's limit on the characters of a cell: it cannot hold a longer text.
MAX_TEXT = 32_767


def neutralise(value: Any) -> Any:
    """The value, with text that would start a formula made inert; other types as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(row) -> list:
    return [neutralise(value) for value in row]


def xlsx_value(value: Any) -> Any:
    """A value for a workbook cell: text made inert, stripped of the characters a workbook's XML
    cannot hold and cut to Excel's limit; other types as they are."""
    if isinstance(value, str):
        return neutralise(XML_ILLEGAL.sub("", value))[:MAX_TEXT]
    return value


def xlsx_cell(sheet, value: Any, **style) -> WriteOnlyCell:
    """A write-only cell whose text is typed as text: openpyxl would otherwise write a string
    starting with "=" as a formula."""
    cell = WriteOnlyCell(sheet, value=xlsx_value(value))
    if isinstance(value, str):
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
