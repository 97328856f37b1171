"""`core.xlsx`: rows written into an openpyxl workbook's long sheets, read back with openpyxl."""

import datetime
import io
import shutil
import subprocess
import tempfile
import zipfile
from decimal import Decimal
from unittest import mock

import pytest
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from core import xlsx

# LibreOffice's CSV filter: comma, double quote, UTF-8 (76).
CSV_UTF8 = "csv:Text - txt - csv (StarCalc):44,34,76"


def header_book(*titles, widths=(12, 30)):
    """A write-only workbook with one sheet per title, each with a bold header and widths."""
    book = Workbook(write_only=True)
    sheets = []
    for title in titles:
        sheet = book.create_sheet(title=title)
        for letter, width in zip("AB", widths, strict=False):
            sheet.column_dimensions[letter].width = width
        sheet.freeze_panes = "A2"
        header = []
        for label in ("代码", "名称"):
            cell = WriteOnlyCell(sheet, value=label)
            cell.font = Font(bold=True)
            cell.fill = PatternFill("solid", fgColor="F3E5E5")
            header.append(cell)
        sheet.append(header)
        sheets.append(sheet)
    return book, sheets


def written(rows, path, **options):
    """The rows written below a header, read back: (sheet, its rows after the header)."""
    book, (sheet,) = header_book("值")
    xlsx.save(book, path, [xlsx.Rows(sheet, rows, **options)])
    read = load_workbook(path).worksheets[0]
    return read, list(read.iter_rows(min_row=2, values_only=True))


def test_numbers_booleans_dates_and_text_keep_their_types(tmp_path):
    moment = datetime.datetime(2026, 11, 26, 20, 39)
    row = (7, 2.5, -0.125, True, False, datetime.date(2026, 3, 1), moment, "文本", Decimal("1.5"))

    sheet, rows = written([row], tmp_path / "t.xlsx")

    # openpyxl reads a date back as midnight of that day
    assert rows == [(*row[:5], datetime.datetime(2026, 3, 1), *row[6:8], 1.5)]
    cells = next(sheet.iter_rows(min_row=2))
    assert [cell.data_type for cell in cells] == ["n", "n", "n", "b", "b", "d", "d", "s", "n"]
    assert cells[5].number_format == "yyyy-mm-dd"
    assert cells[6].number_format == "yyyy-mm-dd h:mm:ss"
    assert type(cells[0].value) is int


def test_none_and_empty_text_leave_the_cell_empty_and_the_next_in_its_column(tmp_path):
    sheet, rows = written([(None, "", "三", None, 4), ("a",)], tmp_path / "t.xlsx")

    assert rows == [(None, None, "三", None, 4), ("a", None, None, None, None)]
    assert sheet["C2"].value == "三"
    assert sheet["E2"].value == 4


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("A&B <b>粗</b> x>y", "A&B <b>粗</b> x>y"),
        ("&amp; &lt; ]]> <![CDATA[x]]>", "&amp; &lt; ]]> <![CDATA[x]]>"),
        ("\"quoted\" 'single'", "\"quoted\" 'single'"),
        ("bell\x07 nul\x00 esc\x1b vt\x0b ff\x0c end", "bell nul esc vt ff end"),
        ("tab\tline\nbreak", "tab\tline\nbreak"),
        ("windows\r\nline", "windows\r\nline"),
        ("  padded  ", "  padded  "),
        ("中国共产党第一党支部（支部委员会）", "中国共产党第一党支部（支部委员会）"),
        ("emoji 🎉 and 𠀀", "emoji 🎉 and 𠀀"),
        ("half \ud800 pair and \ufffe\uffff", "half  pair and "),
        ('=HYPERLINK("http://evil")', '\'=HYPERLINK("http://evil")'),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\x01", None),
    ],
)
def test_awkward_text_reads_back_as_typed(tmp_path, text, read):
    sheet, rows = written([("x", text)], tmp_path / "t.xlsx")

    assert rows == [("x", read)]
    assert sheet["B2"].data_type == ("s" if read is not None else "n")


def test_long_text_is_kept_up_to_excels_limit_of_a_cell(tmp_path):
    long = "长" * 20_000 + "&<"
    longer = "字" * 40_000

    _sheet, rows = written([(long, longer)], tmp_path / "t.xlsx")

    assert rows == [(long, "字" * 32_767)]


def test_the_header_styles_widths_and_frozen_row_stay_as_openpyxl_wrote_them(tmp_path):
    sheet, _rows = written([("1", "x")], tmp_path / "t.xlsx")

    assert sheet["A1"].value == "代码"
    assert sheet["A1"].font.bold
    assert sheet["A1"].fill.fgColor.rgb == "00F3E5E5"
    assert not sheet["A2"].font.bold
    assert sheet.column_dimensions["B"].width == 30
    assert sheet.freeze_panes == "A2"


