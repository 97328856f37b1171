"""The committee dashboard: any organization in the reader's scope, any period with scores.

`home` sends the reader to the dashboard of the highest organization of their scope (a branch
secretary to their own branch). `organization` shows one organization in one period:
``?period=`` (default: the latest period with roll-ups), ``?submitted=1`` (add the submitted,
not yet approved own submissions in view, marked), and the drill-down lists ``?kind=&grade=``
(subjects of a grade) or ``?indicator=`` (subjects weakest on an indicator), read by the forms
and the FilterSet of `dashboards.filters`. Reads come from the dashboard selectors; an
organization outside the scope is a 404.
"""

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from organizations.models import Organization
from organizations.selectors import breadcrumbs

from ..filters import BoardForm, DrillFilterSet
from ..selectors import board as selectors
from ..selectors import subtree
from ..selectors.charts import Links, chart_data
from ..selectors.rectification import rectification_summary
from ..selectors.results import results_of


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The dashboard of the top of the reader's scope; without any role, the no-role page."""
    organization = selectors.home_organization(request.user)
    if organization is None:
        return render(request, "no_role.html")
    return redirect("dashboards:organization", pk=organization.pk)


@dataclass
class Drill:
    """A drill-down list: the subjects behind a grade bar or a weak indicator."""

    title: str
    lines: list[subtree.SubjectLine]
    indicator: str = ""


def _drill(request: HttpRequest, board: selectors.Dashboard) -> Drill | None:
    """The list asked for by ``?indicator=`` or ``?kind=&grade=``; a value the framework does
    not know is reported and ignored."""
    user, period, organization = request.user, board.period, board.organization
    spec, lang = board.spec, board.lang
    kinds = dict(board.grades.kinds)
    filters = DrillFilterSet(
        request.GET,
        queryset=subtree.subtree_scores(user, period, organization),
        spec=spec,
        kinds=board.grades.kinds,
        grades=board.grades.grades,
    )
    if filters.asked("indicator"):
        if not filters.given("indicator"):
            typed = filters.form.data.get("indicator", "").strip()
            messages.warning(
                request,
                _("The framework of this period has no indicator %(code)s.") % {"code": typed},
            )
            return None
        code = filters.form.cleaned_data["indicator"]
        return Drill(
            _("Subjects weakest on %(code)s %(name)s")
            % {"code": code, "name": spec.indicator(code).name.get(lang)},
            subtree.subject_lines(filters.qs, lang),
            indicator=code,
        )
    if not filters.asked("kind", "grade"):
        return None
    if not filters.given("kind", "grade"):
        messages.warning(request, _("There is no such kind of unit or grade in this framework."))
        return None
    kind, grade = filters.form.cleaned_data["kind"], filters.form.cleaned_data["grade"]
    return Drill(
        _("%(kind)s graded %(grade)s") % {"kind": kinds[kind], "grade": grade},
        subtree.subject_lines(filters.qs, lang),
    )


@login_required
@require_GET
def organization(request: HttpRequest, pk: int) -> HttpResponse:
    """One organization's dashboard in one period."""
    user = request.user
    organization = get_object_or_404(
        Organization.objects.restrict(user).select_related("kind"), pk=pk
    )
    periods = selectors.rolled_up_periods(organization)
    query = BoardForm(request.GET)
    period = selectors.pick_period(periods, query.chosen_id())
    if query.asked() and period is not None and period.pk != query.chosen_id():
        messages.warning(
            request,
            _("This organization has no scores for the period asked for; showing %(period)s.")
            % {"period": period.display_name},
        )
    submitted = query.with_submitted()
    context: dict[str, Any] = {
        "organization": organization,
        "breadcrumbs": breadcrumbs(user, organization)[:-1],
        "periods": periods,
        "period": period,
        "submitted": submitted,
    }
    if period is not None:
        board = selectors.dashboard(user, organization, period, periods, submitted=submitted)
        links = Links(organization.pk, period.pk, submitted)
        context.update(
            board=board,
            charts=chart_data(board, links),
            keep=links.query(),
            drill=_drill(request, board),
            rectifications=rectification_summary(organization),
            own_submission=selectors.own_submission_id(period, organization),
            results=results_of(user, organization, period),
        )
    return render(request, "dashboards/organization.html", context)
