"""Pages of the negative list: the list, an event, recording or changing one, its documents.

Events are read through `selectors.negative` (the access scope: outside it, 404); writes go
through `services.negative`, which decides who may record: an inspector above the unit. A user who
may see an event but not change it gets a 403 with the reason; a refused input re-shows the form
as typed with the reason (400). The edit form and the delete button carry the version of the
event they showed: when someone else saved it meanwhile the answer is a 409 with the reason and
nothing is changed, as for meetings.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessment.selectors.queues import scope_roots
from core.downloads import stored_file_download
from core.lists import Column, Listing
from organizations.models import Organization
from organizations.selectors import breadcrumbs

from ..choices import NegativeCategory, Severity
from ..forms.meetings import VersionForm
from ..forms.negative import NegativeEventForm, NegativeListForm
from ..models import NegativeEvent
from ..selectors import negative as selectors
from ..services import negative as services
from ..services.dates import NotAllowed, RecordRefused, StaleVersion


def _refusal_status(refused: RecordRefused) -> int:
    if isinstance(refused, StaleVersion):
        return 409
    return 403 if isinstance(refused, NotAllowed) else 400


def _not_yours(organization: Organization) -> str:
    return _(
        "Negative events of %(org)s are recorded by discipline inspection above it, not by "
        "the unit itself: you may not record them."
    ) % {"org": organization.display_name}


COLUMNS = (
    Column("date", gettext_lazy("Date"), ("date",), lambda e: e.date),
    Column(
        "organization",
        gettext_lazy("Organization"),
        ("organization__path",),
        lambda e: e.organization.display_name,
    ),
    Column("event", gettext_lazy("Event"), ("title",), lambda e: e.title),
    Column("category", gettext_lazy("Category"), ("category",), lambda e: e.get_category_display()),
    Column("severity", gettext_lazy("Severity"), ("severity",), lambda e: e.get_severity_display()),
    Column(
        "decision",
        gettext_lazy("Decision document number"),
        ("decision_number",),
        lambda e: e.decision_number,
    ),
    Column("documents", gettext_lazy("Documents"), ("document_count",), lambda e: e.document_count),
)


@login_required
@require_GET
def negative_list(request: HttpRequest) -> HttpResponse:
    """The events of an organization and its subtree (``?org=``, by default the top of the
    user's scope), by category and severity; newest first."""
    user = request.user
    chosen = NegativeListForm(request.GET).chosen()
    roots = list(scope_roots(user))
    if not roots:
        return render(request, "no_role.html")
    if chosen["org"] is not None:
        organization = get_object_or_404(
            Organization.objects.restrict(user).select_related("kind"), pk=chosen["org"]
        )
    elif len(roots) == 1:
        organization = roots[0]
    else:
        organization = None
    events = selectors.visible_events(user)
    recordable = selectors.recordable_organizations(user)
    if organization is not None:
        events = events.within(organization)
        recordable = recordable.within(organization)
    if chosen["category"]:
        events = events.filter(category=chosen["category"])
    if chosen["severity"]:
        events = events.filter(severity=chosen["severity"])
    listing = Listing(request, COLUMNS, default_sort="-date")
    events = listing.order(events)
    if listing.export_format:
        return listing.export(events, name="negative-list", title=_("Negative list"))
    page = Paginator(events, listing.page_size).get_page(request.GET.get("page"))
    for event in page:
        event.can_change = services.can_record(user, event.organization)
    return render(
        request,
        "records/negative_list.html",
        {
            "organization": organization,
            "breadcrumbs": breadcrumbs(user, organization)[:-1] if organization else [],
            "roots": roots,
            "page": page,
            "chosen": chosen,
            "categories": NegativeCategory.choices,
            "severities": Severity.choices,
            "may_record": recordable.exists(),
            "listing": listing,
        },
    )


@login_required
@require_GET
def negative_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.detail(request.user, pk))


