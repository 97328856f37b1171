"""Secretaries' annual reports: opening them, the organization's report, documents, submitting,
the committee's rating and how it counts in the organization's score."""

import datetime

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessment import sources
from assessment.choices import PeriodStatus, SubmissionState
from assessment.models import IndicatorValue, Period, SubjectScore, Submission
from assessment.selectors import engine_framework
from audit.models import AuditEntry, AuditKind
from standards.choices import ReportState
from standards.models import SecretaryReport, SecretaryReportDocument
from standards.selectors import reports as selectors
from standards.services import reports as services
from tests.builders import pdf, roll_up, store
from tests.factories import FrameworkFactory, OrganizationFactory, PeriodFactory

from .framework import standards_framework
from .secretary_report_rows import (
    VOTES,
    docx,
    filled,
    html_as_pdf,
    report_of,
    reviewer_of_b,
    submitted,
    xlsx,
)

ORGANIZATION_CODES = {"G", "A", "A1", "A1a", "A1b", "B", "B1"}


@pytest.fixture
def period(std_period):
    services.open_for_period(std_period)
    return std_period


def _value(period, organization, code="C1.03"):
    return IndicatorValue.objects.filter(
        submission__period=period, submission__organization=organization, indicator__code=code
    ).first()


# -- opening ---------------------------------------------------------------------------------


def test_every_organization_of_the_kinds_named_gets_one_draft_report(std_period):
    made = services.open_for_period(std_period)

    reports = SecretaryReport.objects.filter(period=std_period)
    assert made == 7
    assert {r.organization.code for r in reports} == ORGANIZATION_CODES
    assert {r.state for r in reports} == {ReportState.DRAFT}


def test_opening_again_makes_nothing_new(std_period):
    services.open_for_period(std_period)

    assert services.open_for_period(std_period) == 0
    assert SecretaryReport.objects.filter(period=std_period).count() == 7


def test_opening_for_some_submissions_makes_only_theirs(std_period, tree):
    ids = Submission.objects.filter(
        period=std_period, organization__in=[tree.a1a, tree.b1], person=None
    ).values_list("pk", flat=True)

    assert services.open_for_period(std_period, submission_ids=list(ids)) == 2
    assert services.open_for_period(std_period) == 5


def test_only_the_kinds_the_framework_names_get_a_report(db, tree, standards_doc):
    standards_doc["standards"]["secretary_reports"]["applies_to"] = ["committee"]
    period = PeriodFactory(framework=FrameworkFactory(document=standards_doc), year=2026)

    services.open_for_period(period)

    codes = set(
        SecretaryReport.objects.filter(period=period).values_list("organization__code", flat=True)
    )
    assert codes == {"A", "B"}


def test_no_report_without_the_section_or_outside_a_year(db, tree, standards_doc):
    del standards_doc["standards"]["secretary_reports"]
    without = PeriodFactory(framework=FrameworkFactory(document=standards_doc), year=2026)
    other = standards_framework()
    other["version"] = "2026b"
    quarter = PeriodFactory(
        framework=FrameworkFactory(document=other),
        kind="quarter",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 3, 31),
        deadline=datetime.date(2026, 4, 15),
    )

    assert services.open_for_period(without) == 0
    assert services.open_for_period(quarter) == 0


def test_opening_takes_the_same_queries_for_many_organizations(std_period, tree):
    with CaptureQueriesContext(connection) as few:
        services.open_for_period(std_period)
    SecretaryReport.objects.all().delete()
    for index in range(20):
        OrganizationFactory(parent=tree.b, code=f"B-{index}")
    later = PeriodFactory(framework=std_period.framework, year=2027)
    with CaptureQueriesContext(connection) as many:
        services.open_for_period(later)

    assert SecretaryReport.objects.filter(period=later).count() == 27
    assert len(many) == len(few)


# -- the organization's report ---------------------------------------------------------------


