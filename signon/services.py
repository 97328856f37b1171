"""The portal account of a directory sign-in: found or created, linked to its person, its
roles from directory groups kept in step, and every creation or change in the audit trail.

Matching, in order: the account already linked to this directory identity; the account linked
to the person with the entry's employee number (the entry moved, or the person signs in through
the other door); a portal account of the same username that has no password and is no
superuser (an administrator prepared it); else a new account. A local account with a password
is never taken over: the directory user is refused and the reason logged.
"""

import logging
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from audit import hooks as audit_trail
from audit.models import AuditKind
from organizations.models import Organization, Person, RoleAssignment
from organizations.services import assign_role, revoke_role

from .config import GroupRoles
from .models import DirectoryAccount

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Identity:
    """Who the directory (or the OpenID provider) says has just signed in."""

    source: str
    external_id: str
    username: str
    name: str = ""
    email: str = ""
    employee_number: str = ""
    groups: frozenset[str] = frozenset()


def _facts(account: DirectoryAccount) -> dict[str, str]:
    user = account.user
    return {
        "source": account.source,
        "external_id": account.external_id,
        "employee_number": account.employee_number,
        "person": str(account.person) if account.person_id else "",
        "full_name": user.first_name,
        "email": user.email,
    }


def _find(identity: Identity, person: Person | None) -> DirectoryAccount | None:
    linked = DirectoryAccount.objects.select_related("user", "person")
    account = linked.filter(source=identity.source, external_id=identity.external_id).first()
    if account is None and person is not None:
        account = linked.filter(person=person).first()
    return account


def _is_local(user) -> bool:
    """A portal account the directory never takes over: a superuser's, or one with a password."""
    if hasattr(user, "directory_account"):
        return False
    return user.is_superuser or user.has_usable_password()


def _same_name(username: str):
    return get_user_model().objects.filter(username__iexact=username).first()


def is_local_account(username: str) -> bool:
    """Whether the name belongs to a local account (never asked of the directory)."""
    user = _same_name(username)
    return user is not None and _is_local(user)


@transaction.atomic
def sign_in(identity: Identity, *, group_roles: GroupRoles):
    """The portal account for `identity`, created or brought up to date; None when refused
    (a local account of that name, or an account switched off in the portal)."""
    number = identity.employee_number[:40]
    person = Person.objects.filter(employee_number=number).first() if number else None
    account = _find(identity, person)
    created = account is None
    if created:
        user = _same_name(identity.username)
        if user is not None and (_is_local(user) or hasattr(user, "directory_account")):
            logger.warning(
                "directory sign-in refused: %r is taken by another account", identity.username
            )
            return None
        if user is None:
            user = get_user_model().objects.create_user(identity.username[:150])
        account = DirectoryAccount(user=user)
        before = {}
    else:
        user = account.user
        if not user.is_active:
            return None
        before = _facts(account)
    if (
        person is not None
        and DirectoryAccount.objects.filter(person=person).exclude(pk=account.pk).exists()
    ):
        logger.warning("%s is linked to another account; %s is not", person, identity.external_id)
        person = None
    user.first_name = identity.name[:150] or user.first_name
    user.email = identity.email[:254] or user.email
    user.save(update_fields=["first_name", "email"])
    account.source = identity.source
    account.external_id = identity.external_id[:500]
    account.employee_number = number
    account.person = person
    account.last_sign_in = timezone.now()
    account.save()
    if group_roles:
        _sync_roles(account, identity.groups, group_roles)
    after = _facts(account)
    organization = person.organization_id if person else None
    if created:
        audit_trail.directory_account(
            AuditKind.DIRECTORY_ACCOUNT_CREATED, user, organization=organization, after=after
        )
    elif after != before:
        changed = [key for key in after if after[key] != before.get(key)]
        audit_trail.directory_account(
            AuditKind.DIRECTORY_ACCOUNT_CHANGED,
            user,
            organization=organization,
            before={key: before.get(key) for key in changed},
            after={key: after[key] for key in changed},
        )
    return user


def _wanted(account: DirectoryAccount, groups: frozenset[str], mapping: GroupRoles):
    """(role, organization id) pairs the user's groups grant, in a stable order."""
    grants = [grant for group in sorted(groups) for grant in mapping.get(group, ())]
    codes = {grant.organization for grant in grants if grant.organization}
    by_code = dict(Organization.objects.filter(code__in=codes).values_list("code", "pk"))
    wanted: list[tuple[str, int]] = []
    for grant in grants:
        if grant.organization:
            organization = by_code.get(grant.organization)
            if organization is None:
                logger.warning("group role %s: no organization %r", grant.role, grant.organization)
        else:
            organization = account.person.organization_id if account.person else None
        if organization is not None and (grant.role, organization) not in wanted:
            wanted.append((grant.role, organization))
    return wanted


def _sync_roles(account: DirectoryAccount, groups: frozenset[str], mapping: GroupRoles) -> None:
    """Grant what the groups give and revoke what they gave before and no longer give; a role
    granted in the portal is neither taken over nor revoked."""
    user = account.user
    wanted = _wanted(account, groups, mapping)
    before = {(role, org) for role, org in account.mapped_roles}
    held = set(RoleAssignment.objects.filter(user=user).values_list("role", "organization_id"))
    for role, organization in sorted(before - set(wanted)):
        assignment = RoleAssignment.objects.filter(
            user=user, role=role, organization_id=organization
        ).first()
        if assignment is not None:
            revoke_role(assignment)
    mapped = []
    for role, organization in wanted:
        if (role, organization) in held and (role, organization) not in before:
            continue  # granted in the portal: it stays the portal's
        if (role, organization) not in held:
            assign_role(
                user=user, organization=Organization.objects.get(pk=organization), role=role
            )
        mapped.append([role, organization])
    if mapped != account.mapped_roles:
        account.mapped_roles = mapped
        account.save(update_fields=["mapped_roles"])
