"""The calendar of organizational life: which meetings were held when, and where they are missing.

`branch_calendar` is one organization's year: months down, the meeting kinds that apply to its
kind across, the number of meetings in each cell. `committee_calendar` is one meeting kind across
a subtree: the organizations that hold that kind down, months across. A cell below the kind's
minimum is a gap once its month (quarter, year) is over, and still due while it runs; a kind
counted per quarter or per year is judged on the quarter and year lines, not month by month.

The meeting kinds and their minimums are those of the framework in force in that year
(`records.config.config_on`). Both are set-based: the kinds, the organizations and one grouped
query over meetings by organization, month and kind, however many organizations there are.
"""

import datetime
from calendar import monthrange
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractMonth
from django.utils import timezone

from organizations.models import Organization

from ..config import MeetingKind, RecordsConfig, config_on
from ..models import Meeting

MONTHS = range(1, 13)
QUARTERS = range(1, 5)
PER_PAGE = 100  # organizations on a page of the calendar across a subtree

# The state of a cell against the kind's minimum at the cell's granularity ("" when the kind has
# no minimum there).
MET = "met"
GAP = "gap"
DUE = "due"
FUTURE = "future"


@dataclass(frozen=True)
class Cell:
    """A number of meetings in a span, and how it stands against the minimum for that span."""

    kind: str  # the meeting kind's code
    count: int
    required: int = 0
    state: str = ""
    month: datetime.date | None = None  # the first day, for a month's cell (drill-down)


@dataclass
class CalendarLine:
    """A line of a branch's calendar: a month, a quarter's total or the year's total."""

    granularity: str  # "month", "quarter" or "year"
    number: int  # the month (1–12), the quarter (1–4) or the year
    cells: list[Cell]
    month: datetime.date | None = None


@dataclass
class BranchCalendar:
    organization: Organization
    year: int
    kinds: list[MeetingKind]
    lines: list[CalendarLine]

    @property
    def gaps(self) -> int:
        return sum(cell.state == GAP for line in self.lines for cell in line.cells)


@dataclass
class CommitteeRow:
    organization: Organization
    months: list[Cell]
    quarters: list[Cell]
    year: Cell

    @property
    def gaps(self) -> int:
        return sum(c.state == GAP for c in (*self.months, *self.quarters, self.year))


@dataclass
class CommitteeCalendar:
    organization: Organization
    year: int
    kind: MeetingKind
    rows: list[CommitteeRow]
    # Over every organization of the subtree that holds the kind (not only `rows`): how many
    # held none in each month, and how many there are.
    without: list[int] = field(default_factory=list)
    total: int = 0
    page: Page | None = None

    @property
    def by_quarter(self) -> bool:
        return bool(self.kind.per_quarter)


def reference_day(year: int, today: datetime.date) -> datetime.date:
    """The day whose framework rules the year: today in the current year, else its last (past
    years) or first (years to come) day."""
    if year == today.year:
        return today
    return datetime.date(year, 12, 31) if year < today.year else datetime.date(year, 1, 1)


def config_of_year(year: int, today: datetime.date | None = None) -> RecordsConfig:
    today = today or timezone.localdate()
    return config_on(reference_day(year, today))


def _month_span(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, month, 1), datetime.date(year, month, monthrange(year, month)[1])


