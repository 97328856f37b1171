"""Reads that feed the business pages, each in a bounded number of queries, from the scope.

`figure_table` is the year's table (organizations by measures) of the caller's view scope,
optionally within one organization's subtree, and `sort_table` its rows by a column;
`organization_figures` one organization's figures over the years and their history, read from the
audit trail (who, when, before → after).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from audit.models import AuditEntry, AuditKind
from organizations.choices import Action
from organizations.models import Organization

from ..models import BusinessFigure, BusinessMeasure
from ..services.figures import shown

HISTORY_KINDS = (AuditKind.FIGURES_SAVED, AuditKind.FIGURES_IMPORTED)
HISTORY_ROWS = 100


@dataclass
class FigureRow:
    """One row of a table: an organization (or a year) and its cells, one per measure."""

    organization: Organization
    year: int
    cells: list[str | None] = field(default_factory=list)  # the figure as shown, by measure
    values: list[Decimal | str | None] = field(default_factory=list)  # the number or the grade


def visible_figures(user) -> QuerySet:
    return BusinessFigure.objects.restrict(user, Action.VIEW)


def years(user) -> list[int]:
    """The years with figures in the caller's scope, newest first (one query)."""
    return list(visible_figures(user).order_by("-year").values_list("year", flat=True).distinct())


def measures_of(figures: list[BusinessFigure]) -> list[BusinessMeasure]:
    """The active measures and those the figures use, in their order (one query)."""
    used = {figure.measure_id for figure in figures}
    return [
        measure
        for measure in BusinessMeasure.objects.order_by("position", "code")
        if measure.is_active or measure.pk in used
    ]


def _rows(figures: list[BusinessFigure], measures, key) -> list[FigureRow]:
    rows: dict = {}
    positions = {measure.pk: index for index, measure in enumerate(measures)}
    for figure in figures:
        row = rows.get(key(figure))
        if row is None:
            row = rows[key(figure)] = FigureRow(figure.organization, figure.year)
            row.cells = [None] * len(measures)
            row.values = [None] * len(measures)
        row.cells[positions[figure.measure_id]] = shown(figure)
        row.values[positions[figure.measure_id]] = figure.grade or figure.value
    return list(rows.values())


def figure_table(user, year: int, within: Organization | None = None):
    """(measures, rows) of a year: the organizations with figures, by path (two queries)."""
    figures = visible_figures(user).filter(year=year)
    if within is not None:
        figures = figures.within(within)
    figures = list(figures.select_related("organization").order_by("organization__path"))
    measures = measures_of(figures)
    return measures, _rows(figures, measures, key=lambda f: f.organization_id)


def _sortable(value: Decimal | str) -> tuple:
    # A measure holds numbers or grades; should one hold both, the numbers come first.
    return (0, value, "") if isinstance(value, Decimal) else (1, Decimal(0), value)


def sort_table(rows: list[FigureRow], measure: int | None, *, descending: bool) -> list[FigureRow]:
    """The table's rows by the measure at index `measure` (grades A first), or by the tree when
    None: rows without that figure last either way, ties in the tree's order (no query)."""
    if measure is None:
        return sorted(rows, key=lambda row: row.organization.path, reverse=descending)
    known = [row for row in rows if row.values[measure] is not None]
    # sorted() is stable, reversed too: equal figures keep the tree's order the rows came in.
    known.sort(key=lambda row: _sortable(row.values[measure]), reverse=descending)
    return known + [row for row in rows if row.values[measure] is None]


def organization_figures(organization: Organization):
    """(measures, rows by year newest first) of one organization (two queries)."""
    figures = list(
        BusinessFigure.objects.filter(organization=organization)
        .select_related("organization")
        .order_by("-year")
    )
    measures = measures_of(figures)
    return measures, _rows(figures, measures, key=lambda f: f.year)


@dataclass
class Change:
    measure: str
    before: str | None
    after: str | None


def history(organization: Organization) -> list[tuple[AuditEntry, list[Change]]]:
    """The audit entries of the organization's figures, newest first, with each figure's change
    (one query for the entries, one for the measures' names)."""
    entries = list(
        AuditEntry.objects.filter(organization_id=organization.pk, kind__in=HISTORY_KINDS)
        .select_related("actor")
        .order_by("-at", "-pk")[:HISTORY_ROWS]
    )
    names = {m.code: m.display_name for m in BusinessMeasure.objects.all()}
    return [
        (
            entry,
            [
                Change(names.get(code, code), (entry.before or {}).get(code), new)
                for code, new in (entry.after or {}).items()
            ],
        )
        for entry in entries
    ]


def figures_of_year(organization: Organization, year: int) -> dict[str, BusinessFigure]:
    """The organization's figures of a year by measure code (one query)."""
    return {
        figure.measure.code: figure
        for figure in BusinessFigure.objects.filter(
            organization=organization, year=year
        ).select_related("measure")
    }
