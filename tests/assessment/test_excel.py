"""The Excel round trip: templates of one submission and of a committee, uploads all or nothing,
and every kind of broken workbook refused with a clear message and no change."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import Workbook, load_workbook

from assessment import excel
from assessment.models import IndicatorValue, Submission, ValueChange
from assessment.services import excel_import, submissions
from organizations.scope import forget_grants
from organizations.services import assign_role
from tests.factories import SubmissionFactory
from tests.html import page
from tests.workbook_bombs import xlsx_bomb

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def _english(client):
    """Messages are compared in English, the source language, in requests and out of them."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def framework_doc(framework_doc):
    """The small framework with one indicator of every other kind a template has to handle."""
    weights = {"C1.01": 30, "C2.01": 40}
    for indicator in framework_doc["indicators"]:
        indicator["weight"] = weights[indicator["code"]]
    common = {"applies_to": ["branch"], "frequency": "year", "dimension": "C1"}
    framework_doc["indicators"] += [
        {
            **common,
            "code": "P1.01",
            "name": {"zh": "学习覆盖率", "en": "Study coverage"},
            "value_type": "percentage",
            "unit": {"zh": "%", "en": "%"},
            "target": 100,
            "weight": 10,
            "rubric": {"kind": "linear", "floor": 0},
        },
        {
            **common,
            "code": "V1.01",
            "name": {"zh": "民主评议", "en": "Democratic appraisal"},
            "value_type": "appraisal",
            "weight": 10,
            "rubric": {"kind": "appraisal"},
        },
        {
            **common,
            "code": "T1.01",
            "name": {"zh": "工作亮点", "en": "Highlights"},
            "value_type": "text",
            "weight": 0,
            "rubric": {"kind": "none"},
        },
        {
            **common,
            "code": "F1.01",
            "name": {"zh": "学习强度", "en": "Study intensity"},
            "value_type": "number",
            "unit": {"zh": "分", "en": "points"},
            "target": 24,
            "weight": 10,
            "rubric": {
                "kind": "formula",
                "expr": "C1.01 * 2",
                "then": {"kind": "linear", "floor": 0},
            },
        },
    ]
    return framework_doc


@pytest.fixture
def committee_secretary(tree, carol):
    """Carol reviews for committee A and, here, also enters for it (a committee secretary):
    reviewers alone enter nothing, and committee templates list what the user may enter."""
    assign_role(user=carol, organization=tree.a, role="secretary")
    forget_grants(carol)
    return carol


def workbook_of(response) -> Workbook:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(response.content))


def to_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def template(client, submission) -> Workbook:
    return workbook_of(client.get(reverse("assessment:excel_template", args=[submission.pk])))


def bulk_template(client, period, organization) -> Workbook:
    url = reverse("assessment:excel_bulk_template", args=[period.pk])
    return workbook_of(client.get(url, {"org": organization.pk}))


def columns(sheet) -> dict[str, int]:
    """Header text → column number, from the header row."""
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


def fill(workbook: Workbook, values: dict, submission_id: int | None = None) -> Workbook:
    sheet = workbook[excel.VALUES_SHEET]
    value_column = columns(sheet)[excel.VALUE.header]
    for code, value in values.items():
        sheet.cell(line_of(sheet, code, submission_id), value_column).value = value
    return workbook


def upload(client, data: bytes, name: str = "values.xlsx"):
    return client.post(
        reverse("assessment:excel_upload"), {"file": SimpleUploadedFile(name, data, XLSX)}
    )


def stored(submission) -> dict:
    return dict(
        IndicatorValue.objects.filter(submission=submission).values_list("indicator__code", "value")
    )


def rejected(data: bytes, user) -> list[excel_import.Problem]:
    with pytest.raises(excel_import.ImportRejected) as caught:
        excel_import.import_workbook(data, acting_user=user)
    return caught.value.problems


def refused(data: bytes, user) -> str:
    with pytest.raises(excel.WorkbookError) as caught:
        excel_import.import_workbook(data, acting_user=user)
    return caught.value.message


