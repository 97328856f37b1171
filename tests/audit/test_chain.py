"""The chain: appends are hashed and linked, the model refuses changes, verification finds the
first altered, inserted or removed entry, and `verify_audit` says so with its exit code."""

import contextlib
import itertools
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit.chain import GENESIS_HASH, entry_hash
from audit.models import AppendOnlyError, AuditEntry, VerifyRun
from audit.services import batch, record, record_many, run_verification, verify_chain

from .conftest import TABLE, raw_sql

pytestmark = pytest.mark.django_db


def _in_a_failing_transaction(action, context=contextlib.nullcontext) -> None:
    with transaction.atomic(), context():
        action()
        raise RuntimeError("the caller fails after recording")


def _five(tree) -> list[AuditEntry]:
    return [
        record("value.changed", organization=tree.a1a, target=f"t:{n}", before={"v": n}, after={})
        for n in range(5)
    ]


def test_entries_link_each_to_the_one_before(tree):
    entries = _five(tree)
    assert entries[0].prev_hash == GENESIS_HASH
    for previous, entry in itertools.pairwise(entries):
        assert entry.prev_hash == previous.hash
    check = verify_chain()
    assert check.intact
    assert check.entries == AuditEntry.objects.count()
    assert check.last_hash == AuditEntry.objects.order_by("-id").first().hash


def test_json_reads_back_exactly_as_it_was_hashed(tree):
    """Decimals, dates, nested maps and integral floats hash the same after the round trip."""
    import datetime

    entry = record(
        "value.changed",
        before={"a": Decimal("1.50"), "b": 2.0, "c": [1e20, 0.1], "d": datetime.date(2026, 1, 2)},
        after={"中文": "值", "n": None, "t": True},
    )
    stored = AuditEntry.objects.values().get(pk=entry.pk)
    assert entry_hash(stored) == entry.hash
    assert stored["before"] == {"a": "1.50", "b": 2, "c": [10**20, 0.1], "d": "2026-01-02"}
    assert verify_chain().intact


def test_record_many_appends_a_linked_run(tree):
    first = record("role.assigned")
    assert record_many([{"kind": "value.imported", "target": f"v:{n}"} for n in range(4)]) == 4
    rows = list(AuditEntry.objects.order_by("id").values_list("prev_hash", "hash"))
    assert rows[-5][1] == first.hash
    for (_prev, before), (prev, _hash) in itertools.pairwise(rows):
        assert prev == before
    assert verify_chain().intact


def test_a_batch_writes_at_its_end_and_nothing_when_it_fails(tree):
    count = AuditEntry.objects.count()
    with transaction.atomic(), batch():
        record("value.changed", target="one")
        record("value.changed", target="two")
        assert AuditEntry.objects.count() == count
    assert list(AuditEntry.objects.order_by("-id").values_list("target", flat=True)[:2]) == [
        "two",
        "one",
    ]
    with pytest.raises(RuntimeError):
        _in_a_failing_transaction(lambda: record("value.changed", target="three"), batch)
    assert AuditEntry.objects.count() == count + 2
    assert verify_chain().intact


def test_an_entry_is_part_of_the_callers_transaction(tree):
    count = AuditEntry.objects.count()
    with pytest.raises(RuntimeError):
        _in_a_failing_transaction(lambda: record("value.changed", target="rolled back"))
    assert AuditEntry.objects.count() == count
    assert verify_chain().intact


