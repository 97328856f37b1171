"""Reading and checking files of business figures, planning their rows.

The format is wide: one line per organization and year, one column per measure.

    organization_code (组织编码) | year (年度) | revenue | profit | … | sasac_grade | …

A measure's column is headed by its code, or its Chinese or English name. Only the measures'
columns the file has are read, and an empty cell leaves the figure as it is (an import never
removes a figure). Several years go in one file, a line for each organization and year.

The file is read as every import reads it (`organizations.importers.read_sheet`: CSV in UTF-8 or
GB18030/GBK, or XLSX through the workbook guard). `build_plan` checks every line against the
database as the uploader may see it: an organization is found by code among those where the
uploader enters figures (`Action.FIGURES`); any other code is unknown, whether it exists
elsewhere or not. Errors name their line (the header is line 1), in the active language. Nothing
here writes; `business.services.imports` applies a plan in one transaction.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from organizations.choices import Action
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
    Table,
    parse_table,
    read_sheet,
)
from organizations.models import ImportBatch, Organization

from .models import BusinessFigure, BusinessMeasure
from .services.figures import FiguresRefused, check_value, check_year, is_blank

FIGURES = ImportBatch.Kind.BUSINESS_FIGURES
KINDS = (FIGURES,)

KEY_COLUMNS = (
    Column("organization_code", ("组织编码", "编码", "organization")),
    Column("year", ("年度", "年份")),
)


@dataclass
class FigureItem:
    """One organization's figures of one year: measure id -> (value, grade), and those stored
    (measure id -> figure id, version) when the line was planned."""

    organization_id: int
    year: int
    values: dict[int, tuple[Decimal | None, str]]
    changed: list[int] = field(default_factory=list)


def measure_columns(measures: list[BusinessMeasure]) -> tuple[Column, ...]:
    return tuple(
        Column(m.code, tuple(alias for alias in (m.name, m.name_en) if alias), required=False)
        for m in measures
    )


def _chunks(values: list) -> Iterator[list]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _organizations(codes: set[str], user) -> dict[str, Organization]:
    """The organizations of these codes where the user enters figures (`None`: any)."""
    found: dict[str, Organization] = {}
    queryset = Organization.objects.filter(is_active=True)
    if user is not None:
        queryset = queryset.restrict(user, Action.FIGURES)
    for chunk in _chunks(sorted(codes)):
        for organization in queryset.filter(code__in=chunk).only("id", "code", "name", "path"):
            found[organization.code] = organization
    return found


def build_plan(kind: str, data: bytes, filename: str, *, user=None) -> ImportPlan:
    """Read, check and plan a file of figures. `user=None` is the operator (no scope)."""
    plan = ImportPlan(kind)
    try:
        raw = read_sheet(data, filename)
    except ImportFileError as exc:
        plan.file_errors.append(Issue(exc.line, exc.message))
        return plan
    measures = list(BusinessMeasure.objects.filter(is_active=True))
    table, issues = parse_table(raw, KEY_COLUMNS + measure_columns(measures))
    plan.file_errors.extend(issues)
    if any(issue.line == 1 for issue in issues) or not table.rows:
        return plan
    present = [m for m in measures if table.has(m.code)]
    if not present:
        plan.file_errors.append(Issue(1, _("The file has no column of a business measure.")))
        return plan
    _plan_figures(plan, table, present, user)
    return plan


def _plan_figures(plan: ImportPlan, table: Table, measures: list[BusinessMeasure], user) -> None:
    organizations = _organizations({row.text("organization_code") for row in table.rows}, user)
    seen: dict[tuple[str, int], int] = {}
    lines: list[tuple[PlannedRow, FigureItem]] = []
    for row in table.rows:
        code = row.text("organization_code")
        organization = organizations.get(code)
        planned = PlannedRow(row.line, code, organization.name if organization else "")
        plan.rows.append(planned)
        if not code:
            planned.errors.append(_("The organization code is empty."))
        elif organization is None:
            planned.errors.append(
                _(
                    "Unknown organization code “%(code)s”: no organization by that code where "
                    "you enter business figures."
                )
                % {"code": code}
            )
        try:
            year = check_year(row.text("year"))
        except FiguresRefused as exc:
            planned.errors.append(exc.message)
            year = None
        if organization is not None and year is not None:
            planned.key = f"{code} {year}"
            first = seen.setdefault((code, year), row.line)
            if first != row.line:
                planned.errors.append(
                    _("%(code)s %(year)s is already on line %(line)s.")
                    % {"code": code, "year": year, "line": first}
                )
        values: dict[int, tuple[Decimal | None, str]] = {}
        for measure in measures:
            cell = row.cells.get(measure.code)
            if is_blank(cell) or (isinstance(cell, str) and not row.text(measure.code)):
                continue
            try:
                values[measure.pk] = check_value(measure, row.text(measure.code))
            except ValueError as exc:
                planned.errors.append(str(exc))
        if not planned.errors and not values:
            planned.errors.append(_("The line has no figure."))
        if not planned.errors:
            lines.append((planned, FigureItem(organization.pk, year, values)))
    _compare(plan, lines, {m.pk: m.code for m in measures})


def _compare(
    plan: ImportPlan, lines: list[tuple[PlannedRow, FigureItem]], codes: dict[int, str]
) -> None:
    """Mark each line new, changed or unchanged against the stored figures."""
    stored: dict[tuple[int, int, int], tuple[Decimal | None, str]] = {}
    organization_ids = sorted({item.organization_id for _planned, item in lines})
    years = sorted({item.year for _planned, item in lines})
    for chunk in _chunks(organization_ids):
        for organization_id, measure_id, year, value, grade in BusinessFigure.objects.filter(
            organization_id__in=chunk, year__in=years, measure_id__in=list(codes)
        ).values_list("organization_id", "measure_id", "year", "value", "grade"):
            stored[(organization_id, measure_id, year)] = (value, grade)
    for planned, item in lines:
        changed = []
        new = True
        for measure_id, entry in item.values.items():
            old = stored.get((item.organization_id, measure_id, item.year))
            if old is not None:
                new = False
            if old != entry:
                changed.append(measure_id)
        item.changed = changed
        planned.changed_fields = [codes[measure_id] for measure_id in changed]
        planned.change = UNCHANGED if not changed else CREATE if new else UPDATE
        plan.items.append(item)
