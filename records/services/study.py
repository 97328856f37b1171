"""Study hours: a member's course, online learning or study session, with its date and hours.

A study record belongs to the organization that holds the member on its date and is written by
those who enter data for it, while that date's records are open (`dates.check_open`). The same
member, date, kind and title twice is one record entered twice, and refused. Each write is one
transaction with its audit entry and counts the month's points again (study hours are a rule).
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import hooks as audit_trail
from audit.models import AuditKind
from organizations.choices import Action
from organizations.models import Organization, Person
from organizations.scope import can

from ..choices import StudyKind
from ..models import StudyRecord
from ..selectors.ledgers import PARTY_MEMBERS, homes
from ..sources import records_changed
from .dates import NotAllowed, RecordRefused, check_open

HOURS_MAX = Decimal("9999.9")


def _facts(study: StudyRecord) -> dict:
    return {
        "person": study.person_id,
        "date": study.date.isoformat(),
        "kind": study.kind,
        "title": study.title,
        "hours": str(study.hours),
    }


def _clean(day: datetime.date, kind: str, title: str, hours: Decimal) -> str:
    if day > timezone.localdate():
        raise RecordRefused(_("The date %(day)s is in the future.") % {"day": day.isoformat()})
    if kind not in StudyKind.values:
        raise RecordRefused(_("Choose the kind of study."))
    title = (title or "").strip()
    if not title or len(title) > 300:
        raise RecordRefused(_("Give a title of at most 300 characters."))
    if hours is None or not (0 < hours <= HOURS_MAX) or hours != hours.quantize(Decimal("0.1")):
        raise RecordRefused(
            _("Hours are more than 0 and at most %(max)s, with one decimal at most.")
            % {"max": HOURS_MAX}
        )
    return title


def _organization(person: Person, day: datetime.date, user) -> Organization:
    if person.kind not in PARTY_MEMBERS:
        raise RecordRefused(_("%(name)s is not a party member.") % {"name": person.name})
    found = homes([person.pk], day, day).get(person.pk)
    organization = Organization.objects.filter(pk=found).first()
    if organization is None:
        raise RecordRefused(
            _("%(name)s belonged to no organization on %(day)s.")
            % {"name": person.name, "day": day.isoformat()}
        )
    if not can(user, Action.ENTER, organization):
        raise NotAllowed(_("You do not enter data for %(org)s.") % {"org": organization})
    return organization


def _check_twice(person_id: int, day, kind: str, title: str, pk: int | None = None) -> None:
    same = StudyRecord.objects.filter(person_id=person_id, date=day, kind=kind, title=title)
    if same.exclude(pk=pk).exists():
        raise RecordRefused(_("This study record is stored already."))


@transaction.atomic
def record_study(
    person: Person,
    day: datetime.date,
    *,
    kind: str,
    title: str,
    hours: Decimal,
    acting_user,
) -> StudyRecord:
    """Record one member's study of a day."""
    organization = _organization(person, day, acting_user)
    title = _clean(day, kind, title, hours)
    check_open(day)
    _check_twice(person.pk, day, kind, title)
    study = StudyRecord.objects.create(
        person=person,
        organization=organization,
        date=day,
        kind=kind,
        title=title,
        hours=hours,
        created_by=acting_user,
    )
    records_changed(organization.pk, day)
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        study,
        summary=f"study {person.employee_number} {day.isoformat()} {hours}h",
        after=_facts(study),
        acting_user=acting_user,
    )
    return study


@transaction.atomic
def change_study(
    study: StudyRecord,
    *,
    day: datetime.date,
    kind: str,
    title: str,
    hours: Decimal,
    acting_user,
) -> StudyRecord:
    """Change a study record; moving it to another date checks both dates (and where the member
    belonged on the new one)."""
    study = (
        StudyRecord.objects.select_for_update(of=("self",))
        .select_related("person", "organization")
        .get(pk=study.pk)
    )
    if not can(acting_user, Action.ENTER, study.organization):
        raise NotAllowed(_("You do not enter data for %(org)s.") % {"org": study.organization})
    check_open(study.date)
    organization = _organization(study.person, day, acting_user)
    title = _clean(day, kind, title, hours)
    check_open(day)
    _check_twice(study.person_id, day, kind, title, study.pk)
    before, old = _facts(study), (study.organization, study.date)
    study.organization, study.date, study.kind, study.title, study.hours = (
        organization,
        day,
        kind,
        title,
        hours,
    )
    study.save()
    records_changed(organization.pk, day)
    if (old[0].pk, old[1]) != (organization.pk, day):
        records_changed(old[0].pk, old[1])
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        study,
        summary=f"study {study.person.employee_number} {day.isoformat()} {hours}h",
        before=before,
        after=_facts(study),
        acting_user=acting_user,
    )
    return study