def test_the_secretary_saves_the_report_and_the_votes_propose_a_rating(period, tree, alice):
    report = report_of(period, tree.a1a)

    saved = services.save(
        report,
        secretary_name=" 王书记 ",
        summary="全年工作",
        votes={"good": "17", "fairly_good": "2", "average": "1", "poor": ""},
        version=report.version,
        acting_user=alice,
    )

    saved.refresh_from_db()
    assert saved.secretary_name == "王书记"
    assert saved.votes == {"good": 17, "fairly_good": 2, "average": 1, "poor": 0}
    assert saved.proposed_rating == "good"
    assert saved.version == report.version + 1
    entry = AuditEntry.objects.get(kind=AuditKind.SECRETARY_REPORT_SAVED)
    assert entry.organization_id == tree.a1a.pk
    assert entry.period_id == period.pk
    assert entry.target == f"secretaryreport:{report.pk}"
    assert entry.after["votes"]["good"] == 17


def test_a_draft_may_be_saved_before_the_meeting_voted(period, tree, alice):
    report = report_of(period, tree.a1a)

    saved = services.save(
        report,
        secretary_name="王书记",
        summary="",
        votes={"good": None, "fairly_good": "", "average": None, "poor": None},
        version=report.version,
        acting_user=alice,
    )

    assert saved.votes == {}
    assert saved.proposed_rating == ""


def test_bad_votes_are_refused_in_the_users_language_and_nothing_changes(period, tree, alice):
    report = report_of(period, tree.a1a)

    with translation.override("zh-hans"), pytest.raises(services.ReportRefused) as refused:
        services.save(
            report,
            secretary_name="王书记",
            summary="",
            votes={"good": "-3", "poor": "1"},
            version=report.version,
            acting_user=alice,
        )

    assert "“好”的票数须为" in refused.value.message
    report.refresh_from_db()
    assert (report.secretary_name, report.version) == ("", 1)
    assert not AuditEntry.objects.filter(kind=AuditKind.SECRETARY_REPORT_SAVED).exists()


def test_zero_votes_everywhere_is_refused(period, tree, alice):
    report = report_of(period, tree.a1a)

    with translation.override("en"), pytest.raises(services.ReportRefused, match="at least one"):
        services.save(
            report,
            secretary_name="",
            summary="",
            votes={"good": 0, "fairly_good": 0, "average": 0, "poor": 0},
            version=1,
            acting_user=alice,
        )


def test_a_stale_form_is_refused(period, tree, alice):
    filled(period, tree.a1a, by=alice)

    with pytest.raises(services.StaleVersion) as refused:
        services.save(
            report_of(period, tree.a1a),
            secretary_name="李书记",
            summary="",
            votes=VOTES,
            version=1,
            acting_user=alice,
        )

    assert refused.value.current == 2
    assert report_of(period, tree.a1a).secretary_name == "王书记"


def test_only_the_organization_itself_writes_its_report(period, tree, bob, carol):
    report = report_of(period, tree.a1a)

    for outsider in (bob, carol):
        with pytest.raises(services.NotAllowed):
            services.save(
                report,
                secretary_name="x",
                summary="",
                votes=None,
                version=1,
                acting_user=outsider,
            )
        with pytest.raises(services.NotAllowed):
            services.add_documents(report, [pdf()], acting_user=outsider)


@pytest.mark.parametrize(
    ("status", "word"), [(PeriodStatus.CLOSED, "closed"), (PeriodStatus.LOCKED, "locked")]
)
def test_a_closed_or_locked_period_refuses_every_change(
    period, tree, alice, bob, carol, status, word
):
    filled(period, tree.a1a, by=alice)
    submitted(period, tree.a1b, by=bob)
    Period.objects.filter(pk=period.pk).update(status=status)
    draft, handed_in = report_of(period, tree.a1a), report_of(period, tree.a1b)

    with translation.override("en"):
        with pytest.raises(services.ReportRefused, match=f"is {word}"):
            services.save(
                draft, secretary_name="x", summary="", votes=None, version=2, acting_user=alice
            )
        with pytest.raises(services.ReportRefused, match=f"is {word}"):
            services.add_documents(draft, [pdf()], acting_user=alice)
        with pytest.raises(services.ReportRefused, match=f"is {word}"):
            services.submit(draft, version=2, acting_user=alice)
        with pytest.raises(services.ReportRefused, match=f"is {word}"):
            services.rate(
                handed_in, rating="good", reason="", version=handed_in.version, acting_user=carol
            )
    assert report_of(period, tree.a1b).state == ReportState.SUBMITTED


# -- documents -------------------------------------------------------------------------------


