from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StandardsConfig(AppConfig):
    name = "standards"
    verbose_name = _("Standards, titles and terms")

    def ready(self) -> None:
        # The secretary's report rating counts in an indicator (source `secretary_report`), and
        # titles, stars and appraisals are proposed when a period's scores are written.
        from . import receivers, sources

        sources.register_all()
        receivers.connect()
