"""The client's address as recorded: REMOTE_ADDR, or X-Forwarded-For from a trusted proxy only."""

import pytest
from django.test import RequestFactory

from audit.context import client_ip


@pytest.fixture
def request_from():
    factory = RequestFactory()

    def make(remote: str, forwarded: str | None = None):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return factory.get("/", **extra)

    return make


def test_without_trusted_proxies_the_header_is_ignored(settings, request_from):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("10.0.0.5", "1.2.3.4")) == "10.0.0.5"


def test_a_trusted_proxy_gives_the_first_untrusted_hop_from_the_right(settings, request_from):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    request = request_from("10.0.0.5", "6.6.6.6, 1.2.3.4, 10.0.0.9")
    assert client_ip(request) == "1.2.3.4"


def test_an_untrusted_sender_cannot_forge_the_address(settings, request_from):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert client_ip(request_from("192.0.2.1", "1.2.3.4")) == "192.0.2.1"


def test_garbage_gives_no_address(settings, request_from):
    settings.TRUSTED_PROXIES = ["10.0.0.1"]
    assert client_ip(request_from("10.0.0.1", "not-an-ip")) == "10.0.0.1"
    assert client_ip(request_from("nonsense")) is None


def test_ipv6_is_normalised(settings, request_from):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("2001:DB8:0:0::1")) == "2001:db8::1"


def test_an_ipv4_mapped_address_is_stored_as_ipv4(settings, request_from):
    settings.TRUSTED_PROXIES = []
    assert client_ip(request_from("::ffff:192.0.2.9")) == "192.0.2.9"


@pytest.mark.django_db
def test_any_given_address_reads_back_as_hashed(db):
    from audit.models import AuditEntry
    from audit.services import record, verify_chain

    for given in ("2001:DB8:0::1", "::ffff:198.51.100.3", "fe80::1%eth0", "not an address", ""):
        record("login.locked_out", ip=given)
    assert list(AuditEntry.objects.order_by("id").values_list("ip", flat=True)) == [
        "2001:db8::1",
        "198.51.100.3",
        "fe80::1",
        None,
        None,
    ]
    assert verify_chain().intact
