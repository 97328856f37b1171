"""The export for the personnel department: scoped rows, audited, CSV and XLSX readable, cells
made inert."""

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.models import Submission
from audit.models import AuditEntry, AuditKind
from standards.choices import Decision, ReportState
from standards.models import MemberGrade, SecretaryReport, StarRating, Title
from standards.services import appraisals as services
from tests.html import page

from .appraisal_builders import appraisal_of, appraised_period
from .test_appraisals import NINE


@pytest.fixture
def results(std_framework, tree, carol, erin):
    """A1a's nine members approved (with follow-ups), B1's three approved too; a confirmed title,
    star rating and rated report in A1a and in B1."""
    period, people = appraised_period(std_framework, {tree.a1a: NINE, tree.b1: NINE[:3]})
    grade = MemberGrade.objects.get(person=people["戊"])
    services.set_grade(
        grade, grade="qualified", reason="=HYPERLINK(1)", version=1, acting_user=erin
    )
    services.approve(appraisal_of(period, tree.a1a), version=2, acting_user=carol)
    services.approve(appraisal_of(period, tree.b1), version=1, acting_user=erin)
    now = timezone.now()
    # Whatever other areas proposed from the scores, the export is about these rows.
    Title.objects.filter(period=period).delete()
    StarRating.objects.filter(period=period).delete()
    SecretaryReport.objects.filter(period=period).update(state=ReportState.DRAFT)
    for branch in (tree.a1a, tree.b1):
        submission = Submission.objects.get(period=period, organization=branch, person__isnull=True)
        Title.objects.create(
            period=period,
            submission=submission,
            organization=branch,
            subject_kind="branch",
            subject_name=branch.name,
            standard="party_organization",
            score=91.5,
            state=Decision.CONFIRMED,
            proposed_at=now,
            decided_at=now,
            decided_by=erin,
        )
        StarRating.objects.update_or_create(
            period=period,
            organization=branch,
            defaults={
                "score": 88,
                "stars": 4,
                "proposed": 4,
                "state": Decision.CONFIRMED,
                "proposed_at": now,
                "decided_at": now,
            },
        )
        SecretaryReport.objects.update_or_create(
            period=period,
            organization=branch,
            defaults={
                "secretary_name": f"{branch.code}书记",
                "rating": "good",
                "state": ReportState.RATED,
                "rated_at": now,
            },
        )
    # A proposed title is not a result yet.
    Title.objects.create(
        period=period,
        submission=Submission.objects.get(period=period, person=people["甲"]),
        organization=tree.a1a,
        subject_kind="party_member",
        subject_name="甲",
        standard="party_member",
        score=99,
        proposed_at=now,
    )
    return period


ALL = ["titles", "stars", "grades", "follow_ups", "reports"]


def download(client, period, file_format="csv", parts=ALL, **extra):
    data = {"period": period.pk, "parts": parts, "format": file_format, **extra}
    return client.post(reverse("standards:export"), data)


def csv_rows(response):
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_page_offers_the_periods(results, client_for, carol):
    response = client_for(carol).get(reverse("standards:export"))
    assert response.status_code == 200
    assert page(response).has("[data-form='export']")


def test_the_csv_holds_only_what_the_user_sees(results, tree, client_for, carol):
    response = download(client_for(carol), results)
    assert response.status_code == 200
    rows = csv_rows(response)
    assert rows[0][:4] == ["类别", "考核周期", "组织编码", "组织"]
    body = rows[1:]
    assert {row[2] for row in body} == {"A1a"}
    by_part = {}
    for row in body:
        by_part.setdefault(row[0], []).append(row)
    assert len(by_part) == 5
    grades = [row for row in body if row[5] and row[4] in {n for n, *_ in NINE}]
    assert len([r for r in grades if r[6] in {"优秀", "合格", "基本合格", "不合格"}]) == 9
    assert any(row[6] == "七好党组织" for row in body)
    assert any(row[6] == "好" for row in body)


def test_a_formula_is_neutralised(results, client_for, carol):
    rows = csv_rows(download(client_for(carol), results, parts=["grades"]))
    assert "'=HYPERLINK(1)" in [row[8] for row in rows]


def test_the_export_is_audited(results, client_for, carol):
    download(client_for(carol), results, parts=["grades", "follow_ups"])
    entry = AuditEntry.objects.get(kind=AuditKind.RESULTS_EXPORTED)
    assert entry.after["rows"] == {"grades": 9, "follow_ups": 5}
    assert entry.after["format"] == "csv"


def test_the_xlsx_is_readable(results, client_for, erin):
    response = download(client_for(erin), results, file_format="xlsx")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    values = list(sheet.iter_rows(values_only=True))
    # Both committees for erin: 2 titles, 2 stars, 12 grades, 5 follow-ups, 2 reports.
    assert len(values) == 1 + 2 + 2 + 12 + 5 + 2
    assert "'=HYPERLINK(1)" in [row[8] for row in values]


def test_english_headers_by_the_users_language(results, client_for, carol):
    client = client_for(carol)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("standards:export"),
        {"period": results.pk, "parts": ["stars"], "format": "csv"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    rows = csv_rows(response)
    assert rows[0][0] == "Part"


def test_narrowed_to_an_organization(results, tree, client_for, erin):
    rows = csv_rows(download(client_for(erin), results, organization=tree.b1.pk))
    assert {row[2] for row in rows[1:]} == {"B1"}


def test_an_organization_outside_the_scope_is_refused(results, tree, client_for, carol):
    response = download(client_for(carol), results, organization=tree.b1.pk)
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(kind=AuditKind.RESULTS_EXPORTED).exists()


def test_bad_input_is_refused(results, client_for, carol):
    assert download(client_for(carol), results, parts=[]).status_code == 400
    assert download(client_for(carol), results, file_format="pdf").status_code == 400
    response = client_for(carol).post(reverse("standards:export"), {"period": "x"})
    assert response.status_code == 400
    assert not AuditEntry.objects.filter(kind=AuditKind.RESULTS_EXPORTED).exists()


def test_a_too_large_workbook_is_refused(results, client_for, erin, monkeypatch):
    from standards.views import exports

    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 5)
    response = download(client_for(erin), results, file_format="xlsx")
    assert response.status_code == 400
    assert page(response).has("[data-alert]")


def test_a_user_without_roles_exports_nothing(results, client_for, frank):
    rows = csv_rows(download(client_for(frank), results))
    assert rows[1:] == []


def test_the_export_reads_a_fixed_number_of_queries(
    results, client_for, erin, django_assert_max_num_queries
):
    client = client_for(erin)
    with django_assert_max_num_queries(20):
        response = download(client, results)
        csv_rows(response)
