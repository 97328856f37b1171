"""Directory sign-on's configuration: off unless set, and nonsense refused loudly."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from signon.config import GroupRole, ldap_config, normalise_group, parse_group_roles
from tests.test_settings import run_manage


def test_ldap_is_off_without_a_url(settings):
    settings.LDAP_URL = ""
    assert ldap_config() is None


def test_group_roles_read_json_with_an_organization_code_or_a_list():
    mapping = parse_group_roles(
        '{"CN=Reviewers, OU=Groups,DC=example,DC=org": "reviewer",'
        ' "cn=auditors,dc=example,dc=org": ["auditor@G", "reviewer"]}',
        "LDAP_GROUP_ROLES",
    )

    assert mapping == {
        "cn=reviewers,ou=groups,dc=example,dc=org": (GroupRole("reviewer"),),
        "cn=auditors,dc=example,dc=org": (GroupRole("auditor", "G"), GroupRole("reviewer")),
    }
    assert normalise_group("CN=Reviewers, OU=Groups,DC=example,DC=org") in mapping


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "LDAP_GROUP_ROLES is not JSON"),
        ('["reviewer"]', "must map groups to roles"),
        ('{"cn=x": "chairman"}', "'chairman' for 'cn=x' names no role"),
    ],
)
def test_group_roles_nonsense_is_refused(raw, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        parse_group_roles(raw, "LDAP_GROUP_ROLES")


def test_ldap_without_a_user_base_is_refused(settings):
    settings.LDAP_URL = "ldap://127.0.0.1:1"
    settings.LDAP_USER_BASE = ""
    with pytest.raises(ImproperlyConfigured, match="LDAP_USER_BASE"):
        ldap_config()


def test_check_fails_loudly_on_a_bad_mapping():
    result = run_manage(
        "check",
        LDAP_URL="ldap://ldap.example.org",
        LDAP_USER_BASE="ou=people,dc=example,dc=org",
        LDAP_GROUP_ROLES='{"cn=x": "chairman"}',
    )

    assert result.returncode != 0
    assert "signon.E001" in result.stderr


def test_oidc_without_its_endpoints_refuses_to_start():
    result = run_manage("check", OIDC_RP_CLIENT_ID="partybuild")

    assert result.returncode != 0
    assert "OIDC_OP_TOKEN_ENDPOINT" in result.stderr
