"""What follows a year's scores: a full recompute proposes titles and stars, opens appraisals and
secretaries' reports and recomputes terms in a long job the reaper watches; one approval
proposes for its own subjects in its scoring task."""

import datetime

import pytest
from django.utils import timezone

from assessment.services import submissions
from core import jobs
from standards import tasks
from standards.models import (
    MemberAppraisal,
    ProposalRun,
    SecretaryReport,
    StarRating,
    TermResult,
    Title,
)
from tests.builders import recompute, store
from tests.factories import PeriodFactory

pytestmark = pytest.mark.django_db

GOOD = {"C1.01": 10, "C1.02": True, "C1.03": 100, "C1.09": False}


@pytest.fixture
def scored(std_period, tree):
    store(std_period, {tree.a1a: GOOD, tree.a1b: GOOD, tree.b1: GOOD})
    return std_period


def test_a_full_recompute_proposes_everything_in_a_run_until_done(scored, tree):
    recompute(scored)
    run = ProposalRun.objects.get(period=scored)
    assert (run.status, run.attempts, run.heartbeat_at) == ("done", 1, None)
    assert run.counts["titles"] == Title.objects.filter(period=scored).count() > 0
    assert StarRating.objects.filter(period=scored, organization=tree.a1a).exists()
    assert SecretaryReport.objects.filter(period=scored, organization=tree.a1a).exists()
    assert MemberAppraisal.objects.filter(period=scored).exists() is False  # no member scored
    assert run.counts["terms"] == 0  # computed, but no year of the term is over yet
    assert not TermResult.objects.filter(organization=tree.a1a).exists()


def test_only_years_are_followed(std_framework, tree):
    quarter = PeriodFactory(
        framework=std_framework,
        kind="quarter",
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 3, 31),
        deadline=datetime.date(2026, 4, 15),
    )
    store(quarter, {tree.a1a: GOOD})
    recompute(quarter)
    assert not ProposalRun.objects.exists()
    assert not Title.objects.exists()


def test_one_approval_proposes_for_its_own_subject(
    scored, tree, bob, carol, erin, django_capture_on_commit_callbacks
):
    recompute(scored)
    Title.objects.all().delete()
    StarRating.objects.all().delete()
    submission = scored.submissions.get(organization=tree.a1b, subject_unit="organization")
    submissions.reopen(submission, acting_user=erin, reason="更正")
    submission.refresh_from_db()
    submissions.submit(submission, acting_user=bob)
    with django_capture_on_commit_callbacks(execute=True):
        submissions.approve(submission, acting_user=carol)
    assert set(Title.objects.values_list("organization__code", flat=True)) == {"A1b"}
    # Stars are proposed for the approval's branch (and the others its quota is shared with).
    assert "A1b" in set(StarRating.objects.values_list("organization__code", flat=True))


@pytest.fixture
def killed_run(scored, monkeypatch):
    """A recompute whose proposal task was taken by a worker that died: running, silent."""
    monkeypatch.setattr(tasks.propose_for_period, "apply_async", lambda *args, **kwargs: None)
    recompute(scored)
    monkeypatch.undo()
    run = ProposalRun.objects.get(period=scored)
    ProposalRun.objects.filter(pk=run.pk).update(
        status="running", attempts=1, heartbeat_at=timezone.now() - datetime.timedelta(hours=1)
    )
    return ProposalRun.objects.get(pk=run.pk)


def test_a_run_whose_worker_died_is_sent_again(killed_run, django_capture_on_commit_callbacks):
    assert not Title.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):  # the task runs eagerly
        done = jobs.reap()
    assert done["standards-proposals"]["requeued"] == 1
    killed_run.refresh_from_db()
    assert (killed_run.status, killed_run.attempts) == ("done", 2)
    assert Title.objects.exists()


def test_a_run_whose_last_attempt_died_fails(killed_run, settings):
    settings.JOB_MAX_ATTEMPTS = 1
    assert jobs.reap()["standards-proposals"]["failed"] == 1
    killed_run.refresh_from_db()
    assert killed_run.status == "failed"
    assert "已放弃" in killed_run.error


def test_a_late_copy_of_the_message_leaves_a_running_run_alone(killed_run):
    ProposalRun.objects.filter(pk=killed_run.pk).update(heartbeat_at=timezone.now())
    assert tasks.propose_for_period(killed_run.period_id) == {}
    assert not Title.objects.exists()
