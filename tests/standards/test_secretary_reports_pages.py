"""The secretaries' reports pages: the list, a report's page (the organization's form, documents,
submitting; the committee's rating) and document downloads — scope, bad input, happy paths."""

import pytest
from django.urls import reverse

from assessment.models import IndicatorValue
from audit.models import AuditEntry, AuditKind
from standards.choices import ReportState
from standards.models import SecretaryReportDocument
from standards.services import reports as services
from tests.builders import pdf
from tests.html import page

from .secretary_report_rows import VOTES, filled, html_as_pdf, report_of, reviewer_of_b, submitted

LIST = reverse("standards:secretary_reports")


@pytest.fixture
def period(std_period):
    services.open_for_period(std_period)
    return std_period


def _url(report) -> str:
    return reverse("standards:secretary_report", args=[report.pk])


def _rate_url(report) -> str:
    return reverse("standards:secretary_report_rate", args=[report.pk])


def _form(report, **fields) -> dict:
    data = {
        "action": "save",
        "version": report.version,
        "secretary_name": "王书记",
        "summary": "全年工作",
        **{kind: str(count) for kind, count in VOTES.items()},
    }
    data.update(fields)
    return data


# -- the list --------------------------------------------------------------------------------


def test_the_list_shows_the_reports_of_the_users_scope(period, tree, client_for, alice, carol):
    submitted(period, tree.a1a, by=alice)

    own = page(client_for(alice).get(LIST))
    committee = page(client_for(carol).get(LIST))

    assert own.count("tr[data-report]") == 1
    assert own.text("tr[data-report] td:nth-child(3)") == "王书记"
    assert own.attr("tr[data-report] [data-state]", "data-state") == ReportState.SUBMITTED
    assert own.attr("tr[data-report] [data-proposed]", "data-proposed") == "good"
    assert committee.count("tr[data-report]") == 4  # A, A1, A1a, A1b


def test_the_list_filters_by_state_and_organization(period, tree, client_for, alice, carol):
    submitted(period, tree.a1a, by=alice)
    client = client_for(carol)

    by_state = page(client.get(LIST, {"state": "submitted"}))
    by_org = page(client.get(LIST, {"org": tree.a1.pk}))
    garbled = client.get(LIST, {"state": "nonsense", "org": "x", "period": "99999999999999999999"})

    assert [r.get("data-report") for r in by_state.select("tr[data-report]")] == [
        str(report_of(period, tree.a1a).pk)
    ]
    assert by_org.count("tr[data-report]") == 3
    assert by_org.has(f"[data-organization='{tree.a1.pk}']")
    outside = page(client.get(LIST, {"org": tree.b.pk}))
    assert not outside.has("tr[data-report]")
    assert not outside.has("[data-organization]")
    assert garbled.status_code == 200
    assert page(garbled).count("tr[data-report]") == 4


def test_the_list_shows_the_confirmed_rating(period, tree, client_for, alice, carol):
    report = submitted(period, tree.a1a, by=alice)
    services.rate(report, rating="good", reason="", version=report.version, acting_user=carol)

    with_rating = page(client_for(carol).get(LIST, {"period": period.pk}))

    row = with_rating.within(f"tr[data-report='{report.pk}']")
    assert row.attr("[data-rating]", "data-rating") == "good"


def test_the_list_is_a_few_queries_whatever_the_number_of_reports(
    period, tree, client_for, erin, django_assert_max_num_queries
):
    client = client_for(erin)
    client.get(LIST)  # the session and the grants settle

    with django_assert_max_num_queries(8):
        response = client.get(LIST)

    assert page(response).count("tr[data-report]") == 7


def test_someone_without_a_role_sees_no_reports(period, client_for, frank):
    response = client_for(frank).get(LIST)

    assert response.status_code == 200
    assert not page(response).has("tr[data-report]")


# -- a report's page -------------------------------------------------------------------------


def test_the_secretary_fills_the_report_on_its_page(period, tree, client_for, alice):
    report = report_of(period, tree.a1a)
    client = client_for(alice)

    shown = page(client.get(_url(report)))
    response = client.post(_url(report), _form(report))

    assert shown.has("form[data-form='save'] input[name='version'][value='1']")
    assert response.status_code == 302
    after = page(client.get(_url(report)))
    assert after.text("[data-count='good']") == "17"
    assert after.attr("[data-proposed]", "data-proposed") == "good"
    assert report_of(period, tree.a1a).version == 2


def test_bad_votes_show_the_form_again_and_change_nothing(period, tree, client_for, alice):
    report = report_of(period, tree.a1a)

    response = client_for(alice).post(_url(report), _form(report, good="-1"))
    zeros = client_for(alice).post(
        _url(report), _form(report, good="0", fairly_good="0", average="0", poor="0")
    )

    assert response.status_code == 400
    assert page(response).field_errors("good")
    assert zeros.status_code == 400
    assert page(zeros).has("[data-alert]")
    assert report_of(period, tree.a1a).version == 1


def test_a_stale_form_is_a_409_that_says_so(period, tree, client_for, alice):
    filled(period, tree.a1a, by=alice)
    report = report_of(period, tree.a1a)

    response = client_for(alice).post(_url(report), _form(report, version="1"))

    assert response.status_code == 409
    assert page(response).has("[data-alert]")
    assert report_of(period, tree.a1a).secretary_name == "王书记"


