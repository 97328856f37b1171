"""Pages of the democratic appraisal of members: the branches' appraisals, one appraisal's
ranking with the grades (decided by the branch, approved by the committee above), the members
needing follow-up and one follow-up step.

An appraisal or follow-up outside the user's scope is a 404. The forms carry the version they
showed: a save based on an older one is refused with a 409 and changes nothing.
"""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.lists import Column, Listing
from organizations.choices import Action
from organizations.models import Organization, RoleAssignment

from ..choices import AppraisalState
from ..forms.appraisals import FollowUpForm, GradesForm, ListFilterForm, VersionForm
from ..models import FollowUp, MemberAppraisal
from ..selectors import appraisals as selectors
from ..services import appraisals as services

PER_PAGE = 50


def _appraisal(request: HttpRequest, pk: int) -> MemberAppraisal:
    appraisal = selectors.scoped_appraisal(request.user, pk)
    if appraisal is None:
        raise Http404
    return appraisal


def _follow_up(request: HttpRequest, pk: int) -> FollowUp:
    follow_up = selectors.scoped_follow_up(request.user, pk)
    if follow_up is None:
        raise Http404
    return follow_up


def _period(periods, pk):
    return next((p for p in periods if p.pk == pk), None)


APPRAISAL_COLUMNS = (
    Column(
        "branch",
        gettext_lazy("Branch"),
        ("organization__path",),
        lambda a: a.organization.display_name,
    ),
    Column("period", gettext_lazy("Period"), ("period__start",), lambda a: a.period.display_name),
    Column("members", gettext_lazy("Members"), ("members",), lambda a: a.members),
    # The top grade's count is read per page (selectors.list_rows), so not sortable.
    Column("top", gettext_lazy("Top grade / limit")),
    Column("state", gettext_lazy("State"), ("state",), lambda a: a.get_state_display()),
)


@login_required
@require_GET
def appraisal_list(request: HttpRequest) -> HttpResponse:
    """Per branch: its members, the top grade's count against the cap, the state."""
    filters = ListFilterForm(request.GET).values()
    periods = selectors.appraisal_periods(request.user)
    period = _period(periods, filters["period"]) or (periods[0] if periods else None)
    state = filters["state"] if filters["state"] in AppraisalState.values else ""
    items = (
        selectors.appraisals(request.user, period=period, state=state)
        if period
        else MemberAppraisal.objects.none()
    )
    listing = Listing(request, APPRAISAL_COLUMNS, default_sort="branch", default_size=PER_PAGE)
    items = listing.order(items)
    if listing.export_format:
        return listing.export(items, name="appraisals", title=_("Appraisal of members"))
    page = Paginator(items, listing.page_size).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "rows": selectors.list_rows(list(page.object_list)),
        "periods": periods,
        "period": period,
        "state": state,
        "states": AppraisalState.choices,
        "listing": listing,
    }
    return render(request, "standards/appraisal_list.html", context)