def test_a_pdf_a_word_document_and_an_image_are_attached_by_their_hash(period, tree, alice):
    report = report_of(period, tree.a1a)
    image = SimpleUploadedFile("会场.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 16)

    stored = services.add_documents(report, [pdf("报告.pdf"), docx(), image], acting_user=alice)

    types = [d.content_type for d in stored]
    assert types == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "image/png",
    ]
    first = stored[0]
    assert first.file.name == f"reports/{first.sha256[:2]}/{first.sha256}"
    assert first.original_name == "报告.pdf"
    assert default_storage.exists(first.file.name)
    entry = AuditEntry.objects.get(kind=AuditKind.SECRETARY_REPORT_SAVED)
    assert entry.after["files"] == ["报告.pdf", "report.docx", "会场.png"]


def test_a_file_of_another_type_is_refused_whatever_its_name(period, tree, alice):
    report = report_of(period, tree.a1a)

    with translation.override("en"):
        with pytest.raises(services.ReportRefused, match="not accepted"):
            services.add_documents(report, [html_as_pdf()], acting_user=alice)
        with pytest.raises(services.ReportRefused, match="only PDF, Word documents and images"):
            services.add_documents(report, [pdf(), xlsx()], acting_user=alice)

    assert not SecretaryReportDocument.objects.exists()


def test_the_refusal_of_a_wrong_type_is_in_chinese_for_a_chinese_user(period, tree, alice):
    report = report_of(period, tree.a1a)

    with translation.override("zh-hans"), pytest.raises(services.ReportRefused) as refused:
        services.add_documents(report, [xlsx()], acting_user=alice)

    assert "votes.xlsx" in refused.value.message
    assert "Word" in refused.value.message
    assert "only PDF" not in refused.value.message


def test_a_file_above_the_limit_is_refused(period, tree, alice, settings):
    settings.UPLOAD_MAX_BYTES = 10

    with translation.override("en"), pytest.raises(services.ReportRefused, match="too large"):
        services.add_documents(report_of(period, tree.a1a), [pdf()], acting_user=alice)


def test_removing_a_document_deletes_its_content_once_unused(
    period, tree, alice, django_capture_on_commit_callbacks
):
    report = report_of(period, tree.a1a)
    (document,) = services.add_documents(report, [pdf()], acting_user=alice)
    name = document.file.name

    with django_capture_on_commit_callbacks(execute=True):
        services.remove_document(document, acting_user=alice)

    assert not SecretaryReportDocument.objects.exists()
    assert not default_storage.exists(name)
    entry = AuditEntry.objects.filter(kind=AuditKind.SECRETARY_REPORT_SAVED).latest("pk")
    assert entry.before["files"] == ["minutes.pdf"]


# -- submitting ------------------------------------------------------------------------------


def test_submitting_needs_the_votes_and_a_document(period, tree, alice):
    report = report_of(period, tree.a1a)

    with translation.override("en"), pytest.raises(services.ReportRefused) as refused:
        services.submit(report, version=1, acting_user=alice)

    assert "votes" in refused.value.message
    assert "Attach the report" in refused.value.message
    assert report_of(period, tree.a1a).state == ReportState.DRAFT


def test_a_submitted_report_no_longer_changes(period, tree, alice):
    report = submitted(period, tree.a1a, by=alice)

    assert report.state == ReportState.SUBMITTED
    assert report.submitted_at is not None
    with pytest.raises(services.ReportRefused):
        services.save(
            report,
            secretary_name="x",
            summary="",
            votes=None,
            version=report.version,
            acting_user=alice,
        )
    with pytest.raises(services.ReportRefused):
        services.add_documents(report, [pdf()], acting_user=alice)
    with pytest.raises(services.ReportRefused):
        services.remove_document(report.documents.get(), acting_user=alice)


# -- rating ----------------------------------------------------------------------------------


def test_a_reviewer_above_rates_the_report_as_the_votes_propose(period, tree, alice, carol):
    report = submitted(period, tree.a1a, by=alice)

    rated = services.rate(
        report, rating="good", reason="", version=report.version, acting_user=carol
    )

    rated.refresh_from_db()
    assert (rated.state, rated.rating, rated.rated_by) == (ReportState.RATED, "good", carol)
    entry = AuditEntry.objects.get(kind=AuditKind.SECRETARY_REPORT_RATED)
    assert entry.before["state"] == ReportState.SUBMITTED
    assert entry.after["rating"] == "good"
    assert entry.organization_id == tree.a1a.pk


