"""The XLSX and CSV of a report, written streaming: constant memory whatever the row count.

The workbook is made by openpyxl in write-only mode: a summary sheet, then dimensions, children,
every value, rectifications and every workflow step. The three long sheets (values,
rectifications, steps) get their header there and their rows from `core.xlsx`, which writes them
into the saved workbook several times faster than openpyxl, as they are read (issue 19). The
CSV holds the raw values alone. Every text cell goes through `core.cells.neutralise`, so a name
or comment typed as "=cmd|…" is shown as typed and never runs as a formula; in the workbook a
string is also written with the string type.
"""

import csv
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from business.wording import number
from core import xlsx
from core.cells import xlsx_cell, xlsx_value

from . import selectors
from .models import Report

Progress = Callable[[int], None]
PROGRESS_EVERY = 20_000
# Rows of a sheet in Excel and LibreOffice, the header's included: past it they stop reading.
SHEET_ROWS = 1_048_576

_TITLE_FONT = Font(bold=True, size=14, color="B22222")
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F3E5E5")
_WRAP = Alignment(wrap_text=True, vertical="top")
_WARNING_FONT = Font(bold=True, color="8A4B00")


def _headers() -> dict[str, str]:
    return {
        "period": _("Period"),
        "organization_code": _("Organization code"),
        "organization": _("Organization"),
        "subject": _("Subject"),
        "subject_kind": _("Subject kind"),
        "indicator_code": _("Indicator code"),
        "indicator": _("Indicator"),
        "unit": _("Unit"),
        "value": _("Value entered"),
        "reviewed_value": _("Reviewer's value"),
        "value_scored": _("Value scored"),
        "review_reason": _("Reviewer's reason"),
        "updated_at": _("Updated at"),
        "from_state": _("From"),
        "to_state": _("To"),
        "by": _("By"),
        "at": _("At"),
        "reason": _("Reason"),
        "state": _("State"),
        "owner": _("Owner"),
        "due_date": _("Due date"),
        "overdue": _("Overdue"),
        "plan": _("Plan"),
        "closing_note": _("Closing note"),
    }


def _row(values: Iterable[Any]) -> list[Any]:
    """Plain values where safe (cheaper to write); after `neutralise` no text starts with "="."""
    return [xlsx_value(value) for value in values]


def _header(sheet, labels: Iterable[str]) -> list[WriteOnlyCell]:
    return [xlsx_cell(sheet, label, font=_HEADER_FONT, fill=_HEADER_FILL) for label in labels]


def _sheet(book: Workbook, title: str, widths: list[int]):
    sheet = book.create_sheet(title=title)
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    sheet.freeze_panes = "A2"
    return sheet


def write_xlsx(
    report: Report,
    data: dict[str, Any],
    data_hash: str,
    path: Path,
    *,
    progress: Progress,
    total_values: int,
) -> int:
    """The workbook; returns the number of value rows written."""
    book = Workbook(write_only=True)
    _summary_sheet(book, report, data, data_hash)
    _dimensions_sheet(book, data)
    _children_sheet(book, data)
    headers = _headers()
    values = _values_sheets(book, report, headers, progress=progress, total_values=total_values)
    streams = [
        *values,
        _stream_sheet(
            book,
            _("Rectifications"),
            [headers[key] for key in selectors.RECTIFICATION_HEADERS],
            selectors.rectification_rows(report),
            widths=[12, 12, 24, 10, 30, 12, 12, 12, 8, 30, 30],
        ),
        _stream_sheet(
            book,
            _("Approvals"),
            [headers[key] for key in selectors.APPROVAL_HEADERS],
            selectors.approval_rows(report),
            widths=[12, 12, 24, 24, 10, 10, 14, 16, 30],
        ),
    ]
    _effectiveness_sheet(book, data)
    _terms_sheet(book, data)
    xlsx.save(book, path, streams)
    return sum(stream.written for stream in values)