def test_the_template_lists_the_entered_indicators_with_bilingual_headers(
    client_for, alice, submission
):
    workbook = template(client_for(alice), submission)
    assert workbook.sheetnames == ["values", "_meta"]
    assert workbook["_meta"].sheet_state == "hidden"
    sheet = workbook["values"]
    assert [c.value for c in sheet[excel.HEADER_LINE]] == [
        "指标编码 Code",
        "指标名称 Name",
        "单位 Unit",
        "目标 Target",
        "类型 Type",
        "数值 Value",
        "说明 Note",
    ]
    codes = [sheet.cell(r, 1).value for r in range(excel.HEADER_LINE + 1, sheet.max_row + 1)]
    # The formula indicator F1.01 is computed, never entered.
    assert codes == ["C1.01", "C2.01", "P1.01", "V1.01", "T1.01"]
    assert sheet.freeze_panes == "A3"
    assert sheet.cell(3, 4).value == 12  # C1.01's target


def test_only_the_value_column_is_unlocked_and_the_sheet_is_protected(
    client_for, alice, submission
):
    sheet = template(client_for(alice), submission)["values"]
    assert sheet.protection.sheet
    for row in range(excel.HEADER_LINE + 1, sheet.max_row + 1):
        assert sheet.cell(row, 6).protection.locked is False
        assert all(sheet.cell(row, col).protection.locked for col in (1, 2, 3, 4, 5, 7))


def test_value_cells_carry_drop_downs_and_number_checks(client_for, alice, submission):
    sheet = template(client_for(alice), submission)["values"]
    by_type = {dv.type: str(dv.sqref) for dv in sheet.data_validations.dataValidation}
    assert by_type["list"] == f"F{line_of(sheet, 'C2.01')}"
    assert by_type["whole"] == f"F{line_of(sheet, 'C1.01')}"
    assert by_type["decimal"] == f"F{line_of(sheet, 'P1.01')}"
    lists = [dv for dv in sheet.data_validations.dataValidation if dv.type == "list"]
    assert lists[0].formula1 == '"是,否"'
    percentage = next(dv for dv in sheet.data_validations.dataValidation if dv.type == "decimal")
    assert (percentage.formula1, percentage.formula2) == ("0", "100")


def test_the_template_shows_the_current_values(client_for, alice, submission):
    submissions.save_values(
        submission,
        {"C1.01": "8", "C2.01": "no", "V1.01": {"voters": 5, "excellent": 5}, "T1.01": "=1+1"},
        version=1,
        acting_user=alice,
    )
    sheet = template(client_for(alice), submission)["values"]
    values = {sheet.cell(r, 1).value: sheet.cell(r, 6) for r in range(3, sheet.max_row + 1)}
    assert values["C1.01"].value == 8
    assert values["C2.01"].value == "否"
    assert values["V1.01"].value == "5/5/0/0/0"
    # Text typed by users stays text: it never turns into a formula in someone's Excel.
    assert values["T1.01"].value == "=1+1"
    assert values["T1.01"].data_type == "s"
    assert values["P1.01"].value is None


def test_the_meta_sheet_names_the_submission_and_its_version(client_for, alice, submission):
    meta = template(client_for(alice), submission)["_meta"]
    pairs = {row[0]: row[1] for row in meta.iter_rows(values_only=True) if row and row[0]}
    assert pairs["format"] == excel.FORMAT_MARKER
    assert pairs["scope"] == "single"
    assert (pairs["framework"], pairs["framework_version"]) == ("TEST", "2026")
    assert pairs[submission.pk] == 1


def test_bob_cannot_download_alices_template(client_for, bob, frank, submission):
    url = reverse("assessment:excel_template", args=[submission.pk])
    assert client_for(bob).get(url).status_code == 404
    assert client_for(frank).get(url).status_code == 404


def test_an_auditor_may_download_a_template_of_what_they_see(client_for, dave, submission):
    template(client_for(dave), submission)


