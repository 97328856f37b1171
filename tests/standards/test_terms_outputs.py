"""Terms where results are read: an organization's dashboard (its term and results card, the
group's record on the group's board) and the term report (its data, PDF and workbook)."""

import datetime
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from assessment.choices import SubjectUnit
from assessment.models import Submission
from reports import pdf
from reports import selectors as report_selectors
from standards.choices import Decision, ReportState
from standards.models import SecretaryReport, StarRating, Title
from standards.services import terms as services
from tests.html import page, parse

from .terms_data import scored_years


@pytest.fixture
def years(tree):
    data = scored_years(tree)
    services.compute_for_period(data.periods[2026])
    return data


@pytest.fixture
def results(tree, years):
    """A1's 2026 results: its secretary rated 好, the seven-good title confirmed, four stars;
    and a title still proposed, which is not shown."""
    period = years.periods[2026]
    now = timezone.now()
    SecretaryReport.objects.update_or_create(
        period=period,
        organization=tree.a1,
        defaults={"state": ReportState.RATED, "rating": "good"},
    )
    earlier = years.periods[2025]
    for year, state in ((period, Decision.CONFIRMED), (earlier, Decision.PROPOSED)):
        Title.objects.update_or_create(
            period=year,
            submission=Submission.objects.get(
                period=year, organization=tree.a1, subject_unit=SubjectUnit.ORGANIZATION
            ),
            standard="party_organization",
            defaults={
                "organization": tree.a1,
                "subject_kind": "general_branch",
                "subject_name": "甲一党总支",
                "score": 100,
                "proposed_at": now,
                "state": state,
            },
        )
    StarRating.objects.update_or_create(
        period=period,
        organization=tree.a1,
        defaults={"proposed_at": now, "stars": 4, "state": Decision.CONFIRMED},
    )
    return period


def board(client, organization, period):
    url = reverse("dashboards:organization", args=[organization.pk])
    return page(client.get(url, {"period": period.pk}))


class TestDashboard:
    def test_an_organizations_board_shows_its_term_and_results(
        self, tree, years, results, carol, client_for
    ):
        shown = board(client_for(carol), tree.a1, results)
        card = shown.within("[data-term-card]")
        assert card.text("[data-term-average]") == "92.8"
        assert card.text("[data-term-a-grades]") == "2"
        assert card.attr("[data-term-grade]", "data-term-grade") == "A"
        res = shown.within("[data-results-card]")
        assert res.attr("[data-rating]", "data-rating") == "good"
        assert res.text("[data-rating]") == "好"
        assert res.attr("[data-stars]", "data-stars") == "4"
        assert res.texts("[data-title]") == ["甲一党总支七好党组织"]
        assert not shown.has("[data-group-record]")

    def test_the_group_board_shows_the_groups_record(self, tree, years, erin, client_for):
        shown = board(client_for(erin), tree.group, years.periods[2026])
        record = shown.within("[data-group-record]")
        assert record.attr("tr[data-row='streak'] [data-party]", "data-party") == "0"
        assert record.attr("tr[data-row='streak'] [data-business]", "data-business") == "0"
        assert record.attr("tr[data-row='revenue'] [data-business]", "data-business") == "20.1"
        assert record.attr("tr[data-row='revenue'] [data-meets]", "data-meets") == "yes"
        assert record.attr("tr[data-row='profit'] [data-meets]", "data-meets") == "no"

    def test_an_earlier_year_shows_no_result_it_has_not(
        self, tree, years, results, carol, client_for
    ):
        shown = board(client_for(carol), tree.a1, years.periods[2025])
        res = shown.within("[data-results-card]")
        assert res.text("[data-rating]") == "—"
        assert not res.has("[data-title]")


@pytest.fixture
def make_report(django_capture_on_commit_callbacks):
    """Request a report of 2024–2026 and run its task (eager) once the request commits."""
    from reports import services as reports

    def make(user, organization, format="pdf"):
        with django_capture_on_commit_callbacks(execute=True):
            report = reports.request_report(
                acting_user=user,
                organization=organization,
                format=format,
                period_kind="year",
                start=datetime.date(2024, 1, 1),
                end=datetime.date(2026, 12, 31),
            )
        report.refresh_from_db()
        return report

    return make


@pytest.fixture
def report_of(make_report):
    def make(user, organization, format="pdf"):
        with mock.patch("reports.services.enqueue"):
            return make_report(user, organization, format)

    return make


class TestReport:
    def test_the_data_holds_the_term_results_and_record(self, tree, years, erin, report_of):
        data = report_selectors.report_data(report_of(erin, tree.group))["terms"]
        assert [(t["first_year"], t["last_year"]) for t in data["terms"]] == [(2022, 2026)]
        assert data["terms"][0]["revenue_growth"] == pytest.approx(20.1, abs=0.01)
        assert data["record"]["longest"]["length"] == 2
        assert data["record"]["revenue_meets"] is True

    def test_the_data_holds_the_organizations_results_by_period(
        self, tree, years, results, carol, report_of
    ):
        data = report_selectors.report_data(report_of(carol, tree.a1))["terms"]
        assert data["record"] is None
        by_period = {r["period"]: r for r in data["results"]}
        assert by_period[results.pk] == {
            "period": results.pk,
            "rating": "好",
            "stars": 4,
            "titles": [{"subject": "甲一党总支", "title": "七好党组织"}],
        }
        assert by_period[years.periods[2025].pk]["titles"] == []

    def test_the_report_data_queries_stay_bounded(
        self, tree, years, results, erin, report_of, django_assert_max_num_queries
    ):
        report = report_of(erin, tree.group)
        # 20 for the report without standards (tests/reports/test_generate.py), plus the terms,
        # the ratings, the titles and the stars.
        with django_assert_max_num_queries(24):
            report_selectors.report_data(report)

    def test_the_pdf_shows_the_term_and_the_record(self, tree, years, erin, report_of):
        report = report_of(erin, tree.group)
        data = report_selectors.report_data(report)
        shown = parse(pdf.render_html(report, data, "x"))
        assert shown.has("[data-term='2022']")
        assert shown.has("[data-group-record]")
        assert shown.has("[data-results]")

    def test_the_workbook_has_a_terms_sheet(self, tree, years, results, carol, make_report):
        report = make_report(carol, tree.a1, "xlsx")
        book = load_workbook(report.file.path)
        sheet = book.worksheets[-1]
        rows = [r for r in sheet.iter_rows(values_only=True) if any(r)]
        assert ("2024–2026", 2024, 78.3, "C", None, None, None, None) in rows
        assert any(r[:3] == ("2026年度", "好", 4) for r in rows)
