"""Importing files of business figures: several years at once, CSV in UTF-8 or GBK, XLSX, errors
by line with nothing written, the uploader's scope, the worker's lifecycle and the audit trail.

Gina (finance on A) uploads; B1 lies outside her scope. Line 1 is the header.
"""

import io
from decimal import Decimal

import pytest
from django.test import TestCase
from openpyxl import Workbook

from audit.models import AuditEntry, AuditKind
from business.importers import FIGURES, build_plan
from business.models import BusinessFigure
from business.services import imports
from business.services.figures import save_figures

pytestmark = pytest.mark.usefixtures("english")

D = Decimal
HEADER = "organization_code,year,revenue,profit,sasac_grade"


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
    return list(
        BusinessFigure.objects.order_by("pk").values_list(
            "organization__code", "year", "measure__code", "value", "grade", "version"
        )
    )


def imported(data, user, filename="figures.csv"):
    """Upload, check and import a file as the worker does (tasks run in-process)."""
    batch = imports.upload_batch(
        kind=FIGURES, data=data, filename=filename, acting_user=user, language="en"
    )
    batch.refresh_from_db()
    if batch.status == "pending":
        with TestCase.captureOnCommitCallbacks(execute=True):
            imports.confirm_batch(batch)
        batch.refresh_from_db()
    return batch


def test_a_file_of_several_years_is_imported_with_an_entry_per_organization_and_year(tree, gina):
    data = csv_file(
        HEADER,
        "A,2023,1000,100,A",
        "A,2024,1100,120,B",
        "A1,2024,500.5,-20,",
    )

    batch = imported(data, gina)

    assert batch.status == "committed"
    assert state() == [
        ("A", 2023, "revenue", D("1000"), "", 1),
        ("A", 2023, "profit", D("100"), "", 1),
        ("A", 2023, "sasac_grade", None, "A", 1),
        ("A", 2024, "revenue", D("1100"), "", 1),
        ("A", 2024, "profit", D("120"), "", 1),
        ("A", 2024, "sasac_grade", None, "B", 1),
        ("A1", 2024, "revenue", D("500.5"), "", 1),
        ("A1", 2024, "profit", D("-20"), "", 1),
    ]
    assert set(BusinessFigure.objects.values_list("source", flat=True)) == {"imported"}
    entries = AuditEntry.objects.filter(kind=AuditKind.FIGURES_IMPORTED)
    by_target = {e.target: e for e in entries}
    assert set(by_target) == {
        f"business:{tree.a.pk}:2023",
        f"business:{tree.a.pk}:2024",
        f"business:{tree.a1.pk}:2024",
        f"import:{batch.pk}",
    }
    assert by_target[f"business:{tree.a1.pk}:2024"].after == {"revenue": "500.5", "profit": "-20"}


def test_a_second_import_updates_changed_figures_and_bumps_their_versions(tree, gina):
    save_figures(tree.a1, 2024, {"revenue": "500"}, acting_user=gina)

    imported(csv_file("organization_code,year,revenue", "A1,2024,600"), gina)

    figure = BusinessFigure.objects.get()
    assert (figure.value, figure.version, figure.source) == (D("600"), 2, "imported")
    entry = AuditEntry.objects.get(
        target=f"business:{tree.a1.pk}:2024", kind=AuditKind.FIGURES_IMPORTED
    )
    assert (entry.before, entry.after) == ({"revenue": "500"}, {"revenue": "600"})


def test_an_unchanged_line_changes_nothing(tree, gina):
    save_figures(tree.a1, 2024, {"revenue": "500"}, acting_user=gina)
    plan = build_plan(
        FIGURES, csv_file("organization_code,year,revenue", "A1,2024,500.00"), "f.csv", user=gina
    )
    assert plan.counts["unchanged"] == 1


