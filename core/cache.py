"""The Redis cache, degraded to a miss when Redis cannot be reached.

Everything the portal caches can be computed again (dashboard aggregates, data versions) or is a
rate counter (the token throttle, which then lets attempts through while django-axes, counting in
the database, still locks out guessing). So a Redis outage costs speed, never an answer: every
Redis error is logged, at most once a minute, and taken as a miss or a write not done.
"""

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)
T = TypeVar("T")
LOG_EVERY_SECONDS = 60


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, answering as an empty cache while Redis is down."""

    _last_logged = 0.0

    def _degraded(self, fallback: T, method: Callable[..., T], *args: Any) -> T:
        try:
            return method(*args)
        except RedisError as error:
            now = time.monotonic()
            if now - RedisCache._last_logged >= LOG_EVERY_SECONDS:
                RedisCache._last_logged = now
                log.warning("Redis cache unavailable, serving without it: %s", error)
            return fallback

    def get(self, key, default=None, version=None):
        return self._degraded(default, super().get, key, default, version)

    def get_many(self, keys, version=None):
        return self._degraded({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._degraded(False, super().has_key, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degraded(False, super().add, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._degraded(None, super().set, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degraded(list(data), super().set_many, data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degraded(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._degraded(False, super().delete, key, version)

    def delete_many(self, keys, version=None):
        self._degraded(None, super().delete_many, keys, version)

    def clear(self):
        return self._degraded(False, super().clear)

    def incr(self, key, delta=1, version=None):
        try:
            return super().incr(key, delta, version)
        except RedisError as error:
            # incr reports a missing key as ValueError; an unreachable one is missing too.
            raise ValueError(f"Key '{key}' not found (Redis unavailable)") from error
