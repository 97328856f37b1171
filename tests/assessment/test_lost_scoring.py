"""Approvals whose scoring task was lost are scored again by the reaper (`assessment.jobs`).

Found by the fault drill (bench/load_drill.py): a Redis restart drops the queued scoring tasks
and a worker killed with `kill -9` takes the ones it held; the scores stayed behind their
approvals until the nightly recompute. Here the approval's task is "lost" by never running the
approval's commit callbacks (a `db` test's transaction never commits).
"""

import datetime

import pytest
from django.utils import timezone

from assessment.models import SubjectScore, Submission
from core import jobs
from tests.builders import enter, roll_up

pytestmark = pytest.mark.django_db


@pytest.fixture
def lost_approval(period, tree, alice, bob, carol):
    """A1a approved and scored; A1b approved later, its scoring task lost."""
    enter(period, tree.a1a, {"C1.01": "6", "C2.01": "yes"}, by=alice, approved_by=carol)
    roll_up(period)
    submission = enter(period, tree.a1b, {"C1.01": "9", "C2.01": "no"}, by=bob, approved_by=carol)
    assert not SubjectScore.objects.filter(submission=submission).exists()
    return submission


def _age(submission: Submission, seconds: int) -> None:
    Submission.objects.filter(pk=submission.pk).update(
        approved_at=timezone.now() - datetime.timedelta(seconds=seconds)
    )


def test_an_approval_without_its_score_is_scored_by_the_reaper(
    lost_approval, django_capture_on_commit_callbacks
):
    _age(lost_approval, jobs.stale_after().total_seconds() + 60)

    with django_capture_on_commit_callbacks(execute=True):
        done = jobs.reap()

    assert done["lost-scoring"]["swept"] == 1
    score = SubjectScore.objects.get(submission=lost_approval)
    assert score.total > 0
    with django_capture_on_commit_callbacks(execute=True):
        assert not jobs.reap()["lost-scoring"]["swept"]  # scored: nothing more to send


def test_a_recent_approval_is_left_to_its_task(lost_approval, django_capture_on_commit_callbacks):
    _age(lost_approval, 10)  # its task may still be in the queue

    with django_capture_on_commit_callbacks(execute=True):
        done = jobs.reap()

    assert not done["lost-scoring"]["swept"]
    assert not SubjectScore.objects.filter(submission=lost_approval).exists()
