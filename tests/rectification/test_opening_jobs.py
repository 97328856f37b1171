"""The opening of a period's items as a long job: tracked from the recompute to done, and when
its worker dies, sent again by the reaper or failed after the last attempt."""

import datetime

import pytest
from django.utils import timezone

from core import jobs
from rectification import tasks
from rectification.models import OpeningRun, Rectification
from tests.builders import recompute

from .conftest import WEAK, set_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def killed_opening(period, tree, monkeypatch):
    """A recompute whose opening task was taken by a worker that died: running, silent."""
    monkeypatch.setattr(tasks.open_for_period, "apply_async", lambda *args, **kwargs: None)
    set_values(period, tree.a1a, WEAK)
    recompute(period)
    monkeypatch.undo()
    opening = OpeningRun.objects.get(period=period)
    OpeningRun.objects.filter(pk=opening.pk).update(
        status="running", attempts=1, heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    return OpeningRun.objects.get(pk=opening.pk)


def test_a_full_recompute_records_its_opening_until_done(period, tree):
    set_values(period, tree.a1a, WEAK)
    recompute(period)

    opening = OpeningRun.objects.get(period=period)
    assert (opening.status, opening.attempts, opening.opened) == ("done", 1, 1)
    assert opening.heartbeat_at is None


def test_an_opening_whose_worker_died_is_sent_again(
    killed_opening, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly
        done = jobs.reap()

    assert done["rectification-openings"]["requeued"] == 1
    killed_opening.refresh_from_db()
    assert (killed_opening.status, killed_opening.attempts) == ("done", 2)
    assert Rectification.objects.filter(period=killed_opening.period).count() == 1


def test_an_opening_whose_last_attempt_died_fails(killed_opening, settings):
    settings.JOB_MAX_ATTEMPTS = 1

    assert jobs.reap()["rectification-openings"]["failed"] == 1

    killed_opening.refresh_from_db()
    assert killed_opening.status == "failed"
    assert "已放弃" in killed_opening.error


def test_a_late_copy_of_the_message_leaves_a_running_opening_alone(killed_opening):
    OpeningRun.objects.filter(pk=killed_opening.pk).update(heartbeat_at=timezone.now())

    assert tasks.open_for_period(killed_opening.period_id) == 0

    assert not Rectification.objects.exists()
    assert OpeningRun.objects.get(pk=killed_opening.pk).attempts == 1
