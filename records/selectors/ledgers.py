"""Reads of the ledgers: party dues, study hours and member points, for pages, the API and the
indicator sources.

Whose a member is in a month follows the membership history: the organization they belonged to
at the month's end, or where they last belonged in it if they left (`homes`: the latest membership
that overlaps the month). A member transferred in mid-month belongs to the new organization that
month (its dues sheet, its points), as the demo's dues have it. Every
read here is a fixed number of grouped queries, whatever the number of members.
"""

import datetime
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from organizations.choices import PersonKind
from organizations.models import Membership, Organization, Person

from ..choices import PointsKind, PointsState
from ..config import PointsRule, config_on
from ..models import DuesPayment, PointsEntry, PointsPublication, StudyRecord

PARTY_MEMBERS = (PersonKind.MEMBER, PersonKind.PROBATIONARY)
CHUNK = 500
TENTH = Decimal("0.1")


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(month: datetime.date) -> datetime.date:
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return following - datetime.timedelta(days=1)


def quarter_months(year: int, quarter: int) -> list[datetime.date]:
    return [datetime.date(year, 3 * (quarter - 1) + n, 1) for n in (1, 2, 3)]


def overlapping(first: datetime.date, last: datetime.date) -> Q:
    """Memberships that hold on some day from `first` to `last`."""
    return (Q(start__isnull=True) | Q(start__lte=last)) & (Q(end__isnull=True) | Q(end__gte=first))


def members_in_year(organization: Organization, year: int, *, today: datetime.date) -> list[Person]:
    """The party members who belonged to the organization at some time in the year, up to today
    (whom study hours are entered for)."""
    first = datetime.date(year, 1, 1)
    last = min(datetime.date(year, 12, 31), max(first, today))
    held = Membership.objects.filter(overlapping(first, last), organization=organization)
    return list(
        Person.objects.filter(pk__in=held.values("person_id"), kind__in=PARTY_MEMBERS).order_by(
            "employee_number"
        )
    )


def latest(stints: Iterable[tuple[int, datetime.date | None]]) -> int | None:
    """The organization of the latest of (organization, start) memberships (None: no start)."""
    found = max(stints, key=lambda s: s[1] or datetime.date.min, default=None)
    return found[0] if found else None


def homes(
    people: QuerySet | Iterable[int], first: datetime.date, last: datetime.date
) -> dict[int, int]:
    """Person id → the organization they belonged to from `first` to `last` (one query)."""
    stints: dict[int, list] = {}
    for person_id, org_id, start in (
        Membership.objects.filter(overlapping(first, last), person_id__in=people)
        .order_by()
        .values_list("person_id", "organization_id", "start")
    ):
        stints.setdefault(person_id, []).append((org_id, start))
    return {person_id: latest(rows) for person_id, rows in stints.items()}


def month_members(organization: Organization, month: datetime.date) -> list[Person]:
    """The party members the organization holds that month, by employee number (two queries)."""
    first, last = month_start(month), month_end(month)
    candidates = Membership.objects.filter(
        overlapping(first, last), organization=organization, person__kind__in=PARTY_MEMBERS
    ).values("person_id")
    ids = [pk for pk, org_id in homes(candidates, first, last).items() if org_id == organization.pk]
    return list(Person.objects.filter(pk__in=ids).order_by("employee_number"))


# -- dues -----------------------------------------------------------------------------------------


@dataclass
class SheetRow:
    person: Person
    payment: DuesPayment | None


@dataclass
class DuesSheet:
    organization: Organization
    month: datetime.date
    rows: list[SheetRow]
    # Stored rows of this month elsewhere for these members (a transfer): shown, not editable.
    elsewhere: dict[int, DuesPayment]
    version: str

    @property
    def totals(self) -> dict[str, Decimal]:
        payments = [row.payment for row in self.rows if row.payment]
        return {
            "due": sum((p.due for p in payments), Decimal(0)),
            "paid": sum((p.paid or Decimal(0) for p in payments), Decimal(0)),
        }


def sheet_version(payments: Iterable[DuesPayment]) -> str:
    """A fingerprint of a month's stored dues: a save based on another is stale."""
    digest = hashlib.sha256()
    for payment in sorted(payments, key=lambda p: p.pk):
        digest.update(f"{payment.pk}:{payment.updated_at.isoformat()};".encode())
    return digest.hexdigest()[:20]


def dues_sheet(organization: Organization, month: datetime.date) -> DuesSheet:
    """The month's sheet of a branch: its members that month and what is stored (three queries)."""
    month = month_start(month)
    members = month_members(organization, month)
    stored = list(
        DuesPayment.objects.filter(month=month)
        .filter(Q(organization=organization) | Q(person__in=[m.pk for m in members]))
        .select_related("organization")
    )
    here = {p.person_id: p for p in stored if p.organization_id == organization.pk}
    elsewhere = {p.person_id: p for p in stored if p.organization_id != organization.pk}
    rows = [SheetRow(person, here.pop(person.pk, None)) for person in members]
    # Stored rows of people no longer counted here (the history was corrected) stay visible.
    rows += [SheetRow(p.person, p) for p in _with_people(here.values())]
    return DuesSheet(
        organization,
        month,
        rows,
        elsewhere,
        sheet_version(p for p in stored if p.organization_id == organization.pk),
    )


