"""Spreadsheet cells safe to open: text typed by users never runs as a formula.

A cell starting with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some
spreadsheet programs strip before reading the rest) is taken for a formula by Excel and
LibreOffice, in XLSX and CSV alike. Every export passes user text through `neutralise`, which
prefixes such text with an apostrophe: shown as typed, never evaluated (the OWASP advice).
"""

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value, with text that would start a formula made inert; other types as they are."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralise_row(row) -> list:
    return [neutralise(value) for value in row]
