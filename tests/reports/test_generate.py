"""Generating reports: the PDF, the workbook and the CSV, their snapshots, progress and retries."""

import csv
import hashlib
import io
import shutil
import subprocess
from unittest import mock

import pytest
from openpyxl import load_workbook

from assessment.models import IndicatorValue
from reports import selectors, services
from reports.models import Report, ReportLocked

pytestmark = pytest.mark.django_db


def pdf_text(path) -> str:
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    ).stdout


def test_a_pdf_report_names_the_organization_in_chinese(scored, tree, dave, make_report):
    report = make_report(dave, tree.a, "pdf")

    assert report.status == "done", report.error
    with report.file.open("rb") as handle:
        assert handle.read(5) == b"%PDF-"
    text = pdf_text(report.file.path)
    assert "甲公司党委" in text  # the cover
    assert "甲一党总支" in text  # the section of its direct child
    assert f"#{report.pk}" in text  # the footer
    assert report.content_sha256 in text.replace("\n", "").replace(" ", "")


def test_an_english_pdf_uses_the_english_names(scored, tree, dave, make_report):
    report = make_report(dave, tree.a, "pdf", language="en")

    text = pdf_text(report.file.path)
    assert "A Co." in text
    assert "Year 2026" in text


def test_a_finished_report_is_a_snapshot_with_the_hash_of_its_file(scored, tree, dave, make_report):
    report = make_report(dave, tree.a, "csv")

    with report.file.open("rb") as handle:
        content = handle.read()
    assert report.sha256 == hashlib.sha256(content).hexdigest()
    assert report.size == len(content)
    assert report.framework_versions == "TEST 2026"
    assert report.filename.endswith(".csv")
    report.progress = 5
    with pytest.raises(ReportLocked):
        report.save()
    with pytest.raises(ReportLocked):
        report.delete()


def test_a_finished_report_is_not_made_again(scored, tree, dave, make_report):
    report = make_report(dave, tree.a, "csv")

    again = services.generate(report.pk)

    assert again.sha256 == report.sha256
    assert again.file.name == report.file.name
    assert again.finished_at == report.finished_at


def test_a_retried_report_starts_over_and_stores_one_file(
    scored, tree, dave, make_report, settings
):
    with mock.patch("reports.services.enqueue"):
        report = make_report(dave, tree.a, "csv")
    Report.objects.filter(pk=report.pk).update(
        status="running", progress=40, attempts=1, task_id="task-1"
    )

    done = services.generate(report.pk, token="task-1")  # its task, delivered again

    assert done.status == "done"
    assert done.attempts == 2
    folder = settings.MEDIA_ROOT / "reports"
    files = [p for p in folder.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [done.file.name.rsplit("/", 1)[-1]]


def test_a_failed_report_says_why(scored, tree, dave, make_report):
    with mock.patch("reports.selectors.report_data", side_effect=RuntimeError("disk full")):
        report = make_report(dave, tree.a, "pdf")

    assert report.status == "failed"
    assert "disk full" in report.error


def test_progress_is_saved_step_by_step(scored, tree, dave, make_report):
    seen = []
    original = services._set_progress

    def spy(report_id, progress, step):
        seen.append(progress)
        original(report_id, progress, step)

    with (
        mock.patch("reports.services._set_progress", spy),
        mock.patch("reports.spreadsheets.PROGRESS_EVERY", 1),
    ):
        report = make_report(dave, tree.a, "xlsx")

    assert report.progress == 100
    assert seen == sorted(seen)
    assert len(set(seen)) >= 5


def test_the_workbook_has_formatted_sheets(scored, tree, dave, make_report):
    report = make_report(dave, tree.a, "xlsx")

    book = load_workbook(report.file.path)
    assert len(book.sheetnames) == 6  # summary, dimensions, children, values, rectifications, …
    summary = book.worksheets[0]
    assert summary["A1"].font.bold
    assert "甲公司党委" in summary["B2"].value
    values = book.worksheets[3]
    assert values["A1"].font.bold
    assert values.freeze_panes == "A2"
    rows = list(values.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 8  # 2 branches × 2 indicators × 2 periods
    assert rows[4][:3] == ("2026年度", "A1a", "甲一第一支部")
    assert book.worksheets[2].max_row == 3  # A1, its two periods
    approvals = list(book.worksheets[5].iter_rows(min_row=2, values_only=True))
    assert len(approvals) == 8  # submitted and approved, 2 branches × 2 periods


def test_the_csv_holds_the_raw_values(scored, tree, dave, make_report):
    report = make_report(dave, tree.a1, "csv")

    with report.file.open("rb") as handle:
        text = handle.read().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 9
    assert rows[-1][:3] == ["2026年度", "A1b", "甲一第二支部"]
    assert rows[-1][5] == "C2.01"
    assert rows[-1][10] == "false"


def test_spreadsheets_neutralise_formulas_in_names_and_comments(scored, tree, dave, make_report):
    tree.a1a.name = '=HYPERLINK("http://evil","x")'
    tree.a1a.save()
    IndicatorValue.objects.filter(submission__organization=tree.a1b).update(
        review_reason="+cmd|' /C calc'!A0"
    )
    IndicatorValue.objects.filter(
        submission__organization=tree.a1a, indicator__code="C1.01"
    ).update(review_reason="@SUM(1+1)")
    IndicatorValue.objects.filter(
        submission__organization=tree.a1a, indicator__code="C2.01"
    ).update(review_reason="-2+3")

    workbook = make_report(dave, tree.a, "xlsx")
    table = make_report(dave, tree.a, "csv")

    sheet = load_workbook(workbook.file.path).worksheets[3]
    cells = [cell for row in sheet.iter_rows(min_row=2) for cell in row]
    texts = [c.value for c in cells if isinstance(c.value, str)]
    assert all(c.data_type != "f" for c in cells)
    assert '\'=HYPERLINK("http://evil","x")' in texts
    assert "'+cmd|' /C calc'!A0" in texts
    assert "'@SUM(1+1)" in texts
    assert "'-2+3" in texts
    with table.file.open("rb") as handle:
        rows = list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))
    flat = [value for row in rows[1:] for value in row]
    assert not [v for v in flat if v[:1] in ("=", "+", "-", "@")]
    assert '\'=HYPERLINK("http://evil","x")' in flat


def test_the_report_data_is_read_in_a_bounded_number_of_queries(
    scored, tree, erin, make_report, django_assert_max_num_queries
):
    with mock.patch("reports.services.enqueue"):
        report = make_report(erin, tree.group, "pdf")
    # 16, and the effectiveness analysis: its levels, measures, trend's periods and figures.
    with django_assert_max_num_queries(20):
        data = selectors.report_data(report)
    assert [c["code"] for c in data["children"]] == ["A", "B"]
    assert data["approvals"]["total"] == 4


def test_generating_is_audited(scored, tree, dave, make_report):
    from audit.models import AuditEntry

    report = make_report(dave, tree.a, "csv")

    entry = AuditEntry.objects.get(kind="report.generated")
    assert entry.target == f"report:{report.pk}"
    assert entry.after["sha256"] == report.sha256


def test_the_root_is_ranked_among_the_roots(scored, tree, erin, make_report):
    """The group's summary says how many were ranked with it (it printed "1/None" before)."""
    report = make_report(erin, tree.group, "csv")

    summary = selectors.report_data(report)["summary"]
    assert [row["siblings"] for row in summary] == [1, 1]
    assert all(row["rank_siblings"] == 1 for row in summary)
