"""Who is acting, and from where, for the request being served.

The middleware puts the request here so that services deep down can record an audit entry
without a request argument. Outside a request (Celery, management commands) it is empty and
entries name no actor unless the caller passes one.
"""

from contextvars import ContextVar

# The address is read the same way for sign-in limits and the audit trail.
from core.client_address import client_ip, normalise_ip

__all__ = ["client_ip", "current_request", "normalise_ip", "reset_request", "set_request"]

_current_request: ContextVar = ContextVar("audit_request", default=None)


def set_request(request):
    return _current_request.set(request)


def reset_request(token) -> None:
    _current_request.reset(token)


def current_request():
    return _current_request.get()
