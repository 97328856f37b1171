"""The login page's way to OpenID Connect, shown only when it is configured."""

from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("signon/oidc_button.html")
def oidc_sign_in() -> dict:
    return {"enabled": bool(settings.OIDC_RP_CLIENT_ID), "provider": settings.OIDC_PROVIDER_NAME}
