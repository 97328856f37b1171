"""Party dues: a member's monthly base, the rate of the framework's bands, what is due, what was
paid and when.

The rate is the framework's (`config_on(month).rate_for(base, group)`): retirees pay by the
`retired` bands, members without income (a base of 0) the framework's minimum. What is due is the
base times the rate, rounded to the cent, never below that minimum. A dues row belongs to the
organization that holds the member that month (`selectors.ledgers.homes`) and is written by those
who enter data for it, while the month's records are open (`dates.check_open`). A member has one
row a month: entering a month twice is refused, changing it is a change of that row.

Every write is one transaction with its audit entry, and counts the month's points again for the
organizations it touched (dues paid on time or late are points rules).
"""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import hooks as audit_trail
from audit.models import AuditKind
from audit.services import record
from organizations.choices import Action, PersonStatus
from organizations.models import Membership, Organization, Person
from organizations.scope import can

from ..config import RecordsConfig, config_on
from ..models import DuesPayment
from ..selectors.ledgers import (
    PARTY_MEMBERS,
    homes,
    month_end,
    month_members,
    month_start,
    sheet_version,
)
from ..sources import records_changed
from .dates import NotAllowed, RecordRefused, check_open

CENT = Decimal("0.01")
EDITED = ("base", "rate", "due", "paid", "paid_on")
MONEY_MAX = Decimal("99999999.99")


class SheetChanged(RecordRefused):
    """The month's dues changed since the sheet was opened; nothing was written."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Someone changed this month's dues after you opened the sheet. Nothing was "
                "saved: check the sheet as it is now and enter your changes again."
            )
        )


class RowsRefused(RecordRefused):
    """Some rows of a sheet cannot be saved: the message per person id; nothing was written."""

    def __init__(self, errors: dict[int, str]) -> None:
        super().__init__(
            _("%(count)s rows cannot be saved: nothing was saved.") % {"count": len(errors)}
        )
        self.errors = errors


def dues_group(status: str, retired: bool = False) -> str:
    """The group of dues bands a member pays by: retirees by the `retired` bands."""
    return "retired" if retired or status == PersonStatus.RETIRED else "regular"


def dues_due(config: RecordsConfig, base: Decimal, group: str) -> tuple[Decimal, Decimal]:
    """(rate, due) of a monthly base: the band's rate of it rounded to the cent, never below the
    framework's minimum; without income (a base of 0) the minimum alone, at rate 0.

    Raises LookupError when the framework has no band for the group.
    """
    minimum = config.dues_minimum.quantize(CENT)
    if base == 0:
        return Decimal(0), minimum
    rate = config.rate_for(base, group)
    return rate, max((base * rate).quantize(CENT, rounding="ROUND_HALF_UP"), minimum)


def _due(config: RecordsConfig, base: Decimal, group: str) -> tuple[Decimal, Decimal]:
    try:
        return dues_due(config, base, group)
    except LookupError:
        raise RecordRefused(
            _("The framework has no dues band for the group “%(group)s”.") % {"group": group}
        ) from None


def _check_amounts(base: Decimal, paid: Decimal | None, paid_on: datetime.date | None) -> None:
    for value in (base, paid):
        if value is not None and not (0 <= value <= MONEY_MAX and value == value.quantize(CENT)):
            raise RecordRefused(
                _("Amounts are from 0 to %(max)s with at most two decimals.") % {"max": MONEY_MAX}
            )
    if (paid is None) != (paid_on is None):
        raise RecordRefused(_("Give the amount paid and the date of payment together, or neither."))
    if paid_on is not None and paid_on > timezone.localdate():
        raise RecordRefused(_("The date %(day)s is in the future.") % {"day": paid_on.isoformat()})


def home_of(person: Person, month: datetime.date) -> Organization:
    """The organization that holds the member in the month; refused when none does."""
    found = homes([person.pk], month, month_end(month)).get(person.pk)
    if found is None:
        raise RecordRefused(
            _("%(name)s belonged to no organization in %(month)s.")
            % {"name": person.name, "month": f"{month:%Y-%m}"}
        )
    return Organization.objects.get(pk=found)


def _check_person(person: Person) -> None:
    if person.kind not in PARTY_MEMBERS:
        raise RecordRefused(_("%(name)s is not a party member.") % {"name": person.name})


def _facts(payment: DuesPayment) -> dict:
    return {
        "person": payment.person_id,
        "month": f"{payment.month:%Y-%m}",
        "base": str(payment.base),
        "rate": str(payment.rate),
        "due": str(payment.due),
        "paid": None if payment.paid is None else str(payment.paid),
        "paid_on": payment.paid_on.isoformat() if payment.paid_on else None,
    }


@transaction.atomic
def record_dues(
    person: Person,
    month: datetime.date,
    *,
    base: Decimal,
    paid: Decimal | None = None,
    paid_on: datetime.date | None = None,
    retired: bool = False,
    acting_user,
) -> DuesPayment:
    """Record one member's dues of a month; a month already recorded is refused."""
    month = month_start(month)
    _check_person(person)
    organization = home_of(person, month)
    if not can(acting_user, Action.ENTER, organization):
        raise NotAllowed(_("You do not enter data for %(org)s.") % {"org": organization})
    check_open(month)
    _check_amounts(base, paid, paid_on)
    if DuesPayment.objects.filter(person=person, month=month).exists():
        raise RecordRefused(
            _("The dues of %(month)s are already recorded for %(name)s: change that row instead.")
            % {"month": f"{month:%Y-%m}", "name": person.name}
        )
    rate, due = _due(config_on(month), base, dues_group(person.status, retired))
    payment = DuesPayment.objects.create(
        person=person,
        organization=organization,
        month=month,
        base=base,
        rate=rate,
        due=due,
        paid=paid,
        paid_on=paid_on,
        updated_by=acting_user,
    )
    records_changed(organization.pk, month)
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        payment,
        summary=f"dues {person.employee_number} {month:%Y-%m}",
        after=_facts(payment),
        acting_user=acting_user,
    )
    return payment