def _detail_page(request, event: NegativeEvent, *, alert: str = "", status: int = 200):
    return render(
        request,
        "records/negative_detail.html",
        {
            "event": event,
            "breadcrumbs": breadcrumbs(request.user, event.organization),
            "can_change": services.can_record(request.user, event.organization),
            "alert": alert,
        },
        status=status,
    )


def _form_page(request, form, *, event=None, alert: str = "", status: int = 200):
    return render(
        request,
        "records/negative_form.html",
        {"form": form, "event": event, "alert": alert},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def negative_new(request: HttpRequest) -> HttpResponse:
    """Record an event on an organization below where the user inspects (``?org=`` preselects)."""
    user = request.user
    organizations = selectors.recordable_organizations(user)
    if not organizations.exists():
        alert = _(
            "Negative events are recorded by discipline inspection (an inspector of an "
            "organization above the unit), never by the unit itself: you may not record any."
        )
        return _form_page(request, None, alert=alert, status=403)
    if request.method == "GET":
        initial = {}
        wanted = NegativeListForm(request.GET).chosen()["org"]
        if wanted is not None and organizations.filter(pk=wanted).exists():
            initial["organization"] = wanted
        return _form_page(request, NegativeEventForm(organizations=organizations, initial=initial))
    form = NegativeEventForm(request.POST, request.FILES, organizations=organizations)
    if not form.is_valid():
        return _form_page(request, form, alert=_("Please correct the errors below."), status=400)
    data = form.cleaned_data
    try:
        event = services.record_negative_event(
            data["organization"],
            category=data["category"],
            severity=data["severity"],
            date=data["date"],
            title=data["title"],
            description=data["description"],
            decision_number=data["decision_number"],
            documents=data["documents"],
            acting_user=user,
        )
    except RecordRefused as refused:
        return _form_page(request, form, alert=refused.message, status=_refusal_status(refused))
    messages.success(request, _("The event is on the negative list."))
    return redirect("records:negative_detail", pk=event.pk)


@login_required
@require_http_methods(["GET", "POST"])
def negative_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change an event; the form carries the version it showed, so a stale one is refused."""
    event = selectors.detail(request.user, pk)
    if not services.can_record(request.user, event.organization):
        return _detail_page(request, event, alert=_not_yours(event.organization), status=403)
    if request.method == "GET":
        return _form_page(request, NegativeEventForm(event=event), event=event)
    form = NegativeEventForm(request.POST, request.FILES, event=event)
    if not form.is_valid():
        return _form_page(
            request, form, event=event, alert=_("Please correct the errors below."), status=400
        )
    data = form.cleaned_data
    try:
        services.change_negative_event(
            event,
            version=data["version"] or 0,  # a form without its version is as stale as can be
            acting_user=request.user,
            category=data["category"],
            severity=data["severity"],
            date=data["date"],
            title=data["title"],
            description=data["description"],
            decision_number=data["decision_number"],
            documents=data["documents"],
            remove_documents=[int(pk) for pk in data.get("remove_documents", [])],
        )
    except RecordRefused as refused:
        return _form_page(
            request, form, event=event, alert=refused.message, status=_refusal_status(refused)
        )
    messages.success(request, _("Saved."))
    return redirect("records:negative_detail", pk=event.pk)


@login_required
@require_POST
def negative_delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = selectors.detail(request.user, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.delete_negative_event(event, version=version, acting_user=request.user)
    except RecordRefused as refused:
        return _detail_page(request, event, alert=refused.message, status=_refusal_status(refused))
    messages.success(request, _("The event was taken off the negative list."))
    return redirect(f"{reverse('records:negative_list')}?org={event.organization_id}")


@login_required
@require_GET
def decision_document(request: HttpRequest, pk: int) -> HttpResponse:
    """A decision document as uploaded, always as a download and never sniffed by the browser."""
    document = get_object_or_404(selectors.scoped_documents(request.user), pk=pk)
    return stored_file_download(
        document.file, filename=document.original_name, content_type=document.content_type
    )
