"""An administrator enrols an authenticator app in a real browser: the QR code shows under the
CSP with no violation, the key typed into the app gives the code that lets her in."""

import re
import time
from base64 import b32decode

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

from tests.factories import PASSWORD

from .conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def code_for(key_text: str) -> str:
    """What an authenticator app shows for the key as the page writes it (base32, grouped)."""
    key = key_text.replace(" ", "")
    key += "=" * (-len(key) % 8)
    totp = TOTP(b32decode(key))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_an_administrator_enrols_and_is_let_in(page, live_server, erin, settings):
    settings.REQUIRE_ADMIN_2FA = True
    refused: list[str] = []
    page.on(
        "console",
        lambda message: refused.append(message.text) if "Refused to" in message.text else None,
    )

    login(page, live_server.url, "erin", PASSWORD)

    expect(page).to_have_url(re.compile(r"/accounts/second-factor/\?next="))
    qr = page.locator("[data-qr] svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] > 150  # large enough for a phone to scan
    page.fill("input[name=code]", code_for(page.locator("[data-secret]").inner_text()))
    page.click("button[type=submit]")

    page.wait_for_url(lambda url: "/accounts/second-factor/" not in url)
    assert "/organizations/" in page.url
    assert not refused
