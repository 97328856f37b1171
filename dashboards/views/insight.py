"""Insight pages: effectiveness (party building against business results), the explain panels of a
subject score and of a roll-up row, and what-if.

Each view names its model, so the scope applies as everywhere (`ScopedViewMixin`: outside it, 404).
The explain and what-if views answer an HTML fragment to htmx (the offcanvas of
insight_panel.html loads it) and a whole page otherwise, so their links work without JavaScript
and print. Reads come from `selectors.insight`; nothing here stores anything.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views import View

from assessment.models import Period, Rollup, SubjectScore
from assessment.selectors.browse import engine_language
from organizations.mixins import ScopedViewMixin
from organizations.models import Organization

from ..filters import PeriodForm, WhatIfForm
from ..selectors import insight as selectors
from ..selectors.board import default_period


def _strength_words() -> dict[str | None, str]:
    return {
        "very weak": _("very weak"),
        "weak": _("weak"),
        "moderate": _("moderate"),
        "strong": _("strong"),
        "very strong": _("very strong"),
    }


def describe_correlation(correlation) -> str:
    """A correlation in words, translated: "a moderate positive correlation (r = 0.52, n = 14)"."""
    if correlation.r is None:
        if correlation.n < 3:
            return _("Too few units to say (n = %(n)d; at least 3 are needed).") % {
                "n": correlation.n
            }
        return _("No correlation can be computed: the values do not vary (n = %(n)d).") % {
            "n": correlation.n
        }
    words = _strength_words()[correlation.strength]
    values = {"strength": words, "r": f"{correlation.r:.2f}", "n": correlation.n}
    if correlation.direction == "negative":
        return _("A %(strength)s negative correlation (r = %(r)s, n = %(n)d).") % values
    if correlation.direction == "positive":
        return _("A %(strength)s positive correlation (r = %(r)s, n = %(n)d).") % values
    return _("No correlation (r = %(r)s, n = %(n)d).") % values


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


class InsightObjectView(ScopedViewMixin, View):
    """A scoped object looked up by pk; subclasses name `model` and `related`."""

    related: tuple[str, ...] = ()

    def get_object(self) -> Any:
        queryset = self.get_queryset().select_related(*self.related)
        return get_object_or_404(queryset, pk=self.kwargs["pk"])


class EffectivenessView(InsightObjectView):
    """Party-building scores against business results across the units of a subtree."""

    model = Organization
    http_method_names = ["get", "head", "options"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        organization = self.get_object()
        lang = engine_language()
        periods = selectors.periods_for(request.user)
        query = PeriodForm(request.GET)
        chosen = query.chosen_id()
        if query.asked() and chosen is None:
            raise Http404  # no period can have that id
        if chosen is not None:
            period = next((p for p in periods if p.pk == chosen), None)
            if period is None:
                period = get_object_or_404(Period.objects.select_related("framework"), pk=chosen)
        else:
            period = default_period(organization)
        data = None
        if period is not None:
            data = selectors.effectiveness_of(request.user, organization, period, lang)
        context = {
            "organization": organization,
            "periods": periods,
            "period": period,
            "data": data,
            "chart": {**data.chart_data(), "labels": _chart_labels()} if data else None,
            "scatter": [(m, describe_correlation(m.correlation)) for m in data.correlations]
            if data
            else [],
            "trend_rows": _trend_rows(data) if data else [],
        }
        return _render(request, "dashboards/effectiveness.html", context)


def _chart_labels() -> dict[str, str]:
    return {
        "x": _("Party-building score"),
        "r": _("Correlation r"),
    }


def _trend_rows(data: selectors.Effectiveness) -> list[dict[str, Any]]:
    return [
        {
            "period": point.period,
            "units": point.units,
            "cells": [point.correlations.get(m.code) for m in data.measures],
        }
        for point in data.trend
    ]


class ExplainScoreView(InsightObjectView):
    """How a subject's score was computed: inputs, rules, weights, what was missing."""

    model = SubjectScore
    related = ("period__framework", "organization", "submission")
    http_method_names = ["get", "head", "options"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        score = self.get_object()
        explanation = selectors.explain_score(score, engine_language())
        return _render(request, "dashboards/insight_explain_score.html", {"x": explanation})


class ExplainRollupView(InsightObjectView):
    """How an organization's roll-up was made: its own score, its children, their weights."""

    model = Rollup
    related = ("period__framework", "organization")
    http_method_names = ["get", "head", "options"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        row = self.get_object()
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


class WhatIfView(InsightObjectView):
    """Suggestions to reach the next grade, and a form to try one's own values; nothing stored."""

    model = SubjectScore
    related = ("period__framework", "organization", "submission")
    http_method_names = ["get", "post", "head", "options"]

    def _context(self, score: SubjectScore, lang: str, entered: dict[str, str] | None = None):
        plan = selectors.what_if_of(score, lang)
        initial = {ind.code: _as_text(plan.inputs.get(ind.code)) for ind in plan.editable}
        if entered is None and WhatIfForm(self.request.GET).applies_suggestions():
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

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        score = self.get_object()
        lang = engine_language()
        plan, _initial, fields = self._context(score, lang)
        return _render(
            request,
            "dashboards/insight_what_if.html",
            {"plan": plan, "fields": fields, "trial": None},
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        score = self.get_object()
        lang = engine_language()
        plan, initial, _fields = self._context(score, lang)
        entered = {
            code: request.POST.get(f"v-{code}", initial[code]).strip()[:100] for code in initial
        }
        changes = {code: (text or None) for code, text in entered.items() if text != initial[code]}
        _plan, _initial, fields = self._context(score, lang, entered)
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
