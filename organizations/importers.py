"""Reading and checking import files of organizations and people, and planning their changes.

`read_sheet` turns the bytes of a CSV (UTF-8 or GB18030, as Chinese Excel writes it) or XLSX file
into rows; `build_plan` maps the header (English names or Chinese aliases), checks every row
against the database as the importing user may see it, and returns an `ImportPlan`: per row what
would be created, updated or left unchanged, and the errors with their line numbers (the header
is line 1). Nothing here writes; `services.imports` applies a plan in one transaction.

The database is read a bounded number of times per file (existing codes are prefetched into
dicts, in chunks), never once per row.
"""

import codecs
import csv
import datetime
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from core.workbooks import WorkbookRefused, open_workbook

from .choices import Action, PersonKind, PersonStatus
from .models import Department, ImportBatch, Organization, OrganizationKind, Person
from .scope import scope_prefixes

ORGANIZATIONS = ImportBatch.Kind.ORGANIZATIONS
PEOPLE = ImportBatch.Kind.PEOPLE

CREATE = "create"
UPDATE = "update"
UNCHANGED = "unchanged"

MAX_ROWS = 100_000
# Lookups by code go to the database in chunks, well under every backend's parameter limit.
CHUNK = 500


class ImportFileError(Exception):
    """The file as a whole cannot be read (size, encoding, format, header)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Issue:
    """An error, with the line it was found on (None for the file as a whole)."""

    line: int | None
    message: str

    def __str__(self) -> str:
        if self.line is None:
            return self.message
        return _("Line %(line)s: %(message)s") % {"line": self.line, "message": self.message}


def read_sheet(data: bytes, filename: str) -> list[list[Any]]:
    """All rows of the file, header first; row i is line i + 1. Raises ImportFileError."""
    limit = settings.UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise ImportFileError(
            _("The file is %(size)s; the largest accepted is %(limit)s.")
            % {"size": filesizeformat(len(data)), "limit": filesizeformat(limit)}
        )
    if not data.strip():
        raise ImportFileError(_("The file is empty."))
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension == "csv":
        rows = _read_csv(data)
    elif extension == "xlsx":
        rows = _read_xlsx(data)
    else:
        raise ImportFileError(
            _("Unsupported file “%(name)s”: upload a .csv or .xlsx file.") % {"name": filename}
        )
    while rows and _is_blank(rows[-1]):
        rows.pop()
    if not rows:
        raise ImportFileError(_("The file is empty."))
    if len(rows) > MAX_ROWS + 1:
        raise ImportFileError(_("The file has more than %(max)s rows.") % {"max": MAX_ROWS})
    return rows


def _read_csv(data: bytes) -> list[list[Any]]:
    if data.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            _("This is an Excel workbook, not a CSV file: upload it with the .xlsx extension.")
        )
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode text" export: UTF-16, tab-separated.
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise ImportFileError(_unreadable_text()) from exc
    if b"\x00" in data:
        raise ImportFileError(
            _(
                "The file contains binary data, not CSV text. Save it from Excel as "
                "“CSV (comma delimited)” or upload the .xlsx workbook."
            )
        )
    text = _decode(data)
    delimiter = _sniff_delimiter(text.partition("\n")[0])
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise ImportFileError(
            _("The file could not be read as CSV: %(error)s") % {"error": exc}
        ) from exc


def _unreadable_text() -> str:
    return _("The file could not be read as text (tried UTF-8 and GB18030/GBK encodings).")


def _decode(data: bytes) -> str:
    # Chinese Excel saves "CSV" in the ANSI code page (GBK); GB18030 is its superset.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not re.search(r"[\x01-\x08\x0b\x0c\x0e-\x1f]", text):
            return text
    raise ImportFileError(_unreadable_text())


def _sniff_delimiter(header_line: str) -> str:
    counts = {sep: header_line.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=counts.__getitem__)
    return best if counts[best] else ","


def _read_xlsx(data: bytes) -> list[list[Any]]:
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            _("This is an old-style .xls workbook: save it in Excel as .xlsx and upload that.")
        )
    try:
        workbook = open_workbook(data, data_only=True)
        try:
            rows: list[list[Any]] = []
            for values in workbook.worksheets[0].iter_rows(values_only=True):
                rows.append(list(values))
                if len(rows) > MAX_ROWS + 1:
                    break
            return rows
        finally:
            workbook.close()
    except WorkbookRefused as exc:
        raise ImportFileError(exc.message) from exc
    # A malformed workbook fails deep inside openpyxl with zip, XML, key or index errors, while
    # the sheet is streamed; whichever it is, the user's answer is the same.
    except Exception as exc:
        raise ImportFileError(_("The file is not a valid XLSX workbook.")) from exc


def _is_blank(row: Iterable[Any]) -> bool:
    return all(_text(value) == "" for value in row)


def _text(value: Any) -> str:
    """A cell as trimmed text; Excel stores numbers typed into a cell as floats (1001.0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value).strip()


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...]
    required: bool = True


