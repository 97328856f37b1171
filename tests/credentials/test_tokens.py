"""API tokens: stored as hashes, expiring, revocable, recorded in the audit trail."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audit.models import AuditEntry, AuditKind
from credentials import services
from credentials.authentication import ExpiringTokenAuthentication
from credentials.models import ApiToken

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
ME_URL = "/api/v1/me/"


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def using(api: APIClient, token: str) -> APIClient:
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_the_database_holds_a_hash_and_a_prefix_never_the_token(alice):
    token, plain = services.issue_token(alice, name="sync", acting_user=alice)

    row = ApiToken.objects.filter(pk=token.pk).values().get()
    assert row["digest"] == hashlib.sha256(plain.encode()).hexdigest()
    assert plain.startswith(row["prefix"])
    assert len(row["prefix"]) < 16
    assert plain not in str(row)
    assert len(plain) >= 40  # at least 32 random bytes after the mark


def test_a_token_lives_api_token_days(alice, settings):
    settings.API_TOKEN_DAYS = 7

    token, _plain = services.issue_token(alice, name="sync", acting_user=alice)

    assert token.expires - token.created == timedelta(days=7)


def test_an_expired_token_is_refused_with_a_message_saying_so(api, alice):
    token, plain = services.issue_token(alice, name="sync", acting_user=alice)
    ApiToken.objects.filter(pk=token.pk).update(
        created=timezone.now() - timedelta(days=91), expires=timezone.now() - timedelta(days=1)
    )

    response = using(api, plain).get(ME_URL)

    assert response.status_code == 401
    assert response.json()["detail"].startswith("This token expired on ")
    assert response.json()["detail"].endswith(": obtain a new one.")


def test_a_revoked_token_is_refused_with_a_message_saying_so(api, alice):
    token, plain = services.issue_token(alice, name="sync", acting_user=alice)
    services.revoke_token(token, acting_user=alice)

    response = using(api, plain).get(ME_URL)

    assert response.status_code == 401
    assert response.json()["detail"] == "This token was revoked: obtain a new one."


def test_a_token_of_a_deactivated_user_is_refused(api, alice):
    _token, plain = services.issue_token(alice, name="sync", acting_user=alice)
    alice.is_active = False
    alice.save()

    assert using(api, plain).get(ME_URL).status_code == 401


def test_using_a_token_notes_when_it_was_last_used(api, alice):
    token, plain = services.issue_token(alice, name="sync", acting_user=alice)
    assert token.last_used is None

    using(api, plain).get(ME_URL)

    token.refresh_from_db()
    assert timezone.now() - token.last_used < timedelta(minutes=1)


def test_last_use_is_written_at_most_once_a_minute(alice, rf, django_assert_num_queries):
    token, plain = services.issue_token(alice, name="sync", acting_user=alice)
    request = rf.get("/api/v1/me/", HTTP_AUTHORIZATION=f"Token {plain}")
    recently = timezone.now() - timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used=recently)

    with django_assert_num_queries(1):  # the token with its user, no write
        assert ExpiringTokenAuthentication().authenticate(request)[0] == alice
    token.refresh_from_db()
    assert token.last_used == recently

    ApiToken.objects.filter(pk=token.pk).update(last_used=timezone.now() - timedelta(minutes=2))
    with django_assert_num_queries(2):  # and the write
        ExpiringTokenAuthentication().authenticate(request)
    token.refresh_from_db()
    assert timezone.now() - token.last_used < timedelta(seconds=5)


def test_issuing_and_revoking_are_in_the_audit_trail_without_the_token(alice):
    token, plain = services.issue_token(alice, name="sync", acting_user=alice)
    services.revoke_token(token, acting_user=alice)

    created, revoked = AuditEntry.objects.filter(target=f"apitoken:{token.pk}").order_by("pk")
    assert created.kind == AuditKind.API_TOKEN_CREATED
    assert revoked.kind == AuditKind.API_TOKEN_REVOKED
    assert created.actor == alice
    assert created.after["prefix"] == token.prefix
    assert created.after["name"] == "sync"
    for entry in (created, revoked):
        assert plain not in f"{entry.summary} {entry.before} {entry.after}"
        assert token.digest not in f"{entry.summary} {entry.before} {entry.after}"


def test_revoking_twice_records_once(alice):
    token, _plain = services.issue_token(alice, name="sync", acting_user=alice)

    assert services.revoke_token(token, acting_user=alice) is True
    assert services.revoke_token(token, acting_user=alice) is False
    assert AuditEntry.objects.filter(kind=AuditKind.API_TOKEN_REVOKED).count() == 1


def test_the_token_endpoint_records_the_new_token(api, alice, password):
    api.post(TOKEN_URL, {"username": "alice", "password": password, "name": "etl"}, format="json")

    entry = AuditEntry.objects.get(kind=AuditKind.API_TOKEN_CREATED)
    assert entry.actor == alice
    assert ApiToken.objects.get(user=alice).name == "etl"


def test_delete_with_a_token_revokes_that_token_only(api, alice):
    _kept, kept_plain = services.issue_token(alice, name="kept", acting_user=alice)
    _gone, gone_plain = services.issue_token(alice, name="gone", acting_user=alice)

    assert using(api, gone_plain).delete(TOKEN_URL).status_code == 204

    assert using(api, gone_plain).get(ME_URL).status_code == 401
    assert using(api, kept_plain).get(ME_URL).status_code == 200


def test_delete_with_the_browser_session_revokes_all_the_callers_tokens(client_for, alice, bob):
    for name in ("one", "two"):
        services.issue_token(alice, name=name, acting_user=alice)
    services.issue_token(bob, name="bob's", acting_user=bob)

    assert client_for(alice).delete(TOKEN_URL).status_code == 204

    assert not ApiToken.objects.usable().filter(user=alice).exists()
    assert ApiToken.objects.usable().filter(user=bob).count() == 1


def test_a_stale_token_in_the_header_does_not_stop_obtaining_a_new_one(api, alice, password):
    token, plain = services.issue_token(alice, name="old", acting_user=alice)
    services.revoke_token(token, acting_user=alice)

    response = using(api, plain).post(
        TOKEN_URL, {"username": "alice", "password": password}, format="json"
    )

    assert response.status_code == 200
    assert using(api, response.json()["token"]).get(ME_URL).status_code == 200
