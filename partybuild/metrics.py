"""/metrics for Prometheus, answered only to the monitoring networks of METRICS_ALLOWED_IPS.

The counters of `core.metrics` come from this process, or, under gunicorn, from every process's
files in PROMETHEUS_MULTIPROC_DIR (the Celery worker's too when it shares the folder). What is
read when Prometheus asks is gathered here: the depth of the Celery queues, the end of the last
successful roll-up, the beat's last tick and the worker's last heartbeat. A scrape costs two small
queries and one round trip to the broker; a request costs none.
"""

import logging
import os
from collections.abc import Iterator

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from assessment.models import ScoreRun
from core.client_address import client_in

from .heartbeats import last_seen

logger = logging.getLogger(__name__)

# kombu's Redis transport keeps a queue's messages of priority 3, 6 and 9 in lists of their own.
_REDIS_PRIORITY_SEP = "\x06\x16"
_REDIS_PRIORITIES = (3, 6, 9)


def _queues() -> list[str]:
    queues = [settings.CELERY_TASK_DEFAULT_QUEUE]
    if settings.CELERY_REPORTS_QUEUE:
        queues.append(settings.CELERY_REPORTS_QUEUE)
    return queues


def queue_lengths() -> dict[str, int] | None:
    """Messages waiting in each queue; None when the broker cannot tell (unreachable)."""
    broker = str(settings.CELERY_BROKER_URL)
    if broker.startswith("filesystem://"):
        # The embedded broker: one file a message, named `<time>_<id>.<queue>.msg`.
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        try:
            names = [entry.name for entry in os.scandir(folder) if entry.is_file()]
        except OSError:
            names = []
        return {q: sum(name.endswith(f".{q}.msg") for name in names) for q in _queues()}
    import redis

    try:
        client = redis.Redis.from_url(broker, socket_connect_timeout=1, socket_timeout=1)
        with client.pipeline(transaction=False) as pipe:
            for queue in _queues():
                pipe.llen(queue)
                for priority in _REDIS_PRIORITIES:
                    pipe.llen(f"{queue}{_REDIS_PRIORITY_SEP}{priority}")
            lengths = pipe.execute()
    except redis.RedisError as error:
        logger.warning("queue depth unavailable: %s", error)
        return None
    per_queue = 1 + len(_REDIS_PRIORITIES)
    return {
        queue: sum(lengths[i * per_queue : (i + 1) * per_queue])
        for i, queue in enumerate(_queues())
    }


def last_rollup_finished() -> float | None:
    """When the last successful score run (scores and roll-up) finished, as a Unix time."""
    finished = (
        ScoreRun.objects.filter(status=ScoreRun.Status.DONE, finished_at__isnull=False)
        .order_by("-finished_at")
        .values_list("finished_at", flat=True)
        .first()
    )
    return finished.timestamp() if finished else None


class ScrapeTimeCollector(Collector):
    """What is read at each scrape rather than counted as it happens."""

    def collect(self) -> Iterator[Metric]:
        depth = GaugeMetricFamily(
            "partybuild_celery_queue_length",
            "Messages waiting in a Celery queue (absent when the broker cannot be reached).",
            labels=["queue"],
        )
        for queue, length in (queue_lengths() or {}).items():
            depth.add_metric([queue], length)
        yield depth

        try:
            rollup, seen = last_rollup_finished(), last_seen()
        except DatabaseError as error:
            # The counters are still worth having; the database's absence shows on /healthz.
            logger.warning("database metrics unavailable: %s", error)
            return
        if rollup is not None:
            yield GaugeMetricFamily(
                "partybuild_rollup_last_success_timestamp_seconds",
                "When the last successful score run (scores and roll-up) finished (Unix time).",
                value=rollup,
            )

        names = {
            "beat": (
                "partybuild_beat_last_tick_timestamp_seconds",
                "When the Celery beat last sent its every-minute heartbeat task (Unix time).",
            ),
            "worker": (
                "partybuild_worker_last_heartbeat_timestamp_seconds",
                "When a Celery worker last ran the heartbeat task (Unix time).",
            ),
        }
        for process, heartbeat in seen.items():
            if heartbeat.at is not None:
                name, documentation = names[process]
                yield GaugeMetricFamily(name, documentation, value=heartbeat.at.timestamp())


def exposition() -> bytes:
    """The text Prometheus reads: counters (this process's or every process's) and the
    scrape-time gauges."""
    scraped = CollectorRegistry(auto_describe=False)
    scraped.register(ScrapeTimeCollector())
    if settings.PROMETHEUS_MULTIPROC_DIR:
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        counted = REGISTRY
    return generate_latest(counted) + generate_latest(scraped)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    if not client_in(request, settings.METRICS_ALLOWED_IPS):
        raise Http404
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)
