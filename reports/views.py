"""Pages of the reports app: the list, a new request, a report with its progress, its download,
the verify page and the schedules (administrators).

Every report is read through `Report.objects.restrict(user)`: outside the scope it is a 404. The
detail page polls its progress block every second (htmx) until the report is done or failed.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.downloads import stored_file_download
from core.filters import read_id
from core.lists import Column, Listing
from organizations.choices import Action
from organizations.filters import OrganizationSearchFilterSet
from organizations.models import Organization
from organizations.scope import roles_of

from . import selectors, services
from .choices import CONTENT_TYPES, ReportStatus
from .forms import ReportRequestForm, ScheduleForm, VerifyForm
from .models import Report, ReportSchedule


def _require_role(request: HttpRequest) -> None:
    if not roles_of(request.user):
        raise Http404


def _periods(report) -> str:
    return (
        f"{report.get_period_kind_display()} · {report.range_start:%Y-%m-%d} – "
        f"{report.range_end:%Y-%m-%d}"
    )


def _requested_by(report) -> str:
    if report.schedule:
        return report.schedule.name
    return report.requested_by.username if report.requested_by else ""


REPORT_COLUMNS = (
    Column("number", "#", ("id",), lambda r: r.pk),
    Column(
        "organization",
        gettext_lazy("Organization"),
        ("organization__path",),
        lambda r: r.organization.display_name,
    ),
    Column("periods", gettext_lazy("Periods"), ("range_start", "range_end"), _periods),
    Column("format", gettext_lazy("Format"), ("format",), lambda r: r.get_format_display()),
    Column("state", gettext_lazy("State"), ("status",), lambda r: r.get_status_display()),
    Column(
        "requested",
        gettext_lazy("Requested"),
        ("created_at",),
        lambda r: timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
    ),
    Column("by", gettext_lazy("Requested by"), (), _requested_by),
    Column("download", ""),
)


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The user's reports and the scheduled ones in scope, and what was delivered to them."""
    _require_role(request)
    listing = Listing(request, REPORT_COLUMNS, default_sort="-requested", default_size=25)
    rows = listing.order(selectors.reports_for(request.user))
    if listing.export_format:
        return listing.export(rows, name="reports", title=_("Reports"))
    page = Paginator(rows, listing.page_size).get_page(request.GET.get("page"))
    deliveries = list(selectors.deliveries_for(request.user)[:10])
    return render(
        request,
        "reports/list.html",
        {
            "page": page,
            "deliveries": deliveries,
            "polling": any(report.is_active for report in page),
            "may_schedule": selectors.may_schedule(request.user),
            "listing": listing,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    """Request a report: an organization in scope, a period kind and range, format, language."""
    _require_role(request)
    form = ReportRequestForm(request.POST or None, user=request.user)
    if request.method == "GET" and request.GET.get("organization"):
        form.initial["organization"] = request.GET["organization"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.request_report(
                acting_user=request.user,
                organization=data["organization"],
                format=data["format"],
                period_kind=data["period_kind"],
                start=data["start"],
                end=data["end"],
                language=data["language"],
            )
        except services.ReportError as error:
            form.add_error(error.field, error.message)
        else:
            messages.success(request, _("Report #%(id)s was requested.") % {"id": report.pk})
            return redirect("reports:detail", pk=report.pk)
    chosen = _chosen_organization(request, form)
    options = selectors.organizations_for_choice(request.user)
    if chosen is not None and chosen not in options:
        options.insert(0, chosen)
    return render(
        request,
        "reports/new.html",
        {"form": form, "options": options, "chosen": chosen},
        status=400 if request.method == "POST" else 200,
    )


def _chosen_organization(request: HttpRequest, form) -> Organization | None:
    """The organization the form names (posted, or ``?organization=`` to prefill), if in scope;
    a garbled id counts as none."""
    value = form.data.get("organization") or form.initial.get("organization")
    pk = read_id(value)
    if pk is None:
        return None
    return Organization.objects.restrict(request.user).filter(pk=pk).first()


@login_required
@require_GET
def organization_options(request: HttpRequest) -> HttpResponse:
    """The organizations in scope matching the search, as options (for the request form)."""
    _require_role(request)
    search = OrganizationSearchFilterSet(
        request.GET, queryset=selectors.choosable_organizations(request.user)
    )
    matching = search.qs if search.query else None
    return render(
        request,
        "reports/_organization_options.html",
        {"options": selectors.organizations_for_choice(request.user, matching)},
    )


def _report(request: HttpRequest, pk: int) -> Report:
    """The report, if the user may see it; outside the scope a 404."""
    reports = Report.objects.restrict(request.user).select_related(
        "organization", "requested_by", "schedule"
    )
    return get_object_or_404(reports, pk=pk)


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One report: its progress while it is made, then its snapshot facts and the download."""
    report = _report(request, pk)
    services.mark_delivery_read(report, request.user)
    return render(
        request,
        "reports/detail.html",
        {"report": report, "periods": selectors.report_periods(report)},
    )


@login_required
@require_GET
def report_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress block alone, for the detail page to poll."""
    return render(request, "reports/_progress.html", {"report": _report(request, pk)})


@login_required
@require_GET
def report_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The snapshot's file, under its own name and type; nothing before it is done."""
    report = _report(request, pk)
    if report.status != ReportStatus.DONE or not report.file:
        raise Http404
    return stored_file_download(
        report.file, filename=report.filename, content_type=CONTENT_TYPES[report.format]
    )


@login_required
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """Whether a file (or a SHA-256) matches a snapshot the user may see: which, and when.

    Snapshots outside the user's scope are not searched: a match there would tell that such a
    report exists.
    """
    _require_role(request)
    form = VerifyForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = selectors.verify(
            request.user,
            upload=form.cleaned_data.get("file") or None,
            digest=form.cleaned_data.get("digest") or "",
        )
    status = 400 if request.method == "POST" and not form.is_valid() else 200
    return render(request, "reports/verify.html", {"form": form, "result": result}, status=status)


def _require_manager(request: HttpRequest) -> None:
    if not selectors.may_schedule(request.user):
        raise Http404


@login_required
@require_GET
def schedule_list(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return render(
        request,
        "reports/schedules.html",
        {"schedules": selectors.schedules_for(request.user).prefetch_related("recipients")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def schedule_new(request: HttpRequest) -> HttpResponse:
    _require_manager(request)
    return _schedule_form(request, ReportSchedule())


def _schedule(request: HttpRequest, pk: int) -> ReportSchedule:
    """A schedule of the administrator's subtree; outside it a 404."""
    return get_object_or_404(ReportSchedule.objects.restrict(request.user, Action.MANAGE), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a schedule of the administrator's subtree."""
    return _schedule_form(request, _schedule(request, pk))


@login_required
@require_POST
def schedule_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    """Stop a schedule; the reports it made stay."""
    schedule = _schedule(request, pk)
    services.deactivate_schedule(schedule, acting_user=request.user)
    messages.success(request, _("Schedule “%(name)s” was deactivated.") % {"name": schedule.name})
    return redirect("reports:schedules")


def _schedule_form(request: HttpRequest, schedule: ReportSchedule) -> HttpResponse:
    form = ScheduleForm(request.POST or None, instance=schedule, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.organization = form.cleaned_data["organization"]
        services.save_schedule(saved, form.cleaned_data["recipients"], acting_user=request.user)
        messages.success(request, _("Schedule “%(name)s” was saved.") % {"name": saved.name})
        return redirect("reports:schedules")
    chosen = _chosen_organization(request, form) if request.method == "POST" else None
    if chosen is None and schedule.pk:
        chosen = schedule.organization
    options = selectors.organizations_for_choice(request.user, action="manage")
    if chosen is not None and chosen not in options:
        options.insert(0, chosen)
    return render(
        request,
        "reports/schedule_form.html",
        {"form": form, "schedule": schedule, "options": options, "chosen": chosen},
        status=400 if request.method == "POST" else 200,
    )
