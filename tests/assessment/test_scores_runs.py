"""Scores kept up to date: approvals (incremental, as a task after commit), full recomputes as
runs that never overlap, the nightly task, the command, and the task queue being down."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from kombu.exceptions import OperationalError as BrokerError

from assessment import tasks
from assessment.choices import SubmissionState
from assessment.models import Rollup, ScoreRun, SubjectScore, Transition
from assessment.selectors import engine_framework
from assessment.services import scores, submissions
from tests.builders import recompute
from tests.factories import OrganizationFactory, PeriodFactory
from tests.html import page

from .test_scores_support import (
    FULL,
    POOR,
    STRONG,
    _peer_ranks_at_once,  # noqa: F401  (an autouse fixture)
    row_ids,
    set_values,
    snapshot,
    submission_of,
    submit,
    totals,
)

pytestmark = pytest.mark.django_db


def broker_down(*args, **kwargs):
    raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


@pytest.fixture
def approve(carol, django_capture_on_commit_callbacks):
    """Approve as carol (reviewer of A) and run what the approval sends once it commits."""

    def run(submission, user=None):
        with django_capture_on_commit_callbacks(execute=True):
            submissions.approve(submission, acting_user=user or carol)

    return run


class TestApproval:
    def test_the_first_approval_of_a_period_scores_it_in_full(self, period, tree, alice, approve):
        sub = submission_of(period, tree.a1a)
        submit(sub, alice, STRONG)
        approve(sub)
        run = ScoreRun.objects.get()
        assert (run.trigger, run.status, run.progress) == ("first_approval", "done", 100)
        assert SubjectScore.objects.get(submission=sub).total == 100
        # A1b and B1 are missing, counted as 0: A1 = A = 50, B = 0, G = 25.
        assert totals(period) == {
            "G": 25,
            "A": 50,
            "A1": 50,
            "A1a": 100,
            "A1b": 0,
            "B": 0,
            "B1": 0,
        }

    def test_a_later_approval_rewrites_its_ancestors_only(self, period, tree, alice, bob, approve):
        submit(submission_of(period, tree.a1a), alice, STRONG)
        approve(submission_of(period, tree.a1a))
        before = row_ids(period)
        submit(submission_of(period, tree.a1b), bob, POOR)

        approve(submission_of(period, tree.a1b))

        after = row_ids(period)
        assert ScoreRun.objects.count() == 1  # no full run this time
        for code in ("B", "B1", "A1a"):
            assert after[code] == before[code], f"{code} was rewritten"
        for code in ("G", "A", "A1", "A1b"):
            assert not after[code] & before[code], f"{code} was not rewritten"
        assert totals(period)["G"] == 30
        ranks = dict(
            Rollup.objects.filter(period=period, dimension="").values_list(
                "organization__code", "rank_siblings"
            )
        )
        assert (ranks["A1a"], ranks["A1b"]) == (1, 2)  # A1a's rank moved without a rewrite

    def test_the_incremental_update_leaves_exactly_the_rows_of_a_full_run(
        self, period, tree, alice, bob, approve
    ):
        submit(submission_of(period, tree.a1a), alice, POOR)
        approve(submission_of(period, tree.a1a))
        submit(submission_of(period, tree.a1b), bob, STRONG)
        approve(submission_of(period, tree.a1b))
        incremental = snapshot()

        recompute(period)

        assert snapshot() == incremental  # peer ranks included: refreshed after the approval

    def test_reopening_an_approved_submission_takes_its_score_away(
        self, period, tree, alice, erin, approve, django_capture_on_commit_callbacks
    ):
        sub = submission_of(period, tree.a1a)
        submit(sub, alice, STRONG)
        approve(sub)
        with django_capture_on_commit_callbacks(execute=True):
            submissions.reopen(sub, reason="数据有误", acting_user=erin)
        assert not SubjectScore.objects.filter(submission=sub).exists()
        assert totals(period)["A1a"] == 0
        assert totals(period)["G"] == 0


@pytest.fixture
def unreachable_redis():
    """The Celery app of this process pointed at a Redis where nothing listens, tasks not run
    eagerly: what the web process meets when the broker is down."""
    from partybuild.celery import app

    def forget_connections() -> None:
        # Celery builds its pools from broker_url on first use, and keeps them.
        app._pool = None
        app.amqp._producer_pool = None

    saved = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.update(broker_url="redis://127.0.0.1:1/5", task_always_eager=False)
    forget_connections()
    yield
    app.conf.update(broker_url=saved[0], task_always_eager=saved[1])
    forget_connections()


class TestBrokerDown:
    def test_with_redis_unreachable_an_approval_commits_within_a_second_or_so(
        self, period, tree, alice, approve, unreachable_redis
    ):
        import time

        sub = submission_of(period, tree.a1a)
        submit(sub, alice, STRONG)
        started = time.perf_counter()
        approve(sub)
        assert time.perf_counter() - started < 5
        sub.refresh_from_db()
        assert sub.state == SubmissionState.APPROVED
        assert ScoreRun.objects.get().trigger == "broker_down"

    def test_the_approval_commits_and_the_period_is_marked_for_recompute(
        self, period, tree, alice, approve, monkeypatch
    ):
        sub = submission_of(period, tree.a1a)
        submit(sub, alice, STRONG)
        monkeypatch.setattr(tasks.score_submission, "apply_async", broker_down)

        approve(sub)

        sub.refresh_from_db()
        assert sub.state == SubmissionState.APPROVED
        assert Transition.objects.filter(submission=sub, to_state="approved").exists()
        marker = ScoreRun.objects.get()
        assert (marker.status, marker.trigger, marker.task_id) == ("pending", "broker_down", "")
        assert not SubjectScore.objects.exists()

    def test_the_nightly_run_catches_up_once_the_broker_is_back(
        self, period, tree, alice, approve, monkeypatch, django_capture_on_commit_callbacks
    ):
        submit(submission_of(period, tree.a1a), alice, STRONG)
        monkeypatch.setattr(tasks.score_submission, "apply_async", broker_down)
        approve(submission_of(period, tree.a1a))
        monkeypatch.undo()

        with django_capture_on_commit_callbacks(execute=True):
            started = tasks.recompute_open_periods.apply().get()

        marker = ScoreRun.objects.get()
        assert started == [marker.pk]
        assert (marker.status, marker.trigger) == ("done", "broker_down")
        assert totals(period)["A1a"] == 100

    def test_a_run_that_cannot_be_sent_stays_marked(
        self, period, monkeypatch, django_capture_on_commit_callbacks
    ):
        monkeypatch.setattr(tasks.recompute_period, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            run = scores.start_full_recompute(period, trigger=ScoreRun.Trigger.MANUAL)
        run.refresh_from_db()
        assert (run.status, run.task_id, run.lease_until) == ("pending", "", None)
        assert run.error

    def test_pages_still_serve(
        self, period, tree, alice, carol, erin, client_for, monkeypatch,
        django_capture_on_commit_callbacks,
    ):  # fmt: skip
        from django.urls import reverse

        sub = submission_of(period, tree.a1a)
        submit(sub, alice, STRONG)
        for task in (tasks.score_submission, tasks.recompute_period, tasks.refresh_peer_ranks):
            monkeypatch.setattr(task, "apply_async", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(carol).post(
                reverse("assessment:submission_approve", args=[sub.pk]), {"comment": ""}
            )
        assert response.status_code == 302
        sub.refresh_from_db()
        assert sub.state == SubmissionState.APPROVED
        response = client_for(erin).get(reverse("assessment:score_runs"))
        assert response.status_code == 200
        assert not page(response).mentions("broker_down")  # shown by name, not code
        assert ScoreRun.objects.get().trigger == "broker_down"


class TestRuns:
    def test_a_second_full_recompute_is_refused_while_one_is_under_way(self, period):
        first = scores.start_full_recompute(period, trigger="manual", enqueue=False)
        with pytest.raises(scores.AlreadyRunning) as refused:
            scores.start_full_recompute(period, trigger="manual", enqueue=False)
        assert refused.value.run == first
        assert ScoreRun.objects.count() == 1

    def test_the_database_refuses_two_active_runs_of_a_period(self, period):
        ScoreRun.objects.create(period=period, trigger="manual", status="running")
        with pytest.raises(IntegrityError):
            ScoreRun.objects.create(period=period, trigger="manual")

    def test_an_executor_cannot_take_a_run_held_by_another(self, period):
        run = scores.start_full_recompute(period, trigger="manual", enqueue=False)
        with pytest.raises(scores.AlreadyRunning):
            scores.run_full_recompute(run.pk, token="someone-else")
        run.refresh_from_db()
        assert (run.status, run.attempts) == ("pending", 0)

    def test_a_run_whose_worker_died_for_good_is_replaced(self, period):
        import datetime

        stale = scores.start_full_recompute(period, trigger="manual", enqueue=False)
        ScoreRun.objects.filter(pk=stale.pk).update(
            status="running", lease_until=stale.lease_until - datetime.timedelta(hours=2)
        )
        with translation.override("en"):
            fresh = scores.start_full_recompute(period, trigger="manual", enqueue=False)
        stale.refresh_from_db()
        assert stale.status == "failed"
        assert "Abandoned" in stale.error
        assert fresh.pk != stale.pk

    def test_a_finished_run_delivered_again_changes_nothing(self, period, tree):
        set_values(submission_of(period, tree.a1a), FULL)
        run = recompute(period)
        rows = snapshot()
        again = scores.run_full_recompute(run.pk, token=run.task_id)
        assert (again.status, again.attempts) == ("done", 1)
        assert snapshot() == rows

    def test_retried_after_a_passing_database_error(self, period, tree, monkeypatch):
        from django.db import OperationalError

        from assessment.services import rollup

        set_values(submission_of(period, tree.a1a), FULL)
        write_full = rollup.write_full
        failures = iter([OperationalError("deadlock detected")])

        def flaky(p):
            if (error := next(failures, None)) is not None:
                raise error
            return write_full(p)

        monkeypatch.setattr(rollup, "write_full", flaky)
        run = scores.start_full_recompute(period, trigger="manual", enqueue=False)
        # As in a worker: the retry is sent (here: run at once) instead of raised. The roll-up
        # runs in the last chunk's task, which is the one retried.
        tasks.recompute_period.apply(args=[run.pk], task_id=run.task_id, throw=False)
        run.refresh_from_db()
        assert (run.status, run.error) == ("done", "")
        # The retry rolled up without scoring the chunk, which was done, again.
        assert list(run.chunks.values_list("attempts", flat=True)) == [1]

    def test_each_chunk_is_a_task_of_its_own_and_the_last_one_rolls_up(
        self, period, tree, monkeypatch
    ):
        set_values(submission_of(period, tree.a1a), FULL)
        set_values(submission_of(period, tree.a1b), POOR)
        monkeypatch.setattr(scores, "CHUNK", 1)
        run = scores.start_full_recompute(period, trigger="manual", enqueue=False)
        sent: list[int] = []
        started = scores.run_full_recompute(run.pk, token=run.task_id, dispatch=sent.append)
        assert started.status == "running"
        assert sent == list(range(1, period.submissions.count() + 1))
        assert not Rollup.objects.filter(period=period).exists()  # nothing scored here

        # Workers take the chunks in any order; the last to finish does the roll-up.
        first, *others = sent
        for number in reversed(others):
            assert scores.score_chunk(run.pk, token=run.task_id, number=number) == "scored"
        assert not Rollup.objects.filter(period=period).exists()
        assert scores.score_chunk(run.pk, token=run.task_id, number=first) == "finished"
        run.refresh_from_db()
        assert (run.status, run.progress, run.stats["chunks"]) == ("done", 100, len(sent))
        assert run.stats["subjects"] == 2
        fanned_out = snapshot()
        # A chunk delivered again after the run finished changes nothing.
        assert scores.score_chunk(run.pk, token=run.task_id, number=first) == "stale"
        assert snapshot() == fanned_out
        assert totals(period) == totals(recompute(period).period)  # as a run in one process

    def test_chunks_finishing_together_roll_up_once(self, period, tree, monkeypatch):
        from assessment.services import rollup

        set_values(submission_of(period, tree.a1a), FULL)
        run = scores.start_full_recompute(period, trigger="manual", enqueue=False)
        scores.run_full_recompute(run.pk, token=run.task_id, dispatch=lambda number: None)
        scores.score_chunk(run.pk, token=run.task_id, number=1)  # rolls up: the only chunk
        calls = []
        monkeypatch.setattr(rollup, "write_full", calls.append)
        run.refresh_from_db()
        # Another chunk that also saw none left gets the lock after the first: it does nothing.
        scores._finish(run, run.task_id)
        assert calls == []
        run.refresh_from_db()
        assert run.status == "done"

    def test_chunks_that_cannot_be_sent_are_scored_by_the_run_itself(
        self, period, tree, monkeypatch
    ):
        set_values(submission_of(period, tree.a1a), FULL)
        monkeypatch.setattr(scores, "CHUNK", 1)
        run = scores.start_full_recompute(period, trigger="manual", enqueue=False)
        sent = []

        def dispatch(number):
            if number > 1:
                broker_down()
            sent.append(number)

        done = scores.run_full_recompute(run.pk, token=run.task_id, dispatch=dispatch)
        assert sent == [1]
        # Chunk 1 went to a task that has not run (yet): the others were scored here.
        chunks = dict(done.chunks.values_list("number", "attempts"))
        assert chunks.pop(1) == 0
        assert set(chunks.values()) == {1}
        assert scores.score_chunk(run.pk, token=run.task_id, number=1) == "finished"
        run.refresh_from_db()
        assert run.status == "done"

    def test_a_failure_for_good_is_recorded_on_the_run(self, period, monkeypatch):
        from assessment.services import rollup

        def broken(p):
            raise ValueError("a bug")

        monkeypatch.setattr(rollup, "write_full", broken)
        run = scores.start_full_recompute(period, trigger="manual", enqueue=False)
        tasks.recompute_period.apply(args=[run.pk], task_id=run.task_id, throw=False)
        run.refresh_from_db()
        assert (run.status, run.error) == ("failed", "a bug")
        scores.start_full_recompute(period, trigger="manual", enqueue=False)  # not blocked

    def test_a_failure_running_eagerly_is_recorded_too(
        self, period, monkeypatch, django_capture_on_commit_callbacks
    ):
        from assessment.services import rollup

        def broken(p):
            raise ValueError("a bug")

        monkeypatch.setattr(rollup, "write_full", broken)
        with django_capture_on_commit_callbacks(execute=True):
            run = scores.start_full_recompute(period, trigger="manual")
        run.refresh_from_db()
        assert (run.status, run.error) == ("failed", "a bug")

    def test_the_nightly_task_recomputes_every_open_period(
        self, period, tree, django_capture_on_commit_callbacks
    ):
        set_values(submission_of(period, tree.a1b), FULL)
        with django_capture_on_commit_callbacks(execute=True):
            tasks.recompute_open_periods.apply()
        run = ScoreRun.objects.get()
        assert (run.trigger, run.status) == ("nightly", "done")
        assert totals(period)["A1b"] == 100


class TestCommand:
    def test_it_recomputes_a_period_in_process(self, period, tree):
        set_values(submission_of(period, tree.a1a), FULL)
        out = io.StringIO()
        with translation.override("en"):
            call_command("rollup", period=[period.pk], stdout=out)
        assert "1 subjects" in out.getvalue()
        assert ScoreRun.objects.get().status == "done"
        assert totals(period)["A1a"] == 100

    def test_it_refuses_while_a_recompute_is_under_way(self, period):
        scores.start_full_recompute(period, trigger="manual", enqueue=False)
        with pytest.raises(CommandError):
            call_command("rollup", period=[period.pk], stdout=io.StringIO(), stderr=io.StringIO())

    def test_an_unknown_period_is_an_error(self, db):
        with translation.override("en"), pytest.raises(CommandError, match="No period with id 999"):
            call_command("rollup", period=[999], stdout=io.StringIO())

    def test_due_takes_open_periods(self, period):
        call_command("rollup", due=True, stdout=io.StringIO())
        assert ScoreRun.objects.get().status == "done"


def _approved_tree_period(tree, framework, extra: int, kind: str):
    """A period over the tree with `extra` more branches, every branch approved."""
    for n in range(extra):
        OrganizationFactory(code=f"X{kind}{n}", parent=tree.a1 if n % 2 else tree.b)
    period = PeriodFactory(framework=framework, kind=kind, name=kind, name_en=kind)
    for sub in period.submissions.all():
        set_values(sub, FULL)
    return period


def statements(queries: CaptureQueriesContext) -> int:
    """Queries sent, without the savepoints of the test's own transaction."""
    return sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"])


