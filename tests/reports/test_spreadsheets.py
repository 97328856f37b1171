"""The report's workbook as openpyxl reads it back: the long sheets written by `core.xlsx` hold
every row with its type, awkward text as typed, and an empty report is still a workbook."""

import datetime
import zipfile
from unittest import mock

import pytest
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import load_workbook

from assessment.models import IndicatorValue
from core.cells import xlsx_value
from reports import selectors
from tests.factories import RectificationFactory

pytestmark = pytest.mark.django_db

VALUES, RECTIFICATIONS, APPROVALS = 3, 4, 5


def sheet_rows(report, index):
    book = load_workbook(report.file.path)
    return book, list(book.worksheets[index].iter_rows(values_only=True))


def as_read(row):
    """A row as openpyxl reads back what the writer was given: empty text is an empty cell."""
    return tuple(xlsx_value(value) if value != "" else None for value in row)


def test_the_values_sheet_holds_every_value_row_with_its_type(scored, tree, dave, make_report):
    report = make_report(dave, tree.a, "xlsx")

    book, rows = sheet_rows(report, VALUES)

    expected = [as_read(row) for row in selectors.value_rows(report)]
    assert len(expected) == 8
    assert rows[1:] == expected
    sheet = book.worksheets[VALUES]
    assert sheet.title == _("Indicator values")
    assert [c.value for c in sheet[1]][:3] == [
        _("Period"),
        _("Organization code"),
        _("Organization"),
    ]
    assert all(c.font.bold for c in sheet[1])
    assert sheet.column_dimensions["G"].width == 30
    by_indicator = {row[5]: row for row in rows[1:] if row[1] == "A1b" and row[0] == "2026年度"}
    assert by_indicator["C1.01"][8] == 9  # a number entered as a number
    assert by_indicator["C2.01"][8] is False  # a yes/no as a boolean
    stored = IndicatorValue.objects.get(
        submission__organization=tree.a1b, submission__period=scored[1], indicator__code="C1.01"
    )
    assert by_indicator["C1.01"][12] == f"{timezone.localtime(stored.updated_at):%Y-%m-%d %H:%M}"
    value_cells = [
        c for row in sheet.iter_rows(min_row=2) for c in row[8:11] if c.value is not None
    ]
    assert {c.data_type for c in value_cells} == {"n", "b"}
    texts = [c for row in sheet.iter_rows(min_row=2) for c in row[:8] if c.value is not None]
    assert {c.data_type for c in texts} == {"s"}


def test_awkward_text_survives_in_the_values_sheet(scored, tree, dave, make_report):
    tree.a1a.name = "甲一第一支部 & <第二小组> \x07"
    tree.a1a.save()
    long = "复核意见：" + "材料齐全，" * 6_000
    reasons = {"C1.01": "补充材料 & 会议记录 <第3页>\r\n  第二行  ", "C2.01": long}
    for code, reason in reasons.items():
        IndicatorValue.objects.filter(
            submission__organization=tree.a1a, indicator__code=code
        ).update(review_reason=reason)

    report = make_report(dave, tree.a, "xlsx")

    _book, rows = sheet_rows(report, VALUES)
    mine = [row for row in rows[1:] if row[1] == "A1a"]
    assert {row[2] for row in mine} == {"甲一第一支部 & <第二小组> "}
    by_indicator = {row[5]: row[11] for row in mine}
    assert by_indicator["C1.01"] == "补充材料 & 会议记录 <第3页>\r\n  第二行  "
    assert by_indicator["C2.01"] == long[:32_767]


def test_the_rectifications_sheet_keeps_dates_as_dates_and_flags_as_booleans(
    scored, tree, dave, make_report
):
    RectificationFactory(
        organization=tree.a1a,
        period=scored[1],
        indicator_code="C1.01",
        due_date=datetime.date(2020, 1, 31),
        plan="整改计划 & <时间表>",
    )

    report = make_report(dave, tree.a, "xlsx")

    book, rows = sheet_rows(report, RECTIFICATIONS)
    mine = [at for at, row in enumerate(rows, 1) if row[9] == "整改计划 & <时间表>"]
    assert len(mine) == 1
    row = rows[mine[0] - 1]
    assert row[1:4] == ("A1a", "甲一第一支部", "C1.01")
    assert row[7] == datetime.datetime(2020, 1, 31)
    assert book.worksheets[RECTIFICATIONS].cell(mine[0], 8).number_format == "yyyy-mm-dd"
    assert row[8] is True  # open and past its due date
    others = [row for row in rows[1:] if row[9] != "整改计划 & <时间表>"]
    assert others
    assert all(isinstance(row[7], datetime.datetime) for row in others)
    assert all(isinstance(row[8], bool) for row in others)


def test_a_report_without_values_is_still_a_workbook_with_every_header(
    scored, tree, erin, make_report
):
    report = make_report(erin, tree.b, "xlsx")  # no counted submission below B

    assert report.status == "done", report.error
    with zipfile.ZipFile(report.file.path) as archive:
        assert archive.testzip() is None
    book = load_workbook(report.file.path)
    titles = [_("Indicator values"), _("Rectifications"), _("Approvals")]
    assert book.sheetnames[VALUES : APPROVALS + 1] == titles
    for index in (VALUES, RECTIFICATIONS, APPROVALS):
        rows = list(book.worksheets[index].iter_rows(values_only=True))
        assert len(rows) == 1
        assert rows[0][0] == _("Period")


def test_values_past_the_rows_of_a_sheet_go_on_to_the_next_sheet(scored, tree, dave, make_report):
    """Excel and LibreOffice read 1,048,576 rows of a sheet: a whole group's 1.1 million values
    went past them into rows they never showed."""
    with mock.patch("reports.spreadsheets.SHEET_ROWS", 4):  # a header and 3 values a sheet
        report = make_report(dave, tree.a, "xlsx")

    book = load_workbook(report.file.path)
    title = _("Indicator values")
    assert book.sheetnames[VALUES : VALUES + 4] == [
        title,
        f"{title} (2)",
        f"{title} (3)",
        _("Rectifications"),
    ]
    parts = [list(book.worksheets[VALUES + i].iter_rows(values_only=True)) for i in range(3)]
    assert [len(rows) for rows in parts] == [4, 4, 3]
    assert all(rows[0][0] == _("Period") for rows in parts)
    assert [row for rows in parts for row in rows[1:]] == [
        as_read(row) for row in selectors.value_rows(report)
    ]
