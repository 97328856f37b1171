"""Pages of the ledgers: a branch's dues sheet of a month, its study hours, its points ledger with
the awards and deductions to decide and the quarters to publish, and the uploads of payroll and
study files (upload → preview → confirm, checked and imported by a worker).

Every page reads its organization through `Organization.objects.restrict(user, "view")`: outside
the scope it is a 404. Writes go through `services`, which say who may do what; a refused write
shows the page again with the reason and changes nothing (409 for a sheet changed meanwhile,
400 otherwise).
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from organizations.batches import shown_preview
from organizations.choices import Action
from organizations.models import ImportBatch, Organization
from organizations.scope import can, can_from_above, scope_prefixes

from ..choices import PointsKind, PointsState
from ..config import PointsRule, config_on
from ..forms.ledgers import (
    LAST_YEAR,
    DecisionForm,
    DuesImportForm,
    DuesLineFormSet,
    DuesSheetForm,
    ProposalForm,
    QuarterForm,
    StudyForm,
    StudyImportForm,
    read_month,
    this_month,
)
from ..importers import DUES_UPDATE, KINDS, STUDY
from ..models import DuesPayment, PointsEntry, StudyRecord
from ..selectors import ledgers as selectors
from ..services import dues, imports, points, study
from ..services.dates import NotAllowed, RecordRefused


def _organization(request: HttpRequest, pk: int) -> Organization:
    return get_object_or_404(
        Organization.objects.restrict(request.user, Action.VIEW).select_related("kind"), pk=pk
    )


def _month(request: HttpRequest) -> datetime.date:
    """The month of the query string (YYYY-MM); a garbled one is this month, said on the page."""
    given = request.GET.get("month")
    month = read_month(given)
    if given and month is None:
        messages.warning(
            request,
            _("“%(value)s” is not a month (YYYY-MM): showing this month.") % {"value": given[:20]},
        )
    return month or this_month()


def _url(name: str, pk: int, **query: Any) -> str:
    return f"{reverse(name, args=[pk])}?{urlencode(query)}"


def _status(refused: RecordRefused) -> int:
    return (
        409
        if isinstance(refused, dues.SheetChanged)
        else 403
        if isinstance(refused, NotAllowed)
        else 400
    )


# -- dues -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dues_sheet(request: HttpRequest, organization_pk: int) -> HttpResponse:
    """The branch's dues of a month: every member it holds that month, entered all at once."""
    organization = _organization(request, organization_pk)
    may_enter = can(request.user, Action.ENTER, organization)
    if request.method == "POST":
        if not may_enter:
            raise Http404
        head = DuesSheetForm(request.POST)
        month = head.cleaned_data["month"] if head.is_valid() else None
        if month is None:
            messages.error(
                request, _("The sheet's month is missing or garbled: nothing was saved.")
            )
            return redirect("records:dues_sheet", organization_pk=organization.pk)
        formset = DuesLineFormSet(request.POST, prefix="dues")
        sheet = selectors.dues_sheet(organization, month)
        row_errors: dict[int, str] = {}
        alert, status = "", 400
        if formset.is_valid():
            lines = [
                dues.SheetLine(f["person"], f.get("base"), f.get("paid"), f.get("paid_on"))
                for f in formset.cleaned_data
                if f
            ]
            try:
                done = dues.save_month(
                    organization,
                    month,
                    lines,
                    version=head.cleaned_data["version"],
                    acting_user=request.user,
                )
            except dues.RowsRefused as refused:
                alert, row_errors = refused.message, refused.errors
            except RecordRefused as refused:
                alert, status = refused.message, _status(refused)
            else:
                messages.success(
                    request,
                    _("Dues of %(month)s saved: %(created)s new, %(changed)s changed.")
                    % {"month": f"{month:%Y-%m}", **done},
                )
                return redirect(_url("records:dues_sheet", organization.pk, month=f"{month:%Y-%m}"))
        else:
            alert = _("Some lines are not valid: nothing was saved.")
        return _render_sheet(
            request, organization, sheet, formset, row_errors, alert=alert, status=status
        )
    sheet = selectors.dues_sheet(organization, _month(request))
    formset = DuesLineFormSet(
        prefix="dues",
        initial=[
            {
                "person": row.person.pk,
                "base": row.payment.base if row.payment else None,
                "paid": row.payment.paid if row.payment else None,
                "paid_on": row.payment.paid_on if row.payment else None,
            }
            for row in sheet.rows
            if row.person.pk not in sheet.elsewhere
        ],
    )
    return _render_sheet(request, organization, sheet, formset, {})


