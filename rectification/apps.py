from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    """Rectification items opened from weak scores, and their loop to closure."""

    name = "rectification"
    verbose_name = _("Rectification")
