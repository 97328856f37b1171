"""PostgreSQL only: concurrent appends stay one chain (the advisory lock), and the trigger
refuses changes even from raw SQL unless it is disabled."""

import threading

import pytest
from django.db import connection, connections, transaction

from audit.models import AuditEntry
from audit.services import record, verify_chain

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only"),
    # Serialized like every transactional test: its flush then leaves the content types to the
    # next one instead of creating them again under new ids.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

WRITERS = 6
EACH = 15


def test_concurrent_appends_form_one_unbroken_chain():
    """Writers in their own transactions, each holding its transaction open a moment after
    appending: without the lock two would read the same last hash and fork the chain."""
    start = threading.Barrier(WRITERS)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    record("value.changed", target=f"w{n}:{i}")
                    AuditEntry.objects.filter(target=f"w{n}:{i}").exists()  # a little later
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert AuditEntry.objects.count() == WRITERS * EACH
    check = verify_chain()
    assert check.intact, check.message
    assert AuditEntry.objects.values("prev_hash").distinct().count() == WRITERS * EACH


def test_a_rolled_back_append_releases_the_lock_and_leaves_nothing():
    def append_then_fail() -> None:
        with transaction.atomic():
            record("value.changed", target="gone")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        append_then_fail()
    record("value.changed", target="kept")
    assert list(AuditEntry.objects.values_list("target", flat=True)) == ["kept"]
    assert verify_chain().intact


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_auditentry SET target = 'changed'",
        "DELETE FROM audit_auditentry",
        "TRUNCATE audit_auditentry",
        "TRUNCATE audit_auditentry CASCADE",
    ],
)
def test_the_database_refuses_to_change_or_remove_entries(statement):
    """GIVEN an entry WHEN raw SQL updates, deletes or truncates THEN PostgreSQL refuses it."""
    record("value.changed", target="kept")
    with (
        pytest.raises(Exception, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert list(AuditEntry.objects.values_list("target", flat=True)) == ["kept"]