def test_another_rating_than_the_proposal_needs_a_reason(period, tree, alice, carol):
    report = submitted(period, tree.a1a, by=alice)

    with translation.override("en"), pytest.raises(services.ReportRefused, match="reason"):
        services.rate(
            report, rating="average", reason=" ", version=report.version, acting_user=carol
        )
    rated = services.rate(
        report, rating="average", reason="群众反映较多", version=report.version, acting_user=carol
    )

    assert (rated.rating, rated.rating_reason) == ("average", "群众反映较多")


def test_a_rated_report_may_be_rated_again_with_the_version_read(period, tree, alice, carol):
    report = submitted(period, tree.a1a, by=alice)
    first = services.rate(
        report, rating="good", reason="", version=report.version, acting_user=carol
    )

    with pytest.raises(services.StaleVersion):
        services.rate(first, rating="poor", reason="x", version=report.version, acting_user=carol)
    again = services.rate(
        first, rating="poor", reason="复核", version=first.version, acting_user=carol
    )

    assert again.rating == "poor"
    assert AuditEntry.objects.filter(kind=AuditKind.SECRETARY_REPORT_RATED).count() == 2


def test_an_unknown_rating_or_a_draft_is_refused(period, tree, alice, carol):
    draft = filled(period, tree.a1a, by=alice)
    with pytest.raises(services.ReportRefused):
        services.rate(draft, rating="good", reason="", version=draft.version, acting_user=carol)
    report = services.submit(draft, version=draft.version, acting_user=alice)
    with pytest.raises(services.ReportRefused):
        services.rate(
            report, rating="superb", reason="x", version=report.version, acting_user=carol
        )


def test_the_organizations_own_reviewer_does_not_rate_its_secretary(period, tree, carol, erin):
    report = submitted(period, tree.a, by=erin)

    with pytest.raises(services.NotAllowed):
        services.rate(report, rating="good", reason="", version=report.version, acting_user=carol)


def test_neither_a_reviewer_elsewhere_nor_the_secretary_rates(period, tree, alice):
    report = submitted(period, tree.a1a, by=alice)

    for user in (reviewer_of_b(tree), alice):
        with pytest.raises(services.NotAllowed):
            services.rate(
                report, rating="good", reason="", version=report.version, acting_user=user
            )
    assert report_of(period, tree.a1a).state == ReportState.SUBMITTED


# -- counted into the organization's score ---------------------------------------------------


def test_the_rating_counts_once_the_rating_commits(
    period, tree, alice, carol, django_capture_on_commit_callbacks
):
    report = submitted(period, tree.a1a, by=alice)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.rate(
            report,
            rating="fairly_good",
            reason="略有不足",
            version=report.version,
            acting_user=carol,
        )

    assert len(callbacks) == 1
    value = _value(period, tree.a1a)
    assert value.counted == 85
    assert value.value == 85  # a draft submission follows the count


def test_nothing_is_counted_while_the_report_is_unrated(period, tree, alice):
    submitted(period, tree.a1a, by=alice)
    submission = Submission.objects.get(period=period, organization=tree.a1a, person=None)

    counted = sources.count(period, [submission])

    assert counted[(submission.pk, "C1.03")] is None


def test_the_source_counts_every_organization_in_one_query(period, tree, alice, bob, carol):
    for organization, user in ((tree.a1a, alice), (tree.a1b, bob)):
        report = submitted(period, organization, by=user)
        services.rate(report, rating="good", reason="", version=report.version, acting_user=carol)
    subjects = {
        s.organization_id: s.pk for s in Submission.objects.filter(period=period, person=None)
    }
    context = sources.Context(period=period, organizations=frozenset(subjects))

    from standards.sources import count_report_rating

    with CaptureQueriesContext(connection) as queries:
        answer = count_report_rating(context, None)

    assert len(queries) == 1
    assert answer[("organization", tree.a1a.pk)] == 100
    assert answer[("organization", tree.a1b.pk)] == 100
    assert answer[("organization", tree.b1.pk)] is None


