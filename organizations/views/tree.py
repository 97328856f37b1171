"""Pages of the organization tree: the browser and its search, one organization, children (HTMX).

Every read goes through `selectors` with the requesting user, so an organization outside the
user's scope is a 404 here exactly as everywhere else.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core.lists import Column, Listing

from .. import selectors
from ..filters import OrganizationSearchFilterSet
from ..models import Organization

PEOPLE_PER_PAGE = 50
SEARCH_LIMIT = 50

PEOPLE_COLUMNS = (
    Column("name", gettext_lazy("Full name"), ("name",), lambda p: p.name),
    Column(
        "number", gettext_lazy("Employee number"), ("employee_number",), lambda p: p.employee_number
    ),
    Column("kind", gettext_lazy("Kind"), ("kind",), lambda p: p.get_kind_display()),
    Column(
        "department",
        gettext_lazy("Department"),
        ("department__name",),
        lambda p: p.department.display_name if p.department else "",
    ),
    Column(
        "since",
        gettext_lazy("Party member since"),
        ("party_member_since",),
        lambda p: p.party_member_since,
    ),
    Column("status", gettext_lazy("Status"), ("status",), lambda p: p.get_status_display()),
)


def _organization(request: HttpRequest, pk: int) -> Organization:
    """The organization, if the user may see it; outside the scope a 404."""
    return get_object_or_404(selectors.visible_organizations(request.user), pk=pk)


def _search_context(request: HttpRequest) -> dict[str, Any]:
    search = OrganizationSearchFilterSet(
        request.GET, queryset=selectors.visible_organizations(request.user)
    )
    query = search.query
    matches = search.qs.order_by("depth", "code")[:SEARCH_LIMIT]
    return {
        "query": query,
        "results": selectors.with_trails(request.user, matches) if query else [],
        "search_limit": SEARCH_LIMIT,
    }


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    """The tree browser, starting at the user's scope roots; `?q=` searches without JavaScript."""
    context = {"roots": selectors.scope_roots(request.user), **_search_context(request)}
    return render(request, "organizations/tree.html", context)


@login_required
def search(request: HttpRequest) -> HttpResponse:
    """Live search results for the tree browser (an HTMX fragment)."""
    return render(request, "organizations/_search_results.html", _search_context(request))


@login_required
def children(request: HttpRequest, pk: int) -> HttpResponse:
    """The children of one organization, for expanding a node of the tree in place (HTMX)."""
    org = _organization(request, pk)
    return render(
        request,
        "organizations/_children.html",
        {"nodes": selectors.children_of(request.user, org), "parent": org},
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One organization: its place in the tree, sub-organizations, people, units and roles."""
    user = request.user
    org = _organization(request, pk)
    listing = Listing(request, PEOPLE_COLUMNS, default_sort="number", default_size=PEOPLE_PER_PAGE)
    rows = listing.order(selectors.people_of(user, org))
    if listing.export_format:
        return listing.export(rows, name=f"people-{org.code}", title=_("People"))
    people = Paginator(rows, listing.page_size)
    context = {
        "organization": org,
        "breadcrumbs": selectors.breadcrumbs(user, org)[:-1],
        "sub_organizations": selectors.children_of(user, org),
        "people_page": people.get_page(request.GET.get("page")),
        "departments": selectors.departments_of(user, org),
        "leading_groups": selectors.leading_groups_of(user, org),
        "role_holders": selectors.role_holders(user, org),
        "listing": listing,
    }
    return render(request, "organizations/detail.html", context)