def test_the_model_refuses_updates_and_deletes(tree):
    entry = record("value.changed", summary="as recorded")
    entry.summary = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(summary="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.update(summary="rewritten")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.bulk_update([entry], ["summary"])
    with pytest.raises(AppendOnlyError):
        AuditEntry(kind="x").save()  # not through record(): no hash
    assert AuditEntry.objects.get(pk=entry.pk).summary == "as recorded"


def test_a_row_altered_with_raw_sql_is_named(tree):
    entries = _five(tree)
    victim = entries[2]
    raw_sql(f"UPDATE {TABLE} SET summary = %s WHERE id = %s", ["nothing happened", victim.pk])
    check = verify_chain()
    assert not check.intact
    assert check.broken_id == victim.pk
    assert check.broken_kind == "value.changed"
    assert f"broken at entry #{victim.pk}" in check.message
    assert f"stored hash {victim.hash} expected " in check.message


def test_a_json_value_altered_with_raw_sql_is_named(tree):
    entries = _five(tree)
    raw_sql(f"UPDATE {TABLE} SET after = %s WHERE id = %s", [json.dumps({"v": 999}), entries[1].pk])
    assert verify_chain().broken_id == entries[1].pk


def test_a_rehashed_row_breaks_the_link_of_the_next_one(tree):
    """Whoever alters a row and recomputes its hash must rewrite every entry after it."""
    entries = _five(tree)
    content = AuditEntry.objects.values().get(pk=entries[1].pk)
    content["summary"] = "forged"
    forged = entry_hash(content)
    raw_sql(
        f"UPDATE {TABLE} SET summary = %s, hash = %s WHERE id = %s",
        ["forged", forged, entries[1].pk],
    )
    check = verify_chain()
    assert check.broken_id == entries[2].pk
    assert "prev_hash" in check.message


def test_a_deleted_middle_row_is_found(tree):
    entries = _five(tree)
    raw_sql(f"DELETE FROM {TABLE} WHERE id = %s", [entries[2].pk])
    check = verify_chain()
    assert not check.intact
    assert check.broken_id == entries[3].pk
    assert "does not match the previous entry" in check.message


def test_a_removed_tail_is_found_against_the_last_verification(tree):
    entries = _five(tree)
    run = run_verification()
    assert run.intact
    assert run.last_id == entries[-1].pk
    raw_sql(f"DELETE FROM {TABLE} WHERE id >= %s", [entries[3].pk])
    check = verify_chain()
    assert not check.intact
    assert check.broken_id == entries[-1].pk
    assert "the tail was removed" in check.message


def test_a_verification_keeps_its_outcome(tree):
    _five(tree)
    run = run_verification()
    assert VerifyRun.objects.first() == run
    assert run.intact
    assert run.entries == AuditEntry.objects.count()


def test_verify_audit_exits_0_when_intact(tree, capsys):
    _five(tree)
    call_command("verify_audit")
    out = capsys.readouterr().out
    last = AuditEntry.objects.order_by("-id").first()
    assert f"intact: {AuditEntry.objects.count()} entries, last hash {last.hash}" in out


def test_verify_audit_exits_1_naming_the_broken_entry(tree):
    entries = _five(tree)
    raw_sql(f"UPDATE {TABLE} SET actor_name = %s WHERE id = %s", ["mallory", entries[0].pk])
    with pytest.raises(CommandError, match=rf"broken at entry #{entries[0].pk} \("):
        call_command("verify_audit")
    assert not VerifyRun.objects.first().intact


def test_verify_audit_runs_as_a_process_with_exit_code_1(tree, tmp_path):
    """The exit status seen by a shell or a monitoring job (CommandError → 1)."""
    from django.core.management import execute_from_command_line

    entries = _five(tree)
    raw_sql(f"DELETE FROM {TABLE} WHERE id = %s", [entries[1].pk])
    with pytest.raises(SystemExit) as exit_info:
        execute_from_command_line(["manage.py", "verify_audit", "--no-save"])
    assert exit_info.value.code == 1


def test_an_empty_trail_is_intact(db):
    check = verify_chain()
    assert check.intact
    assert check.entries == 0


def test_verification_streams_in_chunks(tree, django_assert_max_num_queries):
    """A small chunk size still reads everything (on PostgreSQL through a server-side cursor)."""
    record_many([{"kind": "value.imported", "target": f"v:{n}"} for n in range(25)])
    with django_assert_max_num_queries(12):
        check = verify_chain(chunk_size=5)
    assert check.intact
    assert check.entries == AuditEntry.objects.count()


def test_deleting_a_user_leaves_the_chain_intact(tree, alice):
    entry = record("value.changed", actor=alice)
    alice.delete()
    assert AuditEntry.objects.get(pk=entry.pk).actor_name == "alice"
    assert verify_chain().intact


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL")
def test_postgresql_refuses_update_and_delete_in_the_database(tree):
    from django.db import DatabaseError

    entry = record("value.changed")
    for sql in (
        f"UPDATE {TABLE} SET summary = 'x' WHERE id = %s",
        f"DELETE FROM {TABLE} WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(sql, [entry.pk])
    assert verify_chain().intact


def test_nul_characters_and_long_text_are_stored_safely(db):
    entry = record(
        "login.locked_out",
        actor_name="ev\x00il" * 40,
        target="t" * 300,
        summary="a\x00b",
        after={"k\x00": "v\x00"},
    )
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert "\x00" not in stored.actor_name + stored.summary + str(stored.after)
    assert len(stored.actor_name) == 150
    assert len(stored.target) == 200
    assert verify_chain().intact
