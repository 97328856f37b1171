from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RectificationConfig(AppConfig):
    """Rectification items opened from weak scores, and their loop to closure."""

    name = "rectification"
    verbose_name = _("Rectification")

    def ready(self) -> None:
        # The assessment app sends the signal and knows nothing of this app.
        from assessment.signals import scores_written

        from .services import on_scores_written

        scores_written.connect(on_scores_written, dispatch_uid="rectification.open_for_scores")

        # The closure rate is an indicator source: assessment holds the registry.
        from . import sources

        sources.register_all()
