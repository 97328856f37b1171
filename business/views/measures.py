"""The measures: everyone who sees figures reads the list; group administrators add measures and
deactivate those not built in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from organizations.choices import Action
from organizations.scope import is_group_administrator, scope_prefixes

from ..forms import MeasureForm
from ..models import BusinessMeasure
from ..services.figures import FiguresRefused, define_measure, set_measure_active


@login_required
@require_http_methods(["GET", "POST"])
def measure_list(request: HttpRequest) -> HttpResponse:
    administrator = is_group_administrator(request.user)
    if not administrator and scope_prefixes(request.user, Action.VIEW) == []:
        raise Http404
    if request.method == "POST" and not administrator:
        raise Http404
    form = MeasureForm(request.POST or None) if administrator else None
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                measure = define_measure(**form.cleaned_data, acting_user=request.user)
            except FiguresRefused as refused:
                form.add_error(None, refused.message)
                for name, message in refused.errors.items():
                    form.add_error(name if name in form.fields else None, message)
            else:
                messages.success(
                    request, _("The measure “%(name)s” is added.") % {"name": measure.display_name}
                )
                return redirect("business:measures")
    return render(
        request,
        "business/measures.html",
        {
            "measures": BusinessMeasure.objects.order_by("position", "code"),
            "form": form,
            "administrator": administrator,
        },
        status=status,
    )


@login_required
@require_POST
def measure_active(request: HttpRequest, pk: int) -> HttpResponse:
    """Deactivate a measure not built in, or use it again (`active` = 1)."""
    if not is_group_administrator(request.user):
        raise Http404
    measure = get_object_or_404(BusinessMeasure, pk=pk)
    try:
        set_measure_active(measure, request.POST.get("active") == "1", acting_user=request.user)
    except FiguresRefused as refused:
        messages.error(request, refused.message)
    return redirect("business:measures")
