"""Insight pages: effectiveness (party building against business results, read by
`business.selectors.effectiveness`), the explain panels of a subject score and of a roll-up row,
and what-if.

Each view reads its object through `_scoped`, the model's scope restriction (outside it, 404).
The explain and what-if views answer an HTML fragment to htmx (the offcanvas of
insight_panel.html loads it) and a whole page otherwise, so their links work without JavaScript
and print. Reads come from `selectors.insight`; nothing here stores anything.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from assessment.choices import PeriodKind
from assessment.models import Period, Rollup, SubjectScore
from assessment.selectors.browse import engine_language
from business import statistics, wording
from business.selectors import effectiveness as analysis
from organizations.models import Organization

from ..filters import EffectivenessForm, WhatIfForm
from ..selectors import insight as selectors

M = TypeVar("M", bound=Model)

# What the explain and what-if pages of a subject score read besides the score.
SCORE_RELATED = ("period__framework", "organization", "submission")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The fragment for htmx, the whole page otherwise (the template extends `insight_base`)."""
    fragment = _is_htmx(request)
    base = "dashboards/insight_fragment.html" if fragment else "dashboards/insight_page.html"
    context = {**context, "insight_base": base, "fragment": fragment}
    return render(request, template, context, status=status)


def _scoped(request: HttpRequest, model: type[M], pk: int, *related: str) -> M:
    """The object if the reader's scope holds it, with the rows its page reads; otherwise 404."""
    queryset = model._default_manager.restrict(request.user).select_related(*related)
    return get_object_or_404(queryset, pk=pk)


@login_required
@require_GET
def effectiveness(request: HttpRequest, pk: int) -> HttpResponse:
    """Party building against business results across the units of one level of a subtree."""
    organization = _scoped(request, Organization, pk, "kind")
    lang = engine_language()
    periods = analysis.annual_periods()
    query = EffectivenessForm(request.GET)
    chosen = query.chosen_id()
    if query.asked() and chosen is None:
        raise Http404  # no period can have that id
    if chosen is not None:
        period = next((p for p in periods if p.pk == chosen), None)
        if period is None:
            period = get_object_or_404(
                Period.objects.filter(kind=PeriodKind.YEAR).select_related("framework"), pk=chosen
            )
    else:
        period = analysis.default_period(organization, periods)
    data = None
    if period is not None:
        data = analysis.effectiveness_of(
            request.user, organization, period, lang, level=query.chosen_level()
        )
    context = {
        "organization": organization,
        "periods": periods,
        "period": period,
        "data": data,
        "min_pairs": statistics.MIN_PAIRS,
    }
    if data is not None:
        context |= {
            "chart": {**data.chart_data(), "labels": _chart_labels()},
            "scatter": [
                {
                    "item": m,
                    "description": wording.describe_correlation(m.correlation),
                    "other": wording.describe_other(m.correlation),
                    "note": wording.headline_note(m.measure),
                }
                for m in data.correlations
            ],
            "year_rows": _year_rows(data),
            "lag": _steps(data, data.lag),
            "change": _steps(data, data.change),
            "claims": _claims(data),
        }
    return _render(request, "dashboards/effectiveness.html", context)


def _chart_labels() -> dict[str, str]:
    return {
        "x": _("Party building (subtree, without business results)"),
        "r": _("Correlation (headline coefficient)"),
        "fit": _("Fitted line"),
        "band": _("95% band of the line"),
        "interval": _("95% interval"),
    }


def _year_rows(data: analysis.Effectiveness) -> list[dict[str, Any]]:
    return [
        {
            "period": point.period,
            "units": point.units,
            "cells": [wording.cell(point.correlations.get(m.code)) for m in data.measures],
        }
        for point in data.trend
    ]


def _steps(data: analysis.Effectiveness, steps: list[analysis.StepPoint]) -> dict[str, Any]:
    """A lag or change section: each measure's sentence for the step that ends at the chosen
    year, and a table of every step."""
    latest = next((s for s in reversed(steps) if s.after.pk == data.period.pk), None)
    return {
        "latest": latest,
        "sentences": [
            {
                "measure": m,
                "description": wording.describe_correlation(latest.correlations[m.code]),
                "other": wording.describe_other(latest.correlations[m.code]),
                "verdict": latest.correlations[m.code].verdict,
            }
            for m in data.measures
        ]
        if latest
        else [],
        "rows": [
            {
                "step": step,
                "units": step.units,
                "cells": [wording.cell(step.correlations.get(m.code)) for m in data.measures],
            }
            for step in steps
        ],
    }