def _render_sheet(
    request, organization, sheet, formset, row_errors, *, alert: str = "", status: int = 200
) -> HttpResponse:
    forms_by_person = {}
    for form in formset:
        person = form["person"].value()
        try:
            forms_by_person[int(person)] = form
        except (TypeError, ValueError):
            continue
    rows = [
        {
            "person": row.person,
            "payment": row.payment,
            "elsewhere": sheet.elsewhere.get(row.person.pk),
            "form": forms_by_person.get(row.person.pk),
            "error": row_errors.get(row.person.pk, ""),
        }
        for row in sheet.rows
    ]
    month = sheet.month
    return render(
        request,
        "records/dues_sheet.html",
        {
            "organization": organization,
            "sheet": sheet,
            "rows": rows,
            "formset": formset,
            "head": DuesSheetForm(initial={"month": f"{month:%Y-%m}", "version": sheet.version}),
            "may_enter": can(request.user, Action.ENTER, organization),
            "alert": alert,
            "previous": f"{(month - datetime.timedelta(days=1)):%Y-%m}",
            "next": f"{(selectors.month_end(month) + datetime.timedelta(days=1)):%Y-%m}",
        },
        status=status,
    )


# -- study ----------------------------------------------------------------------------------------


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return timezone.localdate().year
    return year if 2000 <= year <= LAST_YEAR else timezone.localdate().year


@login_required
@require_http_methods(["GET", "POST"])
def study_list(request: HttpRequest, organization_pk: int) -> HttpResponse:
    """The branch's study records of a year, hours per member, and the entry of one record."""
    organization = _organization(request, organization_pk)
    may_enter = can(request.user, Action.ENTER, organization)
    year = _year(request)
    people = (
        selectors.members_in_year(organization, year, today=timezone.localdate())
        if may_enter
        else []
    )
    form = StudyForm(request.POST or None, people=people)
    status = 200
    if request.method == "POST":
        if not may_enter:
            raise Http404
        if form.is_valid():
            data = form.cleaned_data
            person = next(p for p in people if p.pk == data["person"])
            try:
                study.record_study(
                    person,
                    data["date"],
                    kind=data["kind"],
                    title=data["title"],
                    hours=data["hours"],
                    acting_user=request.user,
                )
            except RecordRefused as refused:
                form.add_error(None, refused.message)
                status = _status(refused)
            else:
                messages.success(request, _("The study record was saved."))
                return redirect(_url("records:study_list", organization.pk, year=data["date"].year))
        else:
            status = 400
    return render(
        request,
        "records/study_list.html",
        {
            "organization": organization,
            "year": year,
            "records": list(selectors.study_records(organization, year)[:500]),
            "hours": selectors.study_hours(organization, year),
            "form": form if may_enter else None,
        },
        status=status,
    )


# -- points ---------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> tuple[list[datetime.date], int | None, int | None]:
    """The months the ledger shows: ?year=&quarter= for a quarter, else ?month= (this month)."""
    try:
        year, quarter = int(request.GET["year"]), int(request.GET["quarter"])
    except (KeyError, ValueError):
        return [_month(request)], None, None
    if not (2000 <= year <= LAST_YEAR and 1 <= quarter <= 4):
        return [this_month()], None, None
    return selectors.quarter_months(year, quarter), year, quarter