@transaction.atomic
def change_dues(
    payment: DuesPayment,
    *,
    base: Decimal,
    paid: Decimal | None,
    paid_on: datetime.date | None,
    retired: bool = False,
    acting_user,
) -> DuesPayment:
    """Change a stored month: the base (the rate and due follow it; `retired` picks the retired
    bands), what was paid and when."""
    payment = (
        DuesPayment.objects.select_for_update(of=("self",))
        .select_related("person", "organization")
        .get(pk=payment.pk)
    )
    if not can(acting_user, Action.ENTER, payment.organization):
        raise NotAllowed(_("You do not enter data for %(org)s.") % {"org": payment.organization})
    check_open(payment.month)
    _check_amounts(base, paid, paid_on)
    before = _facts(payment)
    # The rate and due stand while the base does: a month imported as a retiree's keeps its
    # band when only the payment is recorded.
    if base != payment.base or retired:
        payment.rate, payment.due = _due(
            config_on(payment.month), base, dues_group(payment.person.status, retired)
        )
    payment.base, payment.paid, payment.paid_on = base, paid, paid_on
    payment.updated_by = acting_user
    payment.save()
    records_changed(payment.organization_id, payment.month)
    audit_trail.record_event(
        AuditKind.RECORD_SAVED,
        payment,
        summary=f"dues {payment.person.employee_number} {payment.month:%Y-%m}",
        before=before,
        after=_facts(payment),
        acting_user=acting_user,
    )
    return payment


@dataclass(frozen=True)
class SheetLine:
    """One member's line of a month's sheet as entered; a line without a base is left out."""

    person_id: int
    base: Decimal | None
    paid: Decimal | None = None
    paid_on: datetime.date | None = None


