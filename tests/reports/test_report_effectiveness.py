"""The effectiveness analysis in the term report (issue 16): its data, its PDF section and its
sheet.

The group's twelve committees are scored in 2025 and 2026 on the insight test framework and
have business figures entered apart, as in tests/business/test_effectiveness.py; a report of
the group over 2025–2026 shows party building against business results in 2026, the report's
last annual period.
"""

import datetime
import json
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from openpyxl import load_workbook

from business.choices import FigureSource
from business.models import BusinessFigure
from reports import pdf, selectors
from reports.models import Report
from tests.business.effectiveness_data import (
    STRENGTHS,
    add_figures,
    committees_of,
    figure,
    score_two_years,
)
from tests.dashboards.insight_fixtures import add_committees, business_framework
from tests.factories import PeriodFactory

from .test_generate import pdf_text

pytestmark = pytest.mark.django_db

SECTION = "Party building and business results"


@pytest.fixture
def committees(tree):
    return committees_of(tree)


@pytest.fixture
def framework(db):
    return business_framework()


@pytest.fixture
def periods(tree, committees, framework):
    return score_two_years(tree, committees, framework)


@pytest.fixture
def figures(committees):
    add_figures(committees, STRENGTHS)


@pytest.fixture
def report_of(make_report):
    """A report of the group over 2025–2026, in English unless asked."""

    def make(user, organization, format="pdf", **extra):
        return make_report(user, organization, format, **{"language": "en", **extra})

    return make


def half_years(framework, year: int) -> list:
    return [
        PeriodFactory(
            framework=framework,
            kind="half_year",
            name=f"{year}年{half}半年",
            name_en=f"{year} H{half}",
            start=datetime.date(year, month, 1),
            end=datetime.date(year, month + 5, 30),
            deadline=datetime.date(year, month + 5, 30),
        )
        for half, month in ((1, 1), (2, 7))
    ]


def test_the_data_holds_the_analysis_of_the_reports_last_year(
    tree, erin, periods, figures, report_of
):
    report = report_of(erin, tree.group)
    assert report.status == "done", report.error

    data = selectors.report_data(report)["effectiveness"]

    assert data["year"] == 2026
    assert data["period"] == periods[1].pk
    assert data["level"] == "committee"
    growth = data["same_year"]["revenue_growth"]
    assert growth["n"] == len(STRENGTHS)
    assert growth["verdict"] == "clear"
    low, high = growth["r_interval"]
    assert -1 <= low < growth["r"] < high <= 1
    assert [(step["from"], step["to"]) for step in data["lag"]] == [(2025, 2026)]
    assert len(data["claims"]["units"]) == len(STRENGTHS)
    assert "units" not in data  # one row per unit: too long for a report


def test_the_data_is_plain_json_and_hashes_the_same_twice(tree, erin, periods, figures, report_of):
    report = report_of(erin, tree.group, "csv")

    with translation.override("en"):  # the report's language: the sentences are in it
        first = selectors.report_data(report)
        again = selectors.report_data(report)
    text = json.dumps(first["effectiveness"], allow_nan=False, sort_keys=True)

    assert json.loads(text) == first["effectiveness"]
    assert selectors.canonical_hash(again) == selectors.canonical_hash(first)
    assert report.content_sha256 == selectors.canonical_hash(first)


def test_the_pdf_has_the_section_after_the_terms(tree, erin, periods, figures, report_of):
    report = report_of(erin, tree.group)

    text = pdf_text(report.file.path)

    assert SECTION in text
    assert "2026, Party committee: 12 units with a roll-up." in text
    assert "Same year, 2026" in text
    assert "Lag, 2025 → 2026" in text
    assert "Revenue growth" in text
    assert "Correlation is not causation" in text
    assert "Demo data" not in text


def test_the_pdfs_table_shows_each_measure_with_its_interval(tree, erin, periods, figures):
    report = Report(
        organization=tree.group,
        format="pdf",
        language="en",
        period_kind="year",
        range_start=datetime.date(2025, 1, 1),
        range_end=datetime.date(2026, 12, 31),
        period_ids=[p.pk for p in periods],
    )
    with translation.override("en"):
        data = selectors.report_data(report)
        html = pdf.render_html(report, data, "x")

    growth = data["effectiveness"]["same_year"]["revenue_growth"]
    low, high = growth["r_interval"]
    shown = f"{growth['r']:.2f} [{low:.2f}, {high:.2f}]".replace("-", "−")
    assert f"{shown}</span> ({growth['n']})" in html
    assert 'data-measure="sasac_grade"' in html
    assert html.index("Rectifications") < html.index(SECTION) < html.index("Appendix")


