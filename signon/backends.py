"""Authentication backends: LDAP / Active Directory (username and password, so the login page
and the API's token endpoint both use it through `authenticate`) and OpenID Connect.

Settings list them after Django's ModelBackend: a local account (administrators') signs in
without the directory being asked, even while it is down. A wrong password, an unknown name or a
disabled entry returns None like a local failure: the same message, and django-axes counts it.
"""

import logging

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from rest_framework import status
from rest_framework.exceptions import APIException

from . import directory, services
from .choices import Source
from .config import ldap_config, normalise_group, oidc_group_roles

logger = logging.getLogger(__name__)


class DirectoryUnavailableError(APIException, ValidationError):
    """The directory cannot be asked: a clear message instead of "wrong password".

    Raised out of `authenticate` (so no failure is counted against the user): the login form
    shows it as its error (a ValidationError), the API answers it as a 503 (an APIException).
    """

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "directory_unavailable"
    default_detail = _(
        "The directory cannot be reached, so directory accounts cannot sign in just now. "
        "Please try again later or tell the IT department."
    )

    def __init__(self) -> None:
        ValidationError.__init__(self, self.default_detail, code=self.default_code)
        APIException.__init__(self)


class LdapBackend(ModelBackend):
    """Search-then-bind against LDAP_URL; the portal account is made on first sign-in."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        config = ldap_config()
        if config is None or not username or not password:
            return None
        if services.is_local_account(username):
            return None
        try:
            found = directory.authenticate(config, username, password)
        except directory.DirectoryUnavailable as exc:
            logger.error("directory unavailable: %s", exc)
            raise DirectoryUnavailableError from exc
        if found is None:
            return None
        identity = services.Identity(
            source=Source.LDAP,
            external_id=found.dn,
            username=found.username,
            name=found.name,
            email=found.email,
            employee_number=found.employee_number,
            groups=found.groups,
        )
        return _signed_in(self, identity, config.group_roles)


def _signed_in(backend: ModelBackend, identity: services.Identity, group_roles):
    try:
        user = services.sign_in(identity, group_roles=group_roles)
    except IntegrityError:
        # The same person's first sign-in in another request (a double-clicked form) made the
        # account a moment ago: this one finds it.
        user = services.sign_in(identity, group_roles=group_roles)
    return user if user is not None and backend.user_can_authenticate(user) else None


class OidcBackend(OIDCAuthenticationBackend):
    """OpenID Connect's code flow (mozilla-django-oidc); accounts as for LDAP, keyed by the
    provider's subject (`sub`)."""

    def verify_claims(self, claims) -> bool:
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if not self.verify_claims(claims):
            raise SuspiciousOperation("the provider named no subject (sub)")
        username_claim = self.get_settings("OIDC_USERNAME_CLAIM", "preferred_username")
        groups = claims.get(self.get_settings("OIDC_GROUPS_CLAIM", "groups")) or []
        if isinstance(groups, str):
            groups = [groups]
        identity = services.Identity(
            source=Source.OIDC,
            external_id=str(claims["sub"]),
            username=str(claims.get(username_claim) or claims.get("email") or claims["sub"]),
            name=str(claims.get("name") or ""),
            email=str(claims.get("email") or ""),
            employee_number=str(
                claims.get(self.get_settings("OIDC_EMPLOYEE_NUMBER_CLAIM", "employee_number")) or ""
            ),
            groups=frozenset(normalise_group(str(group)) for group in groups),
        )
        return _signed_in(self, identity, oidc_group_roles())
