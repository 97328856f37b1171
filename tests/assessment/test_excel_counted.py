"""The Excel round trip of indicators counted from records: the template shows the count beside
the value and takes an override reason; an upload lets a value left at its count (or empty)
follow the count, and refuses a different value without a reason, naming the indicator.

The tree of tests/conftest.py with the sourced framework (tests/sources_data.py): branch A1a's
submission is alice's; M1 counts its committee meetings, X1 is typed.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from assessment import excel
from assessment.models import IndicatorValue, Submission
from assessment.services import counted, excel_import, submissions
from organizations.scope import forget_grants
from organizations.services import assign_role
from tests.factories.records import MeetingFactory
from tests.sources_data import sourced_framework

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COUNTED = excel.COUNTED.header
REASON = excel.REASON.header
VALUE = excel.VALUE.header


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def framework_doc() -> dict:
    return sourced_framework()


@pytest.fixture
def submission(period, tree):
    """A1a's own submission, with one committee meeting on record (M1 counts 1)."""
    MeetingFactory(organization=tree.a1a)
    return period.submissions.get(organization=tree.a1a, subject_unit="organization")


def template(client, submission) -> Workbook:
    response = client.get(reverse("assessment:excel_template", args=[submission.pk]))
    assert response.status_code == 200, response.status_code
    return load_workbook(io.BytesIO(response.content))


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def columns(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[excel.HEADER_LINE] if cell.value}


def line_of(sheet, code: str, submission_id: int | None = None) -> int:
    header = columns(sheet)
    for row in range(excel.HEADER_LINE + 1, sheet.max_row + 1):
        if sheet.cell(row, header[excel.CODE.header]).value != code:
            continue
        if submission_id is None or (
            sheet.cell(row, header[excel.SUBMISSION.header]).value == submission_id
        ):
            return row
    raise AssertionError(f"no row for {code}")


def cell(workbook: Workbook, code: str, header: str, submission_id: int | None = None):
    sheet = workbook[excel.VALUES_SHEET]
    return sheet.cell(line_of(sheet, code, submission_id), columns(sheet)[header])


def fill(workbook: Workbook, code: str, value, reason=None, submission_id=None) -> Workbook:
    cell(workbook, code, VALUE, submission_id).value = value
    if reason is not None:
        cell(workbook, code, REASON, submission_id).value = reason
    return workbook


def row_of(submission, code) -> IndicatorValue:
    return IndicatorValue.objects.get(submission=submission, indicator__code=code)


def rejected(data: bytes, user) -> list[excel_import.Problem]:
    with pytest.raises(excel_import.ImportRejected) as caught:
        excel_import.import_workbook(data, acting_user=user)
    return caught.value.problems


def overridden(submission, alice, value="4", reason="另有三次会议在上级党委召开") -> Submission:
    counted.recount_submission(submission)
    return submissions.save_values(
        submission,
        {"M1": value},
        version=submission.version,
        acting_user=alice,
        overrides={"M1": reason},
    )


# The template ---------------------------------------------------------------------------------


def test_the_template_shows_the_count_beside_the_value_and_an_override_reason_column(
    client_for, alice, submission
):
    workbook = template(client_for(alice), submission)
    headers = [c.value for c in workbook["values"][excel.HEADER_LINE]]
    assert headers[headers.index(VALUE) - 1 : headers.index(VALUE) + 2] == [COUNTED, VALUE, REASON]
    # The value is pre-filled with the count (the template counted it afresh).
    assert cell(workbook, "M1", COUNTED).value == 1
    assert cell(workbook, "M1", VALUE).value == 1
    assert cell(workbook, "M1", REASON).value is None
    note = cell(workbook, "M1", excel.NOTE.header).value
    assert note.startswith("Counted from records: meetings of the kind the organization held")
    assert "override reason" in note
    # A typed indicator has no count and takes no reason.
    assert cell(workbook, "X1", COUNTED).value is None
    assert cell(workbook, "X1", excel.NOTE.header).value == "A whole number of 0 or more."


def test_the_reason_is_unlocked_on_counted_rows_only(client_for, alice, submission):
    workbook = template(client_for(alice), submission)
    assert cell(workbook, "M1", REASON).protection.locked is False
    assert cell(workbook, "X1", REASON).protection.locked is True
    assert cell(workbook, "M1", COUNTED).protection.locked is True


def test_an_overridden_value_is_shown_with_its_reason(client_for, alice, submission):
    overridden(submission, alice)
    workbook = template(client_for(alice), submission)
    assert cell(workbook, "M1", COUNTED).value == 1
    assert cell(workbook, "M1", VALUE).value == 4
    assert cell(workbook, "M1", REASON).value == "另有三次会议在上级党委召开"


def test_the_committee_template_counts_every_submission(client_for, carol, tree, period):
    assign_role(user=carol, organization=tree.a, role="secretary")
    forget_grants(carol)
    MeetingFactory(organization=tree.a1a)
    MeetingFactory(organization=tree.a1b)
    MeetingFactory(organization=tree.a1b)
    response = client_for(carol).get(
        reverse("assessment:excel_bulk_template", args=[period.pk]), {"org": tree.a.pk}
    )
    workbook = load_workbook(io.BytesIO(response.content))
    for organization, count in ((tree.a1a, 1), (tree.a1b, 2)):
        own = period.submissions.get(organization=organization, subject_unit="organization")
        assert cell(workbook, "M1", COUNTED, own.pk).value == count
        assert cell(workbook, "M1", VALUE, own.pk).value == count


