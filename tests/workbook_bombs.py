"""Archive bombs dressed as .xlsx workbooks, built on the fly (never stored in the repository)."""

import io
import zipfile

from openpyxl import Workbook

SHEET = "xl/worksheets/sheet1.xml"
_ROW = b'<row><c t="inlineStr"><is><t>' + b"A" * 1000 + b"</t></is></c></row>"


def small_workbook() -> bytes:
    workbook = Workbook()
    workbook.active.append(["code", "name", "kind", "parent_code"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_bomb(unpacked_bytes: int) -> bytes:
    """A real workbook whose first sheet is swapped for rows adding up to `unpacked_bytes`,
    streamed into the archive so the test never holds the unpacked text in memory."""
    original = zipfile.ZipFile(io.BytesIO(small_workbook()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bomb:
        for name in original.namelist():
            if name != SHEET:
                bomb.writestr(name, original.read(name))
        with bomb.open(SHEET, "w", force_zip64=True) as sheet:
            sheet.write(
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                b'2006/main"><sheetData>'
            )
            chunk = _ROW * 1000
            for _ in range(unpacked_bytes // len(chunk) + 1):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()
