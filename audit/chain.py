"""The hash of an audit entry: pure functions, shared by writing and verifying.

The hash is sha256 over a canonical JSON of the entry's content and the previous entry's hash:
sorted keys, fixed separators, UTF-8, the time in ISO 8601 UTC with microseconds, related rows by
their plain ids. JSON payloads are canonicalised before they are stored (see `canonical_json`),
so what comes back from the database hashes exactly as what went in.
"""

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

GENESIS_HASH = "0" * 64

HASHED_FIELDS = (
    "at",
    "kind",
    "actor_id",
    "actor_name",
    "ip",
    "organization_id",
    "period_id",
    "target",
    "summary",
    "before",
    "after",
    "prev_hash",
)


def text(value: Any) -> str:
    """Text as PostgreSQL can store it (no NUL characters, which it refuses in text and jsonb)."""
    return str(value).replace("\x00", "\ufffd")


def _normalise(value: Any) -> Any:
    # PostgreSQL's jsonb returns 2.0 as 2.0 but 1e20 as an integer: integral floats are stored
    # as integers from the start so that the value reads back as written on every database.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        return text(value)
    if isinstance(value, dict):
        return {text(k): _normalise(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_normalise(v) for v in value]
    return value


def canonical_json(value: Any) -> Any:
    """The value as plain JSON types (dates, decimals, UUIDs as text), ready to store and hash."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        value = str(value)
    return _normalise(json.loads(json.dumps(value, cls=DjangoJSONEncoder)))


def timestamp(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash(content: dict[str, Any]) -> str:
    """sha256 hex of the canonical form of the hashed fields in `content`."""
    payload = {name: content.get(name) for name in HASHED_FIELDS}
    payload["at"] = timestamp(payload["at"])
    payload["before"] = _normalise(payload["before"])
    payload["after"] = _normalise(payload["after"])
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(data.encode("utf-8")).hexdigest()
