"""Asking an LDAP directory (OpenLDAP, Active Directory) who someone is: search, then bind.

The portal's search account (`LDAP_BIND_DN`, or an anonymous search) finds the one entry the
user filter matches; a bind as that entry with the password typed proves the password; the same
search account then reads the user's groups. Nothing here writes to the database: the backend
(signon/backends.py) turns the answer into a portal account.
"""

import logging
import ssl
from dataclasses import dataclass

from ldap3 import BASE, FIRST, NONE, SUBTREE, Connection, Server, ServerPool, Tls
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars

from .config import LdapConfig, normalise_group

logger = logging.getLogger(__name__)

ACCOUNT_DISABLE = 0x2  # Active Directory's userAccountControl bit for a disabled account


class DirectoryUnavailable(Exception):
    """The directory could not be asked (down, timed out, TLS refused, search account refused)."""


@dataclass(frozen=True)
class DirectoryUser:
    """A directory entry whose password was just proven."""

    dn: str
    username: str
    name: str
    email: str
    employee_number: str
    groups: frozenset[str]  # normalised group DNs (signon.config.normalise_group)


def _first(attributes: dict, name: str) -> str:
    value = attributes.get(name) if name else None
    if isinstance(value, list):
        value = value[0] if value else None
    return "" if value is None else str(value).strip()


def _all(attributes: dict, name: str) -> list[str]:
    value = attributes.get(name)
    if value is None:
        return []
    return [str(v) for v in (value if isinstance(value, list) else [value])]


def _server(config: LdapConfig) -> Server | ServerPool:
    tls = Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_file or None)
    servers = [
        Server(url, connect_timeout=config.timeout, get_info=NONE, tls=tls) for url in config.urls
    ]
    if len(servers) == 1:
        return servers[0]
    # One round over the servers in order; none is dropped from the pool for good.
    return ServerPool(servers, FIRST, active=1, exhaust=False)


def _connect(config: LdapConfig, server, user: str | None, password: str | None) -> Connection:
    connection = Connection(
        server,
        user=user or None,
        password=password or None,
        receive_timeout=config.timeout,
        raise_exceptions=False,
        read_only=True,
        # Active Directory refers searches at a domain's root to other partitions; following
        # them with the same credentials only adds timeouts.
        auto_referrals=False,
    )
    connection.open()
    if config.start_tls and not connection.server.ssl and not connection.start_tls():
        raise DirectoryUnavailable(f"StartTLS refused: {connection.result}")
    return connection


def _entries(connection: Connection) -> list[dict]:
    return [item for item in connection.response or [] if item.get("type") == "searchResEntry"]


def _is_disabled(connection: Connection, config: LdapConfig, dn: str, attributes: dict) -> bool:
    control = _first(attributes, "userAccountControl")
    if control.isdigit() and int(control) & ACCOUNT_DISABLE:
        return True
    if _first(attributes, "pwdAccountLockedTime"):  # OpenLDAP's password policy locked it
        return True
    if config.disabled_filter:
        connection.search(dn, config.disabled_filter, BASE, attributes=["1.1"])
        return bool(_entries(connection))
    return False


def _groups(connection: Connection, config: LdapConfig, dn: str, username: str, attributes):
    groups = set(_all(attributes, "memberOf"))
    if config.group_base:
        query = config.group_filter % {
            "dn": escape_filter_chars(dn),
            "user": escape_filter_chars(username),
        }
        connection.search(config.group_base, query, SUBTREE, attributes=["1.1"])
        groups.update(entry["dn"] for entry in _entries(connection))
    return frozenset(normalise_group(group) for group in groups)


def authenticate(config: LdapConfig, username: str, password: str) -> DirectoryUser | None:
    """The user if the directory knows exactly one entry by that name, enabled, and the password
    is its own; None otherwise (the reason is logged, never shown). Raises DirectoryUnavailable.
    """
    if not username or not password:  # an empty password would be an anonymous bind
        return None
    try:
        return _authenticate(config, username, password)
    except LDAPException as exc:
        raise DirectoryUnavailable(f"{type(exc).__name__}: {exc}") from exc


def _authenticate(config: LdapConfig, username: str, password: str) -> DirectoryUser | None:
    server = _server(config)
    search = _connect(config, server, config.bind_dn, config.bind_password)
    try:
        if not search.bind():
            raise DirectoryUnavailable(f"the search account was refused: {search.result}")
        query = config.user_filter % {"user": escape_filter_chars(username)}
        search.search(config.user_base, query, SUBTREE, attributes=config.attributes, size_limit=2)
        found = _entries(search)
        if len(found) != 1:
            logger.info("directory sign-in refused: %d entries for %r", len(found), username)
            return None
        dn, attributes = found[0]["dn"], found[0]["attributes"]
        if _is_disabled(search, config, dn, attributes):
            logger.info("directory sign-in refused: %s is disabled", dn)
            return None
        proof = _connect(config, search.server, dn, password)
        try:
            if not proof.bind():
                logger.info("directory sign-in refused: wrong password for %s", dn)
                return None
        finally:
            proof.unbind()
        return DirectoryUser(
            dn=dn,
            username=username,
            name=_first(attributes, config.name_attr) or _first(attributes, "cn"),
            email=_first(attributes, config.email_attr),
            employee_number=_first(attributes, config.employee_number_attr),
            groups=_groups(search, config, dn, username, attributes),
        )
    finally:
        search.unbind()
