"""Who must give a second factor, and their authenticator devices (django-otp's TOTP).

An administrator is a superuser, a staff member (the Django admin) or a holder of the
administrator role on any organization. With `REQUIRE_ADMIN_2FA` on (the default in production),
each must enter a code from an authenticator app once per session before any page opens, and
with every request for an API token.
"""

from django.conf import settings
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from organizations.choices import Role
from organizations.scope import roles_of

DEVICE_NAME = "authenticator"


def is_administrator(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or user.is_staff or Role.ADMINISTRATOR in roles_of(user)


def must_use_second_factor(user) -> bool:
    return bool(settings.REQUIRE_ADMIN_2FA) and is_administrator(user)


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


def pending_device(user) -> TOTPDevice:
    """The device being enrolled: made on the first visit, kept (same secret) until confirmed."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def wait_seconds(device: TOTPDevice) -> int:
    """Seconds before the device accepts another code after wrong ones (0: it accepts now)."""
    allowed, details = device.verify_is_allowed()
    if allowed or not details or not details.get("locked_until"):
        return 0
    from django.utils import timezone

    return max(1, int((details["locked_until"] - timezone.now()).total_seconds()) + 1)


def check_code(device: TOTPDevice, code: str) -> bool:
    """Whether the code is right. A code is accepted once; wrong codes slow the device down
    (django-otp doubles the wait after each)."""
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        accepted = locked.verify_token(code.strip().replace(" ", ""))
    device.refresh_from_db()
    return accepted
