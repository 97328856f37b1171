"""Reading and checking payroll sheets (party dues) and study-hour files, planning their rows.

The file is read as the people import reads it (`organizations.importers.read_sheet`: CSV in
UTF-8 or GB18030/GBK, or XLSX through the workbook guard) and its header mapped the same way
(English names or Chinese aliases, `parse_table`). `build_plan` then checks every row against the
database as the uploader may see it and returns an `ImportPlan` whose items are the rows to
write, and whose errors name their line (the header is line 1), in the active language.

Who a row is about is found by employee number, and where they belonged that month (or on that
day) by the membership history: the row is the uploader's only when that organization lies in
their scope for entering data. An employee number never seen in the uploader's scope is unknown,
whether it exists elsewhere or not. Nothing here writes; `records.services.imports` applies a
plan in one transaction. The database is read a bounded number of times per file: lookups are
chunked, never one per row.
"""

import datetime
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from organizations.choices import Action, PersonKind
from organizations.importers import (
    CHUNK,
    CREATE,
    UNCHANGED,
    UPDATE,
    Column,
    ImportFileError,
    ImportPlan,
    Issue,
    PlannedRow,
    Row,
    Table,
    parse_date,
    parse_table,
    read_sheet,
)
from organizations.models import ImportBatch, Membership, Person
from organizations.scope import scope_prefixes

from .choices import StudyKind
from .config import config_on
from .models import DuesPayment, StudyRecord
from .selectors.ledgers import month_end
from .services.dates import RecordRefused, check_open
from .services.dues import dues_due, dues_group

DUES = ImportBatch.Kind.DUES
DUES_UPDATE = ImportBatch.Kind.DUES_UPDATE
STUDY = ImportBatch.Kind.STUDY
KINDS = (DUES, DUES_UPDATE, STUDY)

DUES_COLUMNS = (
    Column("employee_number", ("工号", "员工编号")),
    Column("month", ("月份", "缴费月份", "所属月份")),
    Column("base", ("缴费基数", "基数")),
    Column("paid", ("实缴金额", "实缴", "缴纳金额"), required=False),
    Column("paid_on", ("缴纳日期", "缴费日期"), required=False),
    Column("retired", ("离退休", "退休"), required=False),
)
STUDY_COLUMNS = (
    Column("employee_number", ("工号", "员工编号")),
    Column("date", ("日期", "学习日期")),
    Column("kind", ("形式", "学习形式", "类别")),
    Column("title", ("内容", "学习内容", "标题")),
    Column("hours", ("学时", "时长")),
)
COLUMNS = {DUES: DUES_COLUMNS, DUES_UPDATE: DUES_COLUMNS, STUDY: STUDY_COLUMNS}

STUDY_KIND_ALIASES = {
    StudyKind.COURSE: ("培训班", "培训", "专题培训", "course", "training"),
    StudyKind.ONLINE: ("网络学习", "在线学习", "网上学习", "online"),
    StudyKind.SESSION: ("集中学习", "学习会", "专题学习", "session"),
}
YES = frozenset({"1", "y", "yes", "true", "是", "√", "✓", "退休", "离退休"})
NO = frozenset({"", "0", "n", "no", "false", "否", "在职"})

FIRST_YEAR, LAST_YEAR = 1900, 2999
MONEY_MAX = Decimal("99999999.99")
HOURS_MAX = Decimal("9999.9")
_MONTH_FORMATS = (
    re.compile(r"^(\d{4})\s*[-/.]\s*(\d{1,2})$"),
    re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
)
_CURRENCY = re.compile(r"^[¥￥]\s*|\s*元$")
_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")


# -- amounts, months and days -------------------------------------------------------------------


def parse_amount(value: Any, *, places: int, maximum: Decimal) -> Decimal | None:
    """A money amount or a number of hours as written in a cell: None when empty.

    Takes ¥4,000.00 and 4000 alike; raises ValueError for anything that is not a finite number
    of at most `places` decimals from 0 to `maximum`.
    """
    text = Row(0, {"v": value}).text("v")
    if not text:
        return None
    text = _CURRENCY.sub("", text)
    if _THOUSANDS.match(text):
        text = text.replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not number.is_finite() or number < 0 or number > maximum:
        raise ValueError(text)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValueError(text)
    return number


