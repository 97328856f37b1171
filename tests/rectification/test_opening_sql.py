"""PostgreSQL only: the opening in one SQL statement opens exactly the items of the Python rules
(`findings`, the path SQLite takes), on generated packed results; and two openings of one period
at once wait for each other instead of failing."""

import datetime
import json
import random
import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from assessment.models import SubjectScore
from organizations.choices import Role
from organizations.services import assign_role
from rectification import services, tasks
from rectification.models import Rectification
from tests.builders import recompute, store
from tests.factories import UserFactory

from .conftest import WEAK, set_values

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")

# Every column an opening writes, but the id and the times of the insert.
COLUMNS = [
    f.attname
    for f in Rectification._meta.concrete_fields
    if f.attname not in ("id", "created_at", "updated_at")
]
KINDS = ("linear", "bands", "yes_no", "deduction", "veto", "bonus", "formula", "", "appraisal")
# What the scoring writes, and what it might: every kind of JSON value Python finds true or not.
FLAGS = (True, False, None, 0, 1, 2, 0.0, -0.0, 0.5, "", "x", "0", "false", [], [0], {}, {"a": 1})
NUMBERS = (None, 0, 0.0, 1, 1.0, 0.25, 0.5999999, 0.6, 0.999999, 1.5, -0.1, 12, 40.0, 1e-7, 1e20)
STATUSES = ("scored", "missing", "invalid", "n/a", None, "other")


def packed(rng: random.Random) -> list:
    """One indicator's packed result, sometimes cut short (a missing field reads as None)."""
    result = [
        rng.choice(NUMBERS),
        rng.choice(NUMBERS),
        rng.choice(NUMBERS),
        rng.choice(STATUSES),
        rng.choice(FLAGS),
        rng.choice(FLAGS),
    ]
    return result[: rng.choice((0, 2, 3, 4, 5, 6, 6, 6, 6, 6))]


def generated_rubrics(rng: random.Random, codes: list[str]) -> dict[str, tuple[str, float | None]]:
    """Rubric kind and threshold of most codes (the rest are not in the framework)."""
    return {
        code: (rng.choice(KINDS), rng.choice((0.6, 0.4, 0.75, None)))
        for code in codes
        if rng.random() < 0.9
    }


@pytest.fixture
def scored(period, tree, alice):
    """Three branches scored with generated packed results (400 indicators each); a1a has two
    secretaries (alice first), a1b an inactive one before an active one, b1 none."""
    rng = random.Random(19)
    submissions = store(period, {tree.a1a: {}, tree.a1b: {}, tree.b1: {}})
    codes = [f"X{n:03d}" for n in range(400)]
    assign_role(user=UserFactory(username="second"), organization=tree.a1a, role=Role.SECRETARY)
    gone = UserFactory(username="gone", is_active=False)
    assign_role(user=gone, organization=tree.a1b, role=Role.SECRETARY)
    assign_role(user=UserFactory(username="bob2"), organization=tree.a1b, role=Role.SECRETARY)
    now = timezone.now()
    SubjectScore.objects.bulk_create(
        SubjectScore(
            submission=submission,
            period=period,
            organization_id=submission.organization_id,
            subject_kind=submission.subject_kind,
            subject_unit=submission.subject_unit,
            state=submission.state,
            total=0,
            base=0,
            bonus=0,
            max=100,
            computed_at=now,
            # Through JSON as the database returns it, so both paths read the same document.
            indicators=json.loads(json.dumps({code: packed(rng) for code in codes})),
        )
        for submission in submissions
    )
    return submissions, generated_rubrics(rng, codes)


def opened_by(open_items, period, submission_ids, rubrics) -> tuple[int, list[str], set[tuple]]:
    """What one way of opening writes, rolled back afterwards: (count, audit sample, rows)."""
    due = timezone.localdate() + datetime.timedelta(days=60)
    with transaction.atomic():
        opened, sample = open_items(period.pk, submission_ids, rubrics, due)
        rows = set(Rectification.objects.filter(period=period).values_list(*COLUMNS))
        transaction.set_rollback(True)
    return opened, sample, rows


@pytest.mark.django_db
@pytest.mark.parametrize("only_some", [False, True], ids=["whole period", "some submissions"])
def test_the_statement_opens_what_the_python_rules_open(period, scored, only_some):
    submissions, rubrics = scored
    submission_ids = [submissions[0].pk, submissions[2].pk] if only_some else None

    python = opened_by(services._open_in_python, period, submission_ids, rubrics)
    sql = opened_by(services._open_in_sql, period, submission_ids, rubrics)

    assert python[0] > 100  # the generated results call for many items of every source
    assert {row[COLUMNS.index("source")] for row in python[2]} == set(Rectification.Source.values)
    assert sql == python


@pytest.mark.django_db
def test_items_already_there_are_kept_as_they_are_by_both(period, scored, alice):
    _submissions, rubrics = scored
    found = services.findings(
        SubjectScore.objects.filter(period=period).values(
            "organization_id", "submission_id", "indicators"
        ),
        rubrics,
    )
    for finding in found[::7]:  # some items opened before, and worked on since
        Rectification.objects.create(
            period=period,
            organization_id=finding.organization_id,
            submission_id=finding.submission_id,
            indicator_code=finding.code,
            source=finding.source,
            state=Rectification.State.IN_PROGRESS,
            plan="已制定整改方案",
            owner=alice,
        )

    python = opened_by(services._open_in_python, period, None, rubrics)
    sql = opened_by(services._open_in_sql, period, None, rubrics)

    assert python[0] == len(found) - len(found[::7])
    assert sql == python


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_openings_of_a_period_at_once_wait_for_each_other(period, tree):
    """The second opening starts while the first has inserted and not committed: it waits on
    the period's lock, then finds the items there (without the lock it would insert them too
    and fail on the unique constraint)."""
    set_values(period, tree.a1a, WEAK)
    set_values(period, tree.a1b, WEAK)
    with pytest.MonkeyPatch.context() as patch:  # scored, nothing opened yet
        patch.setattr(tasks.open_for_period, "apply_async", lambda *args, **kwargs: None)
        recompute(period)
    inserted = threading.Event()
    results: dict[str, object] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                results["first"] = services.open_for_scores(period.pk)
                inserted.set()
                wait_for_a_waiting_backend()
        except BaseException as error:
            results["first"] = error
        finally:
            inserted.set()
            connections.close_all()

    def second() -> None:
        try:
            inserted.wait(timeout=60)
            results["second"] = services.open_for_scores(period.pk)
        except BaseException as error:
            results["second"] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert results == {"first": 2, "second": 0}
    assert Rectification.objects.filter(period=period).count() == 2


def wait_for_a_waiting_backend(timeout: float = 30) -> None:
    """Hold the transaction open until another session of this database waits on a lock."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE NOT l.granted AND a.datname = current_database() "
                "AND a.pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.01)
