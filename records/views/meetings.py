"""Pages of meetings: the list of an organization's meetings, one meeting, the record and edit
forms (made for a phone), deleting, and attachments.

Reads go through `selectors` and writes through `services`. An organization or meeting outside
the user's scope is a 404; the forms need `enter` on the organization (a 404 without it, as for
anything the user cannot act on). A refused save shows the form again as typed with the reason
(409 when someone else saved the meeting meanwhile: nothing is changed).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.downloads import stored_file_download
from core.lists import Column, Listing
from organizations.choices import Action
from organizations.models import Organization
from organizations.selectors import breadcrumbs

from ..forms.meetings import (
    NOT_EXPECTED,
    AttachmentForm,
    MeetingFilterForm,
    MeetingForm,
    VersionForm,
    read_date,
)
from ..models import Meeting, MeetingAttachment
from ..selectors import home_organization
from ..selectors import meetings as selectors
from ..services import meetings as services
from ..services.dates import RecordRefused, StaleVersion

PER_PAGE = 50


def _organization(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Organization:
    """The organization, if the user holds the action on it; else a 404."""
    queryset = Organization.objects.restrict(request.user, action).select_related("kind")
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The meetings of the top of the user's scope (a secretary's own branch)."""
    organization = home_organization(request.user)
    if organization is None:
        return render(request, "no_role.html")
    return redirect("records:meeting_list", organization_pk=organization.pk)


def _meeting_columns(kinds: dict) -> tuple[Column, ...]:
    """The meeting list's columns; a kind is shown by the name its framework gives it."""

    def kind_name(meeting: Meeting) -> str:
        kind = kinds.get(meeting.kind)
        return kind.display_name if kind else meeting.kind

    return (
        Column("date", gettext_lazy("Date"), ("date",), lambda m: m.date),
        Column("topic", gettext_lazy("Topic"), ("topic",), lambda m: m.topic),
        Column("kind", gettext_lazy("Kind"), ("kind",), kind_name),
        Column("party_group", gettext_lazy("Party group"), (), lambda m: m.party_group),
        Column(
            "organization",
            gettext_lazy("Organization"),
            ("organization__path",),
            lambda m: m.organization.display_name,
        ),
        Column("present", gettext_lazy("Present"), ("present",), lambda m: m.present),
        Column("excused", gettext_lazy("Excused"), (), lambda m: m.excused),
        Column("absent", gettext_lazy("Absent"), ("absent",), lambda m: m.absent),
    )


@login_required
@require_GET
def meeting_list(request: HttpRequest, organization_pk: int) -> HttpResponse:
    """The meetings of an organization and the units below it, newest first."""
    organization = _organization(request, organization_pk)
    filters = MeetingFilterForm(request.GET)
    values = filters.values()
    kinds = selectors.meeting_kinds_by_code()
    listing = Listing(request, _meeting_columns(kinds), default_sort="-date", default_size=PER_PAGE)
    rows = listing.order(selectors.meetings(request.user, organization, **values))
    if listing.export_format:
        return listing.export(rows, name="meetings", title=_("Meetings"))
    page = Paginator(rows, listing.page_size).get_page(request.GET.get("page"))
    meetings = list(page.object_list)
    for meeting in meetings:
        kind = kinds.get(meeting.kind)
        meeting.kind_name = kind.display_name if kind else meeting.kind
    context = {
        "organization": organization,
        "trail": breadcrumbs(request.user, organization)[:-1],
        "page": page,
        "meetings": meetings,
        "kind_choices": [(code, kind.display_name) for code, kind in kinds.items()],
        "filters": values,
        "can_enter": services.can_enter(request.user, organization),
        "listing": listing,
    }
    return render(request, "records/meeting_list.html", context)


def _form_page(
    request: HttpRequest,
    organization: Organization,
    form: MeetingForm,
    *,
    meeting: Meeting | None = None,
    alert: str = "",
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "organization": organization,
        "form": form,
        "meeting": meeting,
        "alert": alert,
    }
    return render(request, "records/meeting_form.html", context, status=status)


def _form(
    request: HttpRequest,
    organization: Organization,
    day,
    *,
    bound: bool,
    roll_initial=None,
    initial=None,
) -> MeetingForm:
    return MeetingForm(
        request.POST if bound else None,
        request.FILES if bound else None,
        kinds=services.meeting_kinds(organization, day),
        roster=list(services.expected_people(organization, day)),
        roll_initial=roll_initial,
        initial=initial,
    )


def _posted_roll(form: MeetingForm) -> dict[int, tuple[str, str]]:
    """What the user chose for each person shown, to keep when the list is shown again."""
    roll = {}
    for person in form.roster:
        presence = form.data.get(f"p-{person.pk}")
        if presence:
            roll[person.pk] = (presence, form.data.get(f"r-{person.pk}", ""))
    return roll


def _rebuilt(request, organization, form: MeetingForm, day) -> MeetingForm:
    """The form again for the roster of the posted date, keeping what was chosen for the people
    on both lists (when the date moved to a day with other members)."""
    rebuilt = _form(request, organization, day, bound=False, roll_initial=_posted_roll(form))
    rebuilt.initial = {
        name: form.data.get(name) for name in ("kind", "date", "topic", "party_group", "place")
    }
    rebuilt.initial.update({"host": form.data.get("host"), "minutes": form.data.get("minutes")})
    rebuilt.initial["version"] = form.data.get("version")
    rebuilt._errors = form.errors  # the reason stays on the page
    return rebuilt


