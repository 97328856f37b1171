"""Sorting, page size and export for the list pages, one helper for every app's lists.

A list page declares its columns once (`Column`: the query-string key, the heading, the fields
it orders by, the value a file shows) and builds a `Listing` from the request. The listing reads
`?sort=` (a declared key, `-` for descending; anything else is the default order), `?per_page=`
(one of `PAGE_SIZES`) and `?export=csv|xlsx`. The export is of exactly what the page lists: the
view hands it the same scoped, filtered queryset it pages through, in the same order, all pages
of it; so another organization's rows can never be in the file when they are not on the page.

Like the personnel export (standards/views/exports.py), the CSV is streamed in constant memory
and the workbook, built whole before its first byte, is refused beyond `XLSX_MAX_ROWS` rows with
the advice to filter or take the CSV; every export is written to the audit trail first.
"""

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from openpyxl import Workbook

from core import xlsx
from core.cells import neutralise_row, xlsx_cell

__all__ = ["PAGE_SIZES", "XLSX_MAX_ROWS", "Column", "Listing"]

PAGE_SIZES = (25, 50, 100, 200)
XLSX_MAX_ROWS = 20_000
EXPORT_KIND = "list.exported"
# Sent inside the export's transaction with request, title, file_format, rows and filters.
list_exported = Signal()
EXPORT_FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CHUNK = 2_000


@dataclass(frozen=True)
class Column:
    """One column of a list: `order` empty means it cannot be sorted by."""

    key: str
    label: Any
    order: tuple[str, ...] = ()
    value: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Heading:
    """A column's heading as the template draws it: a link that sorts, and the current state."""

    label: Any
    url: str
    sortable: bool
    active: bool
    descending: bool


