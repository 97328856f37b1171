"""Pages of star-rated branches (星级党支部评定): the committee's list for a period, a rating with
its steps, conditions and standardization checklist, the confirmation, and a branch's history.

Ratings and branches are read through `selectors.stars` from the access scope (outside it, 404);
the confirmation goes through `services.stars.decide`, which decides who may confirm (a reviewer
above the branch: 403 with the reason otherwise) and refuses a stale form (409) or stars the rules
do not allow (400), re-showing the page with the reason and changing nothing.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from assessment.selectors.queues import scope_roots
from core.lists import Column, Listing
from organizations.models import Organization
from organizations.selectors import breadcrumbs

from ..choices import Decision
from ..forms.stars import STAR_CHOICES, StarDecisionForm, StarListForm
from ..models import StarRating
from ..selectors import stars as selectors
from ..services import stars as services

COLUMNS = (
    Column(
        "branch",
        gettext_lazy("Branch"),
        ("organization__path",),
        lambda r: r.organization.display_name,
    ),
    Column("score", gettext_lazy("Score"), ("score",), lambda r: r.score),
    Column("proposed", gettext_lazy("Proposed stars"), ("proposed",), lambda r: r.proposed),
    Column("stars", gettext_lazy("Confirmed stars"), ("stars",), lambda r: r.stars),
    Column("conditions", gettext_lazy("Entry conditions")),
    Column("state", gettext_lazy("State"), ("state",), lambda r: r.get_state_display()),
    Column("action", gettext_lazy("Action")),
)


@login_required
@require_GET
def star_list(request: HttpRequest) -> HttpResponse:
    """The ratings of a yearly period (``?period=``, by default the latest) in the user's scope
    (``?org=`` narrows to a subtree), by state (``?state=``), best score first, with the
    counts per star level and the quotas of the committees the user sees whole."""
    user = request.user
    roots = list(scope_roots(user))
    if not roots:
        return render(request, "no_role.html")
    chosen = StarListForm(request.GET).chosen()
    periods = list(selectors.star_periods()[:20])
    period = None
    if chosen["period"] is not None:
        period = get_object_or_404(selectors.star_periods(), pk=chosen["period"])
        if period not in periods:
            periods.append(period)
    elif periods:
        with_ratings = (
            StarRating.objects.restrict(user)
            .filter(period__in=periods)
            .order_by("-period__start")
            .values_list("period_id", flat=True)
            .first()
        )
        period = next((p for p in periods if p.pk == with_ratings), periods[0])
    organization = None
    if chosen["org"] is not None:
        organization = get_object_or_404(
            Organization.objects.restrict(user).select_related("kind"), pk=chosen["org"]
        )
    board = selectors.star_board(user, period, organization=organization, state=chosen["state"])
    listing = Listing(request, COLUMNS, default_sort="-score")
    rows = listing.order(board.rows)
    if listing.export_format:
        return listing.export(rows, name="stars", title=_("Star-rated branches"))
    page = Paginator(rows, listing.page_size).get_page(request.GET.get("page"))
    selectors.decorate(page, user)
    return render(
        request,
        "standards/stars_list.html",
        {
            "board": board,
            "page": page,
            "period": period,
            "periods": periods,
            "organization": organization,
            "roots": roots,
            "chosen": chosen,
            "states": Decision.choices,
            "listing": listing,
        },
    )


def _detail(request: HttpRequest, rating: StarRating, form=None, status: int = 200):
    data = selectors.rating_page(request.user, rating)
    if form is None and data["can_decide"]:
        form = StarDecisionForm(
            initial={"stars": rating.proposed, "version": rating.version, "reason": ""}
        )
    return render(
        request,
        "standards/stars_detail.html",
        {
            **data,
            "form": form,
            "star_choices": STAR_CHOICES,
            "breadcrumbs": breadcrumbs(request.user, rating.organization),
        },
        status=status,
    )


@login_required
@require_GET
def star_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One rating: how the proposal was made, its conditions, the branch's standardization item
    by item, and the confirmation form for the committee."""
    return _detail(request, selectors.scoped_rating(request.user, pk))


@login_required
@require_POST
def star_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The committee confirms the stars (the proposal, or others with a reason)."""
    rating = selectors.scoped_rating(request.user, pk)
    form = StarDecisionForm(request.POST)
    if not form.is_valid():
        return _detail(request, rating, form, status=400)
    try:
        services.decide(
            rating,
            stars=form.cleaned_data["stars"],
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
            acting_user=request.user,
        )
    except services.StarsRefused as refused:
        form.add_error(None, refused.message)
        rating = selectors.scoped_rating(request.user, pk)
        return _detail(request, rating, form, status=refused.status)
    messages.success(
        request,
        _("The stars of %(org)s are confirmed: %(stars)d.")
        % {"org": rating.organization.display_name, "stars": form.cleaned_data["stars"]},
    )
    target = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("standards:star_detail", args=[rating.pk])
    return redirect(target or reverse("standards:star_detail", args=[rating.pk]))


@login_required
@require_GET
def star_history(request: HttpRequest, organization_pk: int) -> HttpResponse:
    """A branch's ratings over the years, with a small chart of its stars by year."""
    data = selectors.branch_history(request.user, organization_pk)
    return render(
        request,
        "standards/stars_history.html",
        {**data, "breadcrumbs": breadcrumbs(request.user, data["branch"])},
    )
