"""Pages of the organization tree: the browser, one organization, its children (HTMX)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.generic import DetailView

from . import selectors
from .mixins import ScopedViewMixin
from .models import Organization


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    return render(
        request, "organizations/tree.html", {"roots": selectors.scope_roots(request.user)}
    )


@login_required
def children(request: HttpRequest, pk: int) -> HttpResponse:
    org = get_object_or_404(selectors.visible_organizations(request.user), pk=pk)
    return render(
        request,
        "organizations/_children.html",
        {"children": selectors.children_of(request.user, org)},
    )


class OrganizationDetailView(ScopedViewMixin, DetailView):
    model = Organization
    template_name = "organizations/detail.html"
