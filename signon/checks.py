"""`manage.py check` refuses a directory configuration that would fail at the first sign-in,
and warns when passwords would cross the network in clear in production."""

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .config import ldap_config, oidc_group_roles


@checks.register(checks.Tags.security)
def directory_configuration(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    messages: list[checks.CheckMessage] = []
    try:
        config = ldap_config()
        oidc_group_roles()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="signon.E001")]
    in_clear = [url for url in (config.urls if config else ()) if url.startswith("ldap://")]
    if in_clear and not config.start_tls and settings.PRODUCTION:
        messages.append(
            checks.Warning(
                f"{', '.join(in_clear)}: passwords would cross the network in clear",
                hint="Use ldaps:// or set LDAP_START_TLS=1 (docs/sign-on.md).",
                id="signon.W001",
            )
        )
    return messages