def test_bad_lines_are_refused_with_their_line_numbers_and_nothing_is_written(tree, gina, settings):
    data = csv_file(
        HEADER,
        "A,2024,1000,100,A",
        "A1,2024,lots,100,B",
        "A1a,2024,1,2,E",
        "ZZZ,2024,1,2,A",
        "A,1800,1,2,A",
        "A,2024,1,1,A",
    )

    batch = imported(data, gina)

    assert batch.status == "invalid"
    assert state() == []
    assert not AuditEntry.objects.filter(kind=AuditKind.FIGURES_IMPORTED).exists()
    plan = build_plan(FIGURES, data, "figures.csv", user=gina)
    found = errors(plan)
    assert any(e.startswith("Line 3:") and "lots" in e for e in found)
    assert any(e.startswith("Line 4:") and "A, B, C or D" in e for e in found)
    assert any(e.startswith("Line 5:") and "ZZZ" in e for e in found)
    assert any(e.startswith("Line 6:") and "1800" in e for e in found)
    assert any(e.startswith("Line 7:") and "line 2" in e for e in found)
    assert not any(e.startswith("Line 2:") for e in found)


def test_errors_are_in_chinese_for_a_chinese_uploader(tree, gina):
    batch = imports.upload_batch(
        kind=FIGURES,
        data=csv_file(HEADER, "A,2024,很多,1,A"),
        filename="f.csv",
        acting_user=gina,
        language="zh-hans",
    )
    batch.refresh_from_db()
    assert batch.status == "invalid"
    assert "主营业务收入" in batch.preview["errors"][0][1]


def test_a_gbk_csv_with_chinese_headers_is_read(tree, gina):
    data = csv_file(
        "组织编码,年度,主营业务收入,经营业绩考核等级", 'A1,2025,"12,000.5",b', encoding="gbk"
    )

    plan = build_plan(FIGURES, data, "经营业绩.csv", user=gina)

    assert errors(plan) == []
    item = plan.items[0]
    assert (item.organization_id, item.year) == (tree.a1.pk, 2025)
    assert sorted(item.values.values(), key=str) == sorted(
        [(D("12000.5"), ""), (None, "B")], key=str
    )


def test_an_xlsx_with_numbers_as_excel_stores_them_is_read(tree, gina):
    data = xlsx_file(
        ["组织编码", "年度", "revenue", "sasac_term_grade"], ["A", 2024.0, 1234.5, "A"]
    )

    batch = imported(data, gina, filename="figures.xlsx")

    assert batch.status == "committed"
    assert state() == [
        ("A", 2024, "revenue", D("1234.5"), "", 1),
        ("A", 2024, "sasac_term_grade", None, "A", 1),
    ]


@pytest.mark.parametrize(
    ("filename", "data"),
    [
        ("figures.xls", b"\xd0\xcf\x11\xe0 old excel"),
        ("figures.xlsx", b"not a zip at all"),
        ("figures.pdf", b"%PDF-1.4"),
    ],
)
def test_a_wrong_file_type_is_refused_as_a_whole(tree, gina, filename, data):
    batch = imported(data, gina, filename=filename)
    assert batch.status == "invalid"
    assert batch.preview["errors"][0][0] in (None, 1)
    assert state() == []


def test_a_file_without_a_measure_column_is_refused(tree, gina):
    plan = build_plan(FIGURES, csv_file("organization_code,year", "A,2024"), "f.csv", user=gina)
    assert errors(plan) == ["Line 1: The file has no column of a business measure."]


def test_an_organization_outside_the_uploaders_scope_is_unknown(tree, gina, alice):
    data = csv_file(HEADER, "B1,2024,1,1,A")
    plan = build_plan(FIGURES, data, "f.csv", user=gina)
    assert any("B1" in e for e in errors(plan))
    # a secretary enters no figures anywhere, even in her own branch
    plan = build_plan(FIGURES, csv_file(HEADER, "A1a,2024,1,1,A"), "f.csv", user=alice)
    assert not plan.ok
    assert state() == []


def test_a_committed_batch_is_not_imported_twice(tree, gina):
    batch = imported(csv_file(HEADER, "A,2024,1,1,A"), gina)
    with pytest.raises(imports.AlreadyImported):
        imports.confirm_batch(batch)
    assert len(state()) == 3
