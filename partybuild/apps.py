"""The project package as a Django app: its templates, commands, checks and start-up."""

from django.apps import AppConfig


class PartybuildConfig(AppConfig):
    name = "partybuild"
    verbose_name = "partybuild"

    def ready(self) -> None:
        from . import heartbeats  # noqa: F401  (connects the beat's tick to its sending)
        from .celery import ensure_broker_folders

        ensure_broker_folders()