def test_a_filled_template_is_saved_with_history(client_for, alice, submission):
    client = client_for(alice)
    workbook = fill(
        template(client, submission),
        {"C1.01": 10, "C2.01": "是", "P1.01": 87.5, "V1.01": "30/20/8/2/0", "T1.01": "Good"},
    )
    response = upload(client, to_bytes(workbook))
    assert response.status_code == 302
    assert stored(submission) == {
        "C1.01": 10,
        "C2.01": True,
        "P1.01": 87.5,
        "V1.01": {"voters": 30, "excellent": 20, "competent": 8, "basic": 2, "incompetent": 0},
        "T1.01": "Good",
    }
    submission.refresh_from_db()
    assert submission.version == 2
    changes = ValueChange.objects.filter(submission=submission)
    assert changes.count() == 5
    assert {(c.changed_by.username, c.version, c.old) for c in changes} == {("alice", 2, None)}
    (saved,) = page(client.get(response["Location"])).messages()
    assert saved.startswith("Saved 5 changed values in 1 submissions")


def test_uploading_an_untouched_template_changes_nothing(client_for, alice, submission):
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=alice)
    client = client_for(alice)
    assert upload(client, to_bytes(template(client, submission))).status_code == 302
    submission.refresh_from_db()
    assert submission.version == 2  # not bumped by a save that changes nothing
    assert ValueChange.objects.filter(submission=submission).count() == 1


def test_an_emptied_value_cell_clears_the_value(client_for, alice, submission):
    submissions.save_values(submission, {"C1.01": "8"}, version=1, acting_user=alice)
    client = client_for(alice)
    upload(client, to_bytes(fill(template(client, submission), {"C1.01": None})))
    assert stored(submission)["C1.01"] is None
    assert ValueChange.objects.filter(submission=submission, old=8, new__isnull=True).exists()


def test_a_percentage_typed_with_a_percent_sign_is_read_as_shown(alice, client_for, submission):
    workbook = fill(template(client_for(alice), submission), {"P1.01": 0.85})
    sheet = workbook["values"]
    sheet.cell(line_of(sheet, "P1.01"), 6).number_format = "0%"  # what Excel does with "85%"
    excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    assert stored(submission)["P1.01"] == 85


def test_appraisal_votes_must_add_up(alice, client_for, submission):
    workbook = fill(template(client_for(alice), submission), {"V1.01": "30/20/8/2/1"})
    (problem,) = rejected(to_bytes(workbook), alice)
    assert (problem.line, problem.code) == (line_of(workbook["values"], "V1.01"), "V1.01")
    assert "add up to 31" in problem.message


def test_appraisal_votes_must_be_five_numbers(alice, client_for, submission):
    workbook = fill(template(client_for(alice), submission), {"V1.01": 30})
    (problem,) = rejected(to_bytes(workbook), alice)
    assert "voters/excellent/competent/basic/incompetent" in problem.message


def test_a_committee_template_covers_the_editable_submissions_of_the_subtree(
    client_for, committee_secretary, tree, period
):
    sheet = bulk_template(client_for(committee_secretary), period, tree.a)["values"]
    header = columns(sheet)
    assert list(header)[:3] == ["填报编号 Submission", "填报对象 Subject", "指标编码 Code"]
    ids = {
        sheet.cell(r, header["填报编号 Submission"]).value
        for r in range(excel.HEADER_LINE + 1, sheet.max_row + 1)
    }
    expected = set(
        period.submissions.filter(organization__in=[tree.a1a, tree.a1b]).values_list(
            "pk", flat=True
        )
    )
    assert ids == expected
    assert sheet.max_row == excel.HEADER_LINE + 2 * 5
    b1 = period.submissions.get(organization=tree.b1)
    assert b1.pk not in ids


