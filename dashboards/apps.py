from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Committee dashboards, effectiveness and the explain panel: reads of stored scores."""

    name = "dashboards"
    verbose_name = _("Dashboards")

    def ready(self) -> None:
        from assessment.signals import scores_written

        from .selectors.board import scores_changed

        scores_written.connect(scores_changed, dispatch_uid="dashboards.scores_changed")
