"""Prometheus metrics counted as things happen: requests by view and status, their latency, and
Celery task runs, retries and failures by task name.

Counting costs a dictionary look-up and an addition per request, no query. Under gunicorn (several
processes) and for the Celery worker's processes, prometheus_client keeps the counts in files of
the folder named by the environment variable PROMETHEUS_MULTIPROC_DIR, read before this module
is imported; the /metrics view (`partybuild/metrics.py`) then adds up every process's files.
What is read at scrape time (queue depth, the last roll-up, beat and worker heartbeats) is
collected by that view, not here. The metrics are listed in docs/monitoring.md.
"""

import time
from typing import Any

from celery import signals
from django.http import HttpRequest, HttpResponse
from prometheus_client import Counter, Histogram

# Responses that no URL pattern served: static files, redirects to HTTPS, unknown addresses.
UNROUTED = "none"

REQUESTS = Counter(
    "partybuild_http_requests",
    "HTTP requests answered, by URL name, method and status code.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "partybuild_http_request_duration_seconds",
    "Time from the request entering the portal's middleware to the response, by URL name.",
    ["view"],
    buckets=(0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
TASK_RUNS = Counter(
    "partybuild_celery_task_runs",
    "Celery tasks run by a worker (each attempt), by task name.",
    ["task"],
)
TASK_FAILURES = Counter(
    "partybuild_celery_task_failures",
    "Celery tasks that ended in an error, once their retries were spent, by task name.",
    ["task"],
)
TASK_RETRIES = Counter(
    "partybuild_celery_task_retries",
    "Celery task attempts that asked to be retried, by task name.",
    ["task"],
)

# HTTP methods outside this set are counted as "other", so a client cannot make up labels.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def view_name(request: HttpRequest) -> str:
    """The URL pattern's name (`assessment:entry`), never the raw path: one series per page."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return UNROUTED
    return match.view_name or UNROUTED


class MetricsMiddleware:
    """Counts each response and its latency by view; first in the chain, so it times the rest."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_name(request)
        method = request.method if request.method in _METHODS else "other"
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        LATENCY.labels(view).observe(time.perf_counter() - started)
        return response


def _task_name(sender: Any) -> str:
    return getattr(sender, "name", None) or str(sender)


@signals.task_prerun.connect
def _count_run(sender: Any = None, **_: Any) -> None:
    TASK_RUNS.labels(_task_name(sender)).inc()


@signals.task_failure.connect
def _count_failure(sender: Any = None, **_: Any) -> None:
    TASK_FAILURES.labels(_task_name(sender)).inc()


@signals.task_retry.connect
def _count_retry(sender: Any = None, **_: Any) -> None:
    TASK_RETRIES.labels(_task_name(sender)).inc()
