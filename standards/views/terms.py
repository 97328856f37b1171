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
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assessment.views.common import page_of
from core.filters import read_id
from organizations.models import Organization
from organizations.selectors import breadcrumbs, scope_roots

from ..forms.terms import BusinessGradeForm, TermFilterForm
from ..selectors import terms as selectors
from ..services import terms as services


@login_required
@require_GET
def term_list(request: HttpRequest) -> HttpResponse:
    """Each organization's current term in the user's scope (``?term=`` a term's first year,
    ``?kind=`` an organization kind, ``?org=`` an organization's subtree), and the group's
    record when the user sees the group."""
    user = request.user
    if not scope_roots(user).exists():
        return render(request, "no_role.html")
    chosen = TermFilterForm(request.GET).values()
    org_id = read_id(request.GET.get("org"))
    organization = Organization.objects.restrict(user).filter(pk=org_id).first() if org_id else None
    rows = selectors.visible_terms(
        user, kind=chosen["kind"], first_year=chosen["term"], organization=organization
    )
    root = selectors.root_in_scope(user)
    return render(
        request,
        "standards/term_list.html",
        {
            "page": page_of(request, rows),
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
