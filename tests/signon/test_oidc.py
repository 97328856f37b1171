"""OpenID Connect sign-on with a mocked provider: the code flow of mozilla-django-oidc through the
portal's backend, the account linked to its person by the employee-number claim."""

from unittest import mock
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from audit.models import AuditEntry, AuditKind
from organizations.models import RoleAssignment
from signon.models import DirectoryAccount
from tests.factories import PersonFactory
from tests.html import page

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.signon.oidc_urls")]

SECRET = "client-secret-of-the-tests-0123456789abcdef"
PROVIDER = "https://sso.example.org"


@pytest.fixture
def oidc(settings):
    settings.OIDC_RP_CLIENT_ID = "partybuild"
    settings.OIDC_RP_CLIENT_SECRET = SECRET
    settings.OIDC_RP_SIGN_ALGO = "HS256"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{PROVIDER}/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{PROVIDER}/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{PROVIDER}/userinfo"
    settings.OIDC_PROVIDER_NAME = "Example SSO"
    settings.OIDC_GROUP_ROLES = {"portal-reviewers": "reviewer"}
    settings.AUTHENTICATION_BACKENDS = [
        *settings.AUTHENTICATION_BACKENDS,
        "signon.backends.OidcBackend",
    ]


def _answer(payload: dict) -> mock.Mock:
    return mock.Mock(status_code=200, json=mock.Mock(return_value=payload), headers={})


def sign_in_at_provider(client, claims: dict, *, nonce: str | None = None):
    """Start at the portal, come back from the provider with a code; the provider's token and
    user-info answers are mocked, the ID token signed with the client secret (HS256)."""
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    query = parse_qs(urlsplit(start["Location"]).query)
    id_token = jwt.encode(
        {"sub": claims["sub"], "nonce": nonce or query["nonce"][0], "aud": "partybuild"},
        SECRET,
        algorithm="HS256",
    )
    tokens = _answer({"id_token": id_token, "access_token": "access"})
    with (
        mock.patch("mozilla_django_oidc.auth.requests.post", return_value=tokens),
        mock.patch("mozilla_django_oidc.auth.requests.get", return_value=_answer(claims)),
    ):
        return client.get(
            reverse("oidc_authentication_callback"),
            {"code": "the-code", "state": query["state"][0]},
        )


CLAIMS = {
    "sub": "0f6c2d7e",
    "preferred_username": "wang.fang",
    "name": "王芳",
    "email": "wang@example.org",
    "employee_number": "E1001",
    "groups": ["portal-reviewers", "everyone"],
}


def test_the_login_page_offers_the_provider_when_configured(client, oidc):
    response = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en")

    link = page(response).one("[data-testid=oidc-sign-in]")
    assert link["href"] == reverse("oidc_authentication_init")
    assert "Example SSO" in page(response).text("[data-testid=oidc-sign-in]")


@pytest.mark.urls("partybuild.urls")
def test_the_login_page_has_no_provider_button_by_default(client):
    response = client.get(reverse("login"))

    assert not page(response).select("[data-testid=oidc-sign-in]")


def test_first_sign_in_creates_the_account_linked_to_the_person(client, oidc, tree):
    wang = PersonFactory(employee_number="E1001", organization=tree.a1a)

    response = sign_in_at_provider(client, CLAIMS)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    user = get_user_model().objects.get(pk=client.session["_auth_user_id"])
    assert (user.username, user.first_name, user.email) == ("wang.fang", "王芳", "wang@example.org")
    account = DirectoryAccount.objects.get(user=user)
    assert (account.source, account.external_id, account.person) == ("oidc", "0f6c2d7e", wang)
    assert RoleAssignment.objects.get(user=user).organization == tree.a1a
    assert AuditEntry.objects.filter(kind=AuditKind.DIRECTORY_ACCOUNT_CREATED).count() == 1


def test_a_token_for_another_sign_in_is_refused(client, oidc, tree):
    response = sign_in_at_provider(client, CLAIMS, nonce="not-the-one-the-portal-sent")

    assert response.status_code == 400  # the library's answer to a forged or replayed token
    assert "_auth_user_id" not in client.session
    assert not DirectoryAccount.objects.exists()


def test_a_provider_user_with_a_local_accounts_name_is_sent_back_to_the_login_page(
    client, oidc, alice
):
    response = sign_in_at_provider(client, {**CLAIMS, "preferred_username": "alice"})

    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?sso=refused"
    assert "_auth_user_id" not in client.session
    assert not DirectoryAccount.objects.exists()
    told = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "did not accept the sign-in with the company account" in told
