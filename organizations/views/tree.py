"""Pages of the organization tree: the browser and its search, one organization, children (HTMX).

Every read goes through `selectors` with the requesting user, so an organization outside the
user's scope is a 404 here exactly as everywhere else.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView

from .. import selectors
from ..filters import OrganizationSearchFilterSet
from ..mixins import ScopedViewMixin
from ..models import Organization

PEOPLE_PER_PAGE = 50
SEARCH_LIMIT = 50


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
    org = get_object_or_404(selectors.visible_organizations(request.user), pk=pk)
    return render(
        request,
        "organizations/_children.html",
        {"nodes": selectors.children_of(request.user, org), "parent": org},
    )


class OrganizationDetailView(ScopedViewMixin, DetailView):
    """One organization: its place in the tree, sub-organizations, people, units and roles."""

    model = Organization
    template_name = "organizations/detail.html"
    context_object_name = "organization"

    def get_queryset(self):
        return super().get_queryset().select_related("kind")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        user, org = self.request.user, self.object
        people = Paginator(selectors.people_of(user, org), PEOPLE_PER_PAGE)
        context.update(
            breadcrumbs=selectors.breadcrumbs(user, org)[:-1],
            sub_organizations=selectors.children_of(user, org),
            people_page=people.get_page(self.request.GET.get("page")),
            departments=selectors.departments_of(user, org),
            leading_groups=selectors.leading_groups_of(user, org),
            role_holders=selectors.role_holders(user, org),
        )
        return context
