"""Pages of term assessment (任期考核): the list of the organizations' terms and one term's page
with its years, figures and the business term grade form.

Terms are read through `selectors.terms` from the user's scope (outside it: 404). The term page
takes the business grade as a POST to itself; a refused grade shows the page again with the
reason (400; 409 when the form was stale; 403 when the user may see the term but not grade it),
having changed nothing.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from core.filters import read_id
from core.lists import Column, Listing
from organizations.models import Organization
from organizations.selectors import breadcrumbs, scope_roots

from ..forms.terms import BusinessGradeForm, TermFilterForm
from ..selectors import terms as selectors
from ..services import terms as services

COLUMNS = (
    Column(
        "organization",
        gettext_lazy("Organization"),
        ("organization__path", "-first_year"),
        lambda t: t.organization.display_name,
    ),
    Column(
        "term",
        gettext_lazy("Term"),
        ("first_year", "organization__path"),
        lambda t: f"{t.first_year}–{t.last_year}",
    ),
    Column(
        "average",
        gettext_lazy("Average score"),
        ("average",),
        lambda t: round(t.average, 1) if t.average is not None else None,
    ),
    Column("a_grades", gettext_lazy("Top grades"), ("a_grades",), lambda t: t.a_grades),
    Column(
        "trend",
        gettext_lazy("Trend"),
        ("trend",),
        lambda t: round(t.trend, 1) if t.trend is not None else None,
    ),
    Column("grade", gettext_lazy("Term grade"), ("grade",), lambda t: t.grade),
    Column(
        "business_grade",
        gettext_lazy("Business term grade"),
        ("business_grade",),
        lambda t: t.business_grade,
    ),
)


@login_required
@require_GET
def term_list(request: HttpRequest) -> HttpResponse:
    """Each organization's current term in the user's scope (``?term=`` a term's first year,
    ``?kind=`` an organization kind, ``?org=`` an organization's subtree), and the group's
    record when the user sees the group; sorted by a column (the tree's order by default),
    paged, exported."""
    user = request.user
    if not scope_roots(user).exists():
        return render(request, "no_role.html")
    chosen = TermFilterForm(request.GET).values()
    org_id = read_id(request.GET.get("org"))
    organization = Organization.objects.restrict(user).filter(pk=org_id).first() if org_id else None
    rows = selectors.visible_terms(
        user, kind=chosen["kind"], first_year=chosen["term"], organization=organization
    )
    listing = Listing(request, COLUMNS, default_sort="organization")
    rows = listing.order(rows)
    if listing.export_format:
        return listing.export(rows, name="terms", title=_("Term assessment"))
    root = selectors.root_in_scope(user)
    return render(
        request,
        "standards/term_list.html",
        {
            "page": Paginator(rows, listing.page_size).get_page(request.GET.get("page")),
            "listing": listing,
            "form": TermFilterForm(request.GET),
            "chosen": chosen,
            "organization": organization,
            "terms": selectors.term_years(user),
            "record": selectors.group_record(root) if root is not None else None,
            "root": root,
        },
    )


def _detail(request, term, *, form=None, alert="", status=200) -> HttpResponse:
    page = selectors.term_page(request.user, term)
    if form is None:
        form = BusinessGradeForm(
            initial={"grade": term.business_grade or None, "version": term.version}
        )
    record = (
        selectors.group_record(term.organization) if term.organization.parent_id is None else None
    )
    context = {
        "page": page,
        "term": term,
        "form": form,
        "alert": alert,
        "record": record,
        "breadcrumbs": breadcrumbs(request.user, term.organization)[:-1],
    }
    return render(request, "standards/term_detail.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def term_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One term: its years, figures and grade; a reviewer above (or a group administrator)
    enters the regulator's business term grade here."""
    term = selectors.scoped_term(request.user, pk)
    if request.method == "GET":
        return _detail(request, term)
    form = BusinessGradeForm(request.POST)
    if not form.is_valid():
        return _detail(
            request, term, form=form, alert=_("Please correct the errors below."), status=400
        )
    try:
        services.set_business_grade(
            term,
            grade=form.cleaned_data["grade"],
            version=form.cleaned_data["version"],
            acting_user=request.user,
        )
    except services.TermRefused as refused:
        return _detail(request, term, form=form, alert=refused.message, status=refused.status)
    messages.success(request, _("Business term grade saved."))
    return redirect("standards:term_detail", pk=term.pk)
