"""The export of a period's results for the personnel department (CSV or XLSX), scoped and
audited.

Like the audit trail's export (decision 65), the file is made inside the request and kept
bounded rather than handed to a worker: the CSV is streamed (first bytes at once, constant
memory, rows read in chunks), and the workbook, built whole before the first byte, is refused
beyond `XLSX_MAX_ROWS` rows with the advice to narrow to an organization or take the CSV. One
period's results are one row per unit, branch, member or step, so a committee's export stays
far below the cap; only a whole group's member grades could reach it.
"""

import csv
import tempfile
from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from core import xlsx
from core.cells import neutralise_row, xlsx_cell
from organizations.choices import Action
from organizations.models import Organization

from ..forms.appraisals import ExportForm
from ..selectors import exports as selectors
from ..services.exports import record_export

XLSX_MAX_ROWS = 20_000
WIDTHS = {"A": 14, "B": 12, "C": 12, "D": 24, "E": 20, "F": 14, "G": 16, "H": 8, "I": 30}


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[list]) -> Iterator[str]:
    """CSV text line by line, with a BOM so Excel reads UTF-8; every cell made inert."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(neutralise_row(selectors.headers()))
    for row in rows:
        yield writer.writerow(neutralise_row(row))


def _workbook(rows: Iterable[list]):
    """A spooled temporary file holding the workbook, rewound; the response closes it."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=_("Results"))
    for letter, width in WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.append([xlsx_cell(sheet, h) for h in selectors.headers()])
    out = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    xlsx.save(book, out, [xlsx.Rows(sheet, rows)])  # the rows typed as `xlsx_cell` types them
    out.seek(0)
    return out


def _page(request, form, *, alert="", status=200) -> HttpResponse:
    context = {"form": form, "alert": alert, "limit": XLSX_MAX_ROWS}
    return render(request, "standards/export.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def results_export(request: HttpRequest) -> HttpResponse:
    """GET: choose the period, the parts and the format; POST: the file."""
    periods = selectors.export_periods()
    if request.method == "GET":
        initial = {"period": periods[0].pk if periods else None}
        return _page(request, ExportForm(initial=initial, periods=periods))
    form = ExportForm(request.POST, periods=periods)
    if not form.is_valid():
        return _page(request, form, alert=_("Please correct the errors below."), status=400)
    data = form.cleaned_data
    organization = None
    if data.get("organization"):
        organization = (
            Organization.objects.restrict(request.user, Action.VIEW)
            .filter(pk=data["organization"])
            .first()
        )
        if organization is None:
            alert = _("No organization of that id in your scope.")
            return _page(request, form, alert=alert, status=400)
    period, parts, file_format = data["period"], data["parts"], data["format"]
    counts = selectors.count_rows(request.user, period, parts, organization)
    if file_format == "xlsx" and sum(counts.values()) > XLSX_MAX_ROWS:
        alert = _(
            "More than %(limit)s rows: narrow the export to an organization or take the CSV, "
            "which has no limit."
        ) % {"limit": f"{XLSX_MAX_ROWS:,}"}
        return _page(request, form, alert=alert, status=400)
    record_export(
        period,
        parts=parts,
        counts=counts,
        file_format=file_format,
        organization=organization,
        acting_user=request.user,
    )
    rows = selectors.export_rows(request.user, period, parts, organization)
    name = f"results-{period.start.year}-{timezone.localtime():%Y%m%d-%H%M%S}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(_csv_lines(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
    else:
        response = FileResponse(
            _workbook(rows),
            as_attachment=True,
            filename=name,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    patch_cache_control(response, private=True, no_store=True)
    return response
