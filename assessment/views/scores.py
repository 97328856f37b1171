"""The score runs page: group administrators see each period's recompute with its progress,
start one, and set how each framework's scores roll up. To anyone else it does not exist (404).

Reads come from `selectors.scores`, writes from `services.scores` and `services.rollup_settings`.
While a run is under way the table reloads itself every two seconds (htmx), so the percentage
moves without a page reload.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from ..forms.scores import RollupSettingsForm
from ..models import Period, ScoreRun
from ..selectors import scores as selectors
from ..services import rollup_settings as rollup_settings_service
from ..services import scores as services
from .common import group_administrator_required


def _settings_forms() -> list[tuple[str, RollupSettingsForm]]:
    """One form per framework code that has periods, filled with its saved settings."""
    return [
        (code, RollupSettingsForm(instance=saved, prefix=code))
        for code, saved in selectors.rollup_settings_by_code().items()
    ]


def _table_context() -> dict:
    periods = selectors.periods_with_runs()
    runs = selectors.recent_runs()
    return {
        "periods": periods,
        "runs": runs,
        "polling": any(p.busy for p in periods) or selectors.any_active(runs),
    }


@group_administrator_required
@require_GET
def score_runs(request: HttpRequest) -> HttpResponse:
    """Each period's latest run with its progress, the recent runs and the roll-up settings."""
    return render(
        request,
        "assessment/score_runs.html",
        {**_table_context(), "settings_forms": _settings_forms()},
    )


@group_administrator_required
@require_GET
def score_runs_table(request: HttpRequest) -> HttpResponse:
    """The tables alone, for the page to reload while a run is under way."""
    return render(request, "assessment/_score_runs_table.html", _table_context())


@group_administrator_required
@require_POST
def score_recompute(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a full recompute of one period's scores and roll-ups."""
    period = get_object_or_404(Period.objects.select_related("framework"), pk=pk)
    try:
        run = services.start_full_recompute(
            period, trigger=ScoreRun.Trigger.MANUAL, requested_by=request.user
        )
    except services.AlreadyRunning as busy:
        messages.error(request, str(busy))
    else:
        messages.success(
            request,
            _("The recompute of %(period)s has started (run %(run)d).")
            % {"period": period.display_name, "run": run.pk},
        )
    return redirect("assessment:score_runs")


@group_administrator_required
@require_POST
def rollup_settings(request: HttpRequest) -> HttpResponse:
    """Save a framework's roll-up settings; the service recomputes its open periods with them."""
    code = request.POST.get("framework", "")
    known, saved = selectors.rollup_settings_of(code)
    if not known:
        return redirect("assessment:score_runs")
    form = RollupSettingsForm(request.POST, instance=saved, prefix=code)
    if not form.is_valid():
        forms_ = [(c, form if c == code else f) for c, f in _settings_forms()]
        return render(
            request,
            "assessment/score_runs.html",
            {**_table_context(), "settings_forms": forms_},
            status=400,
        )
    data = form.cleaned_data
    result = rollup_settings_service.save_rollup_settings(
        code,
        own_weight=data["own_weight"],
        children=data["children"],
        missing=data["missing"],
        acting_user=request.user,
    )
    started = len(result.runs)
    messages.success(
        request,
        ngettext(
            "The roll-up settings of %(code)s were saved; %(count)d open period is being "
            "recomputed.",
            "The roll-up settings of %(code)s were saved; %(count)d open periods are being "
            "recomputed.",
            started,
        )
        % {"code": code, "count": started},
    )
    return redirect("assessment:score_runs")
