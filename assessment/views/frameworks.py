"""The framework pages: the framework browser, version comparison and draft editing.

Every signed-in user may read frameworks. Changing them (editing a draft's indicators,
publishing, cloning) is for group administrators only; to anyone else those pages do not exist
(404), as everything outside a user's scope.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.lists import Listing
from organizations.scope import is_group_administrator

from .. import selectors, services
from ..filters import SubjectKindChoiceForm
from ..forms.frameworks import CloneForm, CompareForm, IndicatorForm
from ..models import DraftTrial, Framework, FrameworkLocked, Indicator
from ..scoring.spec import FrameworkError
from ..selectors import browse, rubrics, trial
from ..services import trials as trial_jobs
from .columns import framework_columns
from .common import group_administrator_required


def _framework(pk: int) -> Framework:
    return get_object_or_404(selectors.frameworks(), pk=pk)


@login_required
def framework_list(request: HttpRequest) -> HttpResponse:
    """Every version of every framework, each one's newest first, with its status; sorted by a
    column, so many to a page, exported (frameworks are the whole group's: every one is listed)."""
    listing = Listing(request, framework_columns(), default_sort="code")
    frameworks = listing.order(browse.frameworks_with_counts())
    if listing.export_format:
        return listing.export(frameworks, name="frameworks", title=_("Assessment frameworks"))
    page = Paginator(frameworks, listing.page_size).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/framework_list.html",
        {
            "frameworks": page.object_list,
            "page": page,
            "can_change": is_group_administrator(request.user),
            "listing": listing,
        },
    )


@login_required
def framework_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One version: goal, bands and the dimension trees with their indicators and rubrics.

    ``?kind=`` picks the subject kind whose points per dimension are shown (the first one when it
    is missing or unknown); an HTMX request gets only the tree.
    """
    framework = _framework(pk)
    kinds = [kind["code"] for kind in framework.subject_kinds]
    kind = SubjectKindChoiceForm(request.GET, kinds=kinds).chosen()
    page = browse.framework_browse(framework, lang=browse.engine_language(), subject_kind=kind)
    context = {
        "framework": framework,
        "page": page,
        "can_change": is_group_administrator(request.user),
        "can_edit": framework.is_draft and is_group_administrator(request.user),
    }
    partial = bool(request.headers.get("HX-Request"))
    template = "assessment/_framework_tree.html" if partial else "assessment/framework_detail.html"
    response = render(request, template, context)
    # The same URL answers with the whole page or only the tree: caches must keep both apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def framework_compare(request: HttpRequest) -> HttpResponse:
    """Two versions side by side: indicators added, removed and changed field by field."""
    chosen = {key: request.GET[key] for key in ("a", "b") if request.GET.get(key)}
    form = CompareForm(request.GET if len(chosen) == 2 else None, initial=chosen)
    result = None
    if form.is_bound and form.is_valid():
        result = browse.comparison(
            form.cleaned_data["a"], form.cleaned_data["b"], lang=browse.engine_language()
        )
    return render(request, "assessment/framework_compare.html", {"form": form, "result": result})


@group_administrator_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """Edit one indicator of a draft; the whole framework is re-validated before anything saves."""
    framework = _framework(pk)
    indicator = get_object_or_404(
        Indicator.objects.filter(framework=framework).select_related("dimension"),
        pk=indicator_pk,
    )
    if not framework.is_draft:
        messages.error(request, str(FrameworkLocked(framework)))
        return redirect("assessment:framework_detail", pk=framework.pk)
    indicator.framework = framework
    form = IndicatorForm(request.POST or None, indicator=indicator)
    errors: list[str] = []
    refused = False
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        then_trial = request.POST.get("then") == "trial"
        if not changes:
            messages.info(request, _("Nothing was changed."))
            return _onward(request, framework, indicator, then_trial)
        try:
            services.update_indicator(indicator, changes, acting_user=request.user)
        except FrameworkLocked as locked:
            messages.error(request, str(locked))
            return redirect("assessment:framework_detail", pk=framework.pk)
        except FrameworkError as invalid:
            refused = True
            errors = form.add_problems(invalid, get_language())
            indicator.refresh_from_db()  # the service set the rejected values on this instance
        else:
            messages.success(request, _("Indicator %(code)s was saved.") % {"code": indicator.code})
            return _onward(request, framework, indicator, then_trial)
    return render(
        request,
        "assessment/indicator_edit.html",
        {
            "framework": framework,
            "indicator": indicator,
            "form": form,
            "rubric_form": form.rubric_form,
            "framework_errors": errors,
            "refused": refused,
        },
    )


def _draft_indicator(pk: int, indicator_pk: int) -> Indicator:
    """An indicator of a draft (404 otherwise: a published version has no editor)."""
    framework = _framework(pk)
    if not framework.is_draft:
        raise Http404
    indicator = get_object_or_404(
        Indicator.objects.filter(framework=framework).select_related("dimension"),
        pk=indicator_pk,
    )
    indicator.framework = framework
    return indicator


@group_administrator_required
@require_POST
def rubric_preview(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """The edit form's rubric tried on sample values by the engine (an HTMX fragment): what the
    indicator would earn if the form were saved now. Nothing is saved."""
    indicator = _draft_indicator(pk, indicator_pk)
    form = IndicatorForm(request.POST, indicator=indicator)
    lang = get_language()
    preview, problems = None, []
    if form.is_valid():
        try:
            spec = rubrics.draft_with(indicator, form.changes())
        except FrameworkError as invalid:
            problems = form.add_problems(invalid, lang)
        else:
            tried = {
                key.removeprefix("try-"): value
                for key, value in request.POST.items()
                if key.startswith("try-")
            }
            preview = rubrics.rubric_preview(spec, indicator.code, lang, tried)
    field_errors = [
        f"{one.fields[name].label}: {error}" if name in one.fields else error
        for one in (form, form.rubric_form)
        for name, errors in one.errors.items()
        for error in errors
    ]
    return render(
        request,
        "assessment/_rubric_preview.html",
        {"preview": preview, "problems": [*field_errors, *problems], "indicator": indicator},
    )


@group_administrator_required
@require_GET
def formula_check(request: HttpRequest, pk: int, indicator_pk: int) -> HttpResponse:
    """The formula typed so far, checked by the framework's own rules (an HTMX fragment)."""
    indicator = _draft_indicator(pk, indicator_pk)
    expr = request.GET.get("rubric-expr", "").strip()
    check = rubrics.check_formula(indicator, expr, get_language()) if expr else None
    if check is not None:  # the values tried so far stay as the inputs are listed again
        check.tried = [
            (code, name, request.GET.get(f"try-{code}", "")) for code, name in check.inputs
        ]
    return render(request, "assessment/_formula_check.html", {"check": check, "expr": expr})


