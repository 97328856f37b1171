"""The year's table of figures, an organization's figures over the years with their history, and
the entry form of one organization and year (the finance role)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from core.filters import read_id
from core.lists import Column, Listing
from organizations.choices import Action
from organizations.models import Organization
from organizations.scope import can, scope_prefixes

from ..forms import FiguresForm, YearForm
from ..models import BusinessMeasure
from ..selectors import figures as selectors
from ..services.figures import FiguresRefused, StaleFigures, save_figures


def _organization(user, pk: int, action: str = Action.VIEW) -> Organization:
    return get_object_or_404(Organization.objects.restrict(user, action), pk=pk)


def _require_viewer(user) -> None:
    if scope_prefixes(user, Action.VIEW) == []:
        raise Http404


def _year(value, default: int) -> int:
    form = YearForm({"year": value})
    return form.cleaned_data["year"] if form.is_valid() else default


def _unit(measure) -> str:
    return f" ({measure.display_unit})" if measure.display_unit else ""


def _table_columns(measures) -> tuple[Column, ...]:
    """The organization and a column per measure of the year (``?sort=m-<code>``). The table is
    a pivot built in memory, so it is sorted there (selectors.sort_table): `order` only marks
    the columns sortable and never reaches the database."""
    return (
        Column("organization", gettext_lazy("Organization"), ("organization__path",)),
        *(Column(f"m-{m.code}", f"{m.display_name}{_unit(m)}", ("value",)) for m in measures),
    )


@login_required
def figure_table(request: HttpRequest) -> HttpResponse:
    """A year's figures, organizations by measures, in the caller's scope or one subtree: in the
    tree's order, or by a column asked, paged; the exports hold every row in that order."""
    _require_viewer(request.user)
    years = selectors.years(request.user)
    this_year = timezone.localdate().year
    year = _year(request.GET.get("year"), years[0] if years else this_year - 1)
    within = None
    within_id = read_id(request.GET.get("within"))
    if within_id is not None:
        within = Organization.objects.restrict(request.user).filter(pk=within_id).first()
    measures, rows = selectors.figure_table(request.user, year, within)
    columns = _table_columns(measures)
    listing = Listing(request, columns, default_sort="organization")
    keys = [column.key for column in columns[1:]]
    measure = keys.index(listing.sort_key) if listing.sort_key in keys else None
    rows = selectors.sort_table(rows, measure, descending=listing.descending)
    if listing.export_format:
        return listing.export_rows(
            [str(column.label) for column in columns],
            ([row.organization.display_name, *row.cells] for row in rows),
            count=len(rows),
            name=f"figures-{year}",
            title=_("Business figures"),
        )
    page = Paginator(rows, listing.page_size).get_page(request.GET.get("page"))
    headings = listing.headings
    return render(
        request,
        "business/table.html",
        {
            "year": year,
            "years": sorted({*years, year, this_year - 1}, reverse=True),
            "within": within,
            "measures": [(m, headings[key]) for m, key in zip(measures, keys, strict=True)],
            "page": page,
            "rows": page.object_list,
            "may_enter": scope_prefixes(request.user, Action.FIGURES) != [],
            "listing": listing,
        },
    )


@login_required
def organization_figures(request: HttpRequest, pk: int) -> HttpResponse:
    """One organization's figures over the years and who changed them when."""
    organization = _organization(request.user, pk)
    measures, rows = selectors.organization_figures(organization)
    return render(
        request,
        "business/organization.html",
        {
            "organization": organization,
            "measures": measures,
            "rows": rows,
            "history": selectors.history(organization),
            "may_enter": can(request.user, Action.FIGURES, organization),
            "next_year": timezone.localdate().year - 1,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def enter_figures(request: HttpRequest, pk: int) -> HttpResponse:
    """The figures of one organization and year (`?year=`): all saved or none."""
    organization = _organization(request.user, pk, Action.FIGURES)
    year = _year(request.GET.get("year"), timezone.localdate().year - 1)
    measures = list(BusinessMeasure.objects.filter(is_active=True).order_by("position", "code"))
    stored = selectors.figures_of_year(organization, year)
    form = FiguresForm(request.POST or None, measures=measures, stored=stored)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                save_figures(
                    organization,
                    year,
                    form.values(),
                    versions=form.versions(),
                    acting_user=request.user,
                )
            except FiguresRefused as refused:
                form.add_error(None, refused.message)
                for code, message in refused.errors.items():
                    if f"m-{code}" in form.fields:
                        form.add_error(f"m-{code}", message)
                if isinstance(refused, StaleFigures):
                    status = 409
            else:
                messages.success(
                    request,
                    _("The figures of %(year)s are saved.") % {"year": year},
                )
                return redirect("business:organization", pk=organization.pk)
    return render(
        request,
        "business/enter.html",
        {"organization": organization, "year": year, "form": form},
        status=status,
    )