def test_query_count_of_a_full_recompute_does_not_grow_with_the_tree(tree, published_framework):
    engine_framework(published_framework)  # the parsed framework is cached per process
    small = _approved_tree_period(tree, published_framework, 0, "year")
    with CaptureQueriesContext(connection) as seven:
        recompute(small)
    large = _approved_tree_period(tree, published_framework, 53, "half_year")
    with CaptureQueriesContext(connection) as sixty:
        run = recompute(large)
    assert run.stats["organizations"] == 60
    assert run.stats["subjects"] == 56
    assert statements(seven) == statements(sixty)
    # A run of one chunk: the run's own bookkeeping, its chunk's (plan, attempt, done, count),
    # scoring, the roll-up and opening rectification items, a job of its own (created, claimed,
    # its attempt read, opened, done: five), and the standards' look at the period (one: a
    # framework without a standards section proposes nothing). None of it grows with the tree.
    assert statements(sixty) <= 41


def test_query_count_of_an_approval_does_not_grow_with_the_tree(
    tree, published_framework, alice, carol
):
    engine_framework(published_framework)
    counts = []
    for extra, kind in ((0, "year"), (53, "half_year")):
        period = _approved_tree_period(tree, published_framework, extra, kind)
        recompute(period)
        sub = submission_of(period, tree.a1a)
        sub.state = SubmissionState.SUBMITTED
        sub.save()
        with CaptureQueriesContext(connection) as queries:
            scores.rescore_submission(sub.pk)
        counts.append(statements(queries))
    assert counts[0] == counts[1]
    # 26 on PostgreSQL since the rectification opening takes the period's advisory lock (one
    # statement, whatever the tree): openings of a period wait for each other (decision 157).
    assert counts[1] <= 26