@login_required
@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    """Record a meeting: GET shows today's roll with everyone present, POST saves it."""
    organization = _organization(request, organization_pk, Action.ENTER)
    today = timezone.localdate()
    if request.method == "GET":
        day = read_date(request.GET.get("date"), today)
        form = _form(request, organization, day, bound=False, initial={"date": day})
        return _form_page(request, organization, form)

    day = read_date(request.POST.get("date"), today)
    form = _form(request, organization, day, bound=True)
    if not form.is_valid():
        if form.has_error("__all__", "roll_changed"):
            form = _rebuilt(request, organization, form, day)
        return _form_page(
            request, organization, form, alert=_("Please correct the errors below."), status=400
        )
    data = form.cleaned_data
    try:
        meeting = services.record_meeting(
            organization,
            kind=data["kind"],
            date=data["date"],
            topic=data["topic"],
            place=data["place"],
            host=data["host"],
            minutes=data["minutes"],
            party_group=data["party_group"],
            attendance=data["attendance"],
            files=data["photos"],
            acting_user=request.user,
        )
    except RecordRefused as refused:
        return _form_page(request, organization, form, alert=refused.message, status=400)
    messages.success(request, _("Meeting recorded."))
    return redirect("records:meeting_detail", pk=meeting.pk)


@login_required
@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One meeting: its minutes, the roll with counts, attachments to download."""
    detail = selectors.meeting_detail(request.user, pk)
    meeting = detail.meeting
    kind = selectors.meeting_kinds_by_code().get(meeting.kind)
    context = {
        "meeting": meeting,
        "organization": meeting.organization,
        "kind_name": kind.display_name if kind else meeting.kind,
        "counts": detail.counts,
        "can_enter": services.can_enter(request.user, meeting.organization),
        "attachment_form": AttachmentForm(),
    }
    return render(request, "records/meeting_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a meeting; the form carries the version it showed, so a stale one is refused."""
    meeting = selectors.meeting_detail(request.user, pk, Action.ENTER).meeting
    organization = meeting.organization
    if request.method == "GET":
        roll = {a.person_id: (a.presence, a.reason) for a in meeting.attendance.all()}
        kinds = {k.code: k for k in services.meeting_kinds(organization, meeting.date)}
        if meeting.kind in kinds and kinds[meeting.kind].chosen_roll:
            # who is not on a chosen roll was not expected
            roster = services.expected_people(organization, meeting.date)
            roll = {
                pk: roll.get(pk, (NOT_EXPECTED, "")) for pk in roster.values_list("pk", flat=True)
            }
        initial = {
            "kind": meeting.kind,
            "date": meeting.date,
            "topic": meeting.topic,
            "party_group": meeting.party_group,
            "place": meeting.place,
            "host": meeting.host_id,
            "minutes": meeting.minutes,
            "version": meeting.version,
        }
        form = _form(
            request, organization, meeting.date, bound=False, roll_initial=roll, initial=initial
        )
        return _form_page(request, organization, form, meeting=meeting)

    day = read_date(request.POST.get("date"), meeting.date)
    form = _form(request, organization, day, bound=True)
    if not form.is_valid():
        if form.has_error("__all__", "roll_changed"):
            form = _rebuilt(request, organization, form, day)
        return _form_page(
            request,
            organization,
            form,
            meeting=meeting,
            alert=_("Please correct the errors below."),
            status=400,
        )
    data = form.cleaned_data
    try:
        services.change_meeting(
            meeting,
            version=data["version"] or 0,  # a form without its version is as stale as can be
            kind=data["kind"],
            date=data["date"],
            topic=data["topic"],
            place=data["place"],
            host=data["host"],
            minutes=data["minutes"],
            party_group=data["party_group"],
            attendance=data["attendance"],
            files=data["photos"],
            acting_user=request.user,
        )
    except RecordRefused as refused:
        status = 409 if isinstance(refused, StaleVersion) else 400
        return _form_page(
            request, organization, form, meeting=meeting, alert=refused.message, status=status
        )
    messages.success(request, _("Meeting saved."))
    return redirect("records:meeting_detail", pk=meeting.pk)


def _entered_meeting(request: HttpRequest, pk: int) -> Meeting:
    queryset = Meeting.objects.restrict(request.user, Action.ENTER).select_related("organization")
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_POST
def meeting_delete(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _entered_meeting(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.delete_meeting(meeting, version=version, acting_user=request.user)
    except RecordRefused as refused:
        messages.error(request, refused.message)
        return redirect("records:meeting_detail", pk=pk)
    messages.success(request, _("Meeting deleted."))
    return redirect("records:meeting_list", organization_pk=meeting.organization_id)


@login_required
@require_POST
def meeting_attach(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = _entered_meeting(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise RecordRefused(_("Choose a photo or a PDF file to attach."))
        services.add_attachment(meeting, form.cleaned_data["files"], acting_user=request.user)
    except RecordRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Attached."))
    return redirect("records:meeting_detail", pk=pk)


def _attachment(request: HttpRequest, pk: int, action: str) -> MeetingAttachment:
    queryset = MeetingAttachment.objects.restrict(request.user, action).select_related("meeting")
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file as uploaded, always as a download and never sniffed by the browser."""
    attachment = _attachment(request, pk, Action.VIEW)
    return stored_file_download(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@login_required
@require_POST
def attachment_remove(request: HttpRequest, pk: int) -> HttpResponse:
    attachment = _attachment(request, pk, Action.ENTER)
    try:
        services.remove_attachment(attachment, acting_user=request.user)
    except RecordRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Attachment removed."))
    return redirect("records:meeting_detail", pk=attachment.meeting_id)
