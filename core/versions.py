"""Versions of stored data, for caching what is expensive to aggregate from it.

A version is an opaque token kept in the cache. Writers bump it after their transaction commits
(`bump_on_commit`); readers make it part of their cache keys (`remember`), so a change makes
every entry built on the old data unreachable at once, with no list of keys to delete; whoever
fills entries ahead of their readers listens to `bumped`. Entries also expire after `TIMEOUT`,
a bound on staleness should a bump ever be lost.

A writer whose data is read through entries filled ahead of the readers stages the new version
instead (`stage`): the filler computes the entries under it (`remember(..., ahead=True)`) and
publishes it (`publish`), and until then readers keep the entries of the current version — a
few seconds older data, never a reader computing what the filler is computing. A staged version
nobody publishes is taken by readers after `STAGED_FOR` seconds.

The cache must be shared by every process that writes or reads: Redis in production
(REDIS_URL); without it each process has its own memory cache, which is right for the
development server and the tests, where the Celery tasks run in the same process.
"""

import time
import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal

TIMEOUT = 3600
# A staged version unpublished this long (seconds) is taken by readers: its filling was lost.
STAGED_FOR = 120
T = TypeVar("T")

# Sent after a version was bumped (kwargs: name), so that what is cached under it can be
# computed again ahead of its readers (dashboards/warming.py); core knows none of them.
bumped = Signal()


def _key(name: str) -> str:
    return f"version:{name}"


def _staged_key(name: str) -> str:
    return f"version:{name}:staged"


def current(name: str) -> str:
    """The version's token, made on first use; a staged version left unpublished for
    `STAGED_FOR` seconds is published by the reader who finds it."""
    found = cache.get_many([_key(name), _staged_key(name)])
    staged = found.get(_staged_key(name))
    if staged is not None and time.time() - staged[0] > STAGED_FOR:
        publish(name)
        return staged[1]
    token = found.get(_key(name))
    if token is None:
        cache.add(_key(name), uuid.uuid4().hex, None)
        token = cache.get(_key(name)) or "none"
    return token


def bump(name: str) -> None:
    cache.set(_key(name), uuid.uuid4().hex, None)
    cache.delete(_staged_key(name))
    bumped.send(sender=None, name=name)


def bump_on_commit(name: str) -> None:
    """Bump once the current transaction commits (at once outside one): a reader in between
    still sees the old rows and, rightly, the old version."""
    transaction.on_commit(lambda: bump(name))


def stage(name: str) -> None:
    """New data was written, and what is cached from it will be computed ahead of the readers:
    a new version is staged, which `ahead` readers fill, while every other reader keeps the
    current one until `publish`. A version staged already stays (its filling is under way)."""
    cache.add(_staged_key(name), (time.time(), uuid.uuid4().hex), None)


def publish(name: str) -> None:
    """Make the staged version current (nothing when none is staged)."""
    staged = cache.get(_staged_key(name))
    if staged is None:
        return
    cache.set(_key(name), staged[1], None)
    cache.delete(_staged_key(name))
    bumped.send(sender=None, name=name)


def _ahead(name: str) -> str:
    staged = cache.get(_staged_key(name))
    return staged[1] if staged is not None else current(name)


def _full(key: str, tokens: Iterable[str]) -> str:
    return ":".join(["cached", key, *tokens])


def remember(
    key: str, versions: Iterable[str], compute: Callable[[], T], *, ahead: bool = False
) -> T:
    """The cached value of `compute()` for this key and these data versions; `ahead`: of the
    staged versions (where staged), filled before they are published."""
    token = _ahead if ahead else current
    full = _full(key, [token(name) for name in versions])
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, TIMEOUT)
    return value


def remember_many(
    versions: Iterable[str], compute: Callable[[], Mapping[str, T]], *, ahead: bool = False
) -> int:
    """Cache each value of `compute()` (a mapping of keys to values, computed together because
    one query gives them all) for its key and these data versions (`ahead`: as `remember`);
    returns how many.

    The versions are read before `compute()` runs, as `remember` does: data written meanwhile
    bumps them, and leaves what was computed from the older rows unreachable.
    """
    token = _ahead if ahead else current
    tokens = [token(name) for name in versions]
    values = compute()
    cache.set_many({_full(key, tokens): value for key, value in values.items()}, TIMEOUT)
    return len(values)
