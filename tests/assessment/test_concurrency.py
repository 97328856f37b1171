"""No lost update: two clients saving the same submission at once against PostgreSQL.

Both start from version 1. The row lock in `save_values` makes the second wait for the first to
commit; it then sees version 2 and is refused. SQLite serialises whole transactions, so this
test only means something on PostgreSQL (CI sets DATABASE_URL).
"""

import os
import threading

import pytest
from django.db import connection, connections

from assessment.models import IndicatorValue, Submission, ValueChange
from assessment.services import submissions
from assessment.services.submissions import StaleVersion

# serialized_rollback: a flush would also drop the organization kinds a migration created.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        if os.environ.get("CI"):
            pytest.fail("CI must run the concurrency test on PostgreSQL")
        pytest.skip("needs PostgreSQL (DATABASE_URL)")


def test_two_concurrent_saves_one_wins_and_nothing_is_overwritten(postgres, submission, alice):
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def client(name: str, value: str) -> None:
        try:
            fresh = Submission.objects.get(pk=submission.pk)
            barrier.wait(timeout=10)
            submissions.save_values(fresh, {"C1.01": value}, version=1, acting_user=alice)
            outcomes[name] = "saved"
        except StaleVersion as stale:
            outcomes[name] = stale
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=client, args=("first", "5")),
        threading.Thread(target=client, args=("second", "9")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    saved = [name for name, outcome in outcomes.items() if outcome == "saved"]
    refused = [outcome for outcome in outcomes.values() if isinstance(outcome, StaleVersion)]
    assert len(saved) == 1
    assert len(refused) == 1
    assert refused[0].current == 2
    winner_value = 5 if saved == ["first"] else 9
    assert IndicatorValue.objects.get(submission=submission).value == winner_value
    assert ValueChange.objects.filter(submission=submission).count() == 1
    assert Submission.objects.get(pk=submission.pk).version == 2
