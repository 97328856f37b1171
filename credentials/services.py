"""Writes of credentials: issuing and revoking API tokens, enrolling and resetting a second
factor. Each is one transaction with its audit entry; no entry holds a token or a secret."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditKind
from audit.services import record

from .models import ApiToken
from .tokens import new_token

# last_used is written at most this often per token: an API client's every call need not write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_lifetime() -> timedelta:
    return timedelta(days=settings.API_TOKEN_DAYS)


def _token_facts(token: ApiToken) -> dict:
    return {
        "user": token.user.get_username(),
        "name": token.name,
        "prefix": token.prefix,
        "expires": token.expires.isoformat(),
    }


def _token_event(kind: str, token: ApiToken, acting_user, **changes) -> None:
    record(
        kind,
        actor=acting_user,
        target=f"apitoken:{token.pk}",
        summary=f"{token.user.get_username()}: {token.name} ({token.prefix}…)",
        **changes,
    )


@transaction.atomic
def issue_token(user, *, name: str, acting_user) -> tuple[ApiToken, str]:
    """A new token for the user; returns it with its plain text, which nothing keeps."""
    issued = new_token()
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=issued.prefix,
        digest=issued.digest,
        created=now,
        expires=now + token_lifetime(),
    )
    _token_event(AuditKind.API_TOKEN_CREATED, token, acting_user, after=_token_facts(token))
    return token, issued.plain


@transaction.atomic
def revoke_token(token: ApiToken, *, acting_user) -> bool:
    """Revoke one token; False if it was already revoked (nothing is recorded twice)."""
    now = timezone.now()
    if not ApiToken.objects.filter(pk=token.pk, revoked__isnull=True).update(revoked=now):
        return False
    token.revoked = now
    _token_event(
        AuditKind.API_TOKEN_REVOKED,
        token,
        acting_user,
        before=_token_facts(token),
        after={"revoked": now.isoformat()},
    )
    return True


def revoke_all(user, *, acting_user) -> int:
    """Revoke every token of the user that still works; how many were revoked."""
    with transaction.atomic():
        tokens = list(ApiToken.objects.usable().filter(user=user).select_related("user"))
        return sum(revoke_token(token, acting_user=acting_user) for token in tokens)


def note_use(token: ApiToken) -> None:
    now = timezone.now()
    if token.last_used is None or now - token.last_used >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used=now)
        token.last_used = now


@transaction.atomic
def confirm_device(device: TOTPDevice, *, acting_user) -> None:
    """The first right code confirms an enrolled device; other unconfirmed ones are dropped."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=device.user, confirmed=False).delete()
    record(
        AuditKind.SECOND_FACTOR_ENROLLED,
        actor=acting_user,
        target=f"second-factor:{device.user.get_username()}",
        summary=device.user.get_username(),
    )


@transaction.atomic
def reset_second_factor(user, *, acting_user=None, actor_name: str = "") -> int:
    """Remove the user's authenticator devices: the next sign-in enrols a new one. Sessions
    verified with a removed device are no longer verified. Returns how many were removed."""
    removed, _by_model = TOTPDevice.objects.filter(user=user).delete()
    record(
        AuditKind.SECOND_FACTOR_RESET,
        actor=acting_user,
        actor_name=actor_name,
        target=f"second-factor:{user.get_username()}",
        summary=user.get_username(),
        before={"devices": removed},
    )
    return removed
