from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Committee dashboards, effectiveness and the explain panel: reads of stored scores."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from assessment.signals import scores_written
        from core.versions import bumped

        from .warming import on_scores_written, on_version_bumped

        # What was cached is stale, and is computed again ahead of the readers (warming.py).
        scores_written.connect(on_scores_written, dispatch_uid="dashboards.scores_changed")
        bumped.connect(on_version_bumped, dispatch_uid="dashboards.warm_rectifications")
