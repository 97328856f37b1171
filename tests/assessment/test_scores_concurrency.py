"""Scores under real concurrency, against PostgreSQL: two full recomputes asked for at once,
and approvals in one subtree rolled up at the same moment. SQLite serialises whole transactions,
so these tests only mean something on PostgreSQL (CI sets DATABASE_URL)."""

import os
import threading

import pytest
from django.db import connection, connections

from assessment.models import ScoreRun
from assessment.services import scores
from tests.builders import recompute

from .test_scores_support import (
    FULL,
    WEAK,
    _peer_ranks_at_once,  # noqa: F401  (an autouse fixture)
    set_values,
    snapshot,
    submission_of,
)

# serialized_rollback: a flush would also drop the organization kinds a migration created.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must run the concurrency tests on PostgreSQL")
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def together(*calls) -> list[object]:
    """Run the calls in threads released at the same moment; their results or exceptions."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as error:
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(n, c)) for n, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_full_recomputes_asked_at_once_start_one_run(postgres, period):
    def start():
        return scores.start_full_recompute(period, trigger="manual", enqueue=False)

    outcomes = together(start, start)

    assert sum(isinstance(o, ScoreRun) for o in outcomes) == 1
    assert sum(isinstance(o, scores.AlreadyRunning) for o in outcomes) == 1
    assert ScoreRun.objects.count() == 1


def test_approvals_rolled_up_at_the_same_moment_lose_nothing(postgres, period, tree, monkeypatch):
    set_values(submission_of(period, tree.b1), FULL)
    recompute(period)
    first, second = submission_of(period, tree.a1a), submission_of(period, tree.a1b)
    set_values(first, FULL)
    set_values(second, WEAK)
    # Peer ranks once, afterwards: Celery's eager mode keeps a process-wide flag that two
    # threads running tasks eagerly at once can leave set (then result.get() refuses to work).
    monkeypatch.setattr(scores, "schedule_peer_ranks", lambda period_id: None)

    outcomes = together(
        lambda: scores.rescore_submission(first.pk), lambda: scores.rescore_submission(second.pk)
    )
    scores.refresh_peer_ranks(period.pk)

    assert outcomes == ["incremental", "incremental"]
    concurrent = snapshot()
    recompute(period)
    assert snapshot() == concurrent


def test_chunks_share_the_period_lock_and_exclude_exclusive_writers(
    postgres, period, tree, monkeypatch
):
    """Chunks of a full run score side by side on the workers; an approval's update or the
    roll-up (the exclusive lock) waits for them."""
    from django.db import OperationalError, transaction

    from assessment.services import rollup

    set_values(submission_of(period, tree.a1a), FULL)
    set_values(submission_of(period, tree.a1b), WEAK)
    first, second = (submission_of(period, org).pk for org in (tree.a1a, tree.a1b))
    context = scores._context(period)
    inside, release = threading.Event(), threading.Event()
    read_cells = scores.read_cells

    def paused(period_id, framework_id, states, ids, codes):
        if ids[0] == first:  # the first chunk holds the period's lock here until released
            inside.set()
            release.wait(10)
        return read_cells(period_id, framework_id, states, ids, codes)

    monkeypatch.setattr(scores, "read_cells", paused)
    outcomes: dict[str, object] = {}

    def attempt(name, call):
        try:
            outcomes[name] = call()
        except Exception as error:
            outcomes[name] = error
        finally:
            connections.close_all()

    def exclusive():
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '300ms'")
            rollup.lock_period(period.pk)

    holder = threading.Thread(
        target=attempt,
        args=("first", lambda: scores.score_submissions(context, lo=first, hi=first + 1)),
    )
    holder.start()
    assert inside.wait(10)
    other = threading.Thread(
        target=attempt,
        args=("second", lambda: scores.score_submissions(context, lo=second, hi=second + 1)),
    )
    other.start()
    other.join(10)
    blocked = threading.Thread(target=attempt, args=("exclusive", exclusive))
    blocked.start()
    blocked.join(10)
    release.set()
    holder.join(10)
    assert outcomes["second"].subjects == 1  # done while the first chunk held the lock
    assert isinstance(outcomes["exclusive"], OperationalError)  # lock timeout: it had to wait
    assert outcomes["first"].subjects == 1


def test_score_documents_are_compressed_with_lz4(postgres):
    """Migration 0006: the large JSON documents of subject scores use the faster compression."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attname, attcompression FROM pg_attribute WHERE attrelid = "
            "'assessment_subjectscore'::regclass AND attname IN ('indicators', 'inputs')"
        )
        assert dict(cursor.fetchall()) == {"indicators": "l", "inputs": "l"}