def test_the_secretary_attaches_removes_and_submits(period, tree, client_for, alice):
    report = report_of(period, tree.a1a)
    client = client_for(alice)
    client.post(_url(report), _form(report))

    attached = client.post(_url(report), {"action": "upload", "documents": [pdf(), pdf("b.pdf")]})
    first = SecretaryReportDocument.objects.order_by("pk").first()
    removed = client.post(_url(report), {"action": "remove", "document": first.pk})
    sent = client.post(_url(report), {"action": "submit", "version": 2})

    assert (attached.status_code, removed.status_code, sent.status_code) == (302, 302, 302)
    assert SecretaryReportDocument.objects.count() == 1
    assert report_of(period, tree.a1a).state == ReportState.SUBMITTED
    after = page(client.get(_url(report)))
    assert not after.has("form[data-form='save']")
    assert not after.has("form[data-form='upload']")


def test_a_wrong_file_type_is_refused_on_the_page(period, tree, client_for, alice):
    report = report_of(period, tree.a1a)

    response = client_for(alice).post(
        _url(report), {"action": "upload", "documents": [html_as_pdf()]}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "not accepted" in page(response).text("[data-alert]")
    assert not SecretaryReportDocument.objects.exists()


def test_submitting_without_votes_or_documents_is_refused(period, tree, client_for, alice):
    report = report_of(period, tree.a1a)

    response = client_for(alice).post(_url(report), {"action": "submit", "version": 1})

    assert response.status_code == 400
    assert report_of(period, tree.a1a).state == ReportState.DRAFT


def test_the_committee_sees_no_form_of_the_secretary(period, tree, client_for, carol):
    report = report_of(period, tree.a1a)

    shown = page(client_for(carol).get(_url(report)))
    response = client_for(carol).post(_url(report), _form(report))

    assert not shown.has("form[data-form='save']")
    assert response.status_code == 403
    assert report_of(period, tree.a1a).version == 1


def test_a_report_page_is_a_few_queries(
    period, tree, client_for, alice, django_assert_max_num_queries
):
    report = filled(period, tree.a1a, by=alice)
    client = client_for(alice)
    client.get(_url(report))

    with django_assert_max_num_queries(7):
        response = client.get(_url(report))

    assert response.status_code == 200


# -- the committee's rating ------------------------------------------------------------------


def test_the_committee_rates_a_submitted_report(
    period, tree, client_for, alice, carol, django_capture_on_commit_callbacks
):
    report = submitted(period, tree.a1a, by=alice)
    client = client_for(carol)

    shown = page(client.get(_url(report)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _rate_url(report), {"rating": "good", "reason": "", "version": report.version}
        )

    assert shown.has("form[data-form='rate']")
    assert response.status_code == 302
    after = page(client.get(_url(report)))
    assert after.attr("[data-rating-card] [data-rating]", "data-rating") == "good"
    assert AuditEntry.objects.filter(kind=AuditKind.SECRETARY_REPORT_RATED).count() == 1
    counted = IndicatorValue.objects.get(
        submission__organization=tree.a1a, submission__person=None, indicator__code="C1.03"
    )
    assert counted.counted == 100


def test_another_rating_without_a_reason_is_refused_on_the_page(
    period, tree, client_for, alice, carol
):
    report = submitted(period, tree.a1a, by=alice)

    response = client_for(carol).post(
        _rate_url(report), {"rating": "poor", "reason": "", "version": report.version}
    )
    unknown = client_for(carol).post(
        _rate_url(report), {"rating": "superb", "reason": "x", "version": report.version}
    )

    assert response.status_code == 400
    assert page(response).has("[data-alert]")
    assert unknown.status_code == 400
    assert report_of(period, tree.a1a).state == ReportState.SUBMITTED


def test_the_secretary_cannot_rate_and_sees_no_rating_form(period, tree, client_for, alice):
    report = submitted(period, tree.a1a, by=alice)

    shown = page(client_for(alice).get(_url(report)))
    response = client_for(alice).post(
        _rate_url(report), {"rating": "good", "reason": "", "version": report.version}
    )

    assert not shown.has("form[data-form='rate']")
    assert response.status_code == 403
    assert report_of(period, tree.a1a).state == ReportState.SUBMITTED


def test_the_committees_own_reviewer_cannot_rate_the_committee(
    period, tree, client_for, carol, erin
):
    report = submitted(period, tree.a, by=erin)

    shown = page(client_for(carol).get(_url(report)))
    response = client_for(carol).post(
        _rate_url(report), {"rating": "good", "reason": "", "version": report.version}
    )

    assert not shown.has("form[data-form='rate']")
    assert response.status_code == 403


# -- scope -----------------------------------------------------------------------------------


def test_another_units_report_and_files_are_404(period, tree, client_for, alice, bob):
    report = filled(period, tree.a1a, by=alice)
    document = report.documents.get()
    client = client_for(bob)
    reviewer = client_for(reviewer_of_b(tree))

    for c in (client, reviewer):
        assert c.get(_url(report)).status_code == 404
        assert c.post(_url(report), _form(report)).status_code == 404
        assert c.post(_rate_url(report), {"rating": "good", "version": 3}).status_code == 404
        assert (
            c.get(
                reverse("standards:secretary_report_document", args=[report.pk, document.pk])
            ).status_code
            == 404
        )


def test_a_document_is_served_as_an_attachment_under_its_report_only(
    period, tree, client_for, alice, bob
):
    report = filled(period, tree.a1a, by=alice)
    document = report.documents.get()
    other = report_of(period, tree.a1b)

    response = client_for(alice).get(
        reverse("standards:secretary_report_document", args=[report.pk, document.pk])
    )
    wrong_report = client_for(alice).get(
        reverse("standards:secretary_report_document", args=[other.pk, document.pk])
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert wrong_report.status_code == 404