def parse_month(value: Any) -> datetime.date | None:
    """A month as its first day: 2026-03, 2026/3, 2026年3月, 202603 or an Excel date cell."""
    if isinstance(value, datetime.date):  # Excel turns a typed 2026-03 into 1 March 2026
        return _month_within(parse_date(value).replace(day=1), value)
    text = Row(0, {"v": value}).text("v")
    if not text:
        return None
    for pattern in _MONTH_FORMATS:
        if found := pattern.match(text):
            year, month = int(found[1]), int(found[2])
            if not 1 <= month <= 12:
                raise ValueError(text)
            return _month_within(datetime.date(year, month, 1), text)
    return _month_within(parse_date(text).replace(day=1), text)  # a full date: its month


def _month_within(month: datetime.date, written: Any) -> datetime.date:
    # Years far off are typing errors (and 9999-12 has no month after it to end it).
    if not FIRST_YEAR <= month.year <= LAST_YEAR:
        raise ValueError(written)
    return month


def open_days(days: Iterable[datetime.date]) -> dict[datetime.date, str]:
    """Why records of these days cannot be written, per refused day (`dates.check_open`).

    Asked once per distinct day: a payroll sheet has a handful of months, a study file the days of
    a year at most.
    """
    refused = {}
    for day in sorted(set(days)):
        try:
            check_open(day)
        except RecordRefused as error:
            refused[day] = error.message
    return refused


# -- who the rows are about ---------------------------------------------------------------------


@dataclass(frozen=True)
class Stint:
    """One membership: where a person belonged from `start` to `end` (None: open)."""

    organization_id: int
    path: str
    start: datetime.date | None
    end: datetime.date | None

    def overlaps(self, first: datetime.date, last: datetime.date) -> bool:
        return (self.start is None or self.start <= last) and (
            self.end is None or self.end >= first
        )


@dataclass
class Member:
    id: int
    name: str
    kind: str
    status: str
    stints: list[Stint]

    def home(self, first: datetime.date, last: datetime.date | None = None) -> Stint | None:
        """Where the person belonged in the days from `first` to `last`: the latest membership
        that overlaps them, as `selectors.ledgers.homes` has it (a member transferred in
        mid-month is the new organization's that month)."""
        last = last or first
        found = [s for s in self.stints if s.overlaps(first, last)]
        return max(found, key=lambda s: s.start or datetime.date.min) if found else None


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def in_prefixes(path: str, prefixes: list[str] | None) -> bool:
    return prefixes is None or any(path.startswith(p) for p in prefixes)


def members_by_number(numbers: Iterable[str], user) -> dict[str, Member]:
    """The people behind these employee numbers who ever belonged within the user's scope for
    entering data (`user` None: everyone), with their whole membership history."""
    prefixes = None if user is None else scope_prefixes(user, Action.ENTER)
    found: dict[str, Member] = {}
    for chunk in _chunks(sorted(set(numbers))):
        people = {
            row["id"]: (row.pop("employee_number"), row)
            for row in Person.objects.filter(employee_number__in=chunk).values(
                "id", "employee_number", "name", "kind", "status"
            )
        }
        stints: dict[int, list[Stint]] = {}
        for person_id, org_id, path, start, end in Membership.objects.filter(
            person_id__in=list(people)
        ).values_list("person_id", "organization_id", "organization__path", "start", "end"):
            stints.setdefault(person_id, []).append(Stint(org_id, path, start, end))
        for person_id, (number, row) in people.items():
            history = stints.get(person_id, [])
            if any(in_prefixes(s.path, prefixes) for s in history):
                found[number] = Member(stints=history, **row)
    return found


def _unknown(number: str) -> str:
    return _("Unknown employee number “%(number)s”: no one by that number is in your scope.") % {
        "number": number
    }


def _required_text(row: Row, table: Table, name: str, planned: PlannedRow, max_length: int) -> str:
    value = row.text(name)
    if not value:
        planned.errors.append(_("“%(column)s” is required.") % {"column": table.headers[name]})
    elif len(value) > max_length:
        planned.errors.append(
            _("“%(column)s” is longer than %(max)s characters.")
            % {"column": table.headers[name], "max": max_length}
        )
    return value