def test_the_counted_rating_is_scored_with_the_indicators_weight(
    period, tree, alice, carol, django_capture_on_commit_callbacks
):
    report = submitted(period, tree.a1a, by=alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.rate(
            report, rating="fairly_good", reason="一般", version=report.version, acting_user=carol
        )
    store(period, {tree.a1a: {"C1.01": "10", "C1.02": "yes"}})

    roll_up(period)

    score = SubjectScore.objects.get(submission__period=period, submission__organization=tree.a1a)
    points = dict(zip(SubjectScore.INDICATOR_FIELDS, score.indicators["C1.03"], strict=False))
    assert points["points"] == pytest.approx(30 * 0.85)
    assert Submission.objects.get(pk=score.submission_id).state == SubmissionState.APPROVED


def test_the_entry_page_links_the_counted_value_to_the_report(period, tree, alice):
    report = submitted(period, tree.a1a, by=alice)
    submission = Submission.objects.get(period=period, organization=tree.a1a, person=None)
    spec = engine_framework(period.framework)
    indicator = next(i for i in sources.sourced_indicators(spec) if i.code == "C1.03")

    (link,) = sources.behind(submission, indicator)

    assert link.url == f"/standards/secretary-reports/{report.pk}/"


# -- other pages' reading ----------------------------------------------------------------------


def test_rating_of_gives_the_confirmed_ratings_in_one_query(period, tree, alice, bob, carol):
    for organization, user in ((tree.a1a, alice), (tree.a1b, bob)):
        report = submitted(period, organization, by=user)
        if organization == tree.a1a:
            services.rate(
                report, rating="good", reason="", version=report.version, acting_user=carol
            )
    fresh = Period.objects.select_related("framework").get(pk=period.pk)
    ids = [tree.a1a.pk, tree.a1b.pk, tree.b1.pk]

    with CaptureQueriesContext(connection) as queries:
        ratings = selectors.rating_of(ids, fresh)

    assert len(queries) == 1
    assert set(ratings) == {tree.a1a.pk}
    rating = ratings[tree.a1a.pk]
    assert (rating.code, rating.value, rating.name.zh) == ("good", 100.0, "好")
    assert rating.label("en") == "Good"
    assert selectors.rating_of([], fresh) == {}


def test_a_rating_given_after_the_unit_submitted_still_counts(
    period, tree, alice, carol, django_capture_on_commit_callbacks
):
    # The rating is decided above the unit (the source's `decided_above`), usually after the
    # deadline: the value follows it in a submitted submission as in a draft.
    report = submitted(period, tree.a1a, by=alice)
    Submission.objects.filter(period=period, organization=tree.a1a, person=None).update(
        state=SubmissionState.SUBMITTED
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.rate(report, rating="good", reason="", version=report.version, acting_user=carol)

    value = _value(period, tree.a1a)
    assert (value.counted, value.value) == (100, 100)


def test_a_rating_given_after_approval_rescores_the_organization(
    period, tree, alice, carol, django_capture_on_commit_callbacks
):
    report = submitted(period, tree.a1a, by=alice)
    store(period, {tree.a1a: {"C1.01": "10", "C1.02": "yes"}})
    roll_up(period)
    before = SubjectScore.objects.get(submission__organization=tree.a1a, submission__person=None)
    assert dict(zip(SubjectScore.INDICATOR_FIELDS, before.indicators["C1.03"], strict=False))[
        "points"
    ] == pytest.approx(0)

    with django_capture_on_commit_callbacks(execute=True):
        services.rate(
            report,
            rating="fairly_good",
            reason="会议意见",
            version=report.version,
            acting_user=carol,
        )

    after = SubjectScore.objects.get(submission__organization=tree.a1a, submission__person=None)
    points = dict(zip(SubjectScore.INDICATOR_FIELDS, after.indicators["C1.03"], strict=False))
    assert points["points"] == pytest.approx(30 * 0.85)
    assert after.total == pytest.approx(before.total + 30 * 0.85)


def test_the_unit_cannot_override_a_rating_decided_above(period, tree, alice, carol):
    from assessment.services import submissions

    report = submitted(period, tree.a1a, by=alice)
    services.rate(
        report, rating="average", reason="会议意见", version=report.version, acting_user=carol
    )
    submission = Submission.objects.get(period=period, organization=tree.a1a, person=None)
    with pytest.raises(submissions.InvalidValues) as refused:
        submissions.save_values(
            submission,
            {"C1.03": "100"},
            overrides={"C1.03": "我们认为应为好"},
            version=submission.version,
            acting_user=alice,
        )
    assert "C1.03" in refused.value.errors