def _quarter_span(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    return _month_span(year, 3 * quarter - 2)[0], _month_span(year, 3 * quarter)[1]


def _state(required: int, count: int, span: tuple[datetime.date, datetime.date], today) -> str:
    if not required:
        return ""
    if count >= required:
        return MET
    start, end = span
    if start > today:
        return FUTURE
    return GAP if end < today else DUE


def _month_cell(kind: MeetingKind, count: int, year: int, month: int, today) -> Cell:
    span = _month_span(year, month)
    state = _state(kind.per_month, count, span, today)
    return Cell(kind.code, count, kind.per_month, state, span[0])


def _quarter_cell(kind: MeetingKind, count: int, year: int, quarter: int, today) -> Cell:
    span = _quarter_span(year, quarter)
    return Cell(kind.code, count, kind.per_quarter, _state(kind.per_quarter, count, span, today))


def _year_cell(kind: MeetingKind, count: int, year: int, today) -> Cell:
    span = (datetime.date(year, 1, 1), datetime.date(year, 12, 31))
    return Cell(kind.code, count, kind.per_year, _state(kind.per_year, count, span, today))


def _meetings_of_year(year: int) -> QuerySet[Meeting]:
    start, end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return Meeting.objects.filter(date__gte=start, date__lte=end)


def _grouped(meetings: QuerySet[Meeting]) -> dict[tuple[int, str, int], int]:
    """(organization id, kind, month) → number of meetings: the one grouped query."""
    rows = (
        meetings.annotate(month=ExtractMonth("date"))
        .order_by()
        .values_list("organization_id", "kind", "month")
        .annotate(n=Count("id"))
    )
    return {(org_id, kind, month): n for org_id, kind, month, n in rows}


def branch_calendar(
    organization: Organization, year: int, *, today: datetime.date | None = None
) -> BranchCalendar:
    """One organization's meetings of the year by month and kind, with its gaps."""
    today = today or timezone.localdate()
    kinds = config_of_year(year, today).kinds_for(organization.kind.code)
    counts = _grouped(
        _meetings_of_year(year).filter(organization=organization, kind__in=[k.code for k in kinds])
    )

    def count(kind: MeetingKind, months) -> int:
        return sum(counts.get((organization.pk, kind.code, m), 0) for m in months)

    lines: list[CalendarLine] = []
    for month in MONTHS:
        cells = [_month_cell(k, count(k, [month]), year, month, today) for k in kinds]
        lines.append(CalendarLine("month", month, cells, datetime.date(year, month, 1)))
        if month % 3 == 0:
            quarter = month // 3
            months = range(month - 2, month + 1)
            cells = [_quarter_cell(k, count(k, months), year, quarter, today) for k in kinds]
            lines.append(CalendarLine("quarter", quarter, cells))
    lines.append(
        CalendarLine("year", year, [_year_cell(k, count(k, MONTHS), year, today) for k in kinds])
    )
    return BranchCalendar(organization, year, kinds, lines)


def holding_organizations(organization: Organization, kind: MeetingKind) -> QuerySet[Organization]:
    """The active organizations of the subtree whose kind holds meetings of this kind (the
    organization itself among them when its kind does)."""
    return (
        Organization.objects.subtree(organization)
        .filter(is_active=True, kind__code__in=kind.applies_to)
        .select_related("kind")
        .order_by("path")
    )


def committee_calendar(
    organization: Organization,
    year: int,
    kind: MeetingKind,
    *,
    page: int | str | None = 1,
    per_page: int = PER_PAGE,
    today: datetime.date | None = None,
) -> CommitteeCalendar:
    """Which organizations of the subtree held meetings of `kind` in which months.

    The rows are one page of the organizations that hold the kind (`holding_organizations`);
    the totals count all of them. Three queries: how many organizations, the page of them, and
    the grouped meetings of the whole subtree.
    """
    today = today or timezone.localdate()
    rows_page = Paginator(holding_organizations(organization, kind), per_page).get_page(page)
    counts = _grouped(
        _meetings_of_year(year).filter(
            kind=kind.code,
            organization__path__startswith=organization.path,
            organization__is_active=True,
            organization__kind__code__in=kind.applies_to,
        )
    )
    rows = []
    for org in rows_page:
        by_month = [counts.get((org.pk, kind.code, m), 0) for m in MONTHS]
        months = [_month_cell(kind, by_month[m - 1], year, m, today) for m in MONTHS]
        quarters = []
        if kind.per_quarter:
            quarters = [
                _quarter_cell(kind, sum(by_month[3 * q - 3 : 3 * q]), year, q, today)
                for q in QUARTERS
            ]
        year_cell = _year_cell(kind, sum(by_month), year, today)
        rows.append(CommitteeRow(org, months, quarters, year_cell))
    total = rows_page.paginator.count
    met: dict[int, set[int]] = {m: set() for m in MONTHS}
    for (org_id, _kind, month), n in counts.items():
        if n:
            met[month].add(org_id)
    without = [total - len(met[m]) for m in MONTHS]
    return CommitteeCalendar(organization, year, kind, rows, without, total, rows_page)
