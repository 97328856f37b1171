"""Scheduled reports: made once per schedule and period (or month), delivered once."""

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from assessment.services import periods as period_services
from core import jobs
from reports import services
from reports.models import Report, ReportDelivery, ReportSchedule
from tests.factories import ReportScheduleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_close(tree, erin, dave, alice):
    schedule = ReportScheduleFactory(
        name="年度汇总",
        organization=tree.group,
        targets="committees",
        formats=["pdf", "csv"],
        trigger="period_closed",
        created_by=erin,
    )
    # alice cannot see the committees' reports: she gets nothing.
    schedule.recipients.set([dave, erin, alice])
    return schedule


def run(django_capture_on_commit_callbacks, **kwargs) -> list[Report]:
    with django_capture_on_commit_callbacks(execute=True):
        return services.run_schedules(**kwargs)


def test_a_closed_period_is_reported_once_per_committee_and_format(
    scored, tree, erin, on_close, django_capture_on_commit_callbacks
):
    period_services.close_period(scored[1], acting_user=erin)

    first = run(django_capture_on_commit_callbacks)
    second = run(django_capture_on_commit_callbacks)

    assert len(first) == 4  # committees A and B × PDF and CSV
    assert second == []
    reports = Report.objects.filter(schedule=on_close)
    assert reports.count() == 4
    assert {r.organization.code for r in reports} == {"A", "B"}
    assert {r.status for r in reports} == {"done"}
    assert {tuple(r.period_ids) for r in reports} == {(scored[1].pk,)}


def test_periods_closed_before_the_schedule_existed_are_not_reported(
    scored, tree, erin, django_capture_on_commit_callbacks
):
    period_services.close_period(scored[0], acting_user=erin)
    later = ReportScheduleFactory(organization=tree.a, formats=["csv"], trigger="period_closed")
    ReportSchedule.objects.filter(pk=later.pk).update(
        created_at=timezone.now() + datetime.timedelta(minutes=1)
    )

    assert run(django_capture_on_commit_callbacks) == []


def test_a_restarted_worker_makes_no_second_set(
    scored, tree, erin, on_close, django_capture_on_commit_callbacks
):
    period_services.close_period(scored[1], acting_user=erin)
    # The first run created the reports, then its worker died before any was generated.
    with mock.patch("reports.services.enqueue"):
        run(django_capture_on_commit_callbacks)
    assert set(Report.objects.values_list("status", flat=True)) == {"queued"}

    later = timezone.now() + jobs.stale_after() + datetime.timedelta(minutes=1)
    again = run(django_capture_on_commit_callbacks, now=later)
    with django_capture_on_commit_callbacks(execute=True):
        jobs.reap(later)  # the reaper sends the queued ones again

    assert again == []
    assert Report.objects.count() == 4
    assert set(Report.objects.values_list("status", flat=True)) == {"done"}


def test_two_runs_at_once_make_one_set(scored, tree, erin, on_close):
    period_services.close_period(scored[1], acting_user=erin)
    key, periods = services.due_keys(on_close, timezone.localdate())[0]

    with mock.patch("reports.services.enqueue"):
        first = services._create_scheduled(on_close, key, periods)
        second = services._create_scheduled(on_close, key, periods)

    assert len(first) == 4
    assert second == []
    assert Report.objects.count() == 4


