"""Versions of stored data, for caching what is expensive to aggregate from it.

A version is an opaque token kept in the cache. Writers bump it after their transaction commits
(`bump_on_commit`); readers make it part of their cache keys (`remember`), so a change makes
every entry built on the old data unreachable at once, with no list of keys to delete; whoever
fills entries ahead of their readers listens to `bumped`. Entries also expire after `TIMEOUT`,
a bound on staleness should a bump ever be lost.

The cache must be shared by every process that writes or reads: Redis in production
(REDIS_URL); without it each process has its own memory cache, which is right for the
development server and the tests, where the Celery tasks run in the same process.
"""

import uuid
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal

TIMEOUT = 3600
T = TypeVar("T")

# Sent after a version was bumped (kwargs: name), so that what is cached under it can be
# computed again ahead of its readers (dashboards/warming.py); core knows none of them.
bumped = Signal()


def _key(name: str) -> str:
    return f"version:{name}"


def current(name: str) -> str:
    """The version's token, made on first use."""
    token = cache.get(_key(name))
    if token is None:
        cache.add(_key(name), uuid.uuid4().hex, None)
        token = cache.get(_key(name)) or "none"
    return token


def bump(name: str) -> None:
    cache.set(_key(name), uuid.uuid4().hex, None)
    bumped.send(sender=None, name=name)


def bump_on_commit(name: str) -> None:
    """Bump once the current transaction commits (at once outside one): a reader in between
    still sees the old rows and, rightly, the old version."""
    transaction.on_commit(lambda: bump(name))


def _full(key: str, tokens: Iterable[str]) -> str:
    return ":".join(["cached", key, *tokens])


def remember(key: str, versions: Iterable[str], compute: Callable[[], T]) -> T:
    """The cached value of `compute()` for this key and these data versions."""
    full = _full(key, [current(name) for name in versions])
    value = cache.get(full)
    if value is None:
        value = compute()
        cache.set(full, value, TIMEOUT)
    return value


def remember_many(versions: Iterable[str], compute: Callable[[], Mapping[str, T]]) -> int:
    """Cache each value of `compute()` (a mapping of keys to values, computed together because
    one query gives them all) for its key and these data versions; returns how many.

    The versions are read before `compute()` runs, as `remember` does: data written meanwhile
    bumps them, and leaves what was computed from the older rows unreachable.
    """
    tokens = [current(name) for name in versions]
    values = compute()
    cache.set_many({_full(key, tokens): value for key, value in values.items()}, TIMEOUT)
    return len(values)
