"""Loaded before Django's settings (`-p tests.parallel`): under pytest-xdist each worker gets a
Redis database of its own, because a test's `cache.clear()` flushes its whole database — broker
queues included — and would pull the ground from under a test running in the other worker."""

import os
from urllib.parse import urlsplit, urlunsplit


def _own_redis_database(url: str, worker: str) -> str:
    parts = urlsplit(url)
    database = int(worker.removeprefix("gw")) + 1  # 0 stays the development database
    return urlunsplit(parts._replace(path=f"/{database}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _own_redis_database(os.environ["REDIS_URL"], _worker)
