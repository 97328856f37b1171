from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    """Committee dashboards, effectiveness and the explain panel: reads of stored scores."""

    name = "dashboards"
    verbose_name = _("Dashboards")