def _detail_page(request, appraisal, *, form=None, alert="", status=200) -> HttpResponse:
    view = selectors.appraisal_view(request.user, appraisal, get_language() or "")
    if form is None and view.can_grade:
        form = GradesForm(
            initial={"version": appraisal.version}, rows=view.rows, choices=view.grade_choices
        )
    rows = [
        (row, form[f"grade-{row.grade.pk}"], form[f"reason-{row.grade.pk}"])
        if form is not None
        else (row, None, None)
        for row in view.rows
    ]
    context = {"view": view, "appraisal": appraisal, "rows": rows, "form": form, "alert": alert}
    return render(request, "standards/appraisal_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking and votes; on POST, the branch's decided grades (all saved or none)."""
    appraisal = _appraisal(request, pk)
    if request.method == "GET":
        return _detail_page(request, appraisal)
    view = selectors.appraisal_view(request.user, appraisal)
    form = GradesForm(request.POST, rows=view.rows, choices=view.grade_choices)
    if not form.is_valid():
        alert = _("Please correct the errors below.")
        return _detail_page(request, appraisal, form=form, alert=alert, status=400)
    try:
        services.set_grades(
            appraisal,
            form.decisions(),
            version=form.cleaned_data["version"],
            acting_user=request.user,
        )
    except services.StaleVersion as stale:
        return _detail_page(request, appraisal, form=form, alert=str(stale), status=409)
    except services.NotAllowed as refused:
        return _detail_page(request, appraisal, alert=str(refused), status=403)
    except services.AppraisalRefused as refused:
        return _detail_page(request, appraisal, form=form, alert=str(refused), status=400)
    messages.success(request, _("Grades saved."))
    return redirect("standards:appraisal_detail", pk=appraisal.pk)


@login_required
@require_POST
def appraisal_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee approves: refused, with the reason, while the top grade exceeds the cap."""
    appraisal = _appraisal(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _detail_page(
            request, appraisal, alert=_("The form was incomplete: reload the page."), status=400
        )
    try:
        services.approve(appraisal, version=form.cleaned_data["version"], acting_user=request.user)
    except services.StaleVersion as stale:
        return _detail_page(request, appraisal, alert=str(stale), status=409)
    except services.NotAllowed as refused:
        return _detail_page(request, appraisal, alert=str(refused), status=403)
    except services.AppraisalRefused as refused:
        return _detail_page(request, appraisal, alert=str(refused), status=400)
    messages.success(request, _("Appraisal approved."))
    return redirect("standards:appraisal_detail", pk=appraisal.pk)


def _owner(item: FollowUp) -> str:
    return (item.owner.get_full_name() or item.owner.get_username()) if item.owner else ""


FOLLOW_UP_COLUMNS = (
    # The default: not done first, then by due date (the selector's order).
    Column("urgent", "", ("done_on", "due", "person__name", "step")),
    Column("member", gettext_lazy("Member"), ("person__name",), lambda f: f.person.name),
    Column(
        "branch",
        gettext_lazy("Branch"),
        ("organization__path",),
        lambda f: f.organization.display_name,
    ),
    Column("step", gettext_lazy("Step"), ("step",), lambda f: f.get_step_display()),
    Column("due", gettext_lazy("Due"), ("due",), lambda f: f.due),
    Column("owner", gettext_lazy("Owner"), ("owner__username",), _owner),
    Column("done_on", gettext_lazy("Done on"), ("done_on",), lambda f: f.done_on),
)


@login_required
@require_GET
def follow_up_list(request: HttpRequest) -> HttpResponse:
    """Members needing follow-up: 谈话提醒, 限期改正, 组织处置 with due date, owner, done date."""
    filters = ListFilterForm(request.GET).values()
    periods = selectors.follow_up_periods(request.user)
    period = _period(periods, filters["period"])
    state = filters["state"] if filters["state"] in selectors.FOLLOW_UP_STATES else ""
    organization = None
    if filters["organization"]:
        organization = (
            Organization.objects.restrict(request.user, Action.VIEW)
            .filter(pk=filters["organization"])
            .first()
        )
    if filters["organization"] and organization is None:
        items = FollowUp.objects.none()
    else:
        items = selectors.follow_ups(
            request.user, period=period, state=state, organization=organization
        )
    listing = Listing(request, FOLLOW_UP_COLUMNS, default_sort="urgent", default_size=PER_PAGE)
    items = listing.order(items)
    if listing.export_format:
        return listing.export(items, name="follow-ups", title=_("Follow-up steps"))
    page = Paginator(items, listing.page_size).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "follow_ups": list(page.object_list),
        "periods": periods,
        "period": period,
        "state": state,
        "organization": organization,
        "today": timezone.localdate(),
        "listing": listing,
    }
    return render(request, "standards/follow_up_list.html", context)


def _owners(follow_up: FollowUp) -> list:
    """Who may own a step: active users with a role on the branch or an organization above."""
    ancestors = _ancestor_paths(follow_up.organization.path)
    ids = RoleAssignment.objects.filter(
        organization__path__in=ancestors, user__is_active=True
    ).values("user_id")
    users = list(get_user_model().objects.filter(pk__in=ids).order_by("username"))
    if follow_up.owner and follow_up.owner.pk not in {u.pk for u in users}:
        users.append(follow_up.owner)
    return users


def _ancestor_paths(path: str) -> list[str]:
    """The paths of an organization and its ancestors ("/1/4/9/" -> "/1/", "/1/4/", ...)."""
    parts = [p for p in path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def _follow_up_page(request, follow_up, form, *, alert="", status=200) -> HttpResponse:
    context = {
        "follow_up": follow_up,
        "form": form,
        "alert": alert,
        "can_edit": services.can_follow_up(request.user, follow_up),
        "today": timezone.localdate(),
    }
    return render(request, "standards/follow_up_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def follow_up_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One follow-up step; the branch or a reviewer records its owner, note and done date."""
    follow_up = _follow_up(request, pk)
    owners = _owners(follow_up)
    if request.method == "GET":
        initial = {
            "done_on": follow_up.done_on,
            "owner": str(follow_up.owner_id or ""),
            "note": follow_up.note,
            "version": follow_up.version,
        }
        return _follow_up_page(request, follow_up, FollowUpForm(initial=initial, owners=owners))
    form = FollowUpForm(request.POST, owners=owners)
    if not services.can_follow_up(request.user, follow_up):
        alert = _("You do not record the follow-up of this branch's members.")
        return _follow_up_page(request, follow_up, form, alert=alert, status=403)
    if not form.is_valid():
        alert = _("Please correct the errors below.")
        return _follow_up_page(request, follow_up, form, alert=alert, status=400)
    data = form.cleaned_data
    try:
        services.update_follow_up(
            follow_up,
            done_on=data["done_on"],
            owner=data["owner"],
            note=data["note"],
            version=data["version"],
            acting_user=request.user,
        )
    except services.StaleVersion as stale:
        return _follow_up_page(request, follow_up, form, alert=str(stale), status=409)
    except services.AppraisalRefused as refused:
        return _follow_up_page(request, follow_up, form, alert=str(refused), status=400)
    messages.success(request, _("Follow-up saved."))
    return redirect("standards:follow_up_detail", pk=follow_up.pk)