def _amount(
    row: Row, table: Table, name: str, planned: PlannedRow, *, places: int, maximum: Decimal
) -> Decimal | None:
    if not table.has(name):
        return None
    try:
        return parse_amount(row.cells.get(name), places=places, maximum=maximum)
    except ValueError:
        planned.errors.append(
            _(
                "“%(value)s” in “%(column)s” is not a valid number: write a number from 0 to "
                "%(max)s with at most %(places)s decimals."
            )
            % {
                "value": row.text(name),
                "column": table.headers[name],
                "max": maximum,
                "places": places,
            }
        )
        return None


def _date(row: Row, table: Table, name: str, planned: PlannedRow) -> datetime.date | None:
    if not table.has(name):
        return None
    try:
        day = parse_date(row.cells.get(name))
    except ValueError:
        planned.errors.append(
            _("Invalid date “%(value)s” in “%(column)s”: write it as YYYY-MM-DD.")
            % {"value": row.text(name), "column": table.headers[name]}
        )
        return None
    if day and day > timezone.localdate():
        planned.errors.append(
            _("The date %(value)s in “%(column)s” is in the future.")
            % {"value": day.isoformat(), "column": table.headers[name]}
        )
        return None
    return day


def _first_seen(rows: list[PlannedRow], keys: dict[int, tuple], message) -> None:
    """Later rows with the key of an earlier row get an error naming the first line."""
    first: dict[tuple, int] = {}
    for planned in rows:
        key = keys.get(planned.line)
        if key is None:
            continue
        if key in first:
            planned.errors.append(message(first[key]))
        else:
            first[key] = planned.line


def _member_of_month(
    planned: PlannedRow,
    member: Member | None,
    number: str,
    first: datetime.date,
    last: datetime.date,
    prefixes: list[str] | None,
    shown: str,
) -> Stint | None:
    """Where the row's person belonged in those days, or None with the row's error."""
    if member is None:
        planned.errors.append(_unknown(number))
        return None
    planned.name = member.name
    if member.kind == PersonKind.STAFF:
        planned.errors.append(
            _("%(number)s (%(name)s) is not a party member.")
            % {"number": number, "name": member.name}
        )
        return None
    home = member.home(first, last)
    if home is None:
        planned.errors.append(
            _("%(number)s (%(name)s) belonged to no organization in %(when)s.")
            % {"number": number, "name": member.name, "when": shown}
        )
        return None
    if not in_prefixes(home.path, prefixes):
        planned.errors.append(
            _("In %(when)s, %(number)s belonged to an organization outside your scope.")
            % {"number": number, "when": shown}
        )
        return None
    return home


# -- the plans ----------------------------------------------------------------------------------


@dataclass
class DuesItem:
    """One dues row to write: a new month, or the stored month it replaces (`existing_id`)."""

    person_id: int
    organization_id: int
    month: datetime.date
    base: Decimal
    rate: Decimal
    due: Decimal
    paid: Decimal | None
    paid_on: datetime.date | None
    existing_id: int | None
    changed_fields: list[str]


@dataclass
class StudyItem:
    person_id: int
    organization_id: int
    date: datetime.date
    kind: str
    title: str
    hours: Decimal


def build_plan(kind: str, data: bytes, filename: str, *, user=None) -> ImportPlan:
    """Read, check and plan a file. `user=None` is the operator (no scope)."""
    plan = ImportPlan(kind)
    try:
        raw = read_sheet(data, filename)
    except ImportFileError as exc:
        plan.file_errors.append(Issue(exc.line, exc.message))
        return plan
    table, issues = parse_table(raw, COLUMNS[kind])
    plan.file_errors.extend(issues)
    if any(issue.line == 1 for issue in issues) or not table.rows:
        return plan
    if kind == STUDY:
        _plan_study(plan, table, user)
    else:
        _plan_dues(plan, table, user, update=kind == DUES_UPDATE)
    return plan


