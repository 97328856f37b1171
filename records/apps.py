from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "records"
    verbose_name = _("Records of party life")

    def ready(self) -> None:
        # Indicators counted from records: assessment holds the registry and imports no app.
        from . import sources

        sources.register_all()