def _claims(data: analysis.Effectiveness) -> dict[str, list[dict[str, Any]]]:
    """The seed's claims: the organization's own row, and each unit's (folded on the page)."""

    def row(name: str, within: str, c) -> dict[str, Any]:
        return {
            "name": name,
            "within": within,
            "claims": c,
            "revenue": wording.growth_text(c.revenue_growth),
            "profit": wording.growth_text(c.profit_growth),
        }

    own = data.own_claims
    return {
        "own": [row(data.organization.display_name, "", own)] if own.has_any else [],
        "units": [row(u.name, u.within, u.claims) for u in data.unit_claims if u.claims.has_any],
    }


@login_required
@require_GET
def explain_score(request: HttpRequest, pk: int) -> HttpResponse:
    """How a subject's score was computed: inputs, rules, weights, what was missing."""
    score = _scoped(request, SubjectScore, pk, *SCORE_RELATED)
    explanation = selectors.explain_score(score, engine_language())
    return _render(request, "dashboards/insight_explain_score.html", {"x": explanation})


@login_required
@require_GET
def explain_rollup(request: HttpRequest, pk: int) -> HttpResponse:
    """How an organization's roll-up was made: its own score, its children, their weights."""
    row = _scoped(request, Rollup, pk, "period__framework", "organization")
    explanation = selectors.explain_rollup(row, request.user, engine_language())
    return _render(request, "dashboards/insight_explain_rollup.html", {"x": explanation})


def _as_text(value: Any) -> str:
    """A stored value as the what-if form shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def what_if(request: HttpRequest, pk: int) -> HttpResponse:
    """Suggestions to reach the next grade, and a form to try one's own values; nothing stored."""
    score = _scoped(request, SubjectScore, pk, *SCORE_RELATED)
    lang = engine_language()
    plan, initial, fields = _what_if_fields(request, score, lang)
    if request.method != "POST":
        return _render(
            request,
            "dashboards/insight_what_if.html",
            {"plan": plan, "fields": fields, "trial": None},
        )
    entered = {code: request.POST.get(f"v-{code}", initial[code]).strip()[:100] for code in initial}
    changes = {code: (text or None) for code, text in entered.items() if text != initial[code]}
    _plan, _initial, fields = _what_if_fields(request, score, lang, entered)
    if not changes:
        trial = None
        error = _("Change at least one value to see its effect.")
        status = 400
    else:
        trial = selectors.try_values(score, plan.inputs, changes, lang)
        error = (
            _("Some values could not be scored; correct them and try again.")
            if trial.errors
            else ""
        )
        status = 400 if trial.errors else 200
    for item in fields:
        item["error"] = trial.errors.get(item["indicator"].code, "") if trial else ""
    return _render(
        request,
        "dashboards/insight_what_if.html",
        {"plan": plan, "fields": fields, "trial": trial, "error": error},
        status=status,
    )


def _what_if_fields(
    request: HttpRequest, score: SubjectScore, lang: str, entered: dict[str, str] | None = None
) -> tuple[selectors.WhatIf, dict[str, str], list[dict[str, Any]]]:
    """The plan, the stored values as text and the form's fields: the entered values if any,
    else the suggestions when ``?apply=suggestions`` asks for them, else the stored values."""
    plan = selectors.what_if_of(score, lang)
    initial = {ind.code: _as_text(plan.inputs.get(ind.code)) for ind in plan.editable}
    if entered is None and WhatIfForm(request.GET).applies_suggestions():
        entered = {**initial, **{s.code: _as_text(s.suggested) for s in plan.suggestions}}
    shown = entered if entered is not None else initial
    fields = [
        {
            "indicator": ind,
            "name": ind.name.get(lang),
            "unit": ind.unit.get(lang) if ind.unit is not None else "",
            "name_attr": f"v-{ind.code}",
            "value": shown.get(ind.code, ""),
            "initial": initial[ind.code],
            "changed": shown.get(ind.code, "") != initial[ind.code],
        }
        for ind in plan.editable
    ]
    return plan, initial, fields
