"""Loaded before Django's settings (`-p tests.parallel`): under pytest-xdist each worker gets a
Redis database of its own, because a test's `cache.clear()` flushes its whole database — broker
queues included — and would pull the ground from under a test running in the other worker."""

import os
from urllib.parse import urlsplit, urlunsplit


def _own_redis_database(url: str, worker: str) -> str:
    """The databases after the URL's own, one a worker (redis://…/0 gives 1 and 2): two runs
    side by side on one Redis, each given its own base, never share one."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    database = base + int(worker.removeprefix("gw")) + 1  # the base stays the development one
    return urlunsplit(parts._replace(path=f"/{database}"))


_worker = os.environ.get("PYTEST_XDIST_WORKER")
if _worker and os.environ.get("REDIS_URL"):
    os.environ["REDIS_URL"] = _own_redis_database(os.environ["REDIS_URL"], _worker)
