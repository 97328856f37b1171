"""The API's front door: tokens (obtain, revoke, lockout, throttle), /me/, the schema and its UI."""

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.urls import include, path, reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from credentials.models import ApiToken
from organizations.api import urls as organizations_api_urls
from partybuild import api_urls
from tests.html import page

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def obtain(api: APIClient, username: str, password: str):
    return api.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_right_password_gets_a_token_that_authenticates(api, alice, password):
    response = obtain(api, "alice", password)

    assert response.status_code == 200
    assert set(response.json()) == {"token", "expires"}
    token = response.json()["token"]
    stored = ApiToken.objects.get(user=alice)
    assert stored.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(stored.prefix)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get(ME_URL).json()["username"] == "alice"


def test_the_answer_says_when_the_token_expires(api, alice, password, settings):
    settings.API_TOKEN_DAYS = 30

    expires = parse_datetime(obtain(api, "alice", password).json()["expires"])

    assert expires == ApiToken.objects.get(user=alice).expires
    assert abs(expires - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)


def test_asking_twice_gives_two_tokens_that_both_work(api, alice, password):
    """Only a hash is kept, so an issued token cannot be handed out again: each request
    makes a new one, and the older one keeps working until it expires or is revoked."""
    first = obtain(api, "alice", password).json()["token"]
    second = obtain(api, "alice", password).json()["token"]

    assert first != second
    for token in (first, second):
        api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        assert api.get(ME_URL).status_code == 200


def test_wrong_password_is_a_400_with_a_clear_message(api, alice):
    response = obtain(api, "alice", "not-the-password")

    assert response.status_code == 400
    assert response.json() == {"detail": "Unable to sign in with that username and password."}
    assert not ApiToken.objects.exists()


def test_unknown_user_gets_the_same_answer_as_a_wrong_password(api, alice):
    response = obtain(api, "nobody", "whatever")

    assert response.status_code == 400
    assert response.json()["detail"] == "Unable to sign in with that username and password."


def test_inactive_user_gets_no_token(api, alice, password):
    alice.is_active = False
    alice.save()

    assert obtain(api, "alice", password).status_code == 400


def test_missing_fields_are_named(api, tree):
    response = api.post(TOKEN_URL, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"detail", "username", "password"}


def test_the_message_follows_accept_language(alice):
    response = obtain(APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans"), "alice", "wrong")

    assert response.status_code == 400
    assert response["Content-Language"] == "zh-hans"
    with translation.override("zh-hans"):
        expected = translation.gettext("Unable to sign in with that username and password.")
    assert response.json()["detail"] == expected


def test_after_five_failures_even_the_right_password_is_refused(api, alice, password):
    """GIVEN five failed attempts WHEN alice then uses the right password THEN she is locked out."""
    for _attempt in range(5):
        assert obtain(api, "alice", "wrong").status_code in {400, 429}

    response = obtain(api, "alice", password)

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many failed sign-in attempts")
    assert int(response["Retry-After"]) > 0
    assert not ApiToken.objects.filter(user=alice).exists()


def test_lockout_holds_one_username_only(api, alice, bob, password):
    for _attempt in range(5):
        obtain(api, "alice", "wrong")

    assert obtain(api, "bob", password).status_code == 200


def test_a_success_before_the_limit_resets_the_failures(api, alice, password):
    for _attempt in range(4):
        obtain(api, "alice", "wrong")
    assert obtain(api, "alice", password).status_code == 200

    for _attempt in range(4):
        obtain(api, "alice", "wrong")
    assert obtain(api, "alice", password).status_code == 200


def test_token_attempts_are_throttled(api, alice, password, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"token": "2/min"})
    obtain(api, "alice", password)
    obtain(api, "alice", password)

    response = obtain(api, "alice", password)

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled")


def test_delete_revokes_the_callers_token(api, alice, password):
    token = obtain(api, "alice", password).json()["token"]
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert api.delete(TOKEN_URL).status_code == 204
    assert not ApiToken.objects.usable().filter(user=alice).exists()
    response = api.get(ME_URL)
    assert response.status_code == 401
    assert response.json()["detail"] == "This token was revoked: obtain a new one."