def _flag(row: Row, table: Table, planned: PlannedRow) -> bool:
    if not table.has("retired"):
        return False
    text = row.text("retired").lower()
    if text in YES:
        return True
    if text not in NO:
        planned.errors.append(
            _("“%(value)s” in “%(column)s” is neither yes (是) nor no (否).")
            % {"value": row.text("retired"), "column": table.headers["retired"]}
        )
    return False


def _plan_dues(plan: ImportPlan, table: Table, user, *, update: bool) -> None:
    prefixes = None if user is None else scope_prefixes(user, Action.ENTER)
    parsed: list[tuple[PlannedRow, dict[str, Any]]] = []
    keys: dict[int, tuple] = {}
    for row in table.rows:
        number = row.text("employee_number")
        planned = PlannedRow(row.line, number, "")
        _required_text(row, table, "employee_number", planned, 40)
        values: dict[str, Any] = {"retired": _flag(row, table, planned)}
        month_text = _required_text(row, table, "month", planned, 40)
        try:
            values["month"] = parse_month(row.cells.get("month"))
        except ValueError:
            values["month"] = None
            planned.errors.append(
                _("Invalid month “%(value)s” in “%(column)s”: write it as YYYY-MM.")
                % {"value": month_text, "column": table.headers["month"]}
            )
        values["base"] = _amount(row, table, "base", planned, places=2, maximum=MONEY_MAX)
        if values["base"] is None and row.text("base") == "":
            planned.errors.append(
                _("“%(column)s” is required.") % {"column": table.headers["base"]}
            )
        values["paid"] = _amount(row, table, "paid", planned, places=2, maximum=MONEY_MAX)
        values["paid_on"] = _date(row, table, "paid_on", planned)
        if (row.text("paid") == "") != (row.text("paid_on") == ""):
            planned.errors.append(
                _("Give the amount paid and the date of payment together, or neither.")
            )
        if number and values["month"]:
            planned.key = f"{number} {values['month']:%Y-%m}"
            keys[row.line] = (number, values["month"])
        parsed.append((planned, values))
        plan.rows.append(planned)

    _first_seen(
        plan.rows,
        keys,
        lambda line: _("The same member and month are on line %(line)s already.") % {"line": line},
    )
    members = members_by_number({number for number, _month in keys.values()}, user)
    months = {month for _number, month in keys.values()}
    refused = open_days(months)
    configs = {month: config_on(month) for month in months if month not in refused}
    stored = _stored_dues(members, months)
    for planned, values in parsed:
        if planned.line not in keys:
            continue
        number, month = keys[planned.line]
        shown = f"{month:%Y-%m}"
        home = _member_of_month(
            planned, members.get(number), number, month, month_end(month), prefixes, shown
        )
        if month in refused:
            planned.errors.append(refused[month])
        if home is None or planned.errors:
            continue
        member = members[number]
        existing = stored.get((member.id, month))
        if existing is not None and not update:
            planned.errors.append(
                _(
                    "The dues of %(month)s are already recorded for %(number)s: upload the file "
                    "as an update to replace them."
                )
                % {"month": shown, "number": number}
            )
            continue
        if existing is not None and not in_prefixes(existing["organization__path"], prefixes):
            planned.errors.append(
                _("The dues of %(month)s for %(number)s were recorded outside your scope.")
                % {"month": shown, "number": number}
            )
            continue
        group = dues_group(member.status, values["retired"])
        try:
            rate, due = dues_due(configs[month], values["base"], group)
        except LookupError:
            planned.errors.append(
                _("The framework of %(month)s has no dues band for this member's group.")
                % {"month": shown}
            )
            continue
        item = DuesItem(
            person_id=member.id,
            organization_id=home.organization_id,
            month=month,
            base=values["base"],
            rate=rate,
            due=due,
            paid=values["paid"],
            paid_on=values["paid_on"],
            existing_id=existing["id"] if existing else None,
            changed_fields=[],
        )
        if existing is None:
            planned.change = CREATE
        else:
            item.changed_fields = [
                name
                for name in ("organization_id", "base", "rate", "due", "paid", "paid_on")
                if existing[name] != getattr(item, name)
            ]
            planned.change = UPDATE if item.changed_fields else UNCHANGED
            planned.changed_fields = [name.removesuffix("_id") for name in item.changed_fields]
        plan.items.append(item)


