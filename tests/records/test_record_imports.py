"""Importing payroll sheets (party dues) and study-hour files: reading (CSV in UTF-8 or GBK, XLSX,
a broken workbook), the errors by line in the uploader's language, all-or-nothing writes, the
update mode, the worker and the reaper, and the pages.

Files are built in the tests; line 1 is the header. Alice (secretary of A1a) uploads; B1's member
P900 lies outside her scope.
"""

import datetime
import io
import zipfile
from decimal import Decimal
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from assessment.choices import PeriodStatus
from assessment.models import Period
from audit.models import AuditEntry, AuditKind
from core import jobs
from organizations.models import ImportBatch
from records import tasks
from records.importers import DUES, DUES_UPDATE, STUDY, build_plan
from records.models import DuesPayment, PointsEntry, StudyRecord
from records.services import imports
from tests.factories.records import DuesPaymentFactory
from tests.html import page

from .ledger_setup import (
    MARCH,
    client_for,
    english,
    members,
    records_period,
    transfer,
)

__all__ = ["client_for", "english", "members", "records_period"]  # fixtures used by the tests below

pytestmark = pytest.mark.django_db

D = Decimal
HEADER = "employee_number,month,base,paid,paid_on"
HEADER_ZH = "工号,月份,缴费基数,实缴金额,缴纳日期"
STUDY_HEADER = "employee_number,date,kind,title,hours"


def csv_file(*lines: str, encoding: str = "utf-8") -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


def xlsx_file(*rows: list) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def errors(plan) -> list[str]:
    return [str(issue) for issue in plan.errors]


def state() -> list:
    """Everything an import could write, to prove that a rejected file wrote nothing."""
    return [
        list(DuesPayment.objects.order_by("pk").values_list("person_id", "month", "base", "paid")),
        list(StudyRecord.objects.order_by("pk").values_list("person_id", "date", "hours")),
        list(PointsEntry.objects.order_by("pk").values_list("person_id", "rule", "points")),
    ]


def imported(kind, data, user, filename="payroll.csv"):
    """Upload, check and import a file as the worker does (tasks run in-process), and what
    follows the import's commit (member points counted again)."""
    batch = imports.upload_batch(
        kind=kind, data=data, filename=filename, acting_user=user, language="en"
    )
    batch.refresh_from_db()
    if batch.status == "pending":
        with TestCase.captureOnCommitCallbacks(execute=True):
            imports.confirm_batch(batch)
        batch.refresh_from_db()
    return batch


# Reading -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_a_payroll_csv_is_planned_with_the_framework_rate(alice, members):
    data = csv_file(HEADER, "P001,2026-03,4000,40,2026-03-20", "P003,2026-03,0,,")

    plan = build_plan(DUES, data, "payroll.csv", user=alice)

    assert errors(plan) == []
    assert [(i.person_id, i.rate, i.due, i.paid) for i in plan.items] == [
        (members["P001"].pk, D("0.01"), D("40.00"), D("40")),
        (members["P003"].pk, D("0"), D("0.20"), None),
    ]


@pytest.mark.usefixtures("english")
def test_a_gbk_csv_with_chinese_headers_as_chinese_excel_saves_it(alice, members):
    data = csv_file(HEADER_ZH, 'P001,2026年3月,"4,000.00",40,2026/3/20', encoding="gbk")

    plan = build_plan(DUES, data, "工资表.csv", user=alice)

    assert errors(plan) == []
    assert (plan.items[0].month, plan.items[0].base) == (MARCH, D("4000.00"))


@pytest.mark.usefixtures("english")
def test_an_xlsx_whose_month_excel_turned_into_a_date_is_read(alice, members):
    data = xlsx_file(
        ["工号", "月份", "缴费基数", "实缴金额", "缴纳日期"],
        ["P001", datetime.datetime(2026, 3, 1), 12000, 240.0, datetime.datetime(2026, 3, 5)],
    )

    plan = build_plan(DUES, data, "payroll.xlsx", user=alice)

    assert errors(plan) == []
    assert (plan.items[0].month, plan.items[0].due, plan.items[0].paid_on) == (
        MARCH,
        D("240.00"),
        datetime.date(2026, 3, 5),
    )


