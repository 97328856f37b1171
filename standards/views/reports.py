"""Pages of the secretaries' annual reports (书记述职评议): the list, a report's page (the
organization's form, documents and submitting; the committee's rating), document downloads.

Reports are read through `selectors.reports` from the user's scope (outside it: 404). A report's
page takes the organization's POSTs (``action`` = save, upload, remove, submit); the rating has
its own URL. A refused change shows the page again with the reason (400; 409 when the form was
stale; 403 when the user may see the report but not make the change), having changed nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.downloads import stored_file_download
from core.filters import read_id
from core.lists import Column, Listing
from organizations.choices import Action
from organizations.models import Organization
from organizations.selectors import scope_roots

from ..choices import ReportState
from ..forms.reports import RateForm, ReportForm, ReportListForm, SubmitForm
from ..models import SecretaryReport
from ..selectors import reports as selectors
from ..services import reports as services

# Ratings are named from each report's framework (selectors.with_ratings), so not sortable.
COLUMNS = (
    # The latest period first, then the tree's order, as the selector lists them.
    Column("period", gettext_lazy("Period"), ("-period__start", "organization__path")),
    Column("organization", gettext_lazy("Organization"), ("organization__path",)),
    Column("secretary", gettext_lazy("Secretary"), ("secretary_name",)),
    Column("state", gettext_lazy("State"), ("state",)),
    Column("proposed", gettext_lazy("Proposed rating")),
    Column("rating", gettext_lazy("Rating")),
    Column("documents", gettext_lazy("Documents"), ("document_count",)),
)


def _export_rows(reports):
    for report in reports.iterator(chunk_size=500):
        (report,) = selectors.with_ratings([report])
        yield [
            report.period.display_name,
            report.organization.display_name,
            report.secretary_name,
            report.get_state_display(),
            report.proposed_label,
            report.rating_label,
            report.document_count,
        ]


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    """The reports of the user's scope by period, state and organization (``?org=``: its
    subtree), with the proposed and the confirmed rating."""
    user = request.user
    if not scope_roots(user).exists():
        return render(request, "no_role.html")
    chosen = ReportListForm(request.GET).chosen()
    reports = selectors.visible_reports(
        user, period=chosen["period"], state=chosen["state"], organization=chosen["org"]
    )
    listing = Listing(request, COLUMNS, default_sort="period")
    reports = listing.order(reports)
    if listing.export_format:
        return listing.export_rows(
            [str(column.label) for column in COLUMNS],
            _export_rows(reports),
            count=reports.count(),
            name="secretary-reports",
            title=_("Secretaries' reports"),
        )
    page = Paginator(reports, listing.page_size).get_page(request.GET.get("page"))
    organization = None
    if chosen["org"] is not None:
        organization = Organization.objects.restrict(user).filter(pk=chosen["org"]).first()
    return render(
        request,
        "standards/secretary_report_list.html",
        {
            "page": page,
            "rows": selectors.with_ratings(page),
            "chosen": chosen,
            "organization": organization,
            "periods": selectors.periods_with_reports(user),
            "states": ReportState.choices,
            "listing": listing,
        },
    )


def _report_form(report: SecretaryReport, data=None) -> ReportForm:
    votes = report.votes or {}
    return ReportForm(
        data,
        initial={
            "version": report.version,
            "secretary_name": report.secretary_name,
            "summary": report.summary,
            **{kind: votes.get(kind) for kind in ("good", "fairly_good", "average", "poor")},
        },
    )


def _page(
    request: HttpRequest,
    report: SecretaryReport,
    *,
    form: ReportForm | None = None,
    rate_form: RateForm | None = None,
    alert: str = "",
    status: int = 200,
) -> HttpResponse:
    context = selectors.report_page(request.user, report)
    context.update(
        {
            "form": form or _report_form(report),
            "submit_form": SubmitForm(initial={"version": report.version}),
            "rate_form": rate_form
            or RateForm(
                ratings=context["ratings"],
                initial={
                    "version": report.version,
                    "rating": report.rating or report.proposed_rating,
                    "reason": report.rating_reason,
                },
            ),
            "alert": alert,
        }
    )
    return render(request, "standards/secretary_report_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_of(request.user, pk)
    if request.method == "GET":
        return _page(request, report)
    action = request.POST.get("action")
    if action == "save":
        return _save(request, report)
    if action == "submit":
        return _submit(request, report)
    if action == "upload":
        return _upload(request, report)
    if action == "remove":
        return _remove(request, report)
    return _page(request, report, alert=_("Unknown action."), status=400)


def _save(request: HttpRequest, report: SecretaryReport) -> HttpResponse:
    form = _report_form(report, request.POST)
    if not form.is_valid():
        return _page(request, report, form=form, status=400)
    try:
        services.save(
            report,
            secretary_name=form.cleaned_data["secretary_name"],
            summary=form.cleaned_data["summary"],
            votes=form.votes(),
            version=form.cleaned_data["version"],
            acting_user=request.user,
        )
    except services.ReportRefused as refused:
        return _page(request, report, form=form, alert=refused.message, status=refused.status)
    messages.success(request, _("Saved."))
    return redirect("standards:secretary_report", pk=report.pk)


def _submit(request: HttpRequest, report: SecretaryReport) -> HttpResponse:
    form = SubmitForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.submit(report, version=version, acting_user=request.user)
    except services.ReportRefused as refused:
        return _page(request, report, alert=refused.message, status=refused.status)
    messages.success(request, _("Submitted to the committee above."))
    return redirect("standards:secretary_report", pk=report.pk)


def _upload(request: HttpRequest, report: SecretaryReport) -> HttpResponse:
    try:
        services.add_documents(report, request.FILES.getlist("documents"), acting_user=request.user)
    except services.ReportRefused as refused:
        return _page(request, report, alert=refused.message, status=refused.status)
    messages.success(request, _("Attached."))
    return redirect("standards:secretary_report", pk=report.pk)


def _remove(request: HttpRequest, report: SecretaryReport) -> HttpResponse:
    document_pk = read_id(request.POST.get("document"))
    document = report.documents.filter(pk=document_pk).first() if document_pk else None
    if document is None:
        raise Http404
    try:
        services.remove_document(document, acting_user=request.user)
    except services.ReportRefused as refused:
        return _page(request, report, alert=refused.message, status=refused.status)
    messages.success(request, _("Removed."))
    return redirect("standards:secretary_report", pk=report.pk)


@login_required
@require_GET
def report_document(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    """The file as uploaded, always as a download and never sniffed by the browser."""
    document = selectors.document(request.user, pk, document_pk)
    return stored_file_download(
        document.file, filename=document.original_name, content_type=document.content_type
    )


@login_required
@require_POST
def report_rate(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee above rates the report: the proposal, or another rating with a reason."""
    report = selectors.report_of(request.user, pk, Action.VIEW)
    form = RateForm(request.POST, ratings=selectors.rating_choices(report))
    if not form.is_valid():
        return _page(request, report, rate_form=form, status=400)
    try:
        services.rate(
            report,
            rating=form.cleaned_data["rating"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
            acting_user=request.user,
        )
    except services.ReportRefused as refused:
        return _page(request, report, rate_form=form, alert=refused.message, status=refused.status)
    messages.success(request, _("Rated."))
    return redirect("standards:secretary_report", pk=report.pk)
