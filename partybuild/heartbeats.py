"""Whether the Celery beat and a worker are alive, from the heartbeat task they pass between them.

Every minute the beat sends `partybuild.heartbeat`. Sending it records the beat's tick (in the
beat's process, through `before_task_publish`: only the beat sends this task), and running it
records the worker's heartbeat. So a dead beat shows as an old tick, and a dead or jammed worker
as an old heartbeat while the ticks go on; with the beat dead the worker's heartbeat ages too.
This works on every broker, the embedded file broker of `make run` included, and needs neither
Celery's events nor its remote control.
"""

import datetime
import logging
import socket
from dataclasses import dataclass
from typing import Any

from celery import signals
from django.conf import settings
from django.utils import timezone

from .models import Heartbeat

logger = logging.getLogger(__name__)

TASK_NAME = "partybuild.heartbeat"


def record(process: str, *, host: str = "") -> None:
    Heartbeat.objects.update_or_create(
        process=process, defaults={"at": timezone.now(), "host": host[:255]}
    )


@signals.before_task_publish.connect
def _record_beat_tick(sender: Any = None, **_: Any) -> None:
    if sender != TASK_NAME:
        return
    # Never stand in the way of the message: a tick not recorded shows as an old one.
    try:
        record(Heartbeat.Process.BEAT, host=socket.gethostname())
    except Exception:
        logger.warning("could not record the beat's tick", exc_info=True)


@dataclass(frozen=True)
class Seen:
    """A process's last heartbeat as /healthz and /metrics report it."""

    process: str
    at: datetime.datetime | None
    host: str
    now: datetime.datetime

    @property
    def age_seconds(self) -> int | None:
        return None if self.at is None else max(0, int((self.now - self.at).total_seconds()))

    @property
    def status(self) -> str:
        if self.at is None:
            return "never seen"
        return "alive" if self.age_seconds <= settings.HEARTBEAT_STALE_AFTER else "stale"


def last_seen() -> dict[str, Seen]:
    """The beat's and the worker's last heartbeats, in one query."""
    now = timezone.now()
    rows = {row.process: row for row in Heartbeat.objects.all()}
    return {
        process: Seen(
            process,
            rows[process].at if process in rows else None,
            rows[process].host if process in rows else "",
            now,
        )
        for process in Heartbeat.Process.values
    }