def test_names_that_look_like_formulas_stay_text(client_for, committee_secretary, tree, period):
    Submission.objects.filter(organization=tree.a1b).update(subject_name='=HYPERLINK("x")')
    sheet = bulk_template(client_for(committee_secretary), period, tree.a)["values"]
    subjects = [sheet.cell(r, 2) for r in range(excel.HEADER_LINE + 1, sheet.max_row + 1)]
    hostile = [cell for cell in subjects if cell.value == '=HYPERLINK("x")']
    assert len(hostile) == 5
    assert {cell.data_type for cell in hostile} == {"s"}
    # The cells after it in the row are untouched.
    assert [sheet.cell(cell.row, 3).value for cell in hostile] == [
        "C1.01",
        "C2.01",
        "P1.01",
        "V1.01",
        "T1.01",
    ]


def test_a_committee_template_leaves_out_submissions_no_longer_editable(
    client_for, committee_secretary, tree, period
):
    Submission.objects.filter(organization=tree.a1b).update(state="submitted")
    sheet = bulk_template(client_for(committee_secretary), period, tree.a)["values"]
    assert sheet.max_row == excel.HEADER_LINE + 5


def test_a_committee_template_costs_the_same_queries_for_more_submissions(
    committee_secretary, tree, period
):
    def build() -> int:
        with CaptureQueriesContext(connection) as queries:
            excel_import.committee_template(period, user=committee_secretary, organization=tree.a)
        return len(queries)

    build()  # the framework is parsed once and cached
    before = build()
    for n in range(4):
        SubmissionFactory(period=period, organization__code=f"A1x{n}", organization__parent=tree.a1)
    assert build() == before


def test_a_reviewer_who_enters_nothing_gets_no_committee_template(client_for, carol, tree, period):
    url = reverse("assessment:excel_bulk_template", args=[period.pk])
    assert client_for(carol).get(url, {"org": tree.a.pk}).status_code == 404


def test_a_committee_template_of_another_committee_is_404(
    client_for, committee_secretary, tree, period
):
    url = reverse("assessment:excel_bulk_template", args=[period.pk])
    assert client_for(committee_secretary).get(url, {"org": tree.b.pk}).status_code == 404


def test_a_bulk_upload_saves_every_submission(client_for, committee_secretary, tree, period):
    client = client_for(committee_secretary)
    a1a = period.submissions.get(organization=tree.a1a)
    a1b = period.submissions.get(organization=tree.a1b)
    workbook = bulk_template(client, period, tree.a)
    fill(workbook, {"C1.01": 4, "C2.01": "是"}, a1a.pk)
    fill(workbook, {"C1.01": 6}, a1b.pk)
    assert upload(client, to_bytes(workbook)).status_code == 302
    assert stored(a1a) == {"C1.01": 4, "C2.01": True}
    assert stored(a1b) == {"C1.01": 6}
    a1a.refresh_from_db()
    a1b.refresh_from_db()
    assert (a1a.version, a1b.version) == (2, 2)


def test_one_bad_row_in_a_bulk_upload_saves_nothing_anywhere(
    client_for, committee_secretary, tree, period
):
    client = client_for(committee_secretary)
    a1a = period.submissions.get(organization=tree.a1a)
    a1b = period.submissions.get(organization=tree.a1b)
    workbook = bulk_template(client, period, tree.a)
    fill(workbook, {"C1.01": 4}, a1a.pk)
    fill(workbook, {"C1.01": "several"}, a1b.pk)
    response = upload(client, to_bytes(workbook))
    assert response.status_code == 200
    (problem,) = response.context["problems"]
    assert problem.line == line_of(workbook["values"], "C1.01", a1b.pk)
    assert problem.code == "C1.01"
    assert problem.message == "Enter a number."
    assert a1b.subject_name in problem.submission
    assert page(response).rows("#excel-problems > tbody") == [
        [str(problem.line), problem.submission, "C1.01", "Enter a number."]
    ]
    assert not IndicatorValue.objects.exists()
    assert not ValueChange.objects.exists()
    assert set(period.submissions.values_list("version", flat=True)) == {1}