@pytest.mark.usefixtures("english")
def test_a_broken_xlsx_is_refused_as_a_whole(alice, members):
    good = zipfile.ZipFile(io.BytesIO(xlsx_file(["工号", "月份", "缴费基数"])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as broken:
        for name in good.namelist():
            content = good.read(name)
            broken.writestr(name, b"<worksheet" if name.endswith("sheet1.xml") else content)

    plan = build_plan(DUES, buffer.getvalue(), "payroll.xlsx", user=alice)

    assert errors(plan) == ["The file is not a valid XLSX workbook."]
    assert plan.items == []


@pytest.mark.usefixtures("english")
def test_a_missing_column_is_a_header_error(alice, members):
    plan = build_plan(DUES, csv_file("工号,缴费基数", "P001,4000"), "payroll.csv", user=alice)
    assert errors(plan) == ["Line 1: Missing column “month” (or “月份”)."]


# Errors by line -------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_unknown_numbers_and_people_outside_the_scope_read_the_same(alice, members):
    data = csv_file(HEADER, "NOBODY,2026-03,4000,,", "P900,2026-03,4000,,")

    assert errors(build_plan(DUES, data, "payroll.csv", user=alice)) == [
        "Line 2: Unknown employee number “NOBODY”: no one by that number is in your scope.",
        "Line 3: Unknown employee number “P900”: no one by that number is in your scope.",
    ]


@pytest.mark.usefixtures("english")
def test_malformed_numbers_months_and_dates_are_errors_by_line(alice, members):
    data = csv_file(
        HEADER,
        "P001,2026-03,四千,,",
        "P003,2026-03,-5,,",
        "P001,2026-13,4000,,",
        "P003,2026-04,4000.123,,",
        "P003,2026-05,4000,40,yesterday",
        "P003,2026-06,4000,40,",
        "P003,2026-07,NaN,,",
        "P003,9999-12,4000,,",
    )

    found = errors(build_plan(DUES, data, "payroll.csv", user=alice))

    number = "is not a valid number: write a number from 0 to 99999999.99 with at most 2 decimals."
    assert found == [
        f"Line 2: “四千” in “base” {number}",
        f"Line 3: “-5” in “base” {number}",
        "Line 4: Invalid month “2026-13” in “month”: write it as YYYY-MM.",
        f"Line 5: “4000.123” in “base” {number}",
        "Line 6: Invalid date “yesterday” in “paid_on”: write it as YYYY-MM-DD.",
        "Line 7: Give the amount paid and the date of payment together, or neither.",
        f"Line 8: “NaN” in “base” {number}",
        "Line 9: Invalid month “9999-12” in “month”: write it as YYYY-MM.",
    ]


@pytest.mark.usefixtures("english")
def test_a_duplicate_month_in_the_file_names_the_first_line(alice, members):
    data = csv_file(HEADER, "P001,2026-03,4000,,", "P001,2026/03,5000,,")
    assert errors(build_plan(DUES, data, "payroll.csv", user=alice)) == [
        "Line 3: The same member and month are on line 2 already."
    ]


@pytest.mark.usefixtures("english")
def test_a_month_already_stored_is_an_error_unless_the_file_is_an_update(alice, members):
    DuesPaymentFactory(person=members["P001"], month=MARCH)
    data = csv_file(HEADER, "P001,2026-03,12000,240,2026-03-30")

    assert errors(build_plan(DUES, data, "payroll.csv", user=alice)) == [
        "Line 2: The dues of 2026-03 are already recorded for P001: upload the file as an "
        "update to replace them."
    ]
    plan = build_plan(DUES_UPDATE, data, "payroll.csv", user=alice)
    assert errors(plan) == []
    assert (plan.rows[0].change, plan.rows[0].changed_fields) == (
        "update",
        ["base", "rate", "due", "paid", "paid_on"],
    )


@pytest.mark.usefixtures("english")
def test_staff_a_month_without_membership_and_a_shut_month_are_errors(
    alice, members, records_period, tree
):
    transfer(members["P003"], tree.b1, datetime.date(2026, 3, 1))
    data = csv_file(
        HEADER,
        "S001,2026-03,4000,,",
        "P003,2026-03,4000,,",
        "P003,2026-02,4000,,",
        "P001,2025-12,1,,",
    )

    assert errors(build_plan(DUES, data, "payroll.csv", user=alice)) == [
        "Line 2: S001 (职工) is not a party member.",
        "Line 3: In 2026-03, P003 belonged to an organization outside your scope.",
        "Line 5: The date 2025-12-01 is in no open assessment period.",
    ]


@pytest.mark.usefixtures("english")
def test_a_retired_flag_or_status_picks_the_retired_bands(alice, members):
    data = csv_file(
        "工号,月份,缴费基数,离退休",
        "P002,2026-03,6000,",
        "P001,2026-03,6000,是",
        "P003,2026-03,6000,否",
    )

    plan = build_plan(DUES, data, "payroll.csv", user=alice)

    assert [item.due for item in plan.items] == [D("60.00"), D("60.00"), D("90.00")]


def test_errors_are_written_in_the_uploaders_language(alice, members):
    data = csv_file(HEADER, "NOBODY,2026-03,4000,,")
    batch = imports.upload_batch(
        kind=DUES, data=data, filename="payroll.csv", acting_user=alice, language="zh-hans"
    )
    batch.refresh_from_db()
    assert batch.status == "invalid"
    line, message = batch.preview["errors"][0]
    assert (line, message) == (2, "未知的工号“NOBODY”：您的范围内没有此工号的人员。")


# Writing ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("english")
def test_a_confirmed_file_is_imported_with_its_points_and_an_audit_entry(alice, members):
    data = csv_file(HEADER, "P001,2026-03,4000,40,2026-03-20", "P003,2026-03,3000,15,2026-04-02")

    batch = imported(DUES, data, alice)

    assert batch.status == "committed"
    stored = dict(DuesPayment.objects.values_list("person__employee_number", "source"))
    assert stored == {"P001": "imported", "P003": "imported"}
    assert dict(PointsEntry.objects.values_list("person__employee_number", "rule")) == {
        "P001": "dues",
        "P003": "dues_late",
    }
    entry = AuditEntry.objects.get(kind=AuditKind.RECORDS_IMPORTED)
    assert (entry.target, entry.after["counts"]["create"]) == (f"import:{batch.pk}", 2)


@pytest.mark.usefixtures("english")
def test_one_bad_row_writes_nothing(alice, members):
    before = state()
    data = csv_file(HEADER, "P001,2026-03,4000,40,2026-03-20", "P003,2026-03,abc,,")

    batch = imported(DUES, data, alice)

    assert batch.status == "invalid"
    assert state() == before


@pytest.mark.usefixtures("english")
def test_a_row_that_became_wrong_after_the_preview_fails_the_whole_import(alice, members):
    data = csv_file(HEADER, "P001,2026-03,4000,,", "P003,2026-03,3000,,")
    batch = imports.upload_batch(
        kind=DUES, data=data, filename="p.csv", acting_user=alice, language="en"
    )
    batch.refresh_from_db()
    assert batch.status == "pending"
    DuesPaymentFactory(person=members["P003"], month=MARCH)  # entered on the sheet meanwhile
    before = state()

    imports.confirm_batch(batch)

    batch.refresh_from_db()
    assert batch.status == "invalid"
    assert "already recorded for P003" in batch.preview["errors"][0][1]
    assert state() == before


@pytest.mark.usefixtures("english")
def test_an_update_file_replaces_stored_months(alice, members, tree):
    DuesPaymentFactory(person=members["P001"], month=MARCH, paid=None, paid_on=None)
    data = csv_file(HEADER, "P001,2026-03,12000,240,2026-03-30", "P003,2026-03,3000,,")

    batch = imported(DUES_UPDATE, data, alice)

    assert batch.summary["counts"] == {"create": 1, "update": 1, "unchanged": 0, "error": 0}
    payment = DuesPayment.objects.get(person=members["P001"])
    assert (payment.due, payment.paid, payment.source, payment.updated_by) == (
        D("240.00"),
        D("240.00"),
        "imported",
        alice,
    )
    assert PointsEntry.objects.get(person=members["P001"]).rule == "dues"


@pytest.mark.usefixtures("english")
def test_a_study_file_is_imported_with_kind_aliases(alice, members):
    data = csv_file(
        "工号,日期,形式,内容,学时",
        "P001,2026-03-10,培训班,专题培训,4",
        "P001,2026-03-12,网络学习,学习强国,1.5",
        "P003,2026-03-12,session,支部学习,2",
    )

    batch = imported(STUDY, data, alice, filename="学时.csv")

    assert batch.status == "committed"
    assert sorted(StudyRecord.objects.values_list("kind", "hours")) == [
        ("course", D("4.0")),
        ("online", D("1.5")),
        ("session", D("2.0")),
    ]
    assert PointsEntry.objects.get(person=members["P001"], rule="study").points == D("2.8")


@pytest.mark.usefixtures("english")
def test_study_rows_are_checked_by_line(alice, members):
    data = csv_file(
        STUDY_HEADER,
        "P001,2026-03-10,course,专题培训,4",
        "P001,2026-03-10,course,专题培训,4",
        "P001,2026-03-11,nap,午睡,1",
        "P001,2026-03-11,course,,1",
        "P001,2026-03-11,course,x,0",
        "P900,2026-03-11,course,x,1",
    )

    assert errors(build_plan(STUDY, data, "s.csv", user=alice)) == [
        "Line 3: The same study record is on line 2 already.",
        "Line 4: Unknown kind “nap”. Use one of: course (培训班), online (网络学习), session "
        "(集中学习).",
        "Line 5: “title” is required.",
        "Line 6: Study hours must be more than 0.",
        "Line 7: Unknown employee number “P900”: no one by that number is in your scope.",
    ]


# The worker and the reaper --------------------------------------------------------------------


def test_the_upload_answers_before_the_file_is_checked(client_for, alice, members):
    client = client_for(alice)
    data = csv_file(HEADER, "P001,2026-03,4000,,")
    with mock.patch.object(tasks.check_records_import, "delay") as sent:
        response = client.post(
            reverse("records:dues_import"),
            {"kind": DUES, "file": SimpleUploadedFile("payroll.csv", data)},
        )

    batch = ImportBatch.objects.get()
    sent.assert_called_once_with(batch.pk)
    assert (batch.kind, batch.status) == (DUES, "checking")
    assert page(client.get(response.url)).attr("#import-progress", "data-status") == "checking"

    imports.check_batch(batch.pk)

    done = client.get(reverse("records:import_progress", args=[batch.pk]))
    assert (done.status_code, done["HX-Refresh"]) == (204, "true")
    shown = page(client.get(response.url))
    assert shown.text("[data-count=create]") == "1"
    with mock.patch.object(tasks.import_records, "delay") as sent:
        client.post(reverse("records:import_commit", args=[batch.pk]))
        client.post(reverse("records:import_commit", args=[batch.pk]))  # a second click
    sent.assert_called_once_with(batch.pk)
    assert not DuesPayment.objects.exists()

    imports.import_batch(batch.pk)
    imports.import_batch(batch.pk)  # a late copy of the message does nothing

    assert DuesPayment.objects.count() == 1


def test_a_records_batch_whose_worker_died_is_sent_again_by_its_own_job_kind(
    alice, members, settings, django_capture_on_commit_callbacks
):
    settings.JOB_STALE_AFTER = 180
    with mock.patch.object(tasks.check_records_import, "delay"):
        batch = imports.upload_batch(
            kind=STUDY, data=csv_file(STUDY_HEADER), filename="s.csv", acting_user=alice
        )
    silent = timezone.now() - datetime.timedelta(minutes=10)
    ImportBatch.objects.filter(pk=batch.pk).update(attempts=1, heartbeat_at=silent)

    with (
        mock.patch.object(tasks.check_records_import, "delay") as sent,
        django_capture_on_commit_callbacks(execute=True),
    ):
        done = jobs.reap()

    assert done["record_imports"]["requeued"] == 1
    assert done["imports"]["requeued"] == 0
    sent.assert_called_once_with(batch.pk)


def test_the_people_import_pages_do_not_show_records_batches(client_for, erin, members):
    batch = imports.upload_batch(
        kind=DUES, data=csv_file(HEADER), filename="payroll.csv", acting_user=erin
    )
    client = client_for(erin)
    assert client.get(reverse("organizations:import-preview", args=[batch.pk])).status_code == 404
    assert client.get(reverse("records:import_preview", args=[batch.pk])).status_code == 200


# Pages ----------------------------------------------------------------------------------------


def test_someone_who_enters_nothing_has_no_upload_page(client_for, frank, carol, members):
    assert client_for(frank).get(reverse("records:dues_import")).status_code == 404
    assert client_for(carol).get(reverse("records:study_import")).status_code == 404


def test_another_users_batch_is_404(client_for, alice, bob, members):
    batch = imports.upload_batch(
        kind=DUES, data=csv_file(HEADER), filename="payroll.csv", acting_user=alice
    )
    assert (
        client_for(bob).get(reverse("records:import_preview", args=[batch.pk])).status_code == 404
    )
    assert (
        client_for(bob).post(reverse("records:import_commit", args=[batch.pk])).status_code == 404
    )


def test_the_preview_lists_errors_by_line_in_chinese(client_for, alice, members):
    data = csv_file(HEADER_ZH, "P001,2026-03,四千,,", encoding="gbk")
    client = client_for(alice)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    response = client.post(
        reverse("records:dues_import"),
        {"kind": DUES, "file": SimpleUploadedFile("工资表.csv", data)},
        follow=True,
    )
    shown = page(response)
    assert shown.rows("#import-errors")[1] == [
        "2",
        "“缴费基数”中的“四千”不是有效的数字：请填写 0 到 99999999.99 之间、最多 2 位小数的数字。",
    ]
    assert not shown.has(f"form[action='{reverse('records:import_commit', args=[1])}']")


def test_the_update_mode_is_chosen_on_the_upload_page(client_for, alice, members):
    DuesPaymentFactory(person=members["P001"], month=MARCH)
    data = csv_file(HEADER, "P001,2026-03,12000,,")
    client_for(alice).post(
        reverse("records:dues_import"),
        {"kind": DUES_UPDATE, "file": SimpleUploadedFile("payroll.csv", data)},
    )
    batch = ImportBatch.objects.get()
    assert (batch.kind, batch.status) == (DUES_UPDATE, "pending")


def test_a_closed_month_makes_the_import_fail_whole(alice, members, records_period):
    data = csv_file(HEADER, "P001,2026-03,4000,,")
    batch = imports.upload_batch(
        kind=DUES, data=data, filename="p.csv", acting_user=alice, language="en"
    )
    Period.objects.filter(pk=records_period.pk).update(status=PeriodStatus.CLOSED)

    imports.confirm_batch(batch)

    batch.refresh_from_db()
    assert batch.status == "invalid"
    assert not DuesPayment.objects.exists()
