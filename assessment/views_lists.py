"""Work lists of the assessment app: a secretary's to-do list, the review queue, completeness per
subtree, notices, and the periods administration.

Reads come from `selectors.queues` (scoped querysets, a fixed number of queries per page), writes
from the services; an object outside the user's scope is a 404. Period changes are for group
administrators only: to anyone else those pages do not exist.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from organizations.models import Organization
from organizations.scope import is_group_administrator, roles_of
from organizations.selectors import breadcrumbs

from .choices import SubmissionState
from .forms_periods import PeriodForm
from .models import Period
from .selectors import browse, queues
from .services import notices as notice_services
from .services import periods as period_services
from .views import group_administrator_required

PER_PAGE = 50


MAX_ID = 2**63 - 1


def _int_param(request: HttpRequest, name: str) -> int | None:
    """An id in the query string; anything else (words, out of range) counts as not given."""
    try:
        value = int(request.GET.get(name, ""))
    except ValueError:
        return None
    return value if 0 < value <= MAX_ID else None


def _page(request: HttpRequest, queryset) -> Page:
    return Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))


@login_required
@require_GET
def my_submissions(request: HttpRequest) -> HttpResponse:
    """A secretary's to-do list: returned submissions first (with why), then by deadline."""
    return render(
        request,
        "assessment/home_secretary.html",
        {
            "page": _page(request, queues.my_open_submissions(request.user)),
            "today": timezone.localdate(),
        },
    )


def _choice(value: str, choices: list[str], default: str) -> str:
    return value if value in choices else default


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Submissions the user reviews, by state (submitted by default), period, kind and subtree."""
    state = request.GET.get("state", SubmissionState.SUBMITTED)
    filters = queues.QueueFilter(
        period=_int_param(request, "period"),
        state=_choice(state, ["", *SubmissionState.values], SubmissionState.SUBMITTED),
        subject_kind=request.GET.get("subject_kind", "").strip(),
        within=_int_param(request, "within"),
    )
    result = queues.review_queue(request.user, filters)
    periods = list(queues.visible_periods())
    subtrees = list(queues.review_scope_organizations(request.user))
    if result.within is not None and result.within not in subtrees:
        subtrees.append(result.within)
    kinds = queues.subject_kind_names(periods, browse.engine_language())
    page = _page(request, result.rows)
    for submission in page:
        submission.kind_name = kinds.get(submission.subject_kind, submission.subject_kind)
    return render(
        request,
        "assessment/queue.html",
        {
            "filters": filters,
            "page": page,
            "counts": [
                (value, label, result.counts[value]) for value, label in SubmissionState.choices
            ],
            "total": result.total,
            "periods": periods,
            "subject_kinds": sorted(kinds.items(), key=lambda item: item[1]),
            "subtrees": subtrees,
            "within_unknown": filters.within is not None and result.within is None,
        },
    )


@login_required
@require_GET
def completeness(request: HttpRequest) -> HttpResponse:
    """How complete a period is under an organization, per direct child; the total below.

    ``?org=`` picks the organization (default: the top of the user's scope; outside it: 404),
    ``?period=`` the period (default: the latest open one).
    """
    user = request.user
    roots = list(queues.scope_roots(user))
    org_id = _int_param(request, "org")
    if org_id is not None:
        organization = get_object_or_404(
            Organization.objects.restrict(user).select_related("kind"), pk=org_id
        )
    elif roots:
        organization = roots[0]
    else:
        raise Http404
    periods = list(queues.visible_periods())
    period = queues.pick_period(periods, _int_param(request, "period"))
    today = timezone.localdate()
    lines: list[tuple[str, queues.CompletenessRow]] = []
    if period is not None:
        table = queues.completeness(user, period, organization, today=today)
        if table.own.expected:
            lines.append(("own", table.own))
        lines.extend(("child", row) for row in table.children)
        lines.append(("total", table.total))
    context: dict[str, Any] = {
        "organization": organization,
        "breadcrumbs": breadcrumbs(user, organization)[:-1],
        "roots": roots,
        "periods": periods,
        "period": period,
        "lines": lines,
    }
    return render(request, "assessment/completeness.html", context)


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """The user's notices, newest first; unread ones stand out until marked read."""
    page = _page(request, queues.notices_of(request.user))
    return render(
        request,
        "assessment/notices.html",
        {
            "page": page,
            "items": [
                (notice, notice_services.notice_text(notice), notice_services.notice_link(notice))
                for notice in page
            ],
            "unread": queues.unread_notice_count(request.user),
        },
    )


@login_required
@require_POST
def notices_mark_read(request: HttpRequest) -> HttpResponse:
    marked = notice_services.mark_all_read(request.user)
    if marked:
        messages.success(
            request,
            ngettext(
                "%(count)d notice marked as read.", "%(count)d notices marked as read.", marked
            )
            % {"count": marked},
        )
    return redirect("assessment:notices")


@login_required
@require_GET
def period_list(request: HttpRequest) -> HttpResponse:
    """Every period with its status and the submissions in the user's scope; any role may look.

    Group administrators also get the buttons to create, open and close periods.
    """
    if not roles_of(request.user):
        raise Http404
    page = _page(request, queues.all_periods())
    counts = queues.period_counts(request.user, [period.pk for period in page])
    rows = [(period, counts.get(period.pk, queues.PeriodCounts())) for period in page]
    return render(
        request,
        "assessment/periods.html",
        {"page": page, "rows": rows, "can_manage": is_group_administrator(request.user)},
    )


@group_administrator_required
@require_http_methods(["GET", "POST"])
def period_create(request: HttpRequest) -> HttpResponse:
    """Create a planned period; opening it is a separate step."""
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            period = period_services.create_period(**form.cleaned_data, acting_user=request.user)
        except period_services.PeriodError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Period %(name)s was created. Open it to create the submissions.")
                % {"name": period.display_name},
            )
            return redirect("assessment:period_list")
    return render(request, "assessment/periods_form.html", {"form": form})


@group_administrator_required
@require_POST
def period_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Open a planned period: every expected submission is created."""
    period = get_object_or_404(Period, pk=pk)
    try:
        created = period_services.open_period(period)
    except period_services.PeriodError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            ngettext(
                "Period %(name)s is open: %(count)d submission was created.",
                "Period %(name)s is open: %(count)d submissions were created.",
                created,
            )
            % {"name": period.display_name, "count": created},
        )
    return redirect("assessment:period_list")


@group_administrator_required
@require_POST
def period_close(request: HttpRequest, pk: int) -> HttpResponse:
    """Close an open period: its approved submissions are locked."""
    period = get_object_or_404(Period, pk=pk)
    try:
        locked = period_services.close_period(period, acting_user=request.user)
    except period_services.PeriodError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            ngettext(
                "Period %(name)s is closed: %(count)d approved submission was locked.",
                "Period %(name)s is closed: %(count)d approved submissions were locked.",
                locked,
            )
            % {"name": period.display_name, "count": locked},
        )
    return redirect("assessment:period_list")
