"""A save and another audited write of the same period at once never deadlock (PostgreSQL).

Found by the load drill (bench/load_drill.py): a save locked its submission together with the
period and the organization FOR UPDATE (select_related under select_for_update), then waited for
the audit chain's lock; another write of the period held the chain's lock and, at its commit,
checked the foreign key of a row it wrote to the period (KEY SHARE), which waited for the save's
lock (a worker's task writing rows of the period with their audit entries, such as rectification
items opened after an approval). PostgreSQL broke the cycle by failing one of them: a 500 for a
secretary's save.
"""

import os
import threading
from unittest import mock

import pytest
from django.db import connection, connections, transaction

from assessment.models import ScoreRun, Submission
from assessment.services import submissions
from audit import hooks
from audit.models import AuditEntry, AuditKind
from audit.services import record

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must run the lock-order test on PostgreSQL")
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def test_a_save_and_an_audited_write_of_its_period_both_commit(postgres, submission, alice):
    """GIVEN a save holding its submission's lock, WHEN another transaction writes a row of the same
    period and an audit entry and commits before the save reaches the chain, THEN both commit."""
    locked, appended = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    real_values_saved = hooks.values_saved

    def values_saved_after_the_other(*args, **kwargs):
        locked.set()  # the save holds its locks and is about to append
        appended.wait(timeout=10)
        return real_values_saved(*args, **kwargs)

    def save() -> None:
        try:
            fresh = Submission.objects.get(pk=submission.pk)
            submissions.save_values(fresh, {"C1.01": "7"}, version=1, acting_user=alice)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    def other_write() -> None:
        try:
            locked.wait(timeout=10)
            with transaction.atomic():
                # A row of the period (its foreign key checked at commit) and an audit entry,
                # as a worker's task opening rectification items writes them.
                ScoreRun.objects.create(
                    period_id=submission.period_id,
                    trigger=ScoreRun.Trigger.MANUAL,
                    status=ScoreRun.Status.DONE,
                )
                record(AuditKind.VALUE_CHANGED, period=submission.period_id, target="elsewhere")
                appended.set()
        except BaseException as error:
            appended.set()
            errors.append(error)
        finally:
            connections.close_all()

    with mock.patch.object(hooks, "values_saved", values_saved_after_the_other):
        threads = [threading.Thread(target=save), threading.Thread(target=other_write)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)

    assert not errors, errors
    assert AuditEntry.objects.filter(target="elsewhere").exists()
    assert AuditEntry.objects.filter(target=f"submission:{submission.pk}").exists()
