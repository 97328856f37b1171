"""The administrators' second factor: enrolment, codes, the gate on every page, the token
endpoint, the reset command, and when it is required."""

import re
import time
from base64 import b32encode

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.utils.regex_helper import normalize
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from audit.models import AuditEntry, AuditKind
from credentials.middleware import OPEN_ROUTES
from tests.html import page
from tests.test_settings import STRONG_KEY, run_manage

pytestmark = pytest.mark.django_db

SECOND_FACTOR = "/accounts/second-factor/"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.REQUIRE_ADMIN_2FA = True


def code_of(device: TOTPDevice, steps_ahead: int = 0) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():06d}"


def wrong_code(device: TOTPDevice) -> str:
    accepted = {code_of(device, offset) for offset in (-1, 0, 1)}
    return next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)


def enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def test_an_administrator_without_a_device_is_sent_to_enrol_after_signing_in(
    client, erin, password
):
    response = client.post("/accounts/login/", {"username": "erin", "password": password})
    assert response.status_code == 302

    response = client.get(response["Location"])

    assert response.status_code == 302
    assert response["Location"].startswith(f"{SECOND_FACTOR}?next=")


def test_the_enrolment_page_shows_a_qr_code_as_svg_and_the_secret(client_for, erin):
    response = client_for(erin).get(SECOND_FACTOR)

    device = TOTPDevice.objects.get(user=erin)
    shown = page(response)
    assert not device.confirmed
    assert shown.has("[data-qr] svg path")
    assert not shown.has("script:not([src])")
    assert shown.text("[data-secret]").replace(" ", "") == b32encode(device.bin_key).decode()


def test_the_enrolment_keeps_its_secret_until_confirmed(client_for, erin):
    client = client_for(erin)
    first = page(client.get(SECOND_FACTOR)).text("[data-secret]")

    assert page(client.get(SECOND_FACTOR)).text("[data-secret]") == first
    assert TOTPDevice.objects.filter(user=erin).count() == 1


def test_the_right_code_confirms_the_device_and_lets_in(client_for, erin):
    client = client_for(erin)
    client.get(SECOND_FACTOR)
    device = TOTPDevice.objects.get(user=erin)

    response = client.post(SECOND_FACTOR, {"code": code_of(device), "next": "/organizations/"})

    assert response.status_code == 302
    assert response["Location"] == "/organizations/"
    device.refresh_from_db()
    assert device.confirmed
    assert client.get("/organizations/").status_code == 200
    entry = AuditEntry.objects.get(kind=AuditKind.SECOND_FACTOR_ENROLLED)
    assert (entry.actor, entry.target) == (erin, "second-factor:erin")


