"""The client's address, the one way every part of the portal reads it.

Sign-in limits (django-axes' lockouts, the API token throttle) and the audit trail all count or
record by this address, so a forged header must fool none of them. `X-Forwarded-For` is believed
only when the connection comes from a proxy listed in the TRUSTED_PROXIES setting (addresses or
networks); anyone else can write anything in it.
"""

from ipaddress import ip_address, ip_network

from django.conf import settings
from django.http import HttpRequest


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


def _trusted(address: str) -> bool:
    try:
        addr = ip_address(address)
    except ValueError:
        return False
    for proxy in settings.TRUSTED_PROXIES:
        try:
            if addr in ip_network(proxy, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the forwarded address when a trusted proxy sent the request.

    X-Forwarded-For is read right to left, skipping trusted proxies: the first untrusted hop is
    the client as far as we can know. Without TRUSTED_PROXIES the header is ignored.
    """
    remote = (request.META.get("REMOTE_ADDR") or "").strip()
    if remote and _trusted(remote):
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        for hop in reversed([h for h in hops if h]):
            if normalise_ip(hop) is None:
                break  # a garbled header: the proxy's own address is what we know
            remote = hop
            if not _trusted(hop):
                break
    return normalise_ip(remote)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the connection comes from a proxy of TRUSTED_PROXIES (its headers are believed)."""
    return _trusted((request.META.get("REMOTE_ADDR") or "").strip())


def client_in(request: HttpRequest, networks: list[str]) -> bool:
    """Whether the client's address (`client_ip`) lies in one of `networks`."""
    address = client_ip(request)
    if address is None:
        return False
    caller = ip_address(address)
    return any(caller in ip_network(network) for network in networks)
