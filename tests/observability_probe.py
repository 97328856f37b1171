"""A page that logs and starts tasks, for the tests of request ids and metrics (not a real page).

`ROOT_URLCONF = "tests.observability_probe"` serves it; its tasks log, or fail, as told.
"""

import logging

from django.http import HttpRequest, HttpResponse
from django.urls import path

from partybuild.celery import app

logger = logging.getLogger("tests.probe")


@app.task(name="tests.probe_log", time_limit=60)
def log_in_task(word: str) -> None:
    # A warning: the test workers log warnings and worse only.
    logger.warning("in the task: %s", word)


@app.task(name="tests.probe_fail", time_limit=60)
def fail_in_task() -> None:
    raise ValueError("the probe task fails, as told")


def start_task(request: HttpRequest) -> HttpResponse:
    logger.info("in the view")
    log_in_task.delay("hello")
    return HttpResponse("started")


urlpatterns = [path("probe/start", start_task, name="probe-start")]
