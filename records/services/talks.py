"""Heart-to-heart talks (谈心谈话): recording, changing and deleting them.

A talk is written by someone who enters data for its organization, on an open date
(`dates.check_open`). Both people must belong to the organization's subtree on that day by the
membership history (a talk is often held by the branch secretary with a member of a party group
below, or by a committee member with a branch secretary). A change names the version of the talk
it was based on, as a meeting's does: one based on an older version raises `StaleVersion`, and a
change that goes through moves the version on. Each service is one transaction with its audit
entry; refused input raises `RecordRefused` and writes nothing. A talk written, changed or deleted
calls `records_changed` for its organization and those of the two people on its day (before and
after a change), so coverage and points follow on commit.
"""

from datetime import date as Date
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit import hooks as audit_trail
from audit.models import AuditKind
from organizations.choices import Action
from organizations.models import Membership, Organization, Person
from organizations.scope import can

from ..models import Talk
from ..sources import records_changed
from .dates import NotAllowed, RecordRefused, StaleVersion, check_open
from .meetings import named


def can_enter(user, organization: Organization) -> bool:
    return can(user, Action.ENTER, organization)


def _check_enter(user, organization: Organization) -> None:
    if not can_enter(user, organization):
        raise NotAllowed(_("You do not enter records for this organization."))


def _check_people(
    organization: Organization, day: Date, talker: Person, partner: Person, acting_user
) -> None:
    if talker.pk == partner.pk:
        raise RecordRefused(_("A talk is between two people: choose someone else to talk with."))
    present = set(
        Membership.objects.on(day)
        .filter(
            person__in=[talker.pk, partner.pk], organization__path__startswith=organization.path
        )
        .values_list("person_id", flat=True)
    )
    for person in (talker, partner):
        if person.pk not in present:
            raise RecordRefused(
                _("%(name)s did not belong to %(org)s or an organization below it on %(day)s.")
                % {
                    "name": named([person.pk], organization, acting_user),
                    "org": organization.display_name,
                    "day": day.isoformat(),
                }
            )


def _topic(topic: str) -> str:
    topic = (topic or "").strip()
    if not topic:
        raise RecordRefused(_("%(field)s is required.") % {"field": _("Topic")})
    return topic


def snapshot(talk: Talk) -> dict[str, Any]:
    return {
        "date": talk.date.isoformat(),
        "talker": talk.talker_id,
        "partner": talk.partner_id,
        "topic": talk.topic,
        "note": talk.note,
        "version": talk.version,
    }


def _touched(talk: Talk) -> set[tuple[int, Date]]:
    """The organizations a talk counts in on its day: its own, and those of the two people
    (a talk of the committee with a branch member counts in the branch's coverage and points)."""
    homes = Membership.objects.on(talk.date).filter(
        person__in=[talk.talker_id, talk.partner_id],
        organization__path__startswith=talk.organization.path,
    )
    return {(talk.organization_id, talk.date)} | {
        (organization_id, talk.date)
        for organization_id in homes.values_list("organization_id", flat=True)
    }


def _changed(touched: set[tuple[int, Date]]) -> None:
    for organization_id, day in sorted(touched):
        records_changed(organization_id, day)


def _summary(talk: Talk, what: str) -> str:
    return f"{what}: {talk.date.isoformat()} {talk.topic}"


@transaction.atomic
def record_talk(
    organization: Organization,
    *,
    talker: Person,
    partner: Person,
    date: Date,
    topic: str,
    note: str = "",
    acting_user,
) -> Talk:
    """Record a talk between two people of the organization's subtree."""
    _check_enter(acting_user, organization)
    check_open(date)
    topic = _topic(topic)
    _check_people(organization, date, talker, partner, acting_user)
    talk = Talk.objects.create(
        organization=organization,
        talker=talker,
        partner=partner,
        date=date,
        topic=topic,
        note=(note or "").strip(),
        created_by=acting_user,
    )
    _changed(_touched(talk))
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        talk,
        summary=_summary(talk, "talk recorded"),
        after=snapshot(talk),
        acting_user=acting_user,
    )
    return talk


def _lock(talk: Talk, version: int | None) -> Talk:
    locked = (
        Talk.objects.select_for_update(of=("self",))
        .select_related("organization", "talker", "partner")
        .get(pk=talk.pk)
    )
    if version is not None and locked.version != version:
        raise StaleVersion(locked.version)
    return locked


@transaction.atomic
def change_talk(
    talk: Talk,
    *,
    version: int | None,
    talker: Person,
    partner: Person,
    date: Date,
    topic: str,
    note: str = "",
    acting_user,
) -> Talk:
    """Change a talk, based on the version the user saw; its old date and the new must both be
    open. A change based on an older version raises StaleVersion."""
    talk = _lock(talk, version)
    _check_enter(acting_user, talk.organization)
    check_open(talk.date)
    if date != talk.date:
        check_open(date)
    topic = _topic(topic)
    _check_people(talk.organization, date, talker, partner, acting_user)
    before = snapshot(talk)
    touched = _touched(talk)
    talk.talker, talk.partner, talk.date = talker, partner, date
    talk.topic, talk.note = topic, (note or "").strip()
    talk.version += 1
    talk.save()
    _changed(touched | _touched(talk))
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        talk,
        summary=_summary(talk, "talk changed"),
        before=before,
        after=snapshot(talk),
        acting_user=acting_user,
    )
    return talk


@transaction.atomic
def delete_talk(talk: Talk, *, version: int | None = None, acting_user) -> None:
    """Delete a talk (its date must still be open); with a version, only if it is still the one
    the user saw."""
    talk = _lock(talk, version)
    _check_enter(acting_user, talk.organization)
    check_open(talk.date)
    audit_trail.record_event(
        AuditKind.RECORD_DELETED,
        talk,
        summary=_summary(talk, "talk deleted"),
        before=snapshot(talk),
        acting_user=acting_user,
    )
    _changed(_touched(talk))
    talk.delete()