# The upload -----------------------------------------------------------------------------------


def test_a_value_left_at_its_count_changes_nothing(client_for, alice, submission):
    workbook = template(client_for(alice), submission)
    outcome = excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    assert outcome.saved == []
    assert Submission.objects.get(pk=submission.pk).version == submission.version


def test_a_different_value_with_a_reason_is_saved_as_an_override(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), "M1", 4, "另有三次会议在上级党委召开")
    outcome = excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    assert outcome.values_changed == 1
    row = row_of(submission, "M1")
    assert (row.value, row.counted, row.override_reason) == (4, 1, "另有三次会议在上级党委召开")


def test_a_different_value_without_a_reason_is_a_row_error_and_nothing_is_saved(
    client_for, alice, submission
):
    workbook = template(client_for(alice), submission)
    fill(workbook, "X1", 3)  # a good row: saved with the rest or not at all
    fill(workbook, "M1", 4)
    problems = rejected(to_bytes(workbook), alice)
    assert [(p.line, p.code) for p in problems] == [(line_of(workbook["values"], "M1"), "M1")]
    assert problems[0].message == (
        "M1 is counted from records (1): enter the counted value, or give the reason for a "
        "different value in the column “改填理由 Override reason”."
    )
    assert not IndicatorValue.objects.filter(submission=submission, indicator__code="X1").exists()
    assert row_of(submission, "M1").value == 1
    assert Submission.objects.get(pk=submission.pk).version == submission.version


def test_the_error_is_in_the_users_language(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), "M1", 4)
    with translation.override("zh-hans"):
        (problem,) = rejected(to_bytes(workbook), alice)
    assert problem.message.startswith("M1 由记录统计（1）")


def test_an_empty_value_follows_the_count_again(client_for, alice, submission):
    overridden(submission, alice)
    workbook = fill(template(client_for(alice), submission), "M1", None, "")
    excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    row = row_of(submission, "M1")
    assert (row.value, row.override_reason) == (1, "")


def test_the_count_typed_back_ends_the_override(client_for, alice, submission):
    overridden(submission, alice)
    workbook = fill(template(client_for(alice), submission), "M1", 1)  # reason left in its cell
    excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    row = row_of(submission, "M1")
    assert (row.value, row.override_reason) == (1, "")


def test_a_reason_cleared_from_an_override_is_refused(client_for, alice, submission):
    overridden(submission, alice)
    workbook = fill(template(client_for(alice), submission), "M1", 4, "")
    (problem,) = rejected(to_bytes(workbook), alice)
    assert problem.code == "M1"
    assert row_of(submission, "M1").override_reason == "另有三次会议在上级党委召开"


def test_a_value_left_at_the_count_shown_follows_a_count_that_moved_since(
    client_for, alice, submission, tree
):
    workbook = template(client_for(alice), submission)  # M1: 1
    MeetingFactory(organization=tree.a1a)
    counted.recount_submission(submission)  # M1: 2 now
    fill(workbook, "X1", 3)
    excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    row = row_of(submission, "M1")
    assert (row.value, row.counted, row.override_reason) == (2, 2, "")
    assert row_of(submission, "X1").value == 3


def without_reasons(workbook: Workbook) -> Workbook:
    """The workbook as a template of before the reason column was (the column deleted)."""
    sheet = workbook[excel.VALUES_SHEET]
    sheet.protection.sheet = False
    sheet.delete_cols(columns(sheet)[REASON])
    return workbook


def test_a_template_without_the_reason_column_keeps_an_override_left_as_it_is(
    client_for, alice, submission
):
    overridden(submission, alice)
    workbook = fill(without_reasons(template(client_for(alice), submission)), "X1", 3)
    excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    row = row_of(submission, "M1")
    assert (row.value, row.override_reason) == (4, "另有三次会议在上级党委召开")
    assert row_of(submission, "X1").value == 3


def test_a_template_without_the_reason_column_cannot_override(client_for, alice, submission):
    overridden(submission, alice)
    workbook = fill(without_reasons(template(client_for(alice), submission)), "M1", 5)
    (problem,) = rejected(to_bytes(workbook), alice)
    assert problem.code == "M1"
    assert row_of(submission, "M1").value == 4


def test_an_override_reason_too_long_is_refused(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), "M1", 4, "理" * 2001)
    (problem,) = rejected(to_bytes(workbook), alice)
    assert problem.message == "The override reason of M1 is longer than 2000 characters."


def test_the_upload_page_lists_the_row_error(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), "M1", 4)
    response = client_for(alice).post(
        reverse("assessment:excel_upload"),
        {"file": SimpleUploadedFile("values.xlsx", to_bytes(workbook), XLSX)},
    )
    (problem,) = response.context["problems"]
    assert problem.code == "M1"
    assert "Override reason" in problem.message