ORGANIZATION_COLUMNS = (
    Column("code", ("编码", "组织编码")),
    Column("name", ("名称", "组织名称")),
    Column("name_en", ("英文名称",), required=False),
    Column("kind", ("类型", "组织类型")),
    Column("parent_code", ("上级编码", "上级组织编码")),
)
PEOPLE_COLUMNS = (
    Column("employee_number", ("工号", "员工编号")),
    Column("name", ("姓名",)),
    Column("organization_code", ("组织编码", "所在组织编码")),
    Column("department_code", ("部门编码",), required=False),
    Column("kind", ("类别", "人员类别")),
    Column("party_member_since", ("入党日期",), required=False),
    Column("status", ("状态",), required=False),
)
COLUMNS = {ORGANIZATIONS: ORGANIZATION_COLUMNS, PEOPLE: PEOPLE_COLUMNS}


@dataclass
class Row:
    line: int
    cells: dict[str, Any]

    def text(self, name: str) -> str:
        return _text(self.cells.get(name))


@dataclass
class Table:
    headers: dict[str, str]  # column name -> the header as written in the file
    rows: list[Row]

    def has(self, name: str) -> bool:
        return name in self.headers


def _normalize_header(value: Any) -> str:
    return re.sub(r"[\s\-]+", "_", _text(value).lstrip("\ufeff").strip().lower())


def parse_table(raw: list[list[Any]], columns: tuple[Column, ...]) -> tuple[Table, list[Issue]]:
    """Map the header to column names and the data rows to dicts; header problems are line 1."""
    lookup = {}
    for column in columns:
        for alias in (column.name, *column.aliases):
            lookup[_normalize_header(alias)] = column.name
    expected = ", ".join(f"{c.name} ({c.aliases[0]})" for c in columns)
    issues: list[Issue] = []
    positions: dict[int, str] = {}
    headers: dict[str, str] = {}
    unnamed: list[int] = []
    for index, cell in enumerate(raw[0]):
        written = _text(cell).lstrip("\ufeff")
        if not written:
            unnamed.append(index)
            continue
        name = lookup.get(_normalize_header(cell))
        if name is None:
            issues.append(
                Issue(
                    1,
                    _("Unknown column “%(column)s”. Expected columns: %(expected)s.")
                    % {"column": written, "expected": expected},
                )
            )
        elif name in headers:
            issues.append(
                Issue(1, _("Column “%(column)s” appears more than once.") % {"column": written})
            )
        else:
            positions[index] = name
            headers[name] = written
    for column in columns:
        if column.required and column.name not in headers:
            issues.append(
                Issue(
                    1,
                    _("Missing column “%(column)s” (or “%(alias)s”).")
                    % {"column": column.name, "alias": column.aliases[0]},
                )
            )
    rows = []
    for offset, values in enumerate(raw[1:], start=2):
        if _is_blank(values):
            continue
        cells = {positions[i]: v for i, v in enumerate(values) if i in positions}
        row = Row(offset, cells)
        if any(_text(v) for v in values[len(raw[0]) :]) or any(
            _text(values[i]) for i in unnamed if i < len(values)
        ):
            issues.append(Issue(offset, _("A value stands in a column without a header.")))
        rows.append(row)
    if not rows and not issues:
        issues.append(Issue(1, _("The file has a header but no data rows.")))
    return Table(headers, rows), issues


