"""Pages of the audit trail: search, one entry, the exports and the chain's badge.

Auditors and administrators only: to anyone else the audit trail does not exist (404), as for an
object outside one's scope. Everything starts from `selectors.entries(user)`, the entries of the
subtrees the user audits. The list sorts by the columns an index serves (`COLUMNS`), newest
first by default, and the exports follow the sort and filters of the list they are taken from.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_POST

from audit import tasks
from audit.models import AuditEntry, AuditKind
from audit.services import latest_verification
from core.filters import MAX_INT64, read_id
from core.lists import Column, Listing

from . import exports, selectors
from .filters import AuditEntryFilterSet
from .rendering import render_entries, render_entry

PER_PAGE = 50
# The columns the list sorts by are those an index reads in order, ties broken by the id (audit
# migration 0004): over millions of entries nothing is sorted whole. The time is set under the
# chain's lock (audit.services), so the id's order is the time's and the primary key serves it.
# The address, the organization (its tree position lives in another table) and the summary are
# not sortable.
COLUMNS = (
    Column("id", "#"),
    Column("time", gettext_lazy("Time"), ("id",)),
    Column("kind", gettext_lazy("Kind"), ("kind",)),
    Column("user", gettext_lazy("User"), ("actor_name",)),
    Column("address", gettext_lazy("Address")),
    Column("organization", gettext_lazy("Organization")),
    Column("target", pgettext_lazy("audited object", "Target"), ("target",)),
    Column("summary", gettext_lazy("Summary and changes")),
)
DEFAULT_SORT = "-time"
VERIFY_LOCK = tasks.VERIFY_LOCK
VERIFY_LOCK_SECONDS = 3600

View = Callable[..., HttpResponse]


def auditor_required(view: View) -> View:
    """Sign-in required; then anyone who audits nothing gets a 404."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not selectors.may_audit(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper


def _filtered(request: HttpRequest) -> AuditEntryFilterSet:
    return AuditEntryFilterSet(
        request.GET, queryset=selectors.entries(request.user), request=request
    )


def _listing(request: HttpRequest) -> Listing:
    return Listing(request, COLUMNS, default_sort=DEFAULT_SORT, default_size=PER_PAGE)


def _exported(request: HttpRequest, filterset: AuditEntryFilterSet) -> QuerySet[AuditEntry]:
    """The entries of an export: in the order of a sort the list was given, else the chain's
    (oldest first), as the exports always were."""
    listing = _listing(request)
    if request.GET.get("sort") == listing.sort:
        return listing.order(filterset.qs)
    return filterset.qs.order_by("id")


@auditor_required
@require_GET
def entry_list(request: HttpRequest) -> HttpResponse:
    """The entries in the user's scope, newest first or by a column asked, filtered, paged."""
    filterset = _filtered(request)
    listing = _listing(request)
    size = listing.page_size
    # The window's offset must stay within a 64-bit integer: later pages are empty anyway.
    number = read_id(request.GET.get("page"), max_value=MAX_INT64 // size - 1) or 1
    # No COUNT(*): over millions of entries it would cost more than the page itself.
    start = (number - 1) * size
    entries = listing.order(filterset.qs)
    window = list(entries[start : start + size + 1]) if filterset.is_valid() else []
    query = request.GET.copy()
    query.pop("page", None)
    context: dict[str, Any] = {
        "filterset": filterset,
        "form": filterset.form,
        "page": {
            "number": number,
            "previous": number - 1 if number > 1 else None,
            "next": number + 1 if len(window) > size else None,
        },
        "rows": render_entries(window[:size]),
        "query": query.urlencode(),
        "listing": listing,
        "newest_first": listing.sort == DEFAULT_SORT,
        "organizations": selectors.organization_choices(
            request.user, read_id(request.GET.get("within"))
        ),
        "periods": selectors.period_choices(),
        "kinds": AuditKind.choices,
        "verification": latest_verification(),
        "verifying": cache.get(VERIFY_LOCK) is not None,
    }
    return render(request, "audit/entry_list.html", context)


@auditor_required
@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(selectors.entries(request.user), pk=pk)
    shown = render_entry(entry)
    context = {"shown": shown, "entry": entry, "changes": shown.changes}
    return render(request, "audit/entry_detail.html", context)


def _export_name(extension: str) -> str:
    return f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.{extension}"


@auditor_required
@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """The filtered entries as CSV, streamed: any number of rows in constant memory."""
    filterset = _filtered(request)
    if not filterset.is_valid():
        return _bad_filters(request, filterset)
    response = StreamingHttpResponse(
        exports.csv_lines(selectors.export_rows(_exported(request, filterset))),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_export_name("csv")}"'
    patch_cache_control(response, private=True, no_store=True)
    return response


@auditor_required
@require_GET
def export_xlsx(request: HttpRequest) -> HttpResponse:
    """The filtered entries as an Excel workbook (written row by row to a temporary file)."""
    filterset = _filtered(request)
    if not filterset.is_valid():
        return _bad_filters(request, filterset)
    # A workbook is built whole before the first byte: beyond this many rows it would hold the
    # request for long, so the streamed CSV (any size, first bytes at once) is offered instead.
    limit = settings.AUDIT_XLSX_MAX_ROWS
    if filterset.qs[: limit + 1].count() > limit:
        return HttpResponse(
            _(
                "More than %(limit)s entries match: narrow the filters or export them as CSV, "
                "which has no limit."
            )
            % {"limit": f"{limit:,}"},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    response = FileResponse(
        exports.write_xlsx(selectors.export_rows(_exported(request, filterset))),
        as_attachment=True,
        filename=_export_name("xlsx"),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    patch_cache_control(response, private=True, no_store=True)  # no copy in a shared cache
    return response


def _bad_filters(request: HttpRequest, filterset: AuditEntryFilterSet) -> HttpResponse:
    errors = "; ".join(
        f"{filterset.form[name].label}: {' '.join(problems)}"
        for name, problems in filterset.errors.items()
    )
    return HttpResponse(
        _("The filters are not valid: %(errors)s") % {"errors": errors},
        status=400,
        content_type="text/plain; charset=utf-8",
    )


@auditor_required
@require_POST
def verify(request: HttpRequest) -> HttpResponse:
    """Walk the chain again now (in a task); one walk at a time."""
    if cache.add(VERIFY_LOCK, timezone.now().isoformat(), VERIFY_LOCK_SECONDS):
        try:
            tasks.verify_chain.delay()
        except Exception:
            cache.delete(VERIFY_LOCK)
            raise
        messages.success(request, _("The audit trail is being verified."))
    else:
        messages.info(request, _("A verification is already under way."))
    return redirect("audit:list")
