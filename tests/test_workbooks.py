"""The one guard every uploaded workbook passes: archive bombs are refused before openpyxl."""

import io
import os
import struct
import time
import zipfile

import pytest
from django.utils import translation

from core.workbooks import (
    MAX_MEMBERS,
    NotAnArchive,
    WorkbookRefused,
    check_archive,
    open_workbook,
)

from .workbook_bombs import SHEET, small_workbook, xlsx_bomb


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def zip_of(parts: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_real_workbook_opens():
    workbook = open_workbook(small_workbook())
    try:
        assert next(workbook.worksheets[0].iter_rows(values_only=True))[0] == "code"
    finally:
        workbook.close()


def test_a_bomb_unpacking_to_300_mb_is_refused_in_well_under_a_second():
    """GIVEN a 0.3 MB workbook whose sheet unpacks to 300 MB WHEN opened THEN it is refused from
    the archive's own figures, before anything is inflated."""
    data = xlsx_bomb(300 * 1024 * 1024)
    assert len(data) < 1024 * 1024

    started = time.perf_counter()
    with pytest.raises(WorkbookRefused, match=r"expands to more than 100\.0"):
        open_workbook(data)
    assert time.perf_counter() - started < 0.5


def test_a_part_compressed_like_a_bomb_is_refused_even_under_the_budget():
    data = xlsx_bomb(5 * 1024 * 1024)

    with pytest.raises(WorkbookRefused, match="compressed more than 100 times"):
        check_archive(data)


def test_parts_declaring_more_than_the_budget_are_refused(settings):
    settings.UPLOAD_MAX_BYTES = 100_000  # a budget of 1 MB unpacked
    data = zip_of({"xl/workbook.xml": b"<workbook/>", SHEET: os.urandom(1_100_000)})

    with pytest.raises(WorkbookRefused, match=r"expands to more than 976\.6"):
        check_archive(data)


def test_too_many_parts_are_refused():
    data = zip_of({f"xl/part{n}.xml": b"<x/>" for n in range(MAX_MEMBERS + 1)})

    with pytest.raises(WorkbookRefused, match="more than 1000 parts"):
        check_archive(data)


def test_a_part_that_unpacks_beyond_its_declared_size_is_refused():
    """GIVEN a sheet whose central directory declares 1,000 bytes for 5 MB of data WHEN checked
    THEN the inflated bytes disagree with the archive and it is refused before the parser."""
    data = bytearray(zip_of({"xl/workbook.xml": b"<workbook/>", SHEET: b" " * 5_000_000}))
    entry = data.rindex(b"PK\x01\x02")  # the sheet is the last entry of the central directory
    struct.pack_into("<I", data, entry + 24, 1_000)

    with pytest.raises(WorkbookRefused, match="not a valid XLSX"):
        check_archive(bytes(data))


@pytest.mark.parametrize("data", [b"", b"code,name\n", b"PK\x03\x04 broken"])
def test_what_is_not_a_zip_is_told_so(data):
    with pytest.raises(NotAnArchive):
        check_archive(data)