@dataclass
class PlannedRow:
    """What one data row of the file would do."""

    line: int
    key: str
    name: str
    change: str | None = None
    changed_fields: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class OrganizationItem:
    code: str
    name: str
    name_en: str
    kind_id: int
    parent_code: str
    existing_id: int | None
    changed_fields: list[str]
    depth: int = 0  # in the tree after the import; parents are created and moved first


@dataclass
class PersonItem:
    employee_number: str
    name: str
    organization_id: int
    department_id: int | None
    kind: str
    party_member_since: datetime.date | None
    status: str
    existing_id: int | None
    changed_fields: list[str]


@dataclass
class ImportPlan:
    kind: str
    rows: list[PlannedRow] = field(default_factory=list)
    file_errors: list[Issue] = field(default_factory=list)
    items: list[Any] = field(default_factory=list)
    # Existing organizations referred to by the plan: code -> id (for creating children).
    organization_ids: dict[str, int] = field(default_factory=dict)

    @property
    def errors(self) -> list[Issue]:
        row_issues = [Issue(row.line, message) for row in self.rows for message in row.errors]
        return sorted(
            [*self.file_errors, *row_issues], key=lambda issue: (issue.line or 0, issue.message)
        )

    @property
    def ok(self) -> bool:
        return not self.file_errors and not any(row.errors for row in self.rows)

    @property
    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0, "error": 0}
        for row in self.rows:
            if row.errors:
                counts["error"] += 1
            elif row.change:
                counts[row.change] += 1
        return counts


def build_plan(kind: str, data: bytes, filename: str, *, user=None) -> ImportPlan:
    """Read, check and plan a file. `user=None` is the operator (command line): no scope."""
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
    if kind == ORGANIZATIONS:
        _plan_organizations(plan, table, user)
    else:
        _plan_people(plan, table, user)
    return plan


def _manageable(queryset: QuerySet, user) -> QuerySet:
    return queryset if user is None else queryset.restrict(user, Action.MANAGE)