def test_rows_follow_a_header_of_several_rows(tmp_path):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="S")
    sheet.append(["title"])
    sheet.append([])
    sheet.append(["a", "b"])
    xlsx.save(book, tmp_path / "t.xlsx", [xlsx.Rows(sheet, [(1, 2), (3, 4)])])

    read = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert list(read.iter_rows(values_only=True)) == [
        ("title", None),
        (None, None),
        ("a", "b"),
        (1, 2),
        (3, 4),
    ]


def test_a_sheet_given_no_row_by_openpyxl_starts_at_the_first(tmp_path):
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="S")
    xlsx.save(book, tmp_path / "t.xlsx", [xlsx.Rows(sheet, [("a", 1)])])

    read = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert list(read.iter_rows(values_only=True)) == [("a", 1)]


def test_no_rows_leave_a_valid_workbook_with_the_header_alone(tmp_path):
    sheet, rows = written([], tmp_path / "t.xlsx")

    assert rows == []
    assert [c.value for c in sheet[1]] == ["代码", "名称"]
    with zipfile.ZipFile(tmp_path / "t.xlsx") as archive:
        assert archive.testzip() is None


def test_every_sheet_stays_in_one_workbook_with_its_rows(tmp_path):
    book = Workbook(write_only=True)
    summary = book.create_sheet(title="Summary")
    summary.append(["总计", 3])
    first = book.create_sheet(title="First")
    first.append(["h"])
    between = book.create_sheet(title="Between")
    between.append([datetime.date(2026, 1, 2), "中"])
    second = book.create_sheet(title="Second")
    second.append(["h"])
    xlsx.save(
        book,
        tmp_path / "t.xlsx",
        [xlsx.Rows(first, [(1,), (2,)]), xlsx.Rows(second, [("b",)])],
    )

    read = load_workbook(tmp_path / "t.xlsx")
    assert read.sheetnames == ["Summary", "First", "Between", "Second"]
    assert [list(s.iter_rows(values_only=True)) for s in read.worksheets] == [
        [("总计", 3)],
        [("h",), (1,), (2,)],
        [(datetime.datetime(2026, 1, 2), "中")],
        [("h",), ("b",)],
    ]


def test_columns_past_z_are_placed_right(tmp_path):
    row = tuple(range(1, 31))
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title="Wide")
    xlsx.save(book, tmp_path / "t.xlsx", [xlsx.Rows(sheet, [row])])

    read = load_workbook(tmp_path / "t.xlsx").worksheets[0]
    assert read["AD1"].value == 30
    assert list(read.iter_rows(values_only=True)) == [row]


def test_progress_is_told_every_so_many_rows_and_the_count_kept(tmp_path):
    seen = []
    book, (sheet,) = header_book("值")
    stream = xlsx.Rows(sheet, ((i, str(i)) for i in range(25)), progress=seen.append, every=10)

    xlsx.save(book, tmp_path / "t.xlsx", [stream])

    assert seen == [10, 20]
    assert stream.written == 25


def test_text_is_written_right_after_its_cache_was_emptied(tmp_path):
    rows = [(f"名{i % 7}", f"&{i}") for i in range(50)]

    with mock.patch("core.xlsx.CACHE_SIZE", 5):
        _sheet, read = written(rows, tmp_path / "t.xlsx")

    assert read == rows


def test_lazy_text_subclasses_and_numbers_that_excel_cannot_hold(tmp_path):
    class Code(str):
        pass

    period = gettext_lazy("Period")
    row = (period, Code("C1"), float("nan"), float("inf"), 10**20)

    _sheet, rows = written([row], tmp_path / "t.xlsx")

    assert rows == [(str(period), "C1", "nan", "inf", 10**20)]


def test_what_a_cell_cannot_hold_is_refused(tmp_path):
    aware = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)

    with pytest.raises(TypeError, match="time zones"):
        written([(aware,)], tmp_path / "a.xlsx")
    with pytest.raises(TypeError, match="list"):
        written([([1, 2],)], tmp_path / "b.xlsx")


def test_a_workbook_is_written_to_a_file_object_too(tmp_path):
    book, (sheet,) = header_book("值")
    with tempfile.SpooledTemporaryFile(max_size=1 << 20) as out:
        xlsx.save(book, out, [xlsx.Rows(sheet, [("a", 1)])])
        out.seek(0)
        data = out.read()

    read = load_workbook(io.BytesIO(data)).worksheets[0]
    assert list(read.iter_rows(min_row=2, values_only=True)) == [("a", 1)]


@pytest.mark.skipif(not shutil.which("soffice"), reason="LibreOffice is not installed")
def test_libreoffice_reads_the_workbook(tmp_path):
    rows = [("A&B <c>", 1.5), ("中文\x07", True), ("=1+1", datetime.date(2026, 3, 1))]
    written(rows, tmp_path / "t.xlsx")

    subprocess.run(
        ["soffice", "--headless", "--convert-to", CSV_UTF8, "--outdir", str(tmp_path), "t.xlsx"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        timeout=120,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    text = (tmp_path / "t.csv").read_text(encoding="utf-8", errors="replace")
    assert "A&B <c>,1.5" in text
    assert "中文,TRUE" in text
    assert "'=1+1,2026-03-01" in text