@transaction.atomic
def save_month(
    organization: Organization,
    month: datetime.date,
    lines: Sequence[SheetLine],
    *,
    version: str,
    acting_user,
) -> dict[str, int]:
    """Save a branch's dues sheet of a month: every line or none.

    `version` is the sheet's fingerprint when it was opened (`selectors.ledgers.dues_sheet`):
    a month changed since is refused whole. A line may name only a member the organization holds
    that month; an empty line is left out, but a stored month cannot be emptied. A member whose
    month is recorded in another organization (a transfer) is refused with that organization's
    name. Returns how many rows were created and changed.
    """
    month = month_start(month)
    if not can(acting_user, Action.ENTER, organization):
        raise NotAllowed(_("You do not enter data for %(org)s.") % {"org": organization})
    check_open(month)
    stored = list(
        DuesPayment.objects.select_for_update(of=("self",))
        .filter(month=month, organization=organization)
        .select_related("person")
    )
    if sheet_version(stored) != version:
        raise SheetChanged
    here = {payment.person_id: payment for payment in stored}
    members = {person.pk: person for person in month_members(organization, month)}
    people = {**members, **{p.person_id: p.person for p in stored}}
    config = config_on(month)
    elsewhere = {
        payment.person_id: payment
        for payment in DuesPayment.objects.filter(
            month=month, person_id__in=[line.person_id for line in lines]
        )
        .exclude(organization=organization)
        .select_related("organization")
    }
    errors: dict[int, str] = {}
    seen: set[int] = set()
    created: list[DuesPayment] = []
    changed: list[tuple[DuesPayment, dict]] = []
    for line in lines:
        person = people.get(line.person_id)
        if person is None or line.person_id in seen:
            errors[line.person_id] = _(
                "This person is not a member of %(org)s in %(month)s, or is on the sheet twice."
            ) % {"org": organization, "month": f"{month:%Y-%m}"}
            continue
        seen.add(line.person_id)
        current = here.get(line.person_id)
        if line.base is None:
            if current is not None:
                errors[line.person_id] = _("A stored month cannot be emptied: give the base.")
            elif line.paid is not None or line.paid_on is not None:
                errors[line.person_id] = _("Give the base.")
            continue
        if line.person_id in elsewhere:
            errors[line.person_id] = _(
                "The dues of %(month)s are already recorded for this member in %(org)s."
            ) % {"month": f"{month:%Y-%m}", "org": elsewhere[line.person_id].organization}
            continue
        try:
            _check_amounts(line.base, line.paid, line.paid_on)
            if current is not None and current.base == line.base:
                rate, due = current.rate, current.due  # the band stands while the base does
            else:
                rate, due = _due(config, line.base, dues_group(person.status))
        except RecordRefused as refused:
            errors[line.person_id] = refused.message
            continue
        values = {
            "base": line.base,
            "rate": rate,
            "due": due,
            "paid": line.paid,
            "paid_on": line.paid_on,
        }
        if current is None:
            created.append(
                DuesPayment(
                    person_id=person.pk,
                    organization=organization,
                    month=month,
                    updated_by=acting_user,
                    **values,
                )
            )
        elif any(getattr(current, name) != value for name, value in values.items()):
            before = _facts(current)
            for name, value in values.items():
                setattr(current, name, value)
            current.updated_by = acting_user
            changed.append((current, before))
    if errors:
        raise RowsRefused(errors)
    DuesPayment.objects.bulk_create(created)
    now = timezone.now()
    for payment, _before in changed:
        payment.updated_at = now
    DuesPayment.objects.bulk_update(
        [payment for payment, _before in changed], [*EDITED, "updated_by", "updated_at"]
    )
    if created or changed:
        records_changed(organization.pk, month)
        record(
            AuditKind.RECORD_SAVED,
            actor=acting_user,
            organization=organization,
            target=f"organization:{organization.pk}",
            summary=f"dues {month:%Y-%m}: {len(created)} new, {len(changed)} changed",
            before={str(p.person_id): before for p, before in changed} or None,
            after={str(p.person_id): _facts(p) for p in [*created, *(p for p, _b in changed)]},
        )
    return {"created": len(created), "changed": len(changed)}


def scoped_person(user, person_id: int) -> Person | None:
    """A person who ever belonged within the user's scope for entering data, or None."""
    if not Membership.objects.restrict(user, Action.ENTER).filter(person_id=person_id).exists():
        return None
    return Person.objects.filter(pk=person_id).first()