def _chunks(values: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _existing_elsewhere(model, lookup: str, values: Iterable[str]) -> set[str]:
    """Which of these unique keys exist at all, outside what the user may see.

    Codes and employee numbers are unique over the whole tree, so one used outside the user's
    scope must be refused; the caller reports it as unknown and shows nothing of the row.
    """
    found: set[str] = set()
    for chunk in _chunks(sorted(set(values))):
        found.update(
            model.objects.filter(**{f"{lookup}__in": chunk}).values_list(lookup, flat=True)
        )
    return found


def _required(row: Row, table: Table, name: str, planned: PlannedRow, max_length: int) -> str:
    value = row.text(name)
    if not value:
        planned.errors.append(_("“%(column)s” is required.") % {"column": table.headers[name]})
    elif len(value) > max_length:
        planned.errors.append(
            _("“%(column)s” is longer than %(max)s characters.")
            % {"column": table.headers[name], "max": max_length}
        )
    return value


def _first_seen(
    rows: list[PlannedRow], message: Callable[[str, int], str]
) -> dict[str, PlannedRow]:
    """The first row of each key; later rows with the same key get an error."""
    first: dict[str, PlannedRow] = {}
    for planned in rows:
        if not planned.key:
            continue
        if planned.key in first:
            planned.errors.append(message(planned.key, first[planned.key].line))
        else:
            first[planned.key] = planned
    return first


@dataclass
class _ExistingOrg:
    id: int
    name: str
    name_en: str
    kind_id: int
    parent_code: str


def _kind_lookup() -> tuple[dict[str, int], str]:
    lookup: dict[str, int] = {}
    kinds = list(OrganizationKind.objects.all())
    for kind in kinds:
        for key in (kind.code, kind.name, kind.name_en):
            if key:
                lookup.setdefault(key.strip().lower(), kind.pk)
    choices = ", ".join(f"{kind.code} ({kind.name})" for kind in kinds)
    return lookup, choices


def _plan_organizations(plan: ImportPlan, table: Table, user) -> None:
    existing = {
        row["code"]: _ExistingOrg(
            row["id"], row["name"], row["name_en"], row["kind_id"], row["parent__code"] or ""
        )
        for row in _manageable(Organization.objects.all(), user).values(
            "id", "code", "name", "name_en", "kind_id", "parent__code"
        )
    }
    kinds, kind_choices = _kind_lookup()
    # A new root lies outside every subtree grant, so only unrestricted users may make one.
    may_create_roots = user is None or scope_prefixes(user, Action.MANAGE) is None

    parsed: list[tuple[PlannedRow, Row]] = []
    for row in table.rows:
        planned = PlannedRow(row.line, row.text("code"), row.text("name"))
        _required(row, table, "code", planned, 40)
        _required(row, table, "name", planned, 200)
        if len(row.text("name_en")) > 200:
            planned.errors.append(
                _("“%(column)s” is longer than %(max)s characters.")
                % {"column": table.headers["name_en"], "max": 200}
            )
        kind_text = _required(row, table, "kind", planned, 200)
        if kind_text and kind_text.lower() not in kinds:
            planned.errors.append(
                _("Unknown organization kind “%(value)s”. Use one of: %(choices)s.")
                % {"value": kind_text, "choices": kind_choices}
            )
        parsed.append((planned, row))
        plan.rows.append(planned)

    first = _first_seen(
        plan.rows,
        lambda code, line: (
            _("Code “%(code)s” appears more than once in the file (first on line %(line)s).")
            % {"code": code, "line": line}
        ),
    )
    taken = _existing_elsewhere(Organization, "code", (c for c in first if c not in existing))
    final_parent: dict[str, str] = {code: org.parent_code for code, org in existing.items()}
    from_file: set[str] = set()
    for planned, row in parsed:
        code, parent_code = planned.key, row.text("parent_code")
        if not code or first.get(code) is not planned:
            continue
        current = existing.get(code)
        if code in taken:
            planned.errors.append(
                _("Unknown organization code “%(code)s”: it cannot be created or changed here.")
                % {"code": code}
            )
            continue
        if parent_code and current is not None and parent_code == current.parent_code:
            pass  # an unchanged parent is fine even where the user's scope starts below it
        elif parent_code and parent_code not in first and parent_code not in existing:
            planned.errors.append(_("Unknown parent code “%(code)s”.") % {"code": parent_code})
            continue
        elif not parent_code and not may_create_roots and (current is None or current.parent_code):
            planned.errors.append(
                _("A top-level organization would be outside your scope: give a parent code.")
            )
            continue
        final_parent[code] = parent_code
        from_file.add(code)

    _report_cycles(plan, first, final_parent, from_file, existing)
    # With errors the items are never applied, but the preview still shows what the valid rows do.
    acyclic = plan.ok

    def depth(code: str) -> int:
        # Depth in the final tree: creating and moving in this order puts parents first.
        found, parent = 0, final_parent.get(code, "")
        while parent in final_parent:
            found, parent = found + 1, final_parent[parent]
        return found

    for planned, row in parsed:
        if planned.errors:
            continue
        code = planned.key
        current = existing.get(code)
        item = OrganizationItem(
            code=code,
            name=row.text("name"),
            name_en=row.text("name_en") if table.has("name_en") else "",
            kind_id=kinds[row.text("kind").lower()],
            parent_code=row.text("parent_code"),
            existing_id=current.id if current else None,
            changed_fields=[],
            depth=depth(code) if acyclic else 0,
        )
        if current is None:
            planned.change = CREATE
        else:
            if not table.has("name_en"):
                item.name_en = current.name_en
            item.changed_fields = [
                name
                for name, old, new in (
                    ("name", current.name, item.name),
                    ("name_en", current.name_en, item.name_en),
                    ("kind", current.kind_id, item.kind_id),
                    ("parent", current.parent_code, item.parent_code),
                )
                if old != new
            ]
            planned.change = UPDATE if item.changed_fields else UNCHANGED
            planned.changed_fields = item.changed_fields
        plan.items.append(item)
    plan.organization_ids = {code: org.id for code, org in existing.items()}


def _report_cycles(
    plan: ImportPlan,
    first: dict[str, PlannedRow],
    final_parent: dict[str, str],
    from_file: set[str],
    existing: dict[str, _ExistingOrg],
) -> None:
    """Name the codes of every cycle the final parent links would form, once per cycle."""
    done: set[str] = set()
    for start in from_file:
        path: list[str] = []
        on_path: set[str] = set()
        code = start
        while code and code not in done and code not in on_path:
            path.append(code)
            on_path.add(code)
            code = final_parent.get(code, "")
        done.update(path)
        if not code or code not in on_path:
            continue
        cycle = path[path.index(code) :]
        # Blame the row that changes a parent; an unchanged row is not what made the cycle.
        moved = [c for c in cycle if c in from_file and c not in existing] or [
            c for c in cycle if c in from_file and existing[c].parent_code != final_parent[c]
        ]
        head = min(moved, key=lambda c: first[c].line)
        turn = cycle.index(head)
        cycle = cycle[turn:] + cycle[:turn]
        shown = " → ".join([*cycle, head])
        if all(c in from_file for c in cycle) and not all(c in existing for c in cycle):
            message = _("Parent references form a cycle: %(cycle)s.") % {"cycle": shown}
        else:
            message = _(
                "%(code)s cannot move under %(parent)s: that is inside its own subtree "
                "(cycle: %(cycle)s)."
            ) % {"code": head, "parent": final_parent[head], "cycle": shown}
        first[head].errors.append(message)


KIND_ALIASES = {
    PersonKind.MEMBER: ("正式党员", "党员", "full member"),
    PersonKind.PROBATIONARY: ("预备党员", "probationary member"),
    PersonKind.STAFF: ("群众", "职工", "员工", "非党员"),
}
STATUS_ALIASES = {
    PersonStatus.ACTIVE: ("在职", "在册", "正常"),
    PersonStatus.TRANSFERRED: ("转出", "调出", "transferred out"),
    PersonStatus.RETIRED: ("退休",),
    PersonStatus.INACTIVE: ("停用", "离职"),
}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _choice_lookup(aliases: dict) -> tuple[dict[str, str], str]:
    lookup = {}
    for value, words in aliases.items():
        for word in (value.value, str(value.label), *words):
            lookup[word.strip().lower()] = value.value
    choices = ", ".join(f"{value.value} ({words[0]})" for value, words in aliases.items())
    return lookup, choices


def parse_date(value: Any) -> datetime.date | None:
    """A cell as a date: an Excel date, or text such as 2019-07-01 or 2019年7月1日."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = _text(value)
    if not text:
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


@dataclass
class _ExistingPerson:
    id: int
    name: str
    organization_id: int
    department_id: int | None
    kind: str
    party_member_since: datetime.date | None
    status: str


def _plan_people(plan: ImportPlan, table: Table, user) -> None:
    kinds, kind_choices = _choice_lookup(KIND_ALIASES)
    statuses, status_choices = _choice_lookup(STATUS_ALIASES)
    organizations = dict(_manageable(Organization.objects.all(), user).values_list("code", "id"))
    today = timezone.localdate()

    parsed: list[tuple[PlannedRow, Row, dict[str, Any]]] = []
    for row in table.rows:
        planned = PlannedRow(row.line, row.text("employee_number"), row.text("name"))
        _required(row, table, "employee_number", planned, 40)
        _required(row, table, "name", planned, 100)
        org_code = _required(row, table, "organization_code", planned, 40)
        values: dict[str, Any] = {"organization_id": organizations.get(org_code)}
        if org_code and values["organization_id"] is None:
            planned.errors.append(_("Unknown organization code “%(code)s”.") % {"code": org_code})
        kind_text = _required(row, table, "kind", planned, 40)
        values["kind"] = kinds.get(kind_text.lower())
        if kind_text and values["kind"] is None:
            planned.errors.append(
                _("Unknown kind “%(value)s”. Use one of: %(choices)s.")
                % {"value": kind_text, "choices": kind_choices}
            )
        status_text = row.text("status")
        values["status"] = statuses.get(status_text.lower()) if status_text else "active"
        if values["status"] is None:
            planned.errors.append(
                _("Unknown status “%(value)s”. Use one of: %(choices)s.")
                % {"value": status_text, "choices": status_choices}
            )
        try:
            since = parse_date(row.cells.get("party_member_since"))
        except ValueError:
            since = None
            planned.errors.append(
                _("Invalid date “%(value)s” in “%(column)s”: write it as YYYY-MM-DD.")
                % {
                    "value": row.text("party_member_since"),
                    "column": table.headers["party_member_since"],
                }
            )
        if since and since > today:
            planned.errors.append(
                _("The date %(value)s in “%(column)s” is in the future.")
                % {"value": since.isoformat(), "column": table.headers["party_member_since"]}
            )
        if since and values["kind"] == PersonKind.STAFF:
            planned.errors.append(_("Staff who are not party members have no date of joining."))
        values["party_member_since"] = since
        values["department_code"] = row.text("department_code")
        parsed.append((planned, row, values))
        plan.rows.append(planned)

    first = _first_seen(
        plan.rows,
        lambda number, line: (
            _(
                "Employee number “%(number)s” appears more than once in the file (first on line "
                "%(line)s)."
            )
            % {"number": number, "line": line}
        ),
    )
    people = _existing_people(list(first), user)
    taken = _existing_elsewhere(Person, "employee_number", (n for n in first if n not in people))
    departments = _departments(
        {
            v["organization_id"]
            for _p, _r, v in parsed
            if v["organization_id"] and v["department_code"]
        }
    )
    for planned, row, values in parsed:
        number = planned.key
        if number in taken and first.get(number) is planned:
            planned.errors.append(
                _("Unknown employee number “%(number)s”: it cannot be created or changed here.")
                % {"number": number}
            )
        department_code = values.pop("department_code")
        values["department_id"] = None
        if department_code and values["organization_id"]:
            values["department_id"] = departments.get((values["organization_id"], department_code))
            if values["department_id"] is None:
                planned.errors.append(
                    _("Unknown department code “%(department)s” in organization “%(code)s”.")
                    % {"department": department_code, "code": row.text("organization_code")}
                )
    for planned, _row, values in parsed:
        if planned.errors:
            continue
        current = people.get(planned.key)
        if current is not None:
            values = _keep_absent_columns(values, current, table)
        item = PersonItem(
            employee_number=planned.key,
            name=planned.name,
            existing_id=current.id if current else None,
            changed_fields=[],
            **values,
        )
        if current is None:
            planned.change = CREATE
        else:
            item.changed_fields = [
                name
                for name in (
                    "name",
                    "organization_id",
                    "department_id",
                    "kind",
                    "party_member_since",
                    "status",
                )
                if getattr(current, name) != getattr(item, name)
            ]
            planned.change = UPDATE if item.changed_fields else UNCHANGED
            planned.changed_fields = [name.removesuffix("_id") for name in item.changed_fields]
        plan.items.append(item)


def _keep_absent_columns(values: dict[str, Any], current: _ExistingPerson, table: Table) -> dict:
    """An optional column left out of the file leaves that field as it is, where still valid."""
    values = dict(values)
    if not table.has("department_code") and values["organization_id"] == current.organization_id:
        values["department_id"] = current.department_id
    if not table.has("party_member_since") and values["kind"] != PersonKind.STAFF:
        values["party_member_since"] = current.party_member_since
    if not table.has("status"):
        values["status"] = current.status
    return values


def _existing_people(numbers: list[str], user) -> dict[str, _ExistingPerson]:
    people = {}
    scoped = _manageable(Person.objects.all(), user)
    for chunk in _chunks(numbers):
        for row in scoped.filter(employee_number__in=chunk).values(
            "id",
            "employee_number",
            "name",
            "organization_id",
            "department_id",
            "kind",
            "party_member_since",
            "status",
        ):
            number = row.pop("employee_number")
            people[number] = _ExistingPerson(**row)
    return people


def _departments(organization_ids: set[int]) -> dict[tuple[int, str], int]:
    # The organizations were already restricted to the user's scope, so are their departments.
    found = {}
    for chunk in _chunks(sorted(organization_ids)):
        for org_id, code, pk in Department.objects.filter(organization_id__in=chunk).values_list(
            "organization_id", "code", "id"
        ):
            found[org_id, code] = pk
    return found
