"""The periods administration: every period with its submissions in scope, and for group
administrators creating, opening and closing them.

Reads come from `selectors.queues`, writes from `services.periods`, whose refusals come back as
messages. Period changes are for group administrators only: to anyone else those pages do not
exist (404).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.lists import Listing
from organizations.scope import is_group_administrator, roles_of

from ..forms.periods import PeriodForm
from ..models import Period
from ..selectors import queues
from ..services import periods as period_services
from .columns import period_columns
from .common import group_administrator_required


@login_required
@require_GET
def period_list(request: HttpRequest) -> HttpResponse:
    """Every period with its status and the submissions in the user's scope; any role may look.

    Group administrators also get the buttons to create, open and close periods. Sorted by a
    column, so many to a page; the export holds every period with the same scoped counts.
    """
    if not roles_of(request.user):
        raise Http404
    listing = Listing(request, period_columns(), default_sort="-dates")
    periods = listing.order(queues.all_periods())
    if listing.export_format:
        # Periods are few (a handful a year): counted together, two queries in all.
        every = list(periods)
        _count(request, every)
        return listing.export(
            every, count=len(every), name="periods", title=_("Assessment periods")
        )
    page = Paginator(periods, listing.page_size).get_page(request.GET.get("page"))
    rows = _count(request, page.object_list)
    return render(
        request,
        "assessment/periods.html",
        {
            "page": page,
            "rows": rows,
            "can_manage": is_group_administrator(request.user),
            "listing": listing,
        },
    )


def _count(request: HttpRequest, periods) -> list[Period]:
    """The periods, each with `counts`: its submissions in the user's scope (one query)."""
    periods = list(periods)
    counts = queues.period_counts(request.user, [period.pk for period in periods])
    for period in periods:
        period.counts = counts.get(period.pk, queues.PeriodCounts())
    return periods


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
