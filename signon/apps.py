from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SignonConfig(AppConfig):
    name = "signon"
    verbose_name = _("Directory sign-on")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the configuration checks)