def test_a_failure_while_saving_rolls_back_the_submissions_saved_before_it(
    committee_secretary, tree, period, monkeypatch
):
    """Checks pass, then the second save fails (as a concurrent change would): the first save
    is rolled back with it."""
    a1a = period.submissions.get(organization=tree.a1a)
    a1b = period.submissions.get(organization=tree.a1b)
    data = excel_import.committee_template(period, user=committee_secretary, organization=tree.a)
    workbook = load_workbook(io.BytesIO(data))
    fill(workbook, {"C1.01": 4}, a1a.pk)
    fill(workbook, {"C1.01": 6}, a1b.pk)
    real_save = submissions.save_values

    def save_then_fail(submission, values, **kwargs):
        if submission.pk == max(a1a.pk, a1b.pk):
            raise submissions.StaleVersion(7, [])
        return real_save(submission, values, **kwargs)

    monkeypatch.setattr(submissions, "save_values", save_then_fail)
    problems = rejected(to_bytes(workbook), committee_secretary)
    assert "changed since the template was downloaded" in problems[0].message
    assert not IndicatorValue.objects.exists()
    assert set(period.submissions.values_list("version", flat=True)) == {1}


def test_a_stale_template_is_refused(client_for, alice, submission):
    client = client_for(alice)
    workbook = fill(template(client, submission), {"C1.01": 10})
    submissions.save_values(submission, {"C1.01": "7"}, version=1, acting_user=alice)
    (problem,) = rejected(to_bytes(workbook), alice)
    assert "changed since the template was downloaded (version 1, now 2)" in problem.message
    assert "download a new template" in problem.message
    assert stored(submission) == {"C1.01": 7}


def test_a_stale_template_that_changes_nothing_is_accepted(client_for, alice, submission):
    client = client_for(alice)
    workbook = fill(template(client, submission), {"C1.01": 7})
    submissions.save_values(submission, {"C1.01": "7"}, version=1, acting_user=alice)
    outcome = excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    assert (outcome.saved, outcome.unchanged) == ([], 1)


def test_an_out_of_scope_submission_is_unknown_and_nothing_is_saved(
    client_for, committee_secretary, bob, tree, period
):
    """Bob uploads the committee's template: A1a is not his, so even his own rows are not saved."""
    a1a = period.submissions.get(organization=tree.a1a)
    a1b = period.submissions.get(organization=tree.a1b)
    workbook = bulk_template(client_for(committee_secretary), period, tree.a)
    fill(workbook, {"C1.01": 4}, a1a.pk)
    fill(workbook, {"C1.01": 6}, a1b.pk)
    (problem,) = rejected(to_bytes(workbook), bob)
    assert problem.message == f"Unknown submission {a1a.pk}."
    assert a1a.subject_name not in problem.submission
    assert not IndicatorValue.objects.exists()


def test_a_submission_not_in_the_template_is_unknown(client_for, committee_secretary, tree, period):
    b1 = period.submissions.get(organization=tree.b1)
    workbook = bulk_template(client_for(committee_secretary), period, tree.a)
    sheet = workbook["values"]
    sheet.cell(excel.HEADER_LINE + 1, 1).value = b1.pk
    problems = rejected(to_bytes(workbook), committee_secretary)
    assert [p.message for p in problems] == [f"Unknown submission {b1.pk}."]


@pytest.mark.parametrize("garbled", ["²", str(10**20)])
def test_a_garbled_submission_id_is_a_row_error(
    client_for, committee_secretary, tree, period, garbled
):
    """GIVEN a committee template whose submission cell holds a superscript digit or a number no
    id column holds, WHEN it is uploaded, THEN that row is refused with an error naming it and
    nothing is saved (the superscript reached int() and the whole file was called damaged)."""
    workbook = bulk_template(client_for(committee_secretary), period, tree.a)
    workbook["values"].cell(excel.HEADER_LINE + 1, 1).value = garbled
    problems = rejected(to_bytes(workbook), committee_secretary)
    assert garbled in problems[0].message
    assert not IndicatorValue.objects.exists()


