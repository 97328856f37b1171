"""Who is acting, and from where, for the request being served.

The middleware puts the request here so that services deep down can record an audit entry
without a request argument. Outside a request (Celery, management commands) it is empty and
entries name no actor unless the caller passes one.
"""

from contextvars import ContextVar
from ipaddress import ip_address, ip_network

from django.conf import settings

_current_request: ContextVar = ContextVar("audit_request", default=None)


def set_request(request):
    return _current_request.set(request)


def reset_request(token) -> None:
    _current_request.reset(token)


def current_request():
    return _current_request.get()


def _trusted(address: str) -> bool:
    try:
        addr = ip_address(address)
    except ValueError:
        return False
    for proxy in getattr(settings, "AUDIT_TRUSTED_PROXIES", ()):
        try:
            if addr in ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def _valid(address: str) -> bool:
    return normalise_ip(address) is not None


def normalise_ip(address: str | None) -> str | None:
    """The address in the one form every database stores and returns, or None if it is none.

    IPv4 mapped into IPv6 (a dual-stack server's ``::ffff:1.2.3.4``) becomes plain IPv4 and a
    zone (``%eth0``) is dropped: PostgreSQL's inet would print them differently from Python, and
    the stored text must read back exactly as it was hashed.
    """
    if not address:
        return None
    try:
        addr = ip_address(str(address).strip().split("%", 1)[0])
    except ValueError:
        return None
    mapped = getattr(addr, "ipv4_mapped", None)
    return str(mapped or addr)


def client_ip(request) -> str | None:
    """The client's address: REMOTE_ADDR, or the forwarded one when a trusted proxy sent it.

    X-Forwarded-For is read right to left, skipping trusted proxies: the first untrusted hop is
    the client as far as we can know. Without AUDIT_TRUSTED_PROXIES the header is ignored, since
    anyone can send it.
    """
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    if remote and _trusted(remote):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for hop in reversed([h for h in hops if h]):
            if not _valid(hop):
                break  # a garbled header: the proxy's own address is what we know
            remote = hop
            if not _trusted(hop):
                break
    return normalise_ip(remote)
