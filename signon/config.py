"""Directory sign-on's configuration, read from the settings (which read the environment).

Everything is off unless configured: LDAP when `LDAP_URL` is set, OpenID Connect when
`OIDC_RP_CLIENT_ID` is. Nonsense fails loudly: `manage.py check` runs `parse_group_roles`
(signon/checks.py), and so does the first sign-in.
"""

import json
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from organizations.choices import Role


@dataclass(frozen=True)
class GroupRole:
    """A role a directory group grants: on the organization coded `organization`, or on the
    person's own organization when it is empty."""

    role: str
    organization: str = ""


GroupRoles = dict[str, tuple[GroupRole, ...]]


@dataclass(frozen=True)
class LdapConfig:
    urls: tuple[str, ...]
    bind_dn: str
    bind_password: str
    user_base: str
    user_filter: str
    employee_number_attr: str
    name_attr: str
    email_attr: str
    start_tls: bool
    ca_file: str
    timeout: int
    disabled_filter: str
    group_base: str
    group_filter: str
    group_roles: GroupRoles = field(default_factory=dict)

    @property
    def attributes(self) -> list[str]:
        """What a user's search asks for: the portal's fields and what says "disabled"."""
        wanted = {
            self.employee_number_attr,
            self.name_attr,
            "cn",
            self.email_attr,
            "memberOf",
            "userAccountControl",
            "pwdAccountLockedTime",
        }
        return sorted(a for a in wanted if a)


def normalise_group(name: str) -> str:
    """Group DNs (and OpenID group names) compare without case and without spaces around the
    separators: ``CN=Reviewers, OU=Groups`` is ``cn=reviewers,ou=groups``."""
    parts = (part.strip() for part in name.split(","))
    return ",".join("=".join(p.strip() for p in part.split("=", 1)) for part in parts).lower()


def parse_group_roles(raw: Any, setting: str) -> GroupRoles:
    """``{"<group>": "reviewer" | "auditor@G" | ["reviewer", "auditor@G"]}`` (JSON or a dict)."""
    if not raw:
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ImproperlyConfigured(f"{setting} is not JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ImproperlyConfigured(f'{setting} must map groups to roles: {{"<group>": "<role>"}}')
    mapping: GroupRoles = {}
    for group, value in raw.items():
        grants = []
        for item in value if isinstance(value, list) else [value]:
            role, _sep, organization = str(item).partition("@")
            if role not in Role.values:
                raise ImproperlyConfigured(
                    f"{setting}: {item!r} for {group!r} names no role "
                    f"(one of {', '.join(Role.values)}, optionally @<organization code>)"
                )
            grants.append(GroupRole(role, organization.strip()))
        mapping[normalise_group(str(group))] = tuple(grants)
    return mapping


def ldap_config() -> LdapConfig | None:
    """The LDAP configuration, or None when `LDAP_URL` is unset."""
    url = settings.LDAP_URL
    if not url:
        return None
    if not settings.LDAP_USER_BASE:
        raise ImproperlyConfigured("LDAP_URL is set: LDAP_USER_BASE must name where users are")
    if "%(user)s" not in settings.LDAP_USER_FILTER:
        raise ImproperlyConfigured("LDAP_USER_FILTER must contain %(user)s")
    return LdapConfig(
        urls=tuple(u for u in url.replace(",", " ").split() if u),
        bind_dn=settings.LDAP_BIND_DN,
        bind_password=settings.LDAP_BIND_PASSWORD,
        user_base=settings.LDAP_USER_BASE,
        user_filter=settings.LDAP_USER_FILTER,
        employee_number_attr=settings.LDAP_EMPLOYEE_NUMBER_ATTR,
        name_attr=settings.LDAP_NAME_ATTR,
        email_attr=settings.LDAP_EMAIL_ATTR,
        start_tls=settings.LDAP_START_TLS,
        ca_file=settings.LDAP_CA_FILE,
        timeout=settings.LDAP_TIMEOUT,
        disabled_filter=settings.LDAP_DISABLED_FILTER,
        group_base=settings.LDAP_GROUP_BASE,
        group_filter=settings.LDAP_GROUP_FILTER,
        group_roles=parse_group_roles(settings.LDAP_GROUP_ROLES, "LDAP_GROUP_ROLES"),
    )


def oidc_group_roles() -> GroupRoles:
    return parse_group_roles(settings.OIDC_GROUP_ROLES, "OIDC_GROUP_ROLES")