def test_a_wrong_code_is_refused_and_confirms_nothing(client_for, erin):
    client = client_for(erin)
    client.get(SECOND_FACTOR)
    device = TOTPDevice.objects.get(user=erin)

    response = client.post(SECOND_FACTOR, {"code": wrong_code(device)}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert page(response).field_errors("code") == ["That code is wrong or has expired."]
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/organizations/").status_code == 302


def test_a_code_that_is_no_number_is_refused(client_for, erin):
    client = client_for(erin)
    enrolled(erin)

    response = client.post(SECOND_FACTOR, {"code": "abcdef"}, HTTP_ACCEPT_LANGUAGE="en")

    errors = page(response).field_errors("code")
    assert errors == ["Enter the 6 digits your authenticator app shows."]


def test_an_enrolled_administrator_enters_the_code_of_the_app(client_for, erin):
    device = enrolled(erin)
    client = client_for(erin)

    shown = page(client.get(SECOND_FACTOR))
    assert not shown.has("[data-qr]")  # the secret is never shown again
    response = client.post(SECOND_FACTOR, {"code": code_of(device)})

    assert response.status_code == 302
    assert client.get("/organizations/").status_code == 200


def test_a_used_code_is_not_accepted_twice(client_for, erin, client):
    device = enrolled(erin)
    code = code_of(device)
    client_for(erin).post(SECOND_FACTOR, {"code": code})
    client.logout()

    response = client_for(erin).post(SECOND_FACTOR, {"code": code})

    assert response.status_code == 200


def test_the_next_address_must_be_the_portals_own(client_for, erin):
    device = enrolled(erin)

    response = client_for(erin).post(
        SECOND_FACTOR, {"code": code_of(device), "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def _routes(patterns, template: str = ""):
    for entry in patterns:
        piece, _params = normalize(entry.pattern.regex.pattern)[0]
        if isinstance(entry, URLResolver):
            yield from _routes(entry.url_patterns, template + piece)
        elif isinstance(entry, URLPattern):
            yield template + piece


def _every_page() -> list[str]:
    """Every route of the project with its parameters filled, that resolves."""
    paths = []
    for template in _routes(get_resolver().url_patterns):
        path = "/" + re.sub(r"%\((\w+)\)s", "1", template)
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.view_name not in OPEN_ROUTES:
            paths.append(path)
    return paths


def test_every_page_sends_an_unverified_administrator_to_the_second_factor(client_for, erin):
    client = client_for(erin)
    pages = _every_page()
    assert len(pages) > 100, "the walk should find the portal's pages"

    for path in pages:
        response = client.get(path)
        if path.startswith("/api/"):
            assert response.status_code == 403, path
        else:
            assert response.status_code == 302, path
            assert response["Location"].startswith(f"{SECOND_FACTOR}?next="), path


def test_the_api_with_the_session_of_an_unverified_administrator_is_403(client_for, erin):
    response = client_for(erin).get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Enter the code of your authenticator app in the portal first."
    )


def test_sign_out_stays_open(client_for, erin):
    assert client_for(erin).post("/accounts/logout/").status_code == 302


def test_superusers_and_staff_are_administrators_too(client_for, frank):
    frank.is_staff = True
    frank.save()

    assert client_for(frank).get("/").status_code == 302
    assert client_for(frank).get("/").headers["Location"].startswith(SECOND_FACTOR)


def test_not_applied_to_other_roles(client_for, alice, carol, dave):
    for user in (alice, carol, dave):
        client = client_for(user)
        response = client.get("/", follow=True)
        assert response.status_code == 200
        assert SECOND_FACTOR not in [url for url, _status in response.redirect_chain]
        assert client.get(SECOND_FACTOR).status_code == 302  # nothing to do there
        assert not TOTPDevice.objects.filter(user=user).exists()


def test_not_applied_when_not_required(client_for, erin, settings):
    settings.REQUIRE_ADMIN_2FA = False

    assert client_for(erin).get("/organizations/").status_code == 200


class TestTheTokenEndpoint:
    def obtain(self, password: str, **extra):
        body = {"username": "erin", "password": password, **extra}
        return APIClient(HTTP_ACCEPT_LANGUAGE="en").post(TOKEN_URL, body, format="json")

    def test_without_a_device_the_administrator_is_told_to_enrol_first(self, erin, password):
        response = self.obtain(password)

        assert response.status_code == 400
        assert response.json() == {
            "detail": "Set up your authenticator app by signing in to the portal first."
        }

    def test_without_a_code_an_enrolled_administrator_gets_no_token(self, erin, password):
        enrolled(erin)

        response = self.obtain(password)

        assert response.status_code == 400
        assert response.json() == {"detail": "Give the code of your authenticator app as otp."}
        assert not erin.api_tokens.exists()

    def test_a_wrong_code_gets_no_token(self, erin, password):
        device = enrolled(erin)

        response = self.obtain(password, otp=wrong_code(device))

        assert response.status_code == 400
        assert response.json() == {"detail": "That code is wrong or has expired."}
        assert not erin.api_tokens.exists()

    def test_the_right_code_gets_a_token(self, erin, password):
        device = enrolled(erin)

        response = self.obtain(password, otp=code_of(device))

        assert response.status_code == 200
        api = APIClient(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
        assert api.get("/api/v1/me/").json()["username"] == "erin"

    def test_a_wrong_password_is_refused_before_any_code(self, erin):
        enrolled(erin)

        response = self.obtain("wrong", otp="123456")

        assert response.json() == {"detail": "Unable to sign in with that username and password."}

    def test_other_roles_need_no_code(self, alice, password):
        response = APIClient().post(
            TOKEN_URL, {"username": "alice", "password": password}, format="json"
        )

        assert response.status_code == 200


def test_the_reset_command_removes_the_device_and_the_next_sign_in_enrols_again(client_for, erin):
    device = enrolled(erin)
    root = get_user_model().objects.create_superuser("root", "root@example.com", "x")
    client = client_for(erin)
    client.post(SECOND_FACTOR, {"code": code_of(device)})
    assert client.get("/organizations/").status_code == 200

    call_command("reset_second_factor", "erin", "--by", "root")

    assert not TOTPDevice.objects.filter(user=erin).exists()
    assert client.get("/organizations/")["Location"].startswith(SECOND_FACTOR)
    assert page(client.get(SECOND_FACTOR)).has("[data-qr] svg")
    entry = AuditEntry.objects.get(kind=AuditKind.SECOND_FACTOR_RESET)
    assert (entry.actor, entry.target, entry.before) == (root, "second-factor:erin", {"devices": 1})


def test_the_reset_command_names_an_unknown_user(erin):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("reset_second_factor", "nobody")


def _setting(**env: str) -> str:
    result = run_manage(
        "shell", "-c", "from django.conf import settings; print(settings.REQUIRE_ADMIN_2FA)", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[-1]


PRODUCTION = {"DJANGO_ENV": "production", "SECRET_KEY": STRONG_KEY, "ALLOWED_HOSTS": "pb.example"}


def test_off_in_development_by_default():
    assert _setting() == "False"


def test_on_under_production_settings():
    assert _setting(**PRODUCTION) == "True"


def test_production_may_turn_it_off_explicitly():
    assert _setting(**PRODUCTION, REQUIRE_ADMIN_2FA="0") == "False"