def _stored_dues(members: dict[str, Member], months: set[datetime.date]) -> dict[tuple, dict]:
    ids = sorted(member.id for member in members.values())
    stored = {}
    for chunk in _chunks(ids):
        for row in DuesPayment.objects.filter(person_id__in=chunk, month__in=months).values(
            "id",
            "person_id",
            "month",
            "organization_id",
            "organization__path",
            "base",
            "rate",
            "due",
            "paid",
            "paid_on",
        ):
            stored[row["person_id"], row["month"]] = row
    return stored


def _study_kinds() -> tuple[dict[str, str], str]:
    lookup = {}
    for value, words in STUDY_KIND_ALIASES.items():
        for word in (value.value, str(value.label), *words):
            lookup[word.strip().lower()] = value.value
    choices = ", ".join(
        f"{value.value} ({words[0]})" for value, words in STUDY_KIND_ALIASES.items()
    )
    return lookup, choices


def _plan_study(plan: ImportPlan, table: Table, user) -> None:
    prefixes = None if user is None else scope_prefixes(user, Action.ENTER)
    kinds, kind_choices = _study_kinds()
    parsed: list[tuple[PlannedRow, dict[str, Any]]] = []
    keys: dict[int, tuple] = {}
    for row in table.rows:
        number = row.text("employee_number")
        planned = PlannedRow(row.line, number, "")
        _required_text(row, table, "employee_number", planned, 40)
        values: dict[str, Any] = {"date": _date(row, table, "date", planned)}
        if values["date"] is None and not row.text("date"):
            planned.errors.append(
                _("“%(column)s” is required.") % {"column": table.headers["date"]}
            )
        kind_text = _required_text(row, table, "kind", planned, 40)
        values["kind"] = kinds.get(kind_text.lower())
        if kind_text and values["kind"] is None:
            planned.errors.append(
                _("Unknown kind “%(value)s”. Use one of: %(choices)s.")
                % {"value": kind_text, "choices": kind_choices}
            )
        values["title"] = _required_text(row, table, "title", planned, 300)
        values["hours"] = _amount(row, table, "hours", planned, places=1, maximum=HOURS_MAX)
        if values["hours"] is None and not row.text("hours"):
            planned.errors.append(
                _("“%(column)s” is required.") % {"column": table.headers["hours"]}
            )
        elif values["hours"] == 0:
            planned.errors.append(_("Study hours must be more than 0."))
        if number and values["date"] and values["kind"] and values["title"]:
            keys[row.line] = (number, values["date"], values["kind"], values["title"])
            planned.key = f"{number} {values['date']:%Y-%m-%d}"
        parsed.append((planned, values))
        plan.rows.append(planned)

    _first_seen(
        plan.rows,
        keys,
        lambda line: _("The same study record is on line %(line)s already.") % {"line": line},
    )
    members = members_by_number({key[0] for key in keys.values()}, user)
    refused = open_days(key[1] for key in keys.values())
    stored = _stored_study(members, {key[1] for key in keys.values()})
    for planned, values in parsed:
        if planned.line not in keys:
            continue
        number, day, kind, title = keys[planned.line]
        home = _member_of_month(
            planned, members.get(number), number, day, day, prefixes, day.isoformat()
        )
        if day in refused:
            planned.errors.append(refused[day])
        if home is None or planned.errors:
            continue
        person_id = members[number].id
        if (person_id, day, kind, title) in stored:
            planned.errors.append(
                _("This study record of %(number)s on %(day)s is already stored.")
                % {"number": number, "day": day.isoformat()}
            )
            continue
        planned.change = CREATE
        plan.items.append(
            StudyItem(
                person_id=person_id,
                organization_id=home.organization_id,
                date=day,
                kind=kind,
                title=title,
                hours=values["hours"],
            )
        )


def _stored_study(members: dict[str, Member], days: set[datetime.date]) -> set[tuple]:
    ids = sorted(member.id for member in members.values())
    stored: set[tuple] = set()
    if not days:
        return stored
    for chunk in _chunks(ids):
        stored.update(
            StudyRecord.objects.filter(
                person_id__in=chunk, date__gte=min(days), date__lte=max(days)
            ).values_list("person_id", "date", "kind", "title")
        )
    return stored
