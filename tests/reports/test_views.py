"""The reports pages: list, request, progress, download, verify, and who may see what."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import Report
from tests.html import page

pytestmark = pytest.mark.django_db


def request_data(org, **extra) -> dict:
    return {
        "organization": org.pk,
        "period_kind": "year",
        "start": "2025-01-01",
        "end": "2026-12-31",
        "format": "pdf",
        "language": "zh-hans",
        **extra,
    }


def test_an_auditor_requests_a_report_and_gets_its_snapshot(
    scored, tree, dave, client_for, django_capture_on_commit_callbacks
):
    client = client_for(dave)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/reports/new/", request_data(tree.a1, format="xlsx"))

    report = Report.objects.get()
    assert response.status_code == 302
    assert response.url == f"/reports/{report.pk}/"
    shown = page(client.get(response.url))
    assert shown.text("#report-progress [data-sha256]") == report.sha256
    assert not shown.has("[hx-trigger]")  # done: no more polling
    download = client.get(f"/reports/{report.pk}/download/")
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    assert report.filename in download["Content-Disposition"]
    assert download["Cache-Control"] == "private, no-store"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == report.sha256


def test_a_queued_report_polls_its_progress(scored, tree, dave, client_for, make_report):
    from unittest import mock

    with mock.patch("reports.services.enqueue"):
        report = make_report(dave, tree.a, "pdf")
    Report.objects.filter(pk=report.pk).update(status="running", progress=42, step="rendering")

    shown = page(client_for(dave).get(f"/reports/{report.pk}/progress/"))

    assert shown.attr("#report-progress", "hx-trigger") == "every 1s"
    assert shown.attr("#report-progress [data-progress]", "data-progress") == "42"
    assert client_for(dave).get(f"/reports/{report.pk}/download/").status_code == 404


def test_the_list_shows_own_reports_in_a_bounded_number_of_queries(
    scored, tree, dave, client_for, make_report, django_assert_max_num_queries
):
    for _ in range(3):
        make_report(dave, tree.a, "csv")
    client = client_for(dave)
    with django_assert_max_num_queries(12):
        response = client.get("/reports/")
    assert page(response).count("#report-table tbody > tr[data-report]") == 3


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"start": "2026-12-31", "end": "2025-01-01"}, "end", "before its start"),
        ({"start": "2030-01-01", "end": "2030-12-31"}, "start", "No opened period"),
        ({"period_kind": "quarter"}, "start", "No opened period"),
    ],
)
def test_bad_ranges_get_a_clear_error_and_create_nothing(
    scored, tree, dave, client_for, change, field, message
):
    response = client_for(dave).post(
        "/reports/new/", request_data(tree.a, **change), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    (error,) = page(response).field_errors(field)
    assert message in error
    assert not Report.objects.exists()


def test_a_secretary_cannot_request_a_report_on_a_sibling(scored, tree, alice, client_for):
    response = client_for(alice).post(
        "/reports/new/", request_data(tree.a1b), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    (error,) = page(response).field_errors("organization")
    assert "no such organization in your scope" in error
    assert not Report.objects.exists()


def test_a_secretary_requests_one_for_her_own_branch(
    scored, tree, alice, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(alice).post("/reports/new/", request_data(tree.a1a, format="csv"))
    assert response.status_code == 302
    assert Report.objects.get().status == "done"


def test_a_siblings_report_is_404(scored, tree, alice, bob, client_for, make_report):
    report = make_report(bob, tree.a1b, "csv")
    client = client_for(alice)
    for url in ("", "progress/", "download/"):
        assert client.get(f"/reports/{report.pk}/{url}").status_code == 404


def test_the_organization_search_offers_only_the_scope(tree, alice, carol, client_for):
    carols = page(client_for(carol).get("/reports/organizations/?q=甲一"))
    alices = page(client_for(alice).get("/reports/organizations/?q=甲一"))

    assert any("甲一第一支部" in option for option in carols.texts("option"))
    assert any("甲一第一支部" in option for option in alices.texts("option"))
    assert not alices.mentions("甲一第二支部")


@pytest.mark.parametrize("garbled", ["²", "abc", "-1", str(2**63), "1.5", " "])
def test_a_garbled_organization_to_prefill_is_ignored(tree, carol, client_for, garbled):
    """GIVEN a link to the request form naming a garbled organization, WHEN it is opened, THEN
    the form shows with no organization chosen (a superscript digit was a server error)."""
    response = client_for(carol).get("/reports/new/", {"organization": garbled})

    assert response.status_code == 200
    assert response.context["chosen"] is None


def test_an_organization_to_prefill_is_chosen_only_in_scope(tree, alice, carol, client_for):
    shown = client_for(carol).get("/reports/new/", {"organization": tree.a1a.pk})
    hidden = client_for(alice).get("/reports/new/", {"organization": tree.a1b.pk})

    assert shown.context["chosen"] == tree.a1a
    assert hidden.context["chosen"] is None
    assert not page(hidden).mentions(tree.a1b.name)


def test_someone_without_a_role_finds_no_reports_pages(frank, client_for):
    client = client_for(frank)
    assert client.get("/reports/").status_code == 404
    assert client.get("/reports/new/").status_code == 404


# -- verify ---------------------------------------------------------------------------------


def test_verify_finds_the_snapshot_of_an_unchanged_file(
    scored, tree, dave, client_for, make_report
):
    report = make_report(dave, tree.a, "csv")
    with report.file.open("rb") as handle:
        content = handle.read()

    response = client_for(dave).post(
        "/reports/verify/", {"file": SimpleUploadedFile("copy.csv", content)}
    )

    assert response.status_code == 200
    result = page(response).within('[data-result="match"]')
    assert f"#{report.pk}" in result.text(".alert-success")
    assert result.has(f'.alert-success a[href="/reports/{report.pk}/"]')


def test_verify_finds_the_snapshot_from_the_printed_data_hash(
    scored, tree, dave, client_for, make_report
):
    report = make_report(dave, tree.a, "pdf")

    response = client_for(dave).post("/reports/verify/", {"digest": report.content_sha256.upper()})

    result = page(response).within('[data-result="match"]')
    assert f"#{report.pk}" in result.text(".alert-success")


def test_verify_says_when_a_file_was_changed(scored, tree, dave, client_for, make_report):
    report = make_report(dave, tree.a, "csv")
    with report.file.open("rb") as handle:
        content = handle.read().replace(b"6", b"9")

    response = client_for(dave).post(
        "/reports/verify/", {"file": SimpleUploadedFile("copy.csv", content)}
    )

    assert page(response).attr("[data-result]", "data-result") == "none"


def test_verify_does_not_reveal_snapshots_outside_the_scope(
    scored, tree, alice, bob, client_for, make_report
):
    report = make_report(bob, tree.a1b, "csv")

    response = client_for(alice).post("/reports/verify/", {"digest": report.sha256})

    assert page(response).attr("[data-result]", "data-result") == "none"


def test_verify_refuses_a_file_too_large(tree, dave, client_for, settings):
    settings.REPORTS_VERIFY_MAX_BYTES = 10

    response = client_for(dave).post(
        "/reports/verify/",
        {"file": SimpleUploadedFile("big.pdf", b"x" * 11)},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    (error,) = page(response).field_errors("file")
    assert "larger than" in error


def test_verify_refuses_a_malformed_hash(tree, dave, client_for):
    response = client_for(dave).post(
        "/reports/verify/", {"digest": "abc"}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    (error,) = page(response).field_errors("digest")
    assert "64 hexadecimal digits" in error


# -- schedules ------------------------------------------------------------------------------


def test_an_administrator_creates_edits_and_deactivates_a_schedule(tree, erin, dave, client_for):
    from reports.models import ReportSchedule

    client = client_for(erin)
    assert client.get("/reports/schedules/new/").status_code == 200
    response = client.post(
        "/reports/schedules/new/",
        {
            "name": "季度汇总",
            "organization": tree.group.pk,
            "targets": "committees",
            "formats": ["pdf", "xlsx"],
            "language": "zh-hans",
            "trigger": "period_closed",
            "day_of_month": 1,
            "period_kind": "quarter",
            "recipients": [dave.pk],
            "active": "on",
        },
    )
    assert response.status_code == 302
    schedule = ReportSchedule.objects.get()
    assert schedule.formats == ["pdf", "xlsx"]
    assert list(schedule.recipients.all()) == [dave]
    assert schedule.created_by == erin
    listed = page(client.get("/reports/schedules/"))
    assert listed.rows(f'tr[data-schedule="{schedule.pk}"]')[0][0] == "季度汇总"

    edit = client.get(f"/reports/schedules/{schedule.pk}/")
    assert edit.status_code == 200
    response = client.post(f"/reports/schedules/{schedule.pk}/deactivate/")
    assert response.status_code == 302
    schedule.refresh_from_db()
    assert not schedule.active


def test_a_schedule_with_a_bad_day_is_refused(tree, erin, client_for):
    from reports.models import ReportSchedule

    response = client_for(erin).post(
        "/reports/schedules/new/",
        {
            "name": "x",
            "organization": tree.group.pk,
            "targets": "root",
            "formats": ["pdf"],
            "language": "zh-hans",
            "trigger": "monthly",
            "day_of_month": 31,
            "period_kind": "year",
        },
    )
    assert response.status_code == 400
    assert not ReportSchedule.objects.exists()


def test_schedules_are_for_administrators_only(tree, dave, carol, client_for):
    for user in (dave, carol):
        assert client_for(user).get("/reports/schedules/").status_code == 404
        assert client_for(user).get("/reports/schedules/new/").status_code == 404


def test_requests_by_date_use_the_periods_inside_the_range(scored, tree, dave, make_report):
    report = make_report(
        dave, tree.a, "csv", start=datetime.date(2026, 1, 1), end=datetime.date(2026, 12, 31)
    )
    assert report.period_ids == [scored[1].pk]