def test_the_workbook_has_an_effectiveness_sheet_before_the_terms(
    tree, erin, periods, figures, report_of
):
    report = report_of(erin, tree.group, "xlsx")
    assert report.status == "done", report.error

    book = load_workbook(report.file.path)

    assert "Effectiveness" in book.sheetnames
    sheet = book["Effectiveness"]
    rows = [r for r in sheet.iter_rows(values_only=True) if any(r)]
    assert rows[0][0] == "2026, Party committee: 12 units with a roll-up."
    header = next(r for r in rows if r[0] == "Business results")
    assert header[3:6] == ("Same year, 2026", "Verdict", "Lag, 2025 → 2026")
    by_name = {r[0]: r for r in rows}
    assert by_name["Revenue growth"][2] == "r"
    assert by_name["Revenue growth"][4] == "clear"
    assert by_name["Operating performance grade"][2] == "ρ"
    assert by_name["Revenue growth"][3].endswith(f"({len(STRENGTHS)})")
    assert any(r[0].startswith("Correlation is not causation") for r in rows)


def test_the_claims_come_first_for_the_organization(tree, erin, periods, figures, report_of):
    for year, revenue in ((2022, 100), (2023, 120), (2024, 144), (2025, 172.8), (2026, 207.36)):
        figure(tree.group, "revenue", year, revenue)
        figure(tree.group, "sasac_grade", year, grade="A")
    figure(tree.group, "sasac_term_grade", 2024, grade="A")
    report = report_of(erin, tree.group)

    with translation.override("en"):
        data = selectors.report_data(report)
        html = pdf.render_html(report, data, "x")
    own = data["effectiveness"]["claims"]["own"]

    assert own["a_years_in_row"] == 5
    assert own["revenue_growth"]["method"] == "compound"
    assert "The claims, against the figures" in pdf_text(report.file.path)
    rows = html[html.index("data-claims-table") :].split("data-claims-row")
    assert "Group" in rows[1]  # the organization first, then its committees
    assert "20.0% a year, 2024–2026 (compound) ✓" in rows[1]
    assert "2024: A" in rows[1]
    assert "A Co." in rows[2]


def test_demo_figures_are_flagged_in_the_pdf_and_the_workbook(
    tree, erin, periods, figures, report_of
):
    BusinessFigure.objects.filter(organization=tree.b).update(source=FigureSource.DEMO)

    text = pdf_text(report_of(erin, tree.group).file.path)
    book = load_workbook(report_of(erin, tree.group, "xlsx").file.path)

    assert "Demo data: these business figures are made up" in " ".join(text.split())
    assert book["Effectiveness"]["A2"].value.startswith("Demo data")


def test_a_report_without_an_annual_period_has_no_section(tree, erin, framework, report_of):
    half_years(framework, 2026)

    report = report_of(erin, tree.group, kind="half_year")
    assert report.status == "done", report.error

    assert selectors.report_data(report)["effectiveness"] is None
    assert SECTION not in pdf_text(report.file.path)
    book = load_workbook(report_of(erin, tree.group, "xlsx", kind="half_year").file.path)
    assert "Effectiveness" not in book.sheetnames


def test_half_years_read_the_annual_period_of_their_year(
    tree, erin, periods, figures, framework, report_of
):
    half_years(framework, 2026)

    report = report_of(
        erin,
        tree.group,
        "csv",
        kind="half_year",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 12, 31),
    )

    data = selectors.report_data(report)["effectiveness"]
    assert data["period"] == periods[1].pk
    assert data["same_year"]["revenue_growth"]["n"] == len(STRENGTHS)


def test_without_business_figures_the_pdf_says_so_and_the_workbook_has_no_sheet(
    tree, erin, periods, report_of
):
    report = report_of(erin, tree.group)

    data = selectors.report_data(report)["effectiveness"]
    text = " ".join(pdf_text(report.file.path).split())
    book = load_workbook(report_of(erin, tree.group, "xlsx").file.path)

    assert data["level"] is None
    assert SECTION in text
    assert "No organization below this one has business figures yet" in text
    assert "Effectiveness" not in book.sheetnames


def test_the_queries_do_not_grow_with_the_units(tree, erin, periods, figures, report_of):
    with mock.patch("reports.services.enqueue"):
        report = report_of(erin, tree.group, "csv")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            selectors.report_data(report)
        return len(queries)

    count()  # the first call reads what is cached afterwards
    few = count()
    more = add_committees(tree.group, 30, prefix="M")
    add_figures(more, [0.5] * 30)
    assert count() == few
    # 16 for the report without standards (tests/reports/test_generate.py), plus the analysis:
    # the levels, the measures, the trend's periods, the roll-up rows and the figures.
    assert few <= 21
