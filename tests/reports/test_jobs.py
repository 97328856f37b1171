"""A report whose worker died (kill -9): the reaper starts it again or fails it, and removes the
temporary file it left; late deliveries and attempts presumed dead change nothing."""

import datetime
import os
import time
from unittest import mock

import pytest
from django.utils import timezone

from core import jobs
from reports import services
from reports.models import Report

pytestmark = pytest.mark.django_db

LONG_AGO = datetime.timedelta(minutes=10)


@pytest.fixture
def killed(scored, tree, dave, make_report, settings):
    """A PDF report left as a killed worker leaves it: running at 1%, silent for ten minutes,
    with its 0-byte temporary file."""

    def kill(attempts: int = 1) -> tuple[Report, object]:
        with mock.patch("reports.services.enqueue"):
            report = make_report(dave, tree.a, "pdf")
        Report.objects.filter(pk=report.pk).update(
            status="running",
            progress=1,
            step="collecting",
            attempts=attempts,
            task_id="dead-task",
            heartbeat_at=timezone.now() - LONG_AGO,
        )
        folder = settings.MEDIA_ROOT / "reports" / "tmp"
        folder.mkdir(parents=True, exist_ok=True)
        leftover = folder / f"report-{report.pk}-k1ll3d.pdf"
        leftover.touch()
        return report, leftover

    return kill


def test_a_report_whose_worker_died_is_made_again(killed, django_capture_on_commit_callbacks):
    report, leftover = killed()

    with django_capture_on_commit_callbacks(execute=True):
        done = jobs.reap()

    assert done["reports"]["requeued"] == 1
    report.refresh_from_db()
    assert report.status == "done", report.error
    assert report.attempts == 2
    assert not leftover.exists()


def test_a_requeued_report_waits_in_the_queue_and_says_why(
    killed, django_capture_on_commit_callbacks
):
    report, leftover = killed()

    with (
        mock.patch("reports.services.enqueue") as enqueue,
        django_capture_on_commit_callbacks(execute=True),
    ):
        jobs.reap()

    report.refresh_from_db()
    assert (report.status, report.progress, report.task_id) == ("queued", 0, "")
    assert "工作进程" in report.error
    assert "Its worker stopped" in report.error
    assert "attempt 2 of 3" in report.error
    enqueue.assert_called_once_with(report.pk)
    assert not leftover.exists()


def test_a_report_whose_worker_died_on_the_last_attempt_fails_and_says_why(killed):
    report, leftover = killed(attempts=3)

    with mock.patch("reports.services.enqueue") as enqueue:
        done = jobs.reap()

    assert done["reports"]["failed"] == 1
    report.refresh_from_db()
    assert report.status == "failed"
    assert report.finished_at is not None
    assert "last attempt (3 of 3)" in report.error
    assert "第 3 次，共 3 次" in report.error
    assert not enqueue.called
    assert not leftover.exists()


def test_a_report_with_a_recent_heartbeat_is_left_alone(killed):
    report, leftover = killed()
    Report.objects.filter(pk=report.pk).update(heartbeat_at=timezone.now())

    with mock.patch("reports.services.enqueue") as enqueue:
        jobs.reap()

    report.refresh_from_db()
    assert report.status == "running"
    assert not enqueue.called
    assert leftover.exists()


def test_a_late_copy_of_the_dead_attempts_message_changes_nothing(killed):
    report, _ = killed()
    with mock.patch("reports.services.enqueue"):
        jobs.reap()
    services.generate(report.pk, token="new-task")  # the re-queued attempt, still running
    Report.objects.filter(pk=report.pk).update(status="running", task_id="new-task")
    before = Report.objects.values().get(pk=report.pk)

    services.generate(report.pk, token="dead-task")  # Redis delivers the original again

    assert Report.objects.values().get(pk=report.pk) == before


def test_an_attempt_presumed_dead_stops_at_its_next_heartbeat_and_fails_nothing(killed):
    report, _ = killed()
    zombie = Report.objects.get(pk=report.pk)  # attempt 1, as it knows itself
    with mock.patch("reports.services.enqueue"):
        jobs.reap()

    with pytest.raises(jobs.JobLost):
        services._set_progress(zombie, 50, "rendering")
    services.fail(report.pk, RuntimeError("late"), attempt=zombie.attempts)

    report.refresh_from_db()
    assert (report.status, report.progress) == ("queued", 0)


def test_an_attempt_taken_over_mid_way_keeps_nothing_and_fails_nothing(
    scored, tree, dave, make_report, settings
):
    original = services.selectors.report_data

    def slow_then_reaped(report):
        # The attempt was silent too long: the reaper queued the report again meanwhile.
        Report.objects.filter(pk=report.pk).update(status="queued", task_id="", heartbeat_at=None)
        return original(report)

    with mock.patch("reports.selectors.report_data", slow_then_reaped):
        report = make_report(dave, tree.a, "csv")

    assert (report.status, report.file.name, report.error) == ("queued", "", "")
    assert [p for p in (settings.MEDIA_ROOT / "reports").rglob("*") if p.is_file()] == []


def test_the_reaper_sweeps_temporary_files_older_than_any_attempt(settings):
    folder = settings.MEDIA_ROOT / "reports" / "tmp"
    folder.mkdir(parents=True)
    old, fresh = folder / "tmpabc.pdf", folder / "report-9-new.pdf"
    old.touch()
    fresh.touch()
    an_hour_ago = time.time() - 3600
    os.utime(old, (an_hour_ago, an_hour_ago))

    done = jobs.reap()

    assert done["reports"]["swept"] == 1
    assert not old.exists()
    assert fresh.exists()


@pytest.fixture
def lost(scored, tree, dave, make_report):
    """A report requested while its message was lost (a broker restarted without persistence):
    queued, never sent to a worker."""
    with mock.patch("reports.services.enqueue"):
        return make_report(dave, tree.a, "pdf")


def test_a_report_whose_message_was_lost_is_sent_again_within_minutes(
    lost, django_capture_on_commit_callbacks
):
    soon = timezone.now() + datetime.timedelta(seconds=30)
    later = timezone.now() + jobs.stale_after() + datetime.timedelta(minutes=1)

    with mock.patch("reports.services.enqueue") as enqueue:
        assert "resent" not in jobs.reap(soon)["reports"]  # it may still be on its way
    enqueue.assert_not_called()

    with django_capture_on_commit_callbacks(execute=True):
        done = jobs.reap(later)

    assert done["reports"]["resent"] == 1
    lost.refresh_from_db()
    assert lost.status == "done", lost.error


def test_a_report_waiting_behind_others_is_sent_again_once_per_stale_time(lost):
    later = timezone.now() + jobs.stale_after() + datetime.timedelta(minutes=1)

    with mock.patch("reports.services.enqueue") as enqueue:
        jobs.reap(later)
        jobs.reap(later + datetime.timedelta(minutes=1))
        assert enqueue.call_count == 1
        jobs.reap(later + jobs.stale_after() + datetime.timedelta(seconds=1))
        assert enqueue.call_count == 2
    enqueue.assert_called_with(lost.pk)
    lost.refresh_from_db()
    assert lost.status == "queued"
