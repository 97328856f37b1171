"""Signing in against a real directory (Debian's slapd, tests/signon/conftest.py): through the
login page and the API's token endpoint, accounts made and linked to their person, roles from
groups, disabled entries, wrong passwords, and the directory down."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from audit.models import AuditEntry, AuditKind
from auditing.rendering import render_entry
from organizations.models import RoleAssignment
from organizations.services import assign_role
from signon import services
from signon.models import DirectoryAccount
from tests.factories import PersonFactory, UserFactory
from tests.html import page

from . import directory_data as data
from .conftest import free_port

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("login")
TOKEN_URL = "/api/v1/auth/token/"
WRONG_PASSWORD = "Please enter a correct username and password"
DIRECTORY_DOWN = "The directory cannot be reached"


def sign_in(client, username: str, password: str):
    return client.post(
        LOGIN_URL, {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="en"
    )


def signed_in_as(client) -> str | None:
    user_id = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=user_id).username if user_id else None


@pytest.fixture
def people(tree):
    """The directory's wang works in branch A1a, zhao in B1 (qian has no person yet)."""
    return {
        "wang": PersonFactory(employee_number="E1001", name="王芳", organization=tree.a1a),
        "zhao": PersonFactory(employee_number="E1002", name="赵强", organization=tree.b1),
    }


@pytest.fixture
def api() -> APIClient:
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


def test_first_sign_in_creates_an_account_linked_to_the_person(client, directory, people):
    response = sign_in(client, "wang", data.password("wang"))

    assert response.status_code == 302
    assert signed_in_as(client) == "wang"
    account = DirectoryAccount.objects.select_related("user").get(user__username="wang")
    assert account.person == people["wang"]
    assert account.source == "ldap"
    assert account.external_id == data.dn("wang")
    assert (account.user.first_name, account.user.email) == ("王芳", "wang@example.org")
    assert not account.user.has_usable_password()
    assert not RoleAssignment.objects.filter(user=account.user).exists()  # granted in the portal
    entry = AuditEntry.objects.get(kind=AuditKind.DIRECTORY_ACCOUNT_CREATED)
    assert (entry.actor_id, entry.organization_id) == (
        account.user.pk,
        people["wang"].organization_id,
    )
    assert entry.after["employee_number"] == "E1001"


def test_the_auditors_read_the_new_account_by_name_with_labelled_facts(client, directory, people):
    sign_in(client, "wang", data.password("wang"))
    entry = AuditEntry.objects.get(kind=AuditKind.DIRECTORY_ACCOUNT_CREATED)

    with translation.override("en"):
        shown = render_entry(entry)
        facts = {change.key: change.after for change in shown.changes}

    assert shown.summary == "wang"
    assert facts["employee number"] == "E1001"
    assert facts["person"] == "王芳 (E1001)"
    assert facts["directory identity"] == data.dn("wang")


def test_the_token_endpoint_signs_a_directory_user_in(api, directory, people):
    response = api.post(
        TOKEN_URL, {"username": "zhao", "password": data.password("zhao")}, format="json"
    )

    assert response.status_code == 200
    api.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    assert api.get("/api/v1/me/").json()["username"] == "zhao"
    assert DirectoryAccount.objects.get(user__username="zhao").person == people["zhao"]


def test_a_second_sign_in_reuses_the_account_and_records_only_changes(client, directory, tree):
    sign_in(client, "qian", data.password("qian"))
    client.logout()
    sign_in(client, "qian", data.password("qian"))
    account = DirectoryAccount.objects.get(user__username="qian")
    assert account.person is None  # no person with E1003 yet
    assert AuditEntry.objects.filter(kind__startswith="signon.").count() == 1

    qian = PersonFactory(employee_number="E1003", name="钱明", organization=tree.a1b)
    client.logout()
    sign_in(client, "qian", data.password("qian"))

    account.refresh_from_db()
    assert account.person == qian
    assert get_user_model().objects.filter(username="qian").count() == 1
    changed = AuditEntry.objects.get(kind=AuditKind.DIRECTORY_ACCOUNT_CHANGED)
    assert changed.before == {"person": ""}
    assert changed.after == {"person": str(qian)}
    assert changed.organization_id == tree.a1b.pk