def test_recipients_get_one_notice_and_one_email(
    scored, tree, erin, dave, alice, on_close, django_capture_on_commit_callbacks
):
    period_services.close_period(scored[1], acting_user=erin)
    mail.outbox.clear()

    run(django_capture_on_commit_callbacks)
    report = Report.objects.filter(schedule=on_close, organization=tree.a).first()
    with django_capture_on_commit_callbacks(execute=True):
        services.generate(report.pk)  # a redelivered task: nothing new
        services.deliver(report)

    deliveries = ReportDelivery.objects.filter(report=report)
    assert {d.recipient.username for d in deliveries} == {"dave", "erin"}
    committee_a = Report.objects.filter(schedule=on_close, organization=tree.a).count()
    committee_b = Report.objects.filter(schedule=on_close, organization=tree.b).count()
    # dave (auditor on A) hears about A's reports, erin (administrator on G) about all of them.
    assert ReportDelivery.objects.filter(recipient=dave).count() == committee_a
    assert ReportDelivery.objects.filter(recipient=erin).count() == committee_a + committee_b
    assert not ReportDelivery.objects.filter(recipient=alice).exists()
    assert len(mail.outbox) == committee_a * 2 + committee_b
    message = next(m for m in mail.outbox if m.to == [dave.email])
    assert "/reports/" in message.body
    assert all(d.emailed for d in ReportDelivery.objects.all())
    # In the portal too: one notice per delivery, with the link on the notices page.
    from assessment.choices import NoticeKind
    from assessment.models import Notice

    assert Notice.objects.filter(user=dave, kind=NoticeKind.REPORT).count() == committee_a
    assert Notice.objects.filter(user=erin, kind=NoticeKind.REPORT).count() == (
        committee_a + committee_b
    )


def test_a_delivered_report_is_listed_for_its_recipient(
    scored, tree, erin, dave, on_close, client_for, django_capture_on_commit_callbacks
):
    period_services.close_period(scored[1], acting_user=erin)
    run(django_capture_on_commit_callbacks)

    page = client_for(dave).get("/reports/").content.decode()

    assert page.count("data-delivery=") == 2
    report = Report.objects.filter(schedule=on_close, organization=tree.a).first()
    client_for(dave).get(f"/reports/{report.pk}/")
    assert ReportDelivery.objects.get(report=report, recipient=dave).read_at is not None


def test_a_monthly_schedule_reports_the_latest_period_once_a_month(
    scored, tree, erin, dave, django_capture_on_commit_callbacks
):
    schedule = ReportScheduleFactory(
        name="月报",
        organization=tree.a,
        formats=["csv"],
        trigger="monthly",
        day_of_month=5,
        created_by=erin,
    )
    tz = timezone.get_current_timezone()
    before = datetime.datetime(2026, 6, 4, 9, tzinfo=tz)
    on_day = datetime.datetime(2026, 6, 5, 9, tzinfo=tz)
    later = datetime.datetime(2026, 6, 20, 9, tzinfo=tz)
    next_month = datetime.datetime(2026, 7, 1, 9, tzinfo=tz)

    assert run(django_capture_on_commit_callbacks, now=before) == []
    made = run(django_capture_on_commit_callbacks, now=on_day)
    assert run(django_capture_on_commit_callbacks, now=later) == []
    assert run(django_capture_on_commit_callbacks, now=next_month) == []

    assert len(made) == 1
    assert made[0].schedule_key == "month:2026-06"
    assert made[0].period_ids == [scored[1].pk]
    assert made[0].organization == tree.a
    assert schedule.reports.count() == 1


def test_an_inactive_schedule_makes_nothing(
    scored, tree, erin, on_close, django_capture_on_commit_callbacks
):
    period_services.close_period(scored[1], acting_user=erin)
    services.deactivate_schedule(on_close, acting_user=erin)

    assert run(django_capture_on_commit_callbacks) == []


def test_the_beat_task_runs_the_schedules(scored, tree, erin, on_close):
    from reports.tasks import run_schedules

    period_services.close_period(scored[1], acting_user=erin)
    with mock.patch("reports.services.enqueue"):
        ids = run_schedules.apply().get()
    assert len(ids) == 4


def test_a_report_notice_links_to_the_report(
    scored, tree, erin, dave, on_close, client_for, django_capture_on_commit_callbacks
):
    period_services.close_period(scored[1], acting_user=erin)
    run(django_capture_on_commit_callbacks)
    report = Report.objects.filter(schedule=on_close, organization=tree.a).first()

    page = client_for(dave).get("/assessment/notices/").content.decode()
    # The notice's text (in the report's language) is the link; the address is not repeated.
    text = page.split(f'<a href="/reports/{report.pk}/">')[1].split("</a>")[0]
    assert f"#{report.pk}" in text
    assert "/reports/" not in text
