"""DRF authentication by API token (``Authorization: Token <token>``), looked up by its SHA-256.

An expired or revoked token is refused with a message that says so (401), so a client knows to
obtain a new one rather than retry.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from rest_framework import authentication, exceptions

from .models import ApiToken
from .services import note_use
from .tokens import digest_of


class ExpiringTokenAuthentication(authentication.TokenAuthentication):
    keyword = "Token"

    def authenticate_credentials(self, key: str):
        token = ApiToken.objects.select_related("user").filter(digest=digest_of(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if token.revoked is not None:
            raise exceptions.AuthenticationFailed(_("This token was revoked: obtain a new one."))
        if token.expires <= timezone.now():
            raise exceptions.AuthenticationFailed(
                _("This token expired on %(date)s: obtain a new one.")
                % {"date": f"{timezone.localtime(token.expires):%Y-%m-%d %H:%M}"}
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        note_use(token)
        return token.user, token