def test_a_viewer_who_does_not_enter_is_refused(client_for, alice, dave, submission):
    workbook = fill(template(client_for(dave), submission), {"C1.01": 3})
    (problem,) = rejected(to_bytes(workbook), dave)
    assert problem.message == "You do not enter data for this organization."


def test_a_submitted_submission_is_not_changed(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    Submission.objects.filter(pk=submission.pk).update(state="submitted")
    (problem,) = rejected(to_bytes(workbook), alice)
    assert "Only a draft or a returned submission can be edited" in problem.message


def test_the_upload_page_is_404_for_users_who_enter_nothing(client_for, frank, carol, dave):
    url = reverse("assessment:excel_upload")
    for user in (frank, carol, dave):
        assert client_for(user).get(url).status_code == 404


def test_the_upload_page_offers_the_users_templates(client_for, alice, submission):
    offered = page(client_for(alice).get(reverse("assessment:excel_upload"))).within(
        "#excel-templates"
    )
    assert offered.has(f'a[href="{reverse("assessment:excel_template", args=[submission.pk])}"]')
    bulk = reverse("assessment:excel_bulk_template", args=[submission.period_id])
    assert offered.has(f'a[href^="{bulk}"]')


def test_a_workbook_without_a_values_sheet(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    workbook["values"].title = "Sheet1"
    message = refused(to_bytes(workbook), alice)
    assert "no sheet named “values”" in message
    assert "Sheet1" in message


def test_moved_columns_are_found_by_their_headers(client_for, alice, submission):
    workbook = template(client_for(alice), submission)
    old = workbook["values"]
    rows = [list(r) for r in old.iter_rows(values_only=True)]
    workbook.remove(old)
    moved = workbook.create_sheet("values", 0)
    for row in rows:
        moved.append([row[5], *row[:5], row[6]])  # Value first
    moved.cell(line_of(moved, "C1.01"), 1).value = 9
    excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    assert stored(submission) == {"C1.01": 9}


def test_a_renamed_value_header_is_refused_by_name(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    workbook["values"].cell(excel.HEADER_LINE, 6).value = "Amount"
    message = refused(to_bytes(workbook), alice)
    assert "“数值 Value” is missing or its header was changed" in message


def test_either_half_of_a_bilingual_header_is_enough(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    workbook["values"].cell(excel.HEADER_LINE, 1).value = "指标编码"
    workbook["values"].cell(excel.HEADER_LINE, 6).value = "value"
    excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    assert stored(submission) == {"C1.01": 3}


def test_text_in_a_number_cell_is_a_row_error(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": "twelve", "C2.01": "是"})
    (problem,) = rejected(to_bytes(workbook), alice)
    assert (problem.line, problem.code, problem.message) == (3, "C1.01", "Enter a number.")
    assert stored(submission) == {}


def test_a_formula_is_refused(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": "=SUM(4,5)"})
    (problem,) = rejected(to_bytes(workbook), alice)
    assert problem.code == "C1.01"
    assert problem.message == "Formulas are not accepted: enter the value itself."


def test_merged_cells_in_the_data_area_are_refused(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    workbook["values"].merge_cells("F3:F4")
    message = refused(to_bytes(workbook), alice)
    assert "Merged cells are not accepted" in message
    assert "F3:F4" in message


def test_a_merged_title_row_is_accepted(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    workbook["values"].merge_cells("A1:E1")
    excel_import.import_workbook(to_bytes(workbook), acting_user=alice)
    assert stored(submission) == {"C1.01": 3}


def test_a_password_protected_workbook_is_refused(alice):
    encrypted = (
        excel.OLE2_MAGIC
        + b"\x00" * 504
        + "EncryptionInfo".encode("utf-16-le")
        + b"\x00" * 50
        + "EncryptedPackage".encode("utf-16-le")
        + b"\x00" * 200
    )
    message = refused(encrypted, alice)
    assert message.startswith("Password-protected workbooks cannot be read")


def test_an_old_xls_workbook_is_refused(alice):
    message = refused(excel.OLE2_MAGIC + b"\x00" * 504 + "Workbook".encode("utf-16-le"), alice)
    assert ".xls" in message
    assert "save it as an Excel workbook (.xlsx)" in message


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", b"code,value\nC1.01,3\n", b"PK\x03\x04 broken"],
    ids=["pdf", "csv", "broken-zip"],
)
def test_a_file_that_is_not_a_workbook_is_refused(alice, data):
    assert refused(data, alice).startswith("This file is not an Excel workbook (.xlsx).")


def test_a_zip_that_is_not_a_workbook_is_refused(alice):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert refused(buffer.getvalue(), alice).startswith("This file is not an Excel workbook")


def test_a_damaged_workbook_is_refused(alice):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<not-really")
    assert "could not be read; it may be damaged" in refused(buffer.getvalue(), alice)


def test_a_workbook_compressed_like_a_bomb_is_refused(alice):
    """The same guard as every workbook upload (core.workbooks): the ratio rule refuses a
    bomb that stays under the size budget."""
    assert refused(xlsx_bomb(20 * 1024 * 1024), alice) == (
        "The workbook is compressed more than 100 times, as archive bombs are, and is refused."
    )


def test_an_empty_file_is_refused(client_for, alice, submission):
    assert refused(b"", alice) == "The file is empty."
    response = upload(client_for(alice), b"")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_a_file_over_the_size_limit_is_refused(client_for, alice, submission, settings):
    data = to_bytes(fill(template(client_for(alice), submission), {"C1.01": 3}))
    settings.UPLOAD_MAX_BYTES = len(data) - 1
    assert "the largest accepted is" in refused(data, alice)
    response = upload(client_for(alice), data)
    assert "the largest accepted is" in response.context["form"].errors["file"][0]
    assert stored(submission) == {}


def test_an_unknown_indicator_code_is_a_row_error(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    workbook["values"].cell(line_of(workbook["values"], "C2.01"), 1).value = "X9.99"
    (problem,) = rejected(to_bytes(workbook), alice)
    assert (problem.code, problem.message) == (
        "X9.99",
        "Unknown indicator code X9.99 for this submission.",
    )


def test_a_computed_indicator_is_not_entered(client_for, alice, submission):
    workbook = template(client_for(alice), submission)
    workbook["values"].append(["F1.01", None, None, None, None, 24])
    (problem,) = rejected(to_bytes(workbook), alice)
    assert problem.message == "F1.01 is computed from other indicators and is not entered."


def test_a_duplicate_row_is_a_row_error(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    sheet = workbook["values"]
    sheet.append(["C1.01", None, None, None, None, 4])
    (problem,) = rejected(to_bytes(workbook), alice)
    assert problem.line == sheet.max_row
    assert problem.message == "Indicator C1.01 appears more than once (also in row 3)."
    assert stored(submission) == {}


def test_a_workbook_without_its_meta_sheet_is_refused(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    workbook.remove(workbook["_meta"])
    assert "has no _meta sheet" in refused(to_bytes(workbook), alice)


def test_a_foreign_format_marker_is_refused(client_for, alice, submission):
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    workbook["_meta"]["B1"] = "someone-elses-format"
    assert "_meta sheet of this workbook was changed" in refused(to_bytes(workbook), alice)


def test_an_edited_version_in_the_meta_sheet_is_refused(client_for, alice, submission):
    """Raising the version to get past a concurrent save breaks the signature."""
    workbook = fill(template(client_for(alice), submission), {"C1.01": 3})
    meta = workbook["_meta"]
    row = next(r for r in meta.iter_rows() if r[0].value == submission.pk)
    row[1].value = 5
    assert "_meta sheet of this workbook was changed" in refused(to_bytes(workbook), alice)


def test_a_broken_workbook_through_the_page_shows_its_message(client_for, alice, submission):
    response = upload(client_for(alice), excel.OLE2_MAGIC + b"\x00" * 600, name="old.xls")
    assert response.status_code == 200
    assert "Excel 97–2003 workbook (.xls)" in page(response).text('[data-error="file"]')