def test_groups_grant_roles_on_the_persons_organization_or_the_one_named(
    client, directory, people, settings, tree
):
    settings.LDAP_GROUP_ROLES = {data.REVIEWERS: "reviewer", data.AUDITORS: ["auditor@G"]}

    sign_in(client, "wang", data.password("wang"))
    client.logout()
    sign_in(client, "zhao", data.password("zhao"))

    roles = set(RoleAssignment.objects.values_list("user__username", "role", "organization"))
    assert roles == {("wang", "reviewer", tree.a1a.pk), ("zhao", "auditor", tree.group.pk)}
    assert AuditEntry.objects.filter(kind=AuditKind.ROLE_ASSIGNED).count() == 2


def test_a_role_the_groups_no_longer_give_is_revoked_but_portal_roles_stay(
    client, directory, people, settings, tree
):
    settings.LDAP_GROUP_ROLES = {data.REVIEWERS: "reviewer"}
    sign_in(client, "wang", data.password("wang"))
    wang = get_user_model().objects.get(username="wang")
    assign_role(user=wang, organization=tree.a1a, role="secretary")  # granted in the portal
    client.logout()

    settings.LDAP_GROUP_ROLES = {data.AUDITORS: "reviewer"}  # wang's group grants nothing now
    sign_in(client, "wang", data.password("wang"))

    assert set(RoleAssignment.objects.filter(user=wang).values_list("role", flat=True)) == {
        "secretary"
    }
    assert DirectoryAccount.objects.get(user=wang).mapped_roles == []


def test_a_role_granted_in_the_portal_is_not_taken_over_by_a_group(
    client, directory, people, settings, tree
):
    settings.LDAP_GROUP_ROLES = {data.REVIEWERS: "reviewer"}
    sign_in(client, "wang", data.password("wang"))
    wang = get_user_model().objects.get(username="wang")
    DirectoryAccount.objects.filter(user=wang).update(mapped_roles=[])  # as if granted by hand
    client.logout()
    sign_in(client, "wang", data.password("wang"))
    settings.LDAP_GROUP_ROLES = {}
    client.logout()
    sign_in(client, "wang", data.password("wang"))

    assert RoleAssignment.objects.filter(user=wang, role="reviewer").exists()


def test_a_wrong_password_fails_like_a_local_one_and_counts_towards_the_lockout(
    client, directory, people
):
    response = sign_in(client, "wang", "not-wangs-password")

    assert response.status_code == 200
    assert WRONG_PASSWORD in page(response).text("form .alert-danger")
    assert signed_in_as(client) is None
    assert not get_user_model().objects.filter(username="wang").exists()
    for _attempt in range(4):
        sign_in(client, "wang", "not-wangs-password")
    assert sign_in(client, "wang", data.password("wang")).status_code == 429  # locked out
    assert signed_in_as(client) is None


def test_a_wrong_password_on_the_token_endpoint_is_the_usual_400(api, directory, people):
    response = api.post(TOKEN_URL, {"username": "zhao", "password": "nope"}, format="json")

    assert response.status_code == 400
    assert response.json()["detail"] == "Unable to sign in with that username and password."


@pytest.mark.parametrize(
    "uid",
    [
        pytest.param("sun", id="active-directory-disabled-bit"),
        pytest.param("li", id="openldap-password-policy-lock"),
    ],
)
def test_a_disabled_entry_cannot_sign_in(client, directory, tree, uid):
    response = sign_in(client, uid, data.password(uid))

    assert WRONG_PASSWORD in page(response).text("form .alert-danger")
    assert signed_in_as(client) is None
    assert not DirectoryAccount.objects.exists()


def test_the_configured_disabled_filter_refuses_matching_entries(client, directory, settings):
    assert sign_in(client, "zhou", data.password("zhou")).status_code == 302
    client.logout()
    settings.LDAP_DISABLED_FILTER = "(employeeType=disabled)"

    assert sign_in(client, "zhou", data.password("zhou")).status_code == 200
    assert signed_in_as(client) is None


def test_filter_characters_in_the_username_match_nobody(client, directory, people):
    response = sign_in(client, "w*", data.password("wang"))

    assert response.status_code == 200
    assert signed_in_as(client) is None


