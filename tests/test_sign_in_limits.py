"""Sign-in limits seen from outside: forged X-Forwarded-For and password spraying.

Both the login page and the token endpoint are tried from one address. The address is the one
`core.client_address.client_ip` reads; X-Forwarded-For counts only from TRUSTED_PROXIES.
"""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import UserFactory
from tests.html import page

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ATTACKER = "203.0.113.7"
OFFICE = "198.51.100.20"
PROXY = "10.0.0.2"


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def obtain(api: APIClient, username: str, password: str, address: str = ATTACKER, **headers):
    return api.post(
        TOKEN_URL,
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
        **headers,
    )


def sign_in(client, username: str, password: str, address: str = ATTACKER, **headers):
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        HTTP_ACCEPT_LANGUAGE="en",
        **headers,
    )


@pytest.fixture
def unthrottled(monkeypatch):
    """The spraying tests count axes' lockouts, not the per-minute rate."""
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "10000/min"})


def test_forged_forwarded_addresses_do_not_escape_the_token_throttle(api, alice, password):
    """GIVEN the default rate of 10 a minute WHEN one client sends 20 attempts, each claiming
    another address in X-Forwarded-For THEN the 11th and later are throttled."""
    answers = [
        obtain(api, "alice", password, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(20)
    ]

    assert answers == [200] * 10 + [429] * 10


def test_a_trusted_proxy_forwards_each_clients_own_address(api, alice, password, settings):
    settings.TRUSTED_PROXIES = [PROXY]
    answers = [
        obtain(api, "alice", password, PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}").status_code
        for n in range(20)
    ]

    assert answers == [200] * 20


def test_lockouts_count_by_the_real_address_not_a_forged_one(client, alice, bob):
    sign_in(client, "alice", "wrong", HTTP_X_FORWARDED_FOR="192.0.2.98")
    sign_in(client, "bob", "wrong", HTTP_X_FORWARDED_FOR="192.0.2.99")

    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {ATTACKER}


def test_spraying_one_password_over_many_usernames_locks_the_address_on_the_api(
    api, alice, password, unthrottled
):
    """GIVEN 100 wrong passwords for 100 usernames from one address THEN the 30th failure locks
    the address: the rest, and then alice's right password from there, are refused; alice still
    signs in from her own office."""
    answers = [obtain(api, f"user{n}", "Summer2026!").status_code for n in range(100)]

    assert answers == [400] * 29 + [429] * 71
    locked = obtain(api, "alice", password)
    assert locked.status_code == 429
    assert locked.json()["detail"].startswith("Too many failed sign-in attempts")
    assert obtain(api, "alice", password, OFFICE).status_code == 200


def test_spraying_locks_the_address_on_the_login_page(client, alice, password):
    answers = [sign_in(client, f"user{n}", "Summer2026!").status_code for n in range(40)]

    assert answers == [200] * 29 + [429] * 11
    locked = sign_in(client, "alice", password)
    assert locked.status_code == 429
    assert "from this address, for several accounts" in page(locked).text(".portal-lockout-message")
    assert "_auth_user_id" not in client.session


def test_five_typos_by_five_people_behind_one_address_lock_nobody(client, tree, password):
    for n in range(6):
        UserFactory(username=f"clerk{n}")
        assert sign_in(client, f"clerk{n}", "typo", OFFICE).status_code == 200

    assert sign_in(client, "clerk5", password, OFFICE).status_code == 302


def test_one_known_password_does_not_wipe_the_addresss_failures(api, alice, password, unthrottled):
    for n in range(29):
        obtain(api, f"user{n}", "Summer2026!")
    assert obtain(api, "alice", password).status_code == 200

    assert obtain(api, "user99", "Summer2026!").status_code == 429
