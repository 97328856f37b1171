"""The token page of one's account: list, create (shown once), revoke."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from credentials import services
from credentials.models import ApiToken
from tests.html import page

pytestmark = pytest.mark.django_db

TOKENS = reverse("credentials:tokens")
REVOKE = reverse("credentials:revoke")


def test_the_page_lists_ones_own_tokens_by_prefix_never_the_token(client_for, alice, bob):
    mine, plain = services.issue_token(alice, name="nightly sync", acting_user=alice)
    services.issue_token(bob, name="bob's script", acting_user=bob)

    response = client_for(alice).get(TOKENS)

    shown = page(response)
    assert shown.rows("table")[1][:2] == ["nightly sync", f"{mine.prefix}…"]
    assert len(shown.rows("table")) == 2  # the header and alice's one token
    assert plain not in response.content.decode()
    assert not shown.mentions("bob's script")


def test_the_page_marks_expired_and_revoked_tokens(client_for, alice):
    expired, _plain = services.issue_token(alice, name="old", acting_user=alice)
    ApiToken.objects.filter(pk=expired.pk).update(
        created=timezone.now() - timedelta(days=100), expires=timezone.now() - timedelta(days=10)
    )
    revoked, _plain = services.issue_token(alice, name="lost", acting_user=alice)
    services.revoke_token(revoked, acting_user=alice)

    shown = page(client_for(alice).get(TOKENS))

    assert shown.has(f'[data-token-row="{expired.pk}"] [data-state="expired"]')
    assert shown.has(f'[data-token-row="{revoked.pk}"] [data-state="revoked"]')
    assert not shown.has(f'[data-token-row="{revoked.pk}"] form')


def test_creating_a_token_shows_it_once_and_it_works(client_for, alice):
    client = client_for(alice)

    response = client.post(TOKENS, {"name": "reporting"})

    plain = page(response).text("[data-token]")
    assert response["Cache-Control"] == "no-store"
    assert ApiToken.objects.get(user=alice).name == "reporting"
    assert plain not in client.get(TOKENS).content.decode()
    client.logout()
    assert client.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {plain}").status_code == 200


def test_a_token_needs_a_name(client_for, alice):
    response = client_for(alice).post(TOKENS, {"name": ""})

    assert page(response).field_errors("name")
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token(client_for, alice):
    token, _plain = services.issue_token(alice, name="sync", acting_user=alice)

    response = client_for(alice).post(
        REVOKE, {"token": token.pk}, follow=True, HTTP_ACCEPT_LANGUAGE="en"
    )

    token.refresh_from_db()
    assert token.revoked is not None
    assert page(response).messages() == [f"Token {token.prefix}… revoked."]


def test_another_users_token_is_404_and_stays(client_for, alice, bob):
    token, _plain = services.issue_token(bob, name="bob's", acting_user=bob)

    assert client_for(alice).post(REVOKE, {"token": token.pk}).status_code == 404

    token.refresh_from_db()
    assert token.revoked is None


def test_revoking_takes_a_post(client_for, alice):
    assert client_for(alice).get(REVOKE).status_code == 405


def test_the_page_needs_sign_in(client):
    response = client.get(TOKENS)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_user_menu_links_to_the_page(client_for, alice):
    shown = page(client_for(alice).get(TOKENS))

    assert shown.has(f'a[data-nav="tokens"][href="{TOKENS}"]')