def _values_sheets(
    book: Workbook,
    report: Report,
    headers: dict[str, str],
    *,
    progress: Progress,
    total_values: int,
) -> list[xlsx.Rows]:
    """The sheet of every value; when there are more than a sheet holds (a whole group's), the
    rest goes on to "Indicator values (2)" and so on, the last taking whatever remains."""
    per_sheet = SHEET_ROWS - 1
    count = max(1, -(-total_values // per_sheet))
    rows = selectors.value_rows(report)
    title = _("Indicator values")
    sheets = []
    for index in range(count):
        done = index * per_sheet
        sheets.append(
            _stream_sheet(
                book,
                title if index == 0 else f"{title} ({index + 1})",
                [headers[key] for key in selectors.VALUE_HEADERS],
                rows if index == count - 1 else islice(rows, per_sheet),
                widths=[12, 12, 24, 24, 10, 10, 30, 8, 12, 12, 12, 24, 16],
                progress=lambda n, done=done: progress(
                    min(done + n, total_values) * 100 // max(total_values, 1)
                ),
            )
        )
    return sheets


def _summary_sheet(book: Workbook, report: Report, data: dict[str, Any], data_hash: str) -> None:
    sheet = book.create_sheet(title=_("Summary"))
    sheet.column_dimensions["A"].width = 22
    for letter in "BCDEFGHIJ":
        sheet.column_dimensions[letter].width = 14
    org = data["organization"]
    sheet.append([xlsx_cell(sheet, _("Term report"), font=_TITLE_FONT)])
    facts = [
        (_("Organization"), f"{org['name']} ({org['code']})"),
        (_("Range"), f"{data['range'][0]} – {data['range'][1]}"),
        (_("Periods"), "、".join(p["name"] for p in data["periods"])),
        (_("Framework"), data["frameworks"]),
        (_("Snapshot"), f"#{report.pk}"),
        (_("Generated at"), timezone.localtime().strftime("%Y-%m-%d %H:%M")),
        (_("Data SHA-256"), data_hash),
    ]
    for label, value in facts:
        sheet.append([xlsx_cell(sheet, label, font=_HEADER_FONT), xlsx_cell(sheet, value)])
    sheet.append([])
    sheet.append(
        _header(
            sheet,
            [
                _("Period"),
                _("Score"),
                _("Grade"),
                _("Stars"),
                _("Rank among siblings"),
                _("Siblings"),
                _("Rank among peers"),
                _("Peers"),
                _("Change vs. previous period"),
                _("Completeness"),
            ],
        )
    )
    names = {p["id"]: p["name"] for p in data["periods"]}
    for row in data["summary"]:
        sheet.append(
            _row(
                [
                    names[row["period"]],
                    row.get("score"),
                    row.get("grade") or None,
                    row.get("stars"),
                    row.get("rank_siblings"),
                    row.get("siblings"),
                    row.get("rank_peers"),
                    row.get("peers"),
                    row.get("change"),
                    row.get("completeness"),
                ]
            )
        )


def _dimensions_sheet(book: Workbook, data: dict[str, Any]) -> None:
    periods = data["periods"]
    sheet = _sheet(book, _("Dimensions"), [10, 30, 20, *[14] * len(periods)])
    sheet.append(
        _header(sheet, [_("Code"), _("Dimension"), _("Axis"), *(p["name"] for p in periods)])
    )
    for dim in data["dimensions"]:
        name = "    " * dim["depth"] + dim["name"]
        sheet.append(_row([dim["code"], name, dim["axis"], *dim["scores"]]))


def _children_sheet(book: Workbook, data: dict[str, Any]) -> None:
    sheet = _sheet(book, _("Children"), [12, 30, 14, 12, 10, 8, 8, 12, 10, 12])
    sheet.append(
        _header(
            sheet,
            [
                _("Code"),
                _("Organization"),
                _("Kind"),
                _("Period"),
                _("Score"),
                _("Grade"),
                _("Stars"),
                _("Rank among siblings"),
                _("Change vs. previous period"),
                _("Completeness"),
            ],
        )
    )
    names = {p["id"]: p["name"] for p in data["periods"]}
    for child in data["children"]:
        for row in child["totals"]:
            sheet.append(
                _row(
                    [
                        child["code"],
                        child["name"],
                        child["kind"],
                        names[row["period"]],
                        row.get("score"),
                        row.get("grade") or None,
                        row.get("stars"),
                        row.get("rank_siblings"),
                        row.get("change"),
                        row.get("completeness"),
                    ]
                )
            )


def _terms_sheet(book: Workbook, data: dict[str, Any]) -> None:
    """The organization's terms year by year, the group's record (for the group) and its results
    per period: secretary's rating, stars and titles; last, and only when there is one of them
    (a framework without the standards section has none)."""
    terms = data.get("terms")
    if not terms or not (
        terms["terms"]
        or terms["record"]
        or any(r["rating"] or r["stars"] is not None or r["titles"] for r in terms["results"])
    ):
        return
    sheet = _sheet(book, _("Terms"), [12, 10, 10, 10, 10, 14, 14, 14, 14, 14])
    sheet.append(
        _header(
            sheet,
            [
                _("Term"),
                _("Year"),
                _("Score"),
                _("Grade"),
                _("Veto"),
                _("Revenue growth"),
                _("Profit growth"),
                _("Business grade"),
            ],
        )
    )
    for term in terms["terms"]:
        label = f"{term['first_year']}–{term['last_year']}"
        for year in term["years"]:
            sheet.append(
                _row(
                    [
                        label,
                        year["year"],
                        year.get("score"),
                        year.get("grade") or None,
                        _("vetoed") if year.get("vetoed") else None,
                        year.get("revenue_growth"),
                        year.get("profit_growth"),
                        year.get("business") or None,
                    ]
                )
            )
        sheet.append(
            _row(
                [
                    label,
                    _("Term"),
                    term.get("average"),
                    term.get("grade") or None,
                    _("Top grades: %(n)s") % {"n": term["a_grades"]},
                    term.get("revenue_growth"),
                    term.get("profit_growth"),
                    term.get("business_grade") or None,
                ]
            )
        )
    record = terms.get("record")
    if record:
        sheet.append([])
        sheet.append(_header(sheet, [_("The group's record"), _("Party building"), _("Business")]))
        target = record["growth_target"]
        for label, party, business in (
            (
                _("Years in a row with grade %(grade)s") % {"grade": record["top_grade"]},
                record["streak"]["length"],
                record["business_streak"]["length"],
            ),
            (
                _("Terms graded %(grade)s") % {"grade": record["top_grade"]},
                record["term_a_grades"],
                record["business_term_a_grades"],
            ),
            (
                _("Average annual revenue growth (target %(target)s%%)") % {"target": target},
                None,
                record["revenue_growth"],
            ),
            (
                _("Average annual profit growth (target %(target)s%%)") % {"target": target},
                None,
                record["profit_growth"],
            ),
        ):
            sheet.append(_row([label, party, business]))
    sheet.append([])
    sheet.append(
        _header(sheet, [_("Period"), _("Secretary's report rating"), _("Stars"), _("Titles")])
    )
    names = {p["id"]: p["name"] for p in data["periods"]}
    for row in terms["results"]:
        titles = "；".join(f"{t['subject']}: {t['title']}" for t in row["titles"])
        sheet.append(
            _row(
                [names.get(row["period"], ""), row["rating"] or None, row["stars"], titles or None]
            )
        )


def _coefficient(correlation: dict[str, Any] | None) -> tuple[str, str | None]:
    """A coefficient as the PDF shows it, "0.52 [0.11, 0.79] (14)" (a dash for none), and its
    verdict in a word."""
    if correlation is None:
        return "–", None
    ordinal = correlation["headline"] == "ρ"
    value = correlation["rho"] if ordinal else correlation["r"]
    interval = correlation["rho_interval"] if ordinal else correlation["r_interval"]
    text = "–" if correlation["too_few"] or value is None else number(value)
    if text != "–" and interval:
        text += f" [{number(interval[0])}, {number(interval[1])}]"
    verdicts = {
        "clear": pgettext("correlation", "clear"),
        "unclear": pgettext("correlation", "unclear"),
    }
    return f"{text} ({correlation['n']})", verdicts.get(correlation["verdict"])


def _growth(growth: dict[str, Any] | None) -> str:
    """An average annual growth as the PDF words it (`business.wording.growth_text`'s words)."""
    if not growth:
        return "–"
    values = {
        "percent": f"{growth['percent']:.1f}",
        "first": growth["first"],
        "last": growth["last"],
    }
    if growth["method"] == "compound":
        text = _("%(percent)s%% a year, %(first)s–%(last)s (compound)") % values
    else:
        text = _("%(percent)s%% a year, %(first)s–%(last)s (mean of the yearly rates)") % values
    return f"{text} ✓" if growth["meets_target"] else text


def _claims_rows(data: dict[str, Any], effectiveness: dict[str, Any]) -> list[list[Any]]:
    """The claims of the organization, then of each unit (with its parent's name where that tells
    it apart), where the figures say anything."""
    rows = [(data["organization"]["name"], effectiveness["claims"]["own"])]
    rows += [
        (" · ".join(filter(None, (unit["name"], unit.get("within")))), unit)
        for unit in effectiveness["claims"]["units"]
    ]
    return [
        [
            name,
            claims["a_years_in_row"],
            ", ".join(f"{t['year']}: {t['grade']}" for t in claims["term_grades"]) or None,
            _growth(claims["revenue_growth"]),
            _growth(claims["profit_growth"]),
        ]
        for name, claims in rows
        if claims["annual_grades"]
        or claims["term_grades"]
        or claims["revenue_growth"]
        or claims["profit_growth"]
    ]


def _effectiveness_sheet(book: Workbook, data: dict[str, Any]) -> None:
    """Party building against business results in the report's year, as the PDF's section: the
    coefficients of each measure (the same year, lagged, change against change), the claims
    against the figures and the caveat; only when the report has an annual period and there are
    business figures to show (as for the terms, the PDF says when there are none)."""
    eff = data.get("effectiveness")
    if not eff:
        return
    level = next((lv["name"] for lv in eff["levels"] if lv["code"] == eff["level"]), None)
    claims = _claims_rows(data, eff)
    if not claims and (level is None or not eff["measures"]):
        return
    sheet = _sheet(book, _("Effectiveness"), [30, 12, 16, 34, 34, 24, 10, 24, 10])
    year = eff["year"]
    if not eff["measures"]:
        first = _(
            "No business measure is active: an administrator can add or reactivate one under "
            "Business figures."
        )
    elif level is None:
        first = _(
            "No organization below this one has business figures yet: the finance side enters or "
            "imports them under Business figures."
        )
    else:
        point = next((p for p in reversed(eff["years"]) if p["year"] == year), None)
        count = (point["units"] if point else 0) + eff["without_party_building"]
        first = ngettext(
            "%(year)s, %(level)s: %(count)s unit with a roll-up.",
            "%(year)s, %(level)s: %(count)s units with a roll-up.",
            count,
        ) % {"year": year, "level": level, "count": count}
    sheet.append([xlsx_cell(sheet, first, font=_HEADER_FONT)])
    if eff["demo"]:
        warning = _(
            "Demo data: these business figures are made up, drawn at random and independently "
            "of party building. Whatever this page finds on them is chance, not evidence."
        )
        sheet.append([xlsx_cell(sheet, warning, font=_WARNING_FONT)])
    if eff["measures"] and level is not None:
        _effectiveness_table(sheet, eff)
    if claims:
        sheet.append([])
        sheet.append([xlsx_cell(sheet, _("The claims, against the figures"), font=_HEADER_FONT)])
        sheet.append(
            _header(
                sheet,
                [
                    _("Organization"),
                    _("A grades in a row"),
                    _("Term grades"),
                    _("Revenue growth"),
                    _("Profit growth"),
                ],
            )
        )
        for row in claims:
            sheet.append(_row(row))
    sheet.append([])
    sheet.append(
        _row(
            [
                _(
                    "Correlation is not causation: units that do well in party building may also "
                    "do well in business for other reasons (industry, size, market, management). "
                    "Read a coefficient as how closely the two move together, and mind n and the "
                    "interval: with few units a strong coefficient can arise by chance."
                )
            ]
        )
    )


def _effectiveness_table(sheet, eff: dict[str, Any]) -> None:
    """One row per measure: its coefficient the same year, lagged a year and change against
    change, the steps being those that end at the report's year."""
    year = eff["year"]
    lag = next((step for step in reversed(eff["lag"]) if step["to"] == year), None)
    change = next((step for step in reversed(eff["change"]) if step["to"] == year), None)

    def heading(step: dict[str, Any] | None, label: str, plain: str) -> str:
        if step is None:
            return plain
        return label % {"first": step["from"], "last": step["to"]}

    sheet.append([])
    sheet.append(
        _header(
            sheet,
            [
                _("Business results"),
                _("Unit"),
                _("Coefficient"),
                _("Same year, %(year)s") % {"year": year},
                _("Verdict"),
                heading(lag, _("Lag, %(first)s → %(last)s"), pgettext("correlation", "Lag")),
                _("Verdict"),
                heading(
                    change, _("Change, %(first)s → %(last)s"), pgettext("correlation", "Change")
                ),
                _("Verdict"),
            ],
        )
    )
    for m in eff["measures"]:
        same = _coefficient(eff["same_year"].get(m["code"]))
        lagged = _coefficient(lag["correlations"].get(m["code"])) if lag else ("–", None)
        changed = _coefficient(change["correlations"].get(m["code"])) if change else ("–", None)
        symbol = "ρ" if m["ordinal"] else "r"
        sheet.append(_row([m["name"], m["unit"] or None, symbol, *same, *lagged, *changed]))
    sheet.append([])
    for note in (
        _(
            "Each cell: the headline coefficient (Spearman's ρ for a grade, Pearson's r "
            "otherwise), its 95%% interval in brackets and n, the units compared, in parentheses; "
            "a dash where fewer than %(min)s units can be compared."
        )
        % {"min": eff["min_pairs"]},
        _(
            "A relation is called clear only when the interval leaves out 0; otherwise it is "
            "unclear, whatever the coefficient."
        ),
        _(
            "Lag: party building in one year against business in the next. Change: how much "
            "each unit's party building changed from one year to the next against how much its "
            "business changed; a unit's lasting traits (industry, size) drop out of a change."
        ),
    ):
        sheet.append(_row([note]))


def _stream_sheet(
    book: Workbook,
    title: str,
    headers: list[str],
    rows: Iterator[tuple],
    *,
    widths: list[int],
    progress: Progress | None = None,
) -> xlsx.Rows:
    """A long sheet with its header; its rows are written when the workbook is saved."""
    sheet = _sheet(book, title, widths)
    sheet.append(_header(sheet, headers))
    return xlsx.Rows(sheet, rows, progress=progress, every=PROGRESS_EVERY)


def write_csv(report: Report, path: Path, *, progress: Progress, total_values: int) -> int:
    """The raw values as UTF-8 CSV (with a byte-order mark, so Excel reads the Chinese)."""
    headers = _headers()
    count = 0
    with open(path, "w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([headers[key] for key in selectors.VALUE_HEADERS])
        for row in selectors.value_rows(report):
            writer.writerow(_csv_row(row))
            count += 1
            if count % PROGRESS_EVERY == 0:
                progress(min(count, total_values) * 100 // max(total_values, 1))
    return count


def _csv_row(row: tuple) -> list[Any]:
    out = []
    for value in row:
        if value is None:
            out.append("")
        elif isinstance(value, bool):
            out.append("true" if value else "false")
        else:
            out.append(xlsx_value(value))
    return out
