"""The Celery application; configuration comes from Django settings prefixed ``CELERY_``."""

import logging
import logging.config
import os
from pathlib import Path
from typing import Any

from celery import Celery, signals

# Their signal receivers carry the request id into tasks and count task runs, in every process.
import core.metrics
import core.request_ids  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partybuild.settings")

app = Celery("partybuild")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _log_as_the_portal_does(loglevel: Any = None, **_: Any) -> None:
    """Workers and beat log through the portal's LOGGING (JSON lines in production, with the
    request id and the task), not Celery's own format; their --loglevel still sets the level."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)
    if loglevel:
        logging.getLogger().setLevel(loglevel)


def ensure_broker_folders() -> None:
    """The embedded broker keeps its messages in folders that must exist before the first one."""
    if not str(app.conf.broker_url).startswith("filesystem://"):
        return
    options = app.conf.broker_transport_options
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
