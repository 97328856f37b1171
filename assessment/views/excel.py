"""Pages of the Excel round trip: download a template, upload it filled in.

The work is done by `services.excel_import`; these views only find the objects in the user's
scope (outside it: 404), hand over the bytes and show the outcome.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import scope_prefixes

from ..excel import WorkbookError
from ..filters import OrganizationChoiceFilterSet
from ..forms.excel import ExcelUploadForm
from ..models import Period, Submission
from ..services import excel_import

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHOWN_PROBLEMS = 1000


def _require_enterer(user) -> None:
    # None is everything (superusers); an empty list means the user enters nothing anywhere.
    if scope_prefixes(user, Action.ENTER) == []:
        raise Http404


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def submission_template(request: HttpRequest, pk: int) -> HttpResponse:
    """The template of one submission, pre-filled; for anyone who may view the submission."""
    submission = get_object_or_404(
        Submission.objects.restrict(request.user, Action.VIEW).select_related(
            "period__framework", "organization"
        ),
        pk=pk,
    )
    content = excel_import.submission_template(submission)
    return _xlsx(content, f"submission-{submission.pk}-v{submission.version}.xlsx")


@login_required
@require_GET
def committee_template(request: HttpRequest, pk: int) -> HttpResponse:
    """Every submission of the period the user may edit, under ``?org=`` (default: everywhere)."""
    _require_enterer(request.user)
    period = get_object_or_404(Period.objects.select_related("framework"), pk=pk)
    chosen = OrganizationChoiceFilterSet(
        request.GET, queryset=Organization.objects.restrict(request.user, Action.ENTER)
    )
    if not chosen.is_valid():  # a garbled id names no organization
        raise Http404
    organization = get_object_or_404(chosen.qs) if chosen.asked else None
    try:
        content = excel_import.committee_template(
            period, user=request.user, organization=organization
        )
    except excel_import.TemplateError as error:
        messages.error(request, str(error))
        return redirect("assessment:excel_upload")
    where = organization.code if organization is not None else "all"
    return _xlsx(content, f"period-{period.pk}-{where}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a filled-in template: every row is checked, then all of it is saved or none."""
    _require_enterer(request.user)
    form = ExcelUploadForm(request.POST or None, request.FILES or None)
    problems: list[excel_import.Problem] = []
    if request.method == "POST" and form.is_valid():
        try:
            outcome = excel_import.import_workbook(
                form.cleaned_data["file"].read(), acting_user=request.user
            )
        except WorkbookError as error:
            form.add_error("file", error.message)
        except excel_import.ImportRejected as rejected:
            problems = rejected.problems
        else:
            messages.success(
                request,
                _(
                    "Saved %(values)d changed values in %(saved)d submissions; "
                    "%(unchanged)d submissions had no changes."
                )
                % {
                    "values": outcome.values_changed,
                    "saved": len(outcome.saved),
                    "unchanged": outcome.unchanged,
                },
            )
            return redirect("assessment:excel_upload")
    context = {
        "form": form,
        "problems": problems[:SHOWN_PROBLEMS],
        "more_problems": max(0, len(problems) - SHOWN_PROBLEMS),
        "choices": excel_import.template_choices(request.user),
    }
    return render(request, "assessment/excel_upload.html", context)