def test_a_local_account_is_never_taken_over_by_the_directory(client, directory, alice, password):
    response = sign_in(client, "alice", data.password("alice"))  # the directory's password

    assert response.status_code == 200
    assert not DirectoryAccount.objects.exists()
    assert sign_in(client, "alice", password).status_code == 302  # the local one still works


def test_an_account_prepared_without_a_password_is_taken_by_its_directory_user(
    client, directory, people
):
    prepared = get_user_model().objects.create_user("wang")  # no password: unusable

    assert sign_in(client, "wang", data.password("wang")).status_code == 302

    assert DirectoryAccount.objects.get(person=people["wang"]).user == prepared


def test_an_account_switched_off_in_the_portal_stays_off(client, directory, people):
    sign_in(client, "wang", data.password("wang"))
    client.logout()
    get_user_model().objects.filter(username="wang").update(is_active=False)

    assert sign_in(client, "wang", data.password("wang")).status_code == 200
    assert signed_in_as(client) is None


def test_the_next_server_is_tried_when_the_first_is_down(client, directory, people, settings):
    settings.LDAP_URL = f"ldap://127.0.0.1:{free_port()} {directory.url}"

    assert sign_in(client, "wang", data.password("wang")).status_code == 302


@pytest.fixture
def directory_down(directory, settings):
    settings.LDAP_URL = f"ldap://127.0.0.1:{free_port()}"  # nothing listens there
    settings.LDAP_TIMEOUT = 1


def test_directory_down_a_local_administrator_still_signs_in(
    client, directory_down, erin, password
):
    assert sign_in(client, "erin", password).status_code == 302
    assert signed_in_as(client) == "erin"


def test_directory_down_a_local_wrong_password_is_still_a_wrong_password(
    client, directory_down, erin
):
    response = sign_in(client, "erin", "wrong")

    assert WRONG_PASSWORD in page(response).text("form .alert-danger")


def test_directory_down_a_directory_user_is_told_so_and_not_counted_as_failing(
    client, directory_down, tree
):
    response = sign_in(client, "wang", data.password("wang"))

    assert response.status_code == 200
    assert DIRECTORY_DOWN in page(response).text("form .alert-danger")
    assert signed_in_as(client) is None
    assert not AccessAttempt.objects.exists()


def test_directory_down_the_token_endpoint_answers_503(api, directory_down, tree):
    response = api.post(
        TOKEN_URL, {"username": "wang", "password": data.password("wang")}, format="json"
    )

    assert response.status_code == 503
    assert response.json()["detail"].startswith(DIRECTORY_DOWN)


def test_superuser_names_are_never_asked_of_the_directory(client, directory_down):
    UserFactory(username="wang", superuser=True)

    response = sign_in(client, "wang", data.password("wang"))

    assert WRONG_PASSWORD in page(response).text("form .alert-danger")  # not "directory down"


def test_a_directory_that_refuses_start_tls_is_unavailable_not_asked_in_clear(
    client, directory, people, settings
):
    settings.LDAP_START_TLS = True  # the test slapd has no certificate

    response = sign_in(client, "wang", data.password("wang"))

    assert DIRECTORY_DOWN in page(response).text("form .alert-danger")
    assert signed_in_as(client) is None


def test_a_concurrent_first_sign_in_finds_the_account_the_other_request_made(
    client, directory, people, monkeypatch
):
    """GIVEN wang's account made by one request WHEN another, which looked before it was
    committed, creates it too THEN the unique username stops it and it signs in to the one made."""
    sign_in(client, "wang", data.password("wang"))
    client.logout()
    looked_early = {"find": True, "same_name": True}

    def early(name, real):
        def look(*args):
            return None if looked_early.pop(name, False) else real(*args)

        return look

    monkeypatch.setattr(services, "is_local_account", lambda username: False)  # looked early too
    monkeypatch.setattr(services, "_find", early("find", services._find))
    monkeypatch.setattr(services, "_same_name", early("same_name", services._same_name))

    assert sign_in(client, "wang", data.password("wang")).status_code == 302
    assert not looked_early
    assert get_user_model().objects.filter(username="wang").count() == 1
