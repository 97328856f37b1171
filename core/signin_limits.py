"""Limits on sign-in attempts, for the login page and the API token endpoint alike.

Two limits, both counted in the database by django-axes, so they hold without Redis:

- AXES_FAILURE_LIMIT failures for one username from one address lock that username there (axes'
  own rule: guessing one account's password);
- LOGIN_ADDRESS_FAILURE_LIMIT failures from one address, whatever the usernames, lock the
  address (password spraying: one common password tried on many accounts).

axes can count several parameter sets but compares them all with one limit, and an office behind
one NAT address must not be locked after five typos by five people; hence the handler below.
The token endpoint is also rate-limited per client address by a DRF throttle. Both read the
address through `core.client_address.client_ip`, so X-Forwarded-For fools neither.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest
from rest_framework.throttling import ScopedRateThrottle

from .client_address import client_ip


def _failures(attempts) -> int:
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class SignInLimitsHandler(AxesDatabaseHandler):
    """django-axes' database handler, with a second, higher limit per address.

    A success still clears only that username's failures from that address (the lockout
    parameters stay username + address): knowing one password wipes nothing of a spray.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        # axes compares this one count with AXES_FAILURE_LIMIT (on every attempt and after each
        # failure): an address over its own limit therefore counts as that limit reached.
        per_username = super().get_failures(request, credentials)
        address = request.axes_ip_address
        recent = AccessAttempt.objects.filter(attempt_time__gte=get_cool_off_threshold(request))
        if _failures(recent.filter(ip_address=address)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            request.axes_address_locked = True
            return max(per_username, settings.AXES_FAILURE_LIMIT)
        return per_username


class SignInThrottle(ScopedRateThrottle):
    """The token endpoint's rate limit, per client address as `client_ip` reads it.

    DRF's own `get_ident` believes any X-Forwarded-For unless NUM_PROXIES is set; twenty forged
    headers got twenty attempts through while a plain client was throttled.
    """

    def get_ident(self, request) -> str:
        return client_ip(request) or "unknown"