def _with_people(payments: Iterable[DuesPayment]) -> list[DuesPayment]:
    payments = list(payments)
    if payments:
        people = Person.objects.in_bulk([p.person_id for p in payments])
        for payment in payments:
            payment.person = people[payment.person_id]
    return sorted(payments, key=lambda p: p.person.employee_number)


# -- study ----------------------------------------------------------------------------------------


def study_records(organization: Organization, year: int) -> QuerySet[StudyRecord]:
    return (
        StudyRecord.objects.filter(organization=organization, date__year=year)
        .select_related("person")
        .order_by("-date", "person__employee_number", "-id")
    )


def study_hours(organization: Organization, year: int) -> list[tuple[Person, Decimal]]:
    """Each member's hours of the year in the organization, most first (two queries)."""
    sums = dict(
        StudyRecord.objects.filter(organization=organization, date__year=year)
        .values("person_id")
        .annotate(total=Sum("hours"))
        .values_list("person_id", "total")
    )
    people = Person.objects.in_bulk(list(sums))
    return sorted(
        ((people[pk], Decimal(total).quantize(TENTH)) for pk, total in sums.items()),
        key=lambda pair: (-pair[1], pair[0].employee_number),
    )


# -- points ---------------------------------------------------------------------------------------


@dataclass
class LedgerRow:
    person: Person
    by_rule: dict[str, Decimal] = field(default_factory=dict)
    awards: Decimal = Decimal("0.0")
    deductions: Decimal = Decimal("0.0")

    @property
    def total(self) -> Decimal:
        total = sum(self.by_rule.values(), Decimal(0)) + self.awards + self.deductions
        return total.quantize(TENTH)

    def cells(self, rules: list[PointsRule]) -> list[Decimal | None]:
        return [self.by_rule.get(rule.code) for rule in rules]


@dataclass
class Ledger:
    organization: Organization
    months: list[datetime.date]
    rules: list[PointsRule]
    rows: list[LedgerRow]
    proposals: list[PointsEntry]
    manual: list[PointsEntry]


def points_ledger(organization: Organization, months: list[datetime.date]) -> Ledger:
    """The points of a branch over some months: per member the approved lines by rule, awards and
    deductions; and the month's awards and deductions, proposed ones first (five queries)."""
    first, last = months[0], month_end(months[-1])
    members = (
        month_members(organization, first)
        if len(months) == 1
        else _members_over(organization, first, last)
    )
    sums = (
        PointsEntry.objects.filter(
            organization=organization, month__in=months, state=PointsState.APPROVED
        )
        .values("person_id", "kind", "rule")
        .annotate(total=Sum("points"))
        .order_by()
    )
    rows = {person.pk: LedgerRow(person) for person in members}
    missing = []
    for line in sums:
        line["total"] = Decimal(line["total"]).quantize(TENTH)
        row = rows.get(line["person_id"])
        if row is None:
            missing.append(line["person_id"])
            row = rows[line["person_id"]] = LedgerRow(Person(pk=line["person_id"]))
        if line["kind"] == PointsKind.RULE:
            row.by_rule[line["rule"]] = row.by_rule.get(line["rule"], Decimal(0)) + line["total"]
        elif line["kind"] == PointsKind.AWARD:
            row.awards += line["total"]
        else:
            row.deductions += line["total"]
    if missing:  # lines of people no longer counted here (the history was corrected)
        for person in Person.objects.filter(pk__in=missing):
            rows[person.pk].person = person
    manual = list(
        PointsEntry.objects.filter(organization=organization, month__in=months)
        .exclude(kind=PointsKind.RULE)
        .select_related("person", "entered_by", "decided_by")
        .order_by("-month", "person__employee_number", "id")
    )
    rules = [rule for rule in config_on(first).points if rule.per != "award"]
    return Ledger(
        organization,
        months,
        rules,
        sorted(rows.values(), key=lambda r: (-r.total, r.person.employee_number)),
        [e for e in manual if e.state == PointsState.PROPOSED],
        manual,
    )


def _members_over(organization: Organization, first: datetime.date, last: datetime.date):
    """Members counted in the organization in any month from `first` to `last`."""
    ids: set[int] = set()
    month = first
    candidates = Membership.objects.filter(
        overlapping(first, last), organization=organization, person__kind__in=PARTY_MEMBERS
    ).values_list("person_id", flat=True)
    people = list(candidates)
    while month <= last:
        found = homes(people, month, month_end(month))
        ids.update(pk for pk, org_id in found.items() if org_id == organization.pk)
        month = month_end(month) + datetime.timedelta(days=1)
    return list(Person.objects.filter(pk__in=ids).order_by("employee_number"))


def publications(organization: Organization) -> QuerySet[PointsPublication]:
    return PointsPublication.objects.filter(organization=organization).select_related(
        "published_by"
    )


def member_points(person_ids: Iterable[int], year: int) -> dict[int, Decimal]:
    """Each member's points of the year: approved lines of every kind (one query per 500)."""
    ids = sorted(set(person_ids))
    totals: dict[int, Decimal] = {}
    for start in range(0, len(ids), CHUNK):
        totals.update(
            PointsEntry.objects.filter(
                person_id__in=ids[start : start + CHUNK],
                month__year=year,
                state=PointsState.APPROVED,
            )
            .values("person_id")
            .annotate(total=Sum("points"))
            .order_by()
            .values_list("person_id", "total")
        )
    return totals