class Listing:
    """The sort, page size and export a request asks of one list page."""

    def __init__(
        self,
        request: HttpRequest,
        columns: Sequence[Column],
        *,
        default_sort: str,
        default_size: int = 50,
    ) -> None:
        self.request = request
        self.columns = {column.key: column for column in columns}
        asked = request.GET.get("sort", "")
        key = asked.removeprefix("-")
        column = self.columns.get(key)
        if column is None or not column.order:
            asked = default_sort
            key = asked.removeprefix("-")
        self.sort_key = key
        self.descending = asked.startswith("-")
        self.sort = asked
        size = request.GET.get("per_page", "")
        self.page_size = int(size) if size in {str(n) for n in PAGE_SIZES} else default_size
        export = request.GET.get("export", "")
        self.export_format = export if export in EXPORT_FORMATS else None

    def order(self, queryset: QuerySet) -> QuerySet:
        """The queryset in the asked order, the primary key last so pages never overlap."""
        fields = self.columns[self.sort_key].order
        if self.descending:
            fields = tuple(f[1:] if f.startswith("-") else f"-{f}" for f in fields)
        return queryset.order_by(*fields, "-pk" if self.descending else "pk")

    def _url(self, **changes: str | None) -> str:
        query = self.request.GET.copy()
        for name, value in changes.items():
            query.pop(name, None)
            if value is not None:
                query[name] = value
        query.pop("page", None)
        encoded = query.urlencode()
        return f"?{encoded}" if encoded else "?"

    @property
    def headings(self) -> dict[str, Heading]:
        """Each column's heading; clicking the sorted one turns its direction round."""
        shown = {}
        for key, column in self.columns.items():
            active = key == self.sort_key
            target = f"-{key}" if active and not self.descending else key
            shown[key] = Heading(
                label=column.label,
                url=self._url(sort=target, export=None),
                sortable=bool(column.order),
                active=active,
                descending=active and self.descending,
            )
        return shown

    @property
    def sizes(self) -> list[tuple[int, str, bool]]:
        return [
            (size, self._url(per_page=str(size), export=None), size == self.page_size)
            for size in PAGE_SIZES
        ]

    @property
    def export_urls(self) -> dict[str, str]:
        return {fmt: self._url(export=fmt) for fmt in EXPORT_FORMATS}

    @property
    def page_query(self) -> str:
        """The query string for the pager's links, without `page` (they add their own)."""
        return self._url(export=None)[1:]

    def sort_items(self, items: Iterable[Any]) -> list[Any]:
        """Rows a page worked out in memory (a table of counts) in the asked order: the sorted
        column's `order` names their attributes (``a__b`` follows one to the next), rows without
        the value last either way; ties keep the order they came in."""
        result = list(items)
        for field in reversed(self.columns[self.sort_key].order):
            name = field.lstrip("-")
            descending = field.startswith("-") != self.descending
            known = [item for item in result if _attribute(item, name) is not None]
            known.sort(key=lambda item: _attribute(item, name), reverse=descending)
            result = known + [item for item in result if _attribute(item, name) is None]
        return result

    def export(
        self, rows: QuerySet | Iterable[Any], *, name: str, title: str, count: int | None = None
    ) -> HttpResponse:
        """The rows (already scoped, filtered and ordered) as the asked file, each column's
        `value` of each. A queryset is read in chunks and counted; other rows (a generator a
        page builds) come with their `count`."""
        columns = [c for c in self.columns.values() if c.value is not None]
        if isinstance(rows, QuerySet):
            count = rows.count()
            rows = rows.iterator(chunk_size=_CHUNK)
        elif count is None:
            raise TypeError("rows that are not a queryset need their count")
        return self.export_rows(
            [str(c.label) for c in columns],
            ([c.value(obj) for c in columns] for obj in rows),
            count=count,
            name=name,
            title=title,
        )

    def export_rows(
        self, headers: list[str], rows: Iterable[list], *, count: int, name: str, title: str
    ) -> HttpResponse:
        """Rows a page built itself (a pivot table, say) as the asked file, `count` of them."""
        file_format = self.export_format or "csv"
        if file_format == "xlsx" and count > XLSX_MAX_ROWS:
            return HttpResponse(
                _(
                    "More than %(limit)s rows: narrow the list with its filters or export it as "
                    "CSV, which has no limit."
                )
                % {"limit": f"{XLSX_MAX_ROWS:,}"},
                status=400,
                content_type="text/plain; charset=utf-8",
            )
        self._record(title, file_format, count)
        filename = f"{name}-{timezone.localtime():%Y%m%d-%H%M%S}.{file_format}"
        if file_format == "csv":
            response: HttpResponse = StreamingHttpResponse(
                _csv_lines(headers, rows), content_type="text/csv; charset=utf-8"
            )
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        else:
            response = FileResponse(
                _workbook(title, headers, rows),
                as_attachment=True,
                filename=filename,
                content_type=XLSX_TYPE,
            )
        patch_cache_control(response, private=True, no_store=True)
        return response

    def _record(self, title: str, file_format: str | None, count: int) -> None:
        # The audit trail listens (audit/receivers.py): core knows no app above it. The entry
        # commits before the first byte leaves, so no export goes unrecorded.
        query = {k: v for k, v in self.request.GET.items() if k not in {"export", "page"}}
        with transaction.atomic():
            list_exported.send(
                sender=Listing,
                request=self.request,
                title=str(title),
                file_format=file_format,
                rows=count,
                filters=query,
            )


def _attribute(item: Any, name: str) -> Any:
    for part in name.split("__"):
        if item is None:
            return None
        item = getattr(item, part)
    return item


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(headers: list[str], rows: Iterable[list]) -> Iterator[str]:
    """CSV text line by line, with a BOM so Excel reads UTF-8; every cell made inert."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(neutralise_row(headers))
    for row in rows:
        yield writer.writerow(neutralise_row(row))


def _workbook(title: str, headers: list[str], rows: Iterable[list]):
    """A spooled temporary file holding the workbook, rewound; the response closes it."""
    book = Workbook(write_only=True)
    # A sheet's title holds at most 31 characters and none of []:*?/\.
    sheet = book.create_sheet(title="".join(c for c in str(title) if c not in "[]:*?/\\")[:31])
    sheet.append([xlsx_cell(sheet, h) for h in headers])
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    xlsx.save(book, out, [xlsx.Rows(sheet, rows)])  # the rows typed as `xlsx_cell` types them
    out.seek(0)
    return out