TRIAL_ROWS = 500  # the changes listed; the counts above them cover all


def _onward(request, framework: Framework, indicator: Indicator, then_trial: bool):
    """After an edit: its indicator on the framework's page, or (*Save and try*) a trial of the
    draft as it now stands, started at once — the edit's POST is the request that asks for it."""
    if then_trial:
        return _start_trial(request, framework)
    return redirect(_indicator_anchor(framework, indicator))


def _start_trial(request, framework: Framework) -> HttpResponse:
    period = trial.trial_period(framework)
    if period is None:
        return redirect("assessment:framework_trial", pk=framework.pk)
    job = trial_jobs.start(framework, period, user=request.user, language=get_language())
    return redirect("assessment:framework_trial_run", pk=framework.pk, trial_pk=job.pk)


@group_administrator_required
@require_http_methods(["GET", "POST"])
def framework_trial(request: HttpRequest, pk: int) -> HttpResponse:
    """Try a draft on the last period's scored submissions: the page says what a trial does and
    shows the latest one (GET); a trial is queued by a POST only, so a link followed twice, a
    prefetch or a crawler never starts one.

    The scoring runs in a worker (`services.trials`, a `DraftTrial` the reaper watches: seconds
    on the demo, more at scale); the POST only creates the row and sends the task on commit.
    """
    framework = _framework(pk)
    if not framework.is_draft:
        raise Http404
    if request.method == "POST":
        return _start_trial(request, framework)
    period = trial.trial_period(framework)
    latest = (
        DraftTrial.objects.filter(framework=framework, period=period)
        .select_related("period")
        .order_by("-pk")
        .first()
        if period is not None
        else None
    )
    context = {"framework": framework, "period": period, "rows": TRIAL_ROWS, "latest": latest}
    return render(request, "assessment/framework_trial.html", context)


@group_administrator_required
@require_GET
def framework_trial_run(request: HttpRequest, pk: int, trial_pk: int) -> HttpResponse:
    """A trial's page: its progress, polled with HTMX until done; then the changes it stored."""
    framework = _framework(pk)
    if not framework.is_draft:
        raise Http404
    job = get_object_or_404(
        DraftTrial.objects.select_related("period"), pk=trial_pk, framework=framework
    )
    context = {"framework": framework, "period": job.period, "job": job, "rows": TRIAL_ROWS}
    if job.status == DraftTrial.Status.DONE:
        context |= {"trial": job.result, "shown": job.result.get("changes", [])[:TRIAL_ROWS]}
    if request.headers.get("HX-Request"):
        response = render(request, "assessment/_framework_trial_state.html", context)
    else:
        response = render(request, "assessment/framework_trial.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _indicator_anchor(framework: Framework, indicator: Indicator) -> str:
    url = reverse("assessment:framework_detail", args=[framework.pk])
    return f"{url}#indicator-{indicator.code}"


@group_administrator_required
@require_http_methods(["GET", "POST"])
def framework_publish(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm (GET), then publish (POST) a draft; the version published before is archived."""
    framework = _framework(pk)
    if not framework.is_draft:
        messages.error(request, str(FrameworkLocked(framework)))
        return redirect("assessment:framework_detail", pk=framework.pk)
    errors: list[str] = []
    if request.method == "POST":
        try:
            services.publish_framework(framework, acting_user=request.user)
        except FrameworkLocked as locked:
            messages.error(request, str(locked))
            return redirect("assessment:framework_detail", pk=framework.pk)
        except FrameworkError as invalid:
            errors = invalid.messages(get_language())
        else:
            messages.success(
                request,
                _("Version %(version)s is published.") % {"version": framework.version},
            )
            return redirect("assessment:framework_detail", pk=framework.pk)
    return render(
        request,
        "assessment/framework_publish.html",
        {
            "framework": framework,
            "current": selectors.current_framework(framework.code),
            "framework_errors": errors,
        },
    )


@group_administrator_required
@require_http_methods(["GET", "POST"])
def framework_clone(request: HttpRequest, pk: int) -> HttpResponse:
    """Copy a version into a new draft with the version string given (next year's framework)."""
    framework = _framework(pk)
    form = CloneForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            clone = services.clone_framework(
                framework, version=form.cleaned_data["version"], acting_user=request.user
            )
        except services.FrameworkExists as exists:
            form.add_error("version", str(exists))
        except FrameworkError as invalid:
            for error in invalid.messages(get_language()):
                form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Version %(version)s was created as a draft from version %(source)s.")
                % {"version": clone.version, "source": framework.version},
            )
            return redirect("assessment:framework_detail", pk=clone.pk)
    return render(
        request,
        "assessment/framework_clone.html",
        {"framework": framework, "form": form},
    )