@login_required
def points_ledger(request: HttpRequest, organization_pk: int) -> HttpResponse:
    """A branch's points of a month or a quarter, the awards and deductions (to decide, for
    reviewers above), and the proposal form and quarter publication for its secretary."""
    organization = _organization(request, organization_pk)
    return _render_ledger(request, organization)


def _render_ledger(
    request, organization, *, form=None, alert: str = "", status: int = 200
) -> HttpResponse:
    months, year, quarter = _period(request)
    ledger = selectors.points_ledger(organization, months)
    user = request.user
    may_enter = can(user, Action.ENTER, organization)
    reviews = can_from_above(user, Action.REVIEW, organization)
    if may_enter and form is None:
        form = ProposalForm(
            people=[row.person for row in ledger.rows],
            rules=_award_rules(months[0]),
            initial={"month": f"{months[0]:%Y-%m}"},
        )
    rule_names = {rule.code: rule.display_name for rule in config_on(months[0]).points}
    for entry in ledger.manual:
        entry.rule_name = rule_names.get(entry.rule, entry.rule)
        entry.decidable = (
            reviews and entry.state == PointsState.PROPOSED and entry.entered_by_id != user.pk
        )
    shown_quarter = (year, quarter) if quarter else (months[0].year, (months[0].month - 1) // 3 + 1)
    published = {(p.year, p.quarter): p for p in selectors.publications(organization)}
    return render(
        request,
        "records/points_ledger.html",
        {
            "organization": organization,
            "ledger": ledger,
            "rows": [(row, row.cells(ledger.rules)) for row in ledger.rows],
            "month": months[0] if len(months) == 1 else None,
            "year": shown_quarter[0],
            "quarter": shown_quarter[1],
            "is_quarter": quarter is not None,
            "published": published.get(shown_quarter),
            "publications": list(published.values()),
            "form": form if may_enter else None,
            "may_enter": may_enter,
            "reviews": reviews,
            "decision_form": DecisionForm(),
            "alert": alert,
        },
        status=status,
    )


def _award_rules(month: datetime.date) -> list[PointsRule]:
    return [rule for rule in config_on(month).points if rule.per == "award"]


@login_required
@require_POST
def points_propose(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = _organization(request, organization_pk)
    if not can(request.user, Action.ENTER, organization):
        raise Http404
    month = read_month(request.POST.get("month")) or this_month()
    people = selectors.month_members(organization, month)
    form = ProposalForm(request.POST, people=people, rules=_award_rules(month))
    if form.is_valid():
        data = form.cleaned_data
        person = next(p for p in people if p.pk == data["person"])
        try:
            points.propose_points(
                person,
                data["month"],
                kind=data["kind"],
                points=data["points"],
                reason=data["reason"],
                rule=data["rule"],
                acting_user=request.user,
            )
        except RecordRefused as refused:
            form.add_error(None, refused.message)
            return _render_ledger(request, organization, form=form, status=_status(refused))
        messages.success(request, _("The proposal was saved: it counts once approved from above."))
        return redirect(
            _url("records:points_ledger", organization.pk, month=f"{data['month']:%Y-%m}")
        )
    return _render_ledger(request, organization, form=form, status=400)


@login_required
@require_POST
def points_decide(request: HttpRequest, points_entry_pk: int) -> HttpResponse:
    """Approve or refuse a proposal (a reviewer above the branch)."""
    entry = get_object_or_404(
        PointsEntry.objects.restrict(request.user, Action.VIEW)
        .exclude(kind=PointsKind.RULE)
        .select_related("organization", "person"),
        pk=points_entry_pk,
    )
    back = _url("records:points_ledger", entry.organization_id, month=f"{entry.month:%Y-%m}")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or refuse: nothing was changed."))
        return redirect(back)
    try:
        points.decide_points(
            entry,
            approve=form.cleaned_data["decision"] == "approve",
            note=form.cleaned_data["note"],
            acting_user=request.user,
        )
    except RecordRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("The decision was saved."))
    return redirect(back)


@login_required
@require_POST
def points_publish(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = _organization(request, organization_pk)
    if not can(request.user, Action.ENTER, organization):
        raise Http404
    form = QuarterForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a quarter from 1 to 4 of a year: nothing was published."))
        return redirect("records:points_ledger", organization_pk=organization.pk)
    year, quarter = form.cleaned_data["year"], form.cleaned_data["quarter"]
    back = _url("records:points_ledger", organization.pk, year=year, quarter=quarter)
    try:
        points.publish_quarter(organization, year, quarter, acting_user=request.user)
    except RecordRefused as refused:
        messages.error(request, refused.message)
        return redirect(back)
    messages.success(
        request,
        _("The points of %(year)s Q%(quarter)s are published to the branch.")
        % {"year": year, "quarter": quarter},
    )
    return redirect(_url("records:points_published", organization.pk, year=year, quarter=quarter))


@login_required
def points_published(request: HttpRequest, organization_pk: int) -> HttpResponse:
    """The published quarters of a branch, as they stood when published (every member sees it)."""
    organization = _organization(request, organization_pk)
    publications = list(selectors.publications(organization))
    chosen = publications[0] if publications else None
    try:
        wanted = (int(request.GET["year"]), int(request.GET["quarter"]))
    except (KeyError, ValueError):
        wanted = None
    if wanted:
        chosen = next((p for p in publications if (p.year, p.quarter) == wanted), chosen)
    months = selectors.quarter_months(chosen.year, chosen.quarter) if chosen else []
    return render(
        request,
        "records/points_published.html",
        {
            "organization": organization,
            "publications": publications,
            "chosen": chosen,
            "months": months,
        },
    )


# -- imports --------------------------------------------------------------------------------------


def _require_importer(user) -> None:
    if scope_prefixes(user, Action.ENTER) == []:
        raise Http404


def _own_batch(request: HttpRequest, pk: int) -> ImportBatch:
    _require_importer(request.user)
    batches = ImportBatch.objects.filter(uploaded_by=request.user, kind__in=KINDS)
    return get_object_or_404(batches.defer("content"), pk=pk)


def _upload(request: HttpRequest, form_class, template: str, kinds) -> HttpResponse:
    _require_importer(request.user)
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        batch = imports.upload_batch(
            kind=form.cleaned_data["kind"],
            data=upload_file.read(),
            filename=upload_file.name,
            acting_user=request.user,
            language=get_language(),
        )
        return redirect("records:import_preview", pk=batch.pk)
    recent = ImportBatch.objects.filter(uploaded_by=request.user, kind__in=kinds).defer("content")
    return render(
        request,
        template,
        {"form": form, "recent": recent[:10]},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def dues_import(request: HttpRequest) -> HttpResponse:
    return _upload(
        request, DuesImportForm, "records/dues_import.html", [k for k in KINDS if k != STUDY]
    )


@login_required
@require_http_methods(["GET", "POST"])
def study_import(request: HttpRequest) -> HttpResponse:
    return _upload(request, StudyImportForm, "records/study_import.html", [STUDY])


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    model = StudyRecord if batch.kind == STUDY else DuesPayment
    context = {
        **shown_preview(batch, lambda name: _field_label(model, name)),
        "is_study": batch.kind == STUDY,
        "is_update": batch.kind == DUES_UPDATE,
    }
    return render(request, "records/dues_import_preview.html", context)


def _field_label(model, name: str) -> str:
    """A changed field of the preview by its name in the reader's language (stored as a code)."""
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's state while a worker checks or imports it (polled by the preview page)."""
    batch = _own_batch(request, pk)
    if not batch.is_active:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "records/dues_import_progress.html", {"batch": batch})


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    try:
        imports.confirm_batch(batch)
    except imports.AlreadyImported as done:
        messages.info(request, str(done))
    return redirect("records:import_preview", pk=batch.pk)
