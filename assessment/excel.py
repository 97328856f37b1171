"""Submission values as Excel workbooks: building templates and reading filled ones back.

The layout is described for users in docs/excel.md. In short: a `values` sheet with a title row,
a header row of bilingual headers and one row per entered indicator of each submission, in which
only the Value column is unlocked; and a hidden `_meta` sheet naming the format, the framework
version, the period and every submission with the version the template was made from, signed so
that an edited `_meta` is noticed. When the subjects have indicators counted from records, two
columns are added: the counted value beside the Value, and an override reason after it (unlocked
on the counted rows only), since a value other than the counted one needs a reason.

Reading is defensive: the bytes are sniffed before any parser sees them (empty, too large, old
.xls, password-protected, not a zip, a zip that is not a workbook), openpyxl gets them only through
the archive-bomb guard of `core.workbooks`, then the sheet is streamed in read-only mode with
formulas kept as formulas. Problems of the file as a whole raise `WorkbookError`; problems of
single rows are collected as `RowIssue`s with the row number Excel shows. Nothing here touches the
database: `services.excel_import` gathers the rows of a template and checks parsed rows against the
submissions they name.
"""

import datetime
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import iterparse

from django.conf import settings
from django.core.signing import BadSignature, Signer
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

from core.workbooks import WorkbookRefused, open_workbook

from .choices import ValueType
from .scoring import spec
from .scoring.values import is_not_applicable
from .validation import APPRAISAL_KEYS, NOT_APPLICABLE, TEXT_MAX, EntryError

FORMAT_MARKER = "partybuild.submission-values.v1"
VALUES_SHEET = "values"
META_SHEET = "_meta"
SINGLE = "single"
BULK = "bulk"

TITLE_LINE = 1
HEADER_LINE = 2
# A user may delete the title row or insert one: the header is looked for in the first rows.
HEADER_SEARCH_LINES = 10
# About 400 branches × 120 indicators; a bigger committee downloads per organization below it.
MAX_DATA_ROWS = 50_000

OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# An encrypted OOXML file is an OLE2 container holding a stream of this name.
ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
BOOLEAN_CHOICES = ("是", "否")

_SIGNER_SALT = "assessment.excel.meta"
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="D9E1F2")
_VALUE_FILL = PatternFill("solid", fgColor="FFF2CC")
_COUNTED_FILL = PatternFill("solid", fgColor="E2EFDA")
_UNLOCKED = Protection(locked=False)
_WRAP = Alignment(wrap_text=True, vertical="top")