def test_revoking_needs_authentication(api, tree):
    assert api.delete(TOKEN_URL).status_code == 401


def test_me_names_the_user_and_their_roles(api, alice, tree):
    alice.first_name, alice.last_name = "Alice", "Liddell"
    alice.save()
    api.force_authenticate(alice)

    data = api.get(ME_URL).json()

    assert data == {
        "id": alice.pk,
        "username": "alice",
        "full_name": "Alice Liddell",
        "email": "alice@example.com",
        "is_superuser": False,
        "roles": [
            {
                "role": "secretary",
                "role_display": "Branch secretary",
                "organization": {
                    "id": tree.a1a.pk,
                    "code": "A1a",
                    "name": "甲一第一支部",
                    "name_en": "A1a branch",
                    "kind": "branch",
                },
            }
        ],
    }


def test_me_of_a_user_without_roles_has_an_empty_list(api, frank):
    api.force_authenticate(frank)

    assert api.get(ME_URL).json()["roles"] == []


def test_me_works_with_the_browser_session(client_for, carol):
    response = client_for(carol).get(ME_URL)

    assert response.status_code == 200
    assert [r["organization"]["code"] for r in response.json()["roles"]] == ["A"]


def test_me_needs_authentication(api, tree):
    response = api.get(ME_URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_refused(api, tree):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")

    assert api.get(ME_URL).status_code == 401


def test_schema_of_these_endpoints_has_no_warnings():
    own = [p for p in api_urls.urlpatterns if getattr(p, "name", None) in {"api-token", "api-me"}]
    patterns = [path("api/v1/", include([*own, *organizations_api_urls.urlpatterns]))]
    GENERATOR_STATS.reset()

    schema = SchemaGenerator(patterns=patterns).get_schema(request=None, public=True)

    validate_schema(schema)
    assert not GENERATOR_STATS, "drf-spectacular emitted warnings or errors"
    assert {"/api/v1/auth/token/", "/api/v1/me/", "/api/v1/organizations/{id}/ancestors/"} <= set(
        schema["paths"]
    )


def test_schema_is_served(client_for, alice):
    response = client_for(alice).get(reverse("api-schema"))

    assert response.status_code == 200
    assert b"/api/v1/organizations/" in response.content


def test_swagger_ui_loads_nothing_from_outside(client_for, alice):
    client = client_for(alice)
    response = client.get(reverse("api-docs"))

    assert response.status_code == 200
    # Over the whole markup, not only the text: a style, a comment or an attribute counts too.
    html = response.content.decode()
    assert "http://" not in html
    assert "https://" not in html
    assets = [
        element.get("src") or element["href"] for element in page(response).select("[src], [href]")
    ]
    assert assets, "the page should load the sidecar's Swagger UI"
    for url in assets:
        assert url.startswith("/"), url
        assert not url.startswith("//"), url
        assert client.get(url).status_code == 200, url


def test_swagger_ui_does_not_call_the_online_validator(client_for, alice):
    # Swagger UI otherwise shows a badge image from validator.swagger.io, sending it the
    # schema's address: an outside request at run time, and a leak of the intranet host name.
    # The start-up script is a file of its own (the CSP refuses inline script): read it.
    client = client_for(alice)
    docs = page(client.get(reverse("api-docs")))
    script_url = docs.attr('script[src*="script="]', "src")
    script = client.get(script_url).content.decode()
    settings_json = re.search(r"const swaggerSettings = (\{.*?\});", script, re.DOTALL)

    assert settings_json
    assert json.loads(settings_json.group(1)).get("validatorUrl", "unset") is None


def test_a_page_never_holds_more_than_the_ceiling(rf):
    from rest_framework.request import Request

    from core.pagination import Pagination

    request = Request(rf.get("/api/v1/organizations/", {"limit": "100000"}))
    assert Pagination().get_limit(request) == 500
