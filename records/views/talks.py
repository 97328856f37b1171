"""Pages of heart-to-heart talks: an organization's list, the record and edit forms, deleting.

An organization or talk outside the user's scope is a 404; the forms need `enter` on the
organization. The people offered are those of the organization's subtree; the service checks
that both belonged there on the talk's date. The edit form and the delete button carry the version
of the talk they showed: when someone else saved it meanwhile the edit is a 409 with the reason
and nothing is changed, as for meetings.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.lists import Column, Listing
from organizations.choices import Action, PersonStatus
from organizations.models import Organization, Person
from organizations.selectors import breadcrumbs

from ..forms.meetings import MeetingFilterForm, VersionForm
from ..forms.talks import TalkForm
from ..models import Talk
from ..selectors import home_organization
from ..selectors import meetings as selectors
from ..services import talks as services
from ..services.dates import RecordRefused, StaleVersion

PER_PAGE = 50


def _organization(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Organization:
    queryset = Organization.objects.restrict(request.user, action).select_related("kind")
    return get_object_or_404(queryset, pk=pk)


def _talk(request: HttpRequest, pk: int) -> Talk:
    queryset = Talk.objects.restrict(request.user, Action.ENTER).select_related(
        "organization__kind", "talker", "partner"
    )
    return get_object_or_404(queryset, pk=pk)


def _people(organization: Organization, *also: Person) -> list[Person]:
    """The active people of the organization's subtree, and those a talk already names."""
    people = list(
        Person.objects.within(organization)
        .filter(status=PersonStatus.ACTIVE)
        .order_by("employee_number")
    )
    known = {p.pk for p in people}
    return people + [p for p in also if p.pk not in known]


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    organization = home_organization(request.user)
    if organization is None:
        return render(request, "no_role.html")
    return redirect("records:talk_list", organization_pk=organization.pk)


def _field(name: str):
    return Talk._meta.get_field(name).verbose_name


TALK_COLUMNS = (
    Column("date", gettext_lazy("Date"), ("date",), lambda t: t.date),
    Column("topic", gettext_lazy("Topic"), ("topic",), lambda t: t.topic),
    Column("talker", _field("talker"), ("talker__name",), lambda t: t.talker.name),
    Column("partner", _field("partner"), ("partner__name",), lambda t: t.partner.name),
    Column(
        "organization",
        gettext_lazy("Organization"),
        ("organization__path",),
        lambda t: t.organization.display_name,
    ),
    Column("note", _field("note"), (), lambda t: t.note),
)


@login_required
@require_GET
def talk_list(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = _organization(request, organization_pk)
    values = MeetingFilterForm(request.GET).values()
    rows = selectors.talks(request.user, organization, year=values["year"], month=values["month"])
    listing = Listing(request, TALK_COLUMNS, default_sort="-date", default_size=PER_PAGE)
    rows = listing.order(rows)
    if listing.export_format:
        return listing.export(rows, name="talks", title=_("Heart-to-heart talks"))
    page = Paginator(rows, listing.page_size).get_page(request.GET.get("page"))
    context = {
        "organization": organization,
        "trail": breadcrumbs(request.user, organization)[:-1],
        "page": page,
        "talks": list(page.object_list),
        "filters": values,
        "can_enter": services.can_enter(request.user, organization),
        "listing": listing,
    }
    return render(request, "records/talk_list.html", context)


def _form_page(request, organization, form, *, talk=None, alert="", status=200) -> HttpResponse:
    context = {"organization": organization, "form": form, "talk": talk, "alert": alert}
    return render(request, "records/talk_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def talk_create(request: HttpRequest, organization_pk: int) -> HttpResponse:
    organization = _organization(request, organization_pk, Action.ENTER)
    people = _people(organization)
    if request.method == "GET":
        form = TalkForm(initial={"date": timezone.localdate()}, people=people)
        return _form_page(request, organization, form)
    form = TalkForm(request.POST, people=people)
    if not form.is_valid():
        alert = _("Please correct the errors below.")
        return _form_page(request, organization, form, alert=alert, status=400)
    data = form.cleaned_data
    try:
        services.record_talk(
            organization,
            talker=data["talker"],
            partner=data["partner"],
            date=data["date"],
            topic=data["topic"],
            note=data["note"],
            acting_user=request.user,
        )
    except RecordRefused as refused:
        return _form_page(request, organization, form, alert=refused.message, status=400)
    messages.success(request, _("Talk recorded."))
    return redirect("records:talk_list", organization_pk=organization.pk)


@login_required
@require_http_methods(["GET", "POST"])
def talk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Change a talk; the form carries the version it showed, so a stale one is refused."""
    talk = _talk(request, pk)
    organization = talk.organization
    people = _people(organization, talk.talker, talk.partner)
    if request.method == "GET":
        initial = {
            "talker": talk.talker_id,
            "partner": talk.partner_id,
            "date": talk.date,
            "topic": talk.topic,
            "note": talk.note,
            "version": talk.version,
        }
        return _form_page(
            request, organization, TalkForm(initial=initial, people=people), talk=talk
        )
    form = TalkForm(request.POST, people=people)
    if not form.is_valid():
        alert = _("Please correct the errors below.")
        return _form_page(request, organization, form, talk=talk, alert=alert, status=400)
    data = form.cleaned_data
    try:
        services.change_talk(
            talk,
            version=data["version"] or 0,  # a form without its version is as stale as can be
            talker=data["talker"],
            partner=data["partner"],
            date=data["date"],
            topic=data["topic"],
            note=data["note"],
            acting_user=request.user,
        )
    except RecordRefused as refused:
        status = 409 if isinstance(refused, StaleVersion) else 400
        return _form_page(
            request, organization, form, talk=talk, alert=refused.message, status=status
        )
    messages.success(request, _("Talk saved."))
    return redirect("records:talk_list", organization_pk=organization.pk)


@login_required
@require_POST
def talk_delete(request: HttpRequest, pk: int) -> HttpResponse:
    talk = _talk(request, pk)
    form = VersionForm(request.POST)
    version = form.cleaned_data["version"] if form.is_valid() else None
    try:
        services.delete_talk(talk, version=version, acting_user=request.user)
    except RecordRefused as refused:
        messages.error(request, refused.message)
    else:
        messages.success(request, _("Talk deleted."))
    return redirect("records:talk_list", organization_pk=talk.organization_id)