class WorkbookError(Exception):
    """The workbook as a whole cannot be read; the message is for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Column:
    """A column of the values sheet: its key, bilingual header and width."""

    key: str
    zh: str
    en: str
    width: float

    @property
    def header(self) -> str:
        return f"{self.zh} {self.en}"

    def matches(self, written: str) -> bool:
        """Whether a header cell names this column: the bilingual header or either half."""
        forms = {_normalize(self.header), _normalize(self.zh), _normalize(self.en), self.key}
        return _normalize(written) in forms


SUBMISSION = Column("submission", "填报编号", "Submission", 12)
SUBJECT = Column("subject", "填报对象", "Subject", 28)
CODE = Column("code", "指标编码", "Code", 12)
NAME = Column("name", "指标名称", "Name", 48)
UNIT = Column("unit", "单位", "Unit", 10)
TARGET = Column("target", "目标", "Target", 10)
TYPE = Column("type", "类型", "Type", 14)
VALUE = Column("value", "数值", "Value", 18)
NOTE = Column("note", "说明", "Note", 56)
COUNTED = Column("counted", "统计值", "Counted", 12)
REASON = Column("reason", "改填理由", "Override reason", 36)
SINGLE_COLUMNS = (CODE, NAME, UNIT, TARGET, TYPE, VALUE, NOTE)
BULK_COLUMNS = (SUBMISSION, SUBJECT, *SINGLE_COLUMNS)
ALL_COLUMNS = (*BULK_COLUMNS, COUNTED, REASON)
# The longest override reason kept, as the entry form and the API take it.
REASON_MAX = 2000


def columns_of(scope: str, counted: bool) -> tuple[Column, ...]:
    """The template's columns: with counted indicators, Counted before Value and the override
    reason after it."""
    columns = BULK_COLUMNS if scope == BULK else SINGLE_COLUMNS
    if not counted:
        return columns
    out: list[Column] = []
    for column in columns:
        if column is VALUE:
            out += [COUNTED, VALUE, REASON]
        else:
            out.append(column)
    return tuple(out)


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip().casefold()


@dataclass(frozen=True)
class TemplateSubmission:
    """A submission as the template names it: the version it was made from, its subject."""

    id: int
    version: int
    subject: str


@dataclass(frozen=True)
class TemplateRow:
    """One indicator of one submission with its stored value (None when there is none), and for
    an indicator counted from records the counted value and the reason it was overridden."""

    submission: TemplateSubmission
    indicator: spec.Indicator
    value: Any
    counted: Any = None
    override_reason: str = ""


@dataclass
class Template:
    """Everything a template workbook shows; `rows` may be a generator (it is read once)."""

    scope: str
    title: str
    framework_code: str
    framework_version: str
    period_id: int
    submissions: Sequence[TemplateSubmission]
    rows: Iterable[TemplateRow]
    lang: str
    # Whether some indicator is counted from records: the Counted and reason columns are added.
    counted: bool = False


@dataclass(frozen=True)
class Meta:
    """What the `_meta` sheet says: the template's scope and each submission's version."""

    scope: str
    framework_code: str
    framework_version: str
    period_id: int
    versions: dict[int, int]


@dataclass(frozen=True)
class SheetRow:
    """A data row as read: the submission it belongs to, the code and the Value cell; the
    Counted cell as the template showed it and the override reason, where those columns are."""

    line: int
    submission_id: int
    code: str
    value: Any
    percent_format: bool = False
    counted: Any = None
    reason: str = ""


@dataclass(frozen=True)
class RowIssue:
    """A problem of one row (line None: of the workbook or a whole submission)."""

    line: int | None
    code: str
    message: str
    submission_id: int | None = None


@dataclass
class ParsedWorkbook:
    meta: Meta
    rows: list[SheetRow] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    # Whether the sheet has an override reason column (a template of before it has none).
    has_reasons: bool = False


def build_workbook(template: Template) -> bytes:
    """The template as XLSX bytes, streamed (write-only mode) so thousands of rows stay cheap."""
    columns = columns_of(template.scope, template.counted)
    letter = {column.key: get_column_letter(i) for i, column in enumerate(columns, 1)}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(VALUES_SHEET)
    for column in columns:
        sheet.column_dimensions[letter[column.key]].width = column.width
    sheet.freeze_panes = f"A{HEADER_LINE + 1}"

    title_row: list[Any] = [None] * len(columns)
    title_row[0] = _cell(sheet, template.title, font=Font(bold=True, size=13))
    how = _(
        "Enter values in the Value column only. Leave a value empty for none, or enter n/a "
        "if the indicator does not apply. Formulas and merged cells are not accepted."
    )
    if template.counted:
        how = f"{how} {_counted_help()}"
    title_row[-1] = _cell(sheet, how, alignment=_WRAP)
    sheet.append(title_row)
    sheet.append([_cell(sheet, c.header, font=_HEADER_FONT, fill=_HEADER_FILL) for c in columns])

    lines_by_type: dict[str, list[int]] = {}
    static: dict[str, dict[str, Any]] = {}
    line = HEADER_LINE
    for row in template.rows:
        line += 1
        if line - HEADER_LINE > MAX_DATA_ROWS:
            raise WorkbookError(_too_many_rows())
        indicator = row.indicator
        lines_by_type.setdefault(indicator.value_type, []).append(line)
        if indicator.code not in static:
            # Worked out once per indicator: a committee template repeats them thousands of times.
            static[indicator.code] = {
                "code": indicator.code,
                "name": indicator.name.get(template.lang),
                "unit": indicator.unit.get(template.lang) if indicator.unit else None,
                "target": _number(indicator.target),
                "type": str(ValueType(indicator.value_type).label),
                "note": type_note(indicator, template.lang),
            }
        cells = {
            **static[indicator.code],
            "submission": row.submission.id,
            "subject": row.submission.subject,
            "value": _value_cell(sheet, indicator, row.value),
        }
        if template.counted:
            cells["counted"] = _counted_cell(sheet, indicator, row.counted)
            cells["reason"] = _reason_cell(sheet, indicator, row.override_reason)
        # A new cell object wherever one is needed: openpyxl reuses the cells it is given.
        sheet.append([_text_cell(sheet, cells[column.key]) for column in columns])

    for validation in _validations(letter["value"], lines_by_type):
        sheet.data_validations.append(validation)
    # A guard against typing over codes and names, not security: there is no password.
    sheet.protection.sheet = True
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False

    meta = workbook.create_sheet(META_SHEET)
    meta.sheet_state = "hidden"
    for key, value in _meta_pairs(template):
        meta.append([key, value])
    meta.append([])
    meta.append(["submission", "version", "subject"])
    for submission in template.submissions:
        meta.append([submission.id, submission.version, _text_cell(meta, submission.subject)])

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(sheet, value: Any, **style) -> Cell:
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str):
        # openpyxl writes a string starting with "=" as a formula: names and subjects typed by
        # users must never become formulas in someone's Excel.
        cell.data_type = "s"
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def _text_cell(sheet, value: Any) -> Any:
    """A plain value where it is safe (cheaper to write), a cell kept as text where not."""
    return _cell(sheet, value) if isinstance(value, str) and value.startswith("=") else value


def _number(value: float | None) -> int | float | None:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def cell_value(indicator: spec.Indicator, value: Any) -> Any:
    """A stored value as it is shown in the Value column."""
    if value is None or value == NOT_APPLICABLE:
        return value
    if indicator.value_type == "boolean":
        return BOOLEAN_CHOICES[0] if value else BOOLEAN_CHOICES[1]
    if indicator.value_type == "appraisal" and isinstance(value, dict):
        return "/".join(str(value.get(key, 0)) for key in APPRAISAL_KEYS)
    if indicator.value_type in ("number", "percentage", "count"):
        return _number(value)
    return value


def _value_cell(sheet, indicator: spec.Indicator, value: Any) -> Cell:
    cell = _cell(sheet, cell_value(indicator, value), fill=_VALUE_FILL, protection=_UNLOCKED)
    if indicator.value_type in ("appraisal", "text"):
        # Text format: Excel would read "1/2/..." as a date and drop leading zeros.
        cell.number_format = "@"
    return cell


def _counted_cell(sheet, indicator: spec.Indicator, counted: Any) -> Any:
    if indicator.source is None:
        return None
    return _cell(sheet, cell_value(indicator, counted), fill=_COUNTED_FILL)


def _reason_cell(sheet, indicator: spec.Indicator, reason: str) -> Any:
    """Unlocked on the rows of counted indicators only: no other value takes a reason."""
    if indicator.source is None:
        return None
    cell = _cell(sheet, reason or None, fill=_VALUE_FILL, protection=_UNLOCKED, alignment=_WRAP)
    cell.number_format = "@"
    return cell


def _counted_help() -> str:
    return _(
        "Values counted from records show their count in the Counted column: leave the value "
        "as counted (or empty) to follow the count; a different value needs an override reason."
    )


def type_note(indicator: spec.Indicator, lang: str = "zh") -> str:
    """What to enter for this indicator, in the user's language (`lang`: the framework's texts)."""
    notes = {
        "number": _("A number."),
        "percentage": _("A percentage from 0 to 100 (enter 85 for 85%)."),
        "count": _("A whole number of 0 or more."),
        "boolean": _("是 (yes) or 否 (no)."),
        "appraisal": _(
            "Votes as voters/excellent/competent/basic/incompetent, e.g. 30/20/8/2/0; "
            "the four categories add up to the number of voters."
        ),
        "text": _("Text, at most %(n)d characters.") % {"n": TEXT_MAX},
    }
    note = notes[indicator.value_type]
    if indicator.source is not None:
        counted_from = _("Counted from records: %(source)s.") % {
            "source": spec.describe_source(indicator.source, lang)
        }
        note = f"{counted_from} {_counted_help()} {note}"
        if indicator.evidence_required:
            evidence = _("An overridden value needs evidence: upload it on the submission page.")
            note = f"{note} {evidence}"
    elif indicator.evidence_required:
        note = f"{note} {_('Evidence is required: upload it on the submission page.')}"
    return note


def _validations(column: str, lines_by_type: dict[str, list[int]]) -> Iterator[DataValidation]:
    """Drop-downs and number checks for the Value cells.

    Warnings rather than stops, so "n/a" can still be entered; the upload checks every value.
    """
    settings_by_type = {
        "boolean": {"type": "list", "formula1": '"{}"'.format(",".join(BOOLEAN_CHOICES))},
        "count": {"type": "whole", "operator": "greaterThanOrEqual", "formula1": "0"},
        "percentage": {
            "type": "decimal",
            "operator": "between",
            "formula1": "0",
            "formula2": "100",
        },
        "number": {
            "type": "decimal",
            "operator": "between",
            "formula1": "-1E12",
            "formula2": "1E12",
        },
    }
    for value_type, options in settings_by_type.items():
        lines = lines_by_type.get(value_type)
        if not lines:
            continue
        validation = DataValidation(
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="warning",
            errorTitle=_("Check the value")[:32],
            error=_("This value does not look right for this indicator; see the Note column.")[
                :255
            ],
            **options,
        )
        validation.sqref = _ranges(column, lines)
        yield validation
    lines = lines_by_type.get("appraisal")
    if lines:
        validation = DataValidation(
            showInputMessage=True,
            promptTitle=_("Appraisal votes")[:32],
            prompt=_("voters/excellent/competent/basic/incompetent, e.g. 30/20/8/2/0")[:255],
        )
        validation.sqref = _ranges(column, lines)
        yield validation


def _ranges(column: str, lines: list[int]) -> str:
    """Sorted line numbers as few ranges as possible: "F3:F9 F12"."""
    parts = []
    start = previous = lines[0]
    for line in [*lines[1:], None]:
        if line is not None and line == previous + 1:
            previous = line
            continue
        parts.append(
            f"{column}{start}" if start == previous else f"{column}{start}:{column}{previous}"
        )
        if line is not None:
            start = previous = line
    return " ".join(parts)


def _meta_pairs(template: Template) -> list[tuple[str, Any]]:
    meta = Meta(
        scope=template.scope,
        framework_code=template.framework_code,
        framework_version=template.framework_version,
        period_id=template.period_id,
        versions={s.id: s.version for s in template.submissions},
    )
    return [
        ("format", FORMAT_MARKER),
        ("scope", meta.scope),
        ("framework", meta.framework_code),
        ("framework_version", meta.framework_version),
        ("period", meta.period_id),
        ("signature", Signer(salt=_SIGNER_SALT).signature(_meta_payload(meta))),
    ]


def _meta_payload(meta: Meta) -> str:
    versions = ";".join(f"{pk}:{version}" for pk, version in sorted(meta.versions.items()))
    return "|".join(
        (
            FORMAT_MARKER,
            meta.scope,
            meta.framework_code,
            meta.framework_version,
            str(meta.period_id),
            versions,
        )
    )


def read_workbook(data: bytes) -> ParsedWorkbook:
    """The `_meta` and the data rows of an uploaded template. Raises WorkbookError."""
    _sniff(data)
    try:
        workbook = open_workbook(data, data_only=False)
    except WorkbookRefused as exc:
        raise WorkbookError(exc.message) from exc
    # A damaged workbook fails deep inside openpyxl (zip, XML, key or index errors); whichever
    # it is, the user's answer is the same.
    except Exception as exc:
        raise WorkbookError(_damaged()) from exc
    try:
        sheets = {name.casefold(): name for name in workbook.sheetnames}
        if VALUES_SHEET not in sheets:
            raise WorkbookError(
                _(
                    "The workbook has no sheet named “%(sheet)s” (it has: %(found)s). Enter the "
                    "values in the template as downloaded, without renaming its sheets."
                )
                % {"sheet": VALUES_SHEET, "found": ", ".join(workbook.sheetnames)}
            )
        if META_SHEET not in sheets:
            raise WorkbookError(
                _(
                    "The workbook has no %(sheet)s sheet: it was not made from a template of "
                    "this portal, or that hidden sheet was deleted. Download a template and "
                    "enter the values in it."
                )
                % {"sheet": META_SHEET}
            )
        meta = _read_meta(workbook[sheets[META_SHEET]])
        values = workbook[sheets[VALUES_SHEET]]
        parsed = _read_values(values, meta)
        _refuse_merged_cells(data, values, parsed.header_line)
        return parsed.workbook
    except WorkbookError:
        raise
    except Exception as exc:
        raise WorkbookError(_damaged()) from exc
    finally:
        workbook.close()


def _damaged() -> str:
    return _(
        "The workbook could not be read; it may be damaged. Open it in Excel, save it as an "
        "Excel workbook (.xlsx) and upload it again."
    )


def _too_many_rows() -> str:
    return _("The workbook has more than %(max)s rows of values.") % {"max": MAX_DATA_ROWS}


def _sniff(data: bytes) -> None:
    """Refuse what is not a readable XLSX before a parser sees it, saying what it is."""
    if not data or not data.strip(b"\x00 \t\r\n"):
        raise WorkbookError(_("The file is empty."))
    limit = settings.UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise WorkbookError(
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    if data.startswith(OLE2_MAGIC):
        if ENCRYPTED_STREAM in data:
            raise WorkbookError(
                _(
                    "Password-protected workbooks cannot be read: open it in Excel, remove the "
                    "password (File › Info › Protect Workbook), save it and upload it again."
                )
            )
        raise WorkbookError(
            _(
                "This is an old Excel 97–2003 workbook (.xls): open it in Excel, save it as an "
                "Excel workbook (.xlsx) and upload that."
            )
        )
    not_a_workbook = _(
        "This file is not an Excel workbook (.xlsx). Upload the template you downloaded, "
        "saved as an Excel workbook."
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise WorkbookError(not_a_workbook) from exc
    with archive:
        names = set(archive.namelist())
        if "xl/workbook.bin" in names:
            raise WorkbookError(
                _(
                    "Binary Excel workbooks (.xlsb) cannot be read: save it as an Excel "
                    "workbook (.xlsx) and upload that."
                )
            )
        if "xl/workbook.xml" not in names:
            raise WorkbookError(not_a_workbook)


def _tampered() -> WorkbookError:
    return WorkbookError(
        _(
            "The hidden %(sheet)s sheet of this workbook was changed or is not from this "
            "portal, so its rows cannot be matched to submissions. Download a new template and "
            "enter the values in it."
        )
        % {"sheet": META_SHEET}
    )


def _read_meta(sheet) -> Meta:
    pairs: dict[str, Any] = {}
    versions: dict[int, int] = {}
    in_submissions = False
    sheet.reset_dimensions()
    for count, row in enumerate(sheet.iter_rows(values_only=True)):
        if count > MAX_DATA_ROWS + 20:
            raise _tampered()
        key = row[0] if row else None
        if not in_submissions:
            if key == "submission":
                in_submissions = True
            elif isinstance(key, str) and key:
                pairs[key] = row[1] if len(row) > 1 else None
            continue
        if key is None:
            continue
        try:
            pk, version = int(row[0]), int(row[1])
        except (TypeError, ValueError, IndexError):
            raise _tampered() from None
        if pk in versions:
            raise _tampered()
        versions[pk] = version
    if pairs.get("format") != FORMAT_MARKER:
        raise _tampered()
    try:
        meta = Meta(
            scope=str(pairs["scope"]),
            framework_code=str(pairs["framework"]),
            framework_version=str(pairs["framework_version"]),
            period_id=int(pairs["period"]),
            versions=versions,
        )
        signature = str(pairs["signature"])
    except (KeyError, TypeError, ValueError):
        raise _tampered() from None
    if meta.scope not in (SINGLE, BULK) or (meta.scope == SINGLE and len(versions) != 1):
        raise _tampered()
    signer = Signer(salt=_SIGNER_SALT)
    try:
        signer.unsign(f"{_meta_payload(meta)}{signer.sep}{signature}")
    except BadSignature:
        raise _tampered() from None
    return meta


@dataclass
class _Parsed:
    workbook: ParsedWorkbook
    header_line: int


def _text(value: Any) -> str:
    """A cell as trimmed text; Excel stores a number typed into a cell as a float (12.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _is_formula(cell) -> bool:
    return getattr(cell, "data_type", None) == "f"


def _find_header(rows: Iterator[tuple[int, tuple]]) -> tuple[int, tuple]:
    for line, cells in rows:
        if any(CODE.matches(_text(getattr(c, "value", None))) for c in cells):
            return line, cells
        if line >= HEADER_SEARCH_LINES:
            break
    raise WorkbookError(
        _(
            "No header row with the column “%(header)s” was found in the first %(n)d rows of "
            "the %(sheet)s sheet. Restore the header row of the template."
        )
        % {"header": CODE.header, "n": HEADER_SEARCH_LINES, "sheet": VALUES_SHEET}
    )


def _map_header(cells: tuple, meta: Meta) -> dict[str, int]:
    """Columns are found by their header text, wherever they are; unknown columns are ignored."""
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        written = _text(getattr(cell, "value", None))
        if not written:
            continue
        column = next((c for c in ALL_COLUMNS if c.matches(written)), None)
        if column is None:
            continue
        if column.key in positions:
            raise WorkbookError(
                _("The column “%(header)s” appears twice (columns %(a)s and %(b)s).")
                % {
                    "header": column.header,
                    "a": get_column_letter(positions[column.key] + 1),
                    "b": get_column_letter(index + 1),
                }
            )
        positions[column.key] = index
    required = [CODE, VALUE] + ([SUBMISSION] if meta.scope == BULK else [])
    for column in required:
        if column.key not in positions:
            raise WorkbookError(
                _(
                    "The column “%(header)s” is missing or its header was changed. Columns are "
                    "found by their headers: restore it, or download a new template."
                )
                % {"header": column.header}
            )
    return positions


def _read_values(sheet, meta: Meta) -> _Parsed:
    # The dimension a file declares may be wrong (some writers omit it): read what is there.
    sheet.reset_dimensions()
    rows = enumerate(sheet.iter_rows(min_row=1), start=1)
    header_line, header = _find_header(rows)
    positions = _map_header(header, meta)
    parsed = ParsedWorkbook(meta=meta)
    single_id = next(iter(meta.versions)) if meta.scope == SINGLE else None
    first_line: dict[tuple[int, str], int] = {}
    count = 0

    def at(cells: tuple, key: str):
        index = positions.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    parsed.has_reasons = "reason" in positions
    for line, cells in rows:
        code_cell, value_cell, submission_cell = (
            at(cells, "code"),
            at(cells, "value"),
            at(cells, "submission"),
        )
        reason_cell = at(cells, "reason")
        read = [c for c in (code_cell, value_cell, submission_cell) if c is not None]
        if all(_text(getattr(c, "value", None)) == "" for c in read):
            continue
        count += 1
        if count > MAX_DATA_ROWS:
            raise WorkbookError(_too_many_rows())
        code = _text(getattr(code_cell, "value", None))
        submission_text = _text(getattr(submission_cell, "value", None))
        submission_id: int | None = single_id
        if submission_text or meta.scope == BULK:
            # isdecimal() and ASCII: str.isdigit() also takes superscripts, which int() refuses.
            digits = submission_text.isascii() and submission_text.isdecimal()
            submission_id = int(submission_text) if digits else None
        if any(_is_formula(c) for c in [*read, reason_cell] if c is not None):
            parsed.issues.append(
                RowIssue(
                    line,
                    code,
                    _("Formulas are not accepted: enter the value itself."),
                    submission_id,
                )
            )
            continue
        if submission_id is None:
            parsed.issues.append(
                RowIssue(
                    line,
                    code,
                    _("“%(value)s” is not a submission number.") % {"value": submission_text},
                )
            )
            continue
        if not code:
            parsed.issues.append(
                RowIssue(line, "", _("The row has no indicator code."), submission_id)
            )
            continue
        key = (submission_id, code)
        if key in first_line:
            parsed.issues.append(
                RowIssue(
                    line,
                    code,
                    _("Indicator %(code)s appears more than once (also in row %(line)d).")
                    % {"code": code, "line": first_line[key]},
                    submission_id,
                )
            )
            continue
        first_line[key] = line
        value = getattr(value_cell, "value", None)
        number_format = getattr(value_cell, "number_format", None) or ""
        parsed.rows.append(
            SheetRow(
                line=line,
                submission_id=submission_id,
                code=code,
                value=value,
                percent_format="%" in number_format,
                counted=getattr(at(cells, "counted"), "value", None),
                reason=_text(getattr(reason_cell, "value", None)),
            )
        )
    return _Parsed(parsed, header_line)


def _refuse_merged_cells(data: bytes, sheet, header_line: int) -> None:
    """Merged cells in the header or below hide which value belongs to which row: refuse them.

    Read-only sheets do not parse merges, so they are read from the sheet's own XML part.
    """
    merged = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(sheet._worksheet_path) as part:
        for _event, element in iterparse(part):
            if element.tag.endswith("}mergeCell"):
                ref = element.get("ref", "")
                try:
                    _min_col, _min_row, _max_col, max_row = range_boundaries(ref)
                except (TypeError, ValueError):
                    continue
                if max_row is not None and max_row >= header_line:
                    merged.append(ref)
            element.clear()
    if merged:
        shown = ", ".join(merged[:10]) + (" …" if len(merged) > 10 else "")
        raise WorkbookError(
            _(
                "Merged cells are not accepted in the header or the rows of values "
                "(%(ranges)s). Unmerge them and upload the workbook again."
            )
            % {"ranges": shown}
        )


def raw_value(indicator: spec.Indicator, row: SheetRow) -> Any:
    """The Value cell as `validation.clean_value` expects it for this indicator.

    Appraisal votes are written as text (30/20/8/2/0) and become a dict here; a percentage typed
    with a % sign is stored by Excel as a fraction (0.85 shown as 85%) and is scaled back.
    Raises EntryError for appraisal text that is not five numbers.
    """
    value = row.value
    if isinstance(value, str):
        value = value.strip()
        if is_not_applicable(value):
            return NOT_APPLICABLE
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date | datetime.time):
        value = value.isoformat()
    if indicator.value_type == "appraisal" and value not in (None, ""):
        return parse_appraisal(value)
    if (
        indicator.value_type == "percentage"
        and row.percent_format
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return round(value * 100, 9)
    return value


def parse_appraisal(value: Any) -> dict[str, str]:
    """Votes written as "30/20/8/2/0" → the dict `clean_value` checks (voters first)."""
    parts = [p for p in re.split(r"[/／,，;；\s]+", _text(value)) if p]
    if len(parts) != len(APPRAISAL_KEYS):
        raise EntryError(
            _("Enter the votes as voters/excellent/competent/basic/incompetent, e.g. 30/20/8/2/0.")
        )
    return dict(zip(APPRAISAL_KEYS, parts, strict=True))
