"""The project's own rows: the heartbeats of the Celery beat and worker, read by /healthz and
/metrics (`partybuild/heartbeats.py`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Heartbeat(models.Model):
    """When a background process last showed it was alive: one row per kind of process.

    In the database rather than the cache: on the embedded default the cache is each process's
    own memory, and the web process must see what the worker and the beat wrote.
    """

    class Process(models.TextChoices):
        BEAT = "beat", _("Task scheduler (beat)")
        WORKER = "worker", _("Task worker")

    process = models.CharField(_("process"), max_length=10, choices=Process.choices, unique=True)
    at = models.DateTimeField(_("last seen"))
    host = models.CharField(_("host"), max_length=255, blank=True)

    class Meta:
        ordering = ["process"]
        verbose_name = _("heartbeat")
        verbose_name_plural = _("heartbeats")

    def __str__(self) -> str:
        return f"{self.process} {self.at:%Y-%m-%d %H:%M:%S}"
