"""Each pytest-xdist worker's Redis database (tests/parallel.py) follows the URL's own."""

from tests.parallel import _own_redis_database


def test_workers_take_the_databases_after_the_urls_own():
    assert _own_redis_database("redis://127.0.0.1:6379/0", "gw0") == "redis://127.0.0.1:6379/1"
    assert _own_redis_database("redis://127.0.0.1:6379/0", "gw1") == "redis://127.0.0.1:6379/2"
    assert _own_redis_database("redis://127.0.0.1:6379/6", "gw1") == "redis://127.0.0.1:6379/8"
    assert _own_redis_database("redis://127.0.0.1:6379", "gw0") == "redis://127.0.0.1:6379/1"
