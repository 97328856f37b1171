"""The calendar of organizational life: one organization's year, or one meeting kind across the
organizations below it.

``?org=`` picks the organization (by default the top of the user's scope; outside it, 404),
``?year=`` the year (this one by default), ``?kind=`` the meeting kind shown across the
organizations below, ``?view=own`` the organization's own year even when it has organizations
below. Reads come from `selectors.calendar`, in a fixed number of queries.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from assessment.selectors.queues import scope_roots
from organizations.models import Organization
from organizations.selectors import breadcrumbs

from ..forms.calendar import CalendarForm
from ..selectors import calendar as selectors

YEARS_BACK = 4


@login_required
@require_GET
def calendar(request: HttpRequest) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    chosen = CalendarForm(request.GET).chosen()
    year = chosen["year"] or today.year
    roots = list(scope_roots(user))
    if chosen["org"] is not None:
        organization = get_object_or_404(
            Organization.objects.restrict(user).select_related("kind"), pk=chosen["org"]
        )
    elif roots:
        organization = roots[0]
    else:
        return render(request, "no_role.html")
    config = selectors.config_of_year(year, today)
    below = set(
        Organization.objects.subtree(organization, include_self=False)
        .filter(is_active=True)
        .order_by()
        .values_list("kind__code", flat=True)
        .distinct()
    )
    below_kinds = [k for k in config.meeting_kinds if below & set(k.applies_to)]
    own_kinds = config.kinds_for(organization.kind.code)
    kind = config.kind(chosen["kind"] or "")
    if kind is not None and kind not in below_kinds:
        kind = None
    show_below = bool(below_kinds) and chosen["view"] != "own"
    if show_below and kind is None:
        monthly = [k for k in below_kinds if k.per_month]
        kind = (monthly or below_kinds)[0]
    context = {
        "organization": organization,
        "breadcrumbs": breadcrumbs(user, organization)[:-1],
        "roots": roots,
        "year": year,
        "years": sorted({*range(today.year - YEARS_BACK, today.year + 2), year}, reverse=True),
        "today": today,
        "own_kinds": own_kinds,
        "below_kinds": below_kinds,
        "kind": kind if show_below else None,
    }
    if show_below:
        context["committee"] = selectors.committee_calendar(
            organization, year, kind, page=request.GET.get("page"), today=today
        )
    else:
        context["branch"] = selectors.branch_calendar(organization, year, today=today)
    return render(request, "records/calendar.html", context)
