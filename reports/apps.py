from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Term reports (PDF, XLSX, CSV) kept as immutable snapshots, and their schedules."""

    name = "reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from . import checks  # noqa: F401  registers the font check
