"""Writing the audit trail and proving it intact.

`record` and `record_many` append inside the caller's transaction: an entry exists exactly when
the change it describes was committed. Appends are serialised so each entry chains onto the one
committed before it: on PostgreSQL by a transaction-level advisory lock (released at commit), on
SQLite by its single writer.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from .chain import GENESIS_HASH, HASHED_FIELDS, canonical_json, entry_hash, text
from .context import client_ip, current_request, normalise_ip
from .models import AuditEntry, VerifyRun

# Any constant shared by all writers; "audit" in ASCII.
ADVISORY_LOCK_KEY = 0x6175646974


_batch: ContextVar[list | None] = ContextVar("audit_batch", default=None)


def _actor_of(request):
    user = getattr(request, "user", None) if request is not None else None
    return user if getattr(user, "is_authenticated", False) else None


def _content(
    kind: str,
    *,
    actor=None,
    actor_name: str = "",
    organization=None,
    period=None,
    target: str = "",
    summary: str = "",
    before=None,
    after=None,
    request=None,
    ip: str | None = None,
) -> dict[str, Any]:
    request = request if request is not None else current_request()
    if actor is None:
        actor = _actor_of(request)
    if ip is None and request is not None:
        ip = client_ip(request)
    return {
        "at": None,  # set under the lock, so that time order follows chain order
        "kind": text(kind)[:60],
        "actor_id": actor.pk if actor is not None else None,
        "actor_name": text(actor.get_username() if actor is not None else actor_name)[:150],
        "ip": normalise_ip(ip),
        "organization_id": _id(organization),
        "period_id": _id(period),
        "target": text(target)[:200],
        "summary": text(summary),
        "before": canonical_json(before),
        "after": canonical_json(after),
    }


def _id(obj_or_id) -> int | None:
    if obj_or_id is None or isinstance(obj_or_id, int):
        return obj_or_id
    return obj_or_id.pk


def _lock_and_read_last_hash() -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
    last = AuditEntry.objects.order_by("-id").values_list("hash", flat=True).first()
    return last or GENESIS_HASH


def _append(contents: list[dict[str, Any]]) -> list[AuditEntry]:
    # savepoint=False: join the caller's transaction without a savepoint (no extra queries);
    # a failure here fails the caller's change too, which is the point.
    with transaction.atomic(savepoint=False):
        prev = _lock_and_read_last_hash()
        now = timezone.now()
        entries = []
        for content in contents:
            content["at"] = now
            content["prev_hash"] = prev
            prev = entry_hash(content)
            entries.append(AuditEntry(hash=prev, **content))
        if len(entries) == 1:
            entries[0].save(force_insert=True)
            return entries
        return AuditEntry.objects.bulk_create(entries, batch_size=500)


def record(
    kind: str,
    *,
    actor=None,
    organization=None,
    period=None,
    target: str = "",
    summary: str = "",
    before=None,
    after=None,
    request=None,
    ip: str | None = None,
    actor_name: str = "",
) -> AuditEntry:
    """Append one entry. Actor and address default to the current request's (middleware).

    `actor_name` names an actor with no account (a failed login's attempted username).
    """
    content = _content(
        kind,
        actor=actor,
        actor_name=actor_name,
        organization=organization,
        period=period,
        target=target,
        summary=summary,
        before=before,
        after=after,
        request=request,
        ip=ip,
    )
    pending = _batch.get()
    if pending is not None:
        pending.append(content)
        return AuditEntry(**content)  # not saved yet: the batch writes it (and sets `at`)
    return _append([content])[0]


def record_many(entries: list[dict[str, Any]]) -> int:
    """Append several entries at once (imports, multi-row saves): one lock, one read, one insert.

    Each dict takes `record`'s keyword arguments plus `kind`.
    """
    if not entries:
        return 0
    contents = [_content(**entry) for entry in entries]
    return len(_append(contents))


@contextmanager
def batch():
    """Entries recorded inside the block are appended together when it ends (`record_many`).

    For loops that record per item (an Excel upload saving many submissions): one lock, one
    read and one bulk insert instead of a pair of queries per item. Use it inside the
    transaction of the changes; if the block raises, nothing is recorded. `record` returns
    unsaved entries meanwhile. Nested blocks join the outer one.
    """
    if _batch.get() is not None:
        yield
        return
    token = _batch.set([])
    try:
        yield
        contents = _batch.get()
    finally:
        _batch.reset(token)
    if contents:
        _append(contents)


@dataclass
class ChainCheck:
    """The outcome of walking the chain (shown by the command and the auditors' badge)."""

    intact: bool
    entries: int = 0
    last_id: int | None = None
    last_hash: str = ""
    broken_id: int | None = None
    broken_at: datetime | None = None
    broken_kind: str = ""
    message: str = ""
    checked_at: datetime = field(default_factory=timezone.now)


def _checkpoint() -> VerifyRun | None:
    return VerifyRun.objects.filter(intact=True, last_id__isnull=False).first()


def verify_chain(*, chunk_size: int = 5000, checkpoint: VerifyRun | None = None) -> ChainCheck:
    """Walk the whole chain in id order, streaming, and recompute every hash.

    Finds the first entry whose content no longer matches its hash, or whose prev_hash is not the
    hash of the entry before it (a row inserted or removed in the middle). Against the last
    intact run (the checkpoint) it also finds a removed tail or a rewritten chain.
    """
    checkpoint = checkpoint if checkpoint is not None else _checkpoint()
    columns = ("id", *(name for name in HASHED_FIELDS), "hash")
    rows = AuditEntry.objects.order_by("id").values_list(*columns).iterator(chunk_size=chunk_size)
    prev = GENESIS_HASH
    count = 0
    last_id = None
    checkpoint_seen = False
    for row in rows:
        content = dict(zip(columns, row, strict=True))
        if content["prev_hash"] != prev:
            return _broken(
                content,
                count,
                f"prev_hash {content['prev_hash']} does not match the previous entry "
                f"(expected {prev}): an entry before it was removed, inserted or altered",
            )
        expected = entry_hash(content)
        if content["hash"] != expected:
            return _broken(content, count, f"stored hash {content['hash']} expected {expected}")
        if checkpoint is not None and content["id"] == checkpoint.last_id:
            checkpoint_seen = True
            if content["hash"] != checkpoint.last_hash:
                return _broken(
                    content,
                    count,
                    f"hash {content['hash']} differs from the one verified on "
                    f"{checkpoint.checked_at.isoformat()} ({checkpoint.last_hash}): "
                    "the chain was rewritten",
                )
        prev = content["hash"]
        last_id = content["id"]
        count += 1
    if checkpoint is not None and not checkpoint_seen:
        return ChainCheck(
            intact=False,
            entries=count,
            last_id=last_id,
            last_hash=prev if count else "",
            broken_id=checkpoint.last_id,
            message=(
                f"entry #{checkpoint.last_id}, the last one verified on "
                f"{checkpoint.checked_at.isoformat()}, is missing: the tail was removed"
            ),
        )
    return ChainCheck(
        intact=True,
        entries=count,
        last_id=last_id,
        last_hash=prev if count else "",
    )


def _broken(content: dict[str, Any], count: int, reason: str) -> ChainCheck:
    at = content["at"]
    return ChainCheck(
        intact=False,
        entries=count,
        broken_id=content["id"],
        broken_at=at,
        broken_kind=content["kind"],
        message=f"broken at entry #{content['id']} ({at.isoformat()}, {content['kind']}): {reason}",
    )


def run_verification() -> VerifyRun:
    """Verify the chain and keep the outcome (the badge and the next checkpoint read it)."""
    result = verify_chain()
    return VerifyRun.objects.create(
        intact=result.intact,
        entries=result.entries,
        last_id=result.last_id if result.intact else None,
        last_hash=result.last_hash if result.intact else "",
        broken_id=result.broken_id,
        message=result.message,
    )


def latest_verification() -> VerifyRun | None:
    return VerifyRun.objects.first()
