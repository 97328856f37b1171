"""The import of figures: upload, the worker's check shown as a preview, confirm, the result."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_POST

from organizations.batches import shown_preview
from organizations.choices import Action
from organizations.models import ImportBatch
from organizations.scope import scope_prefixes

from ..forms import FiguresImportForm
from ..importers import KINDS
from ..models import BusinessMeasure
from ..services import imports


def _require_importer(user) -> None:
    if scope_prefixes(user, Action.FIGURES) == []:
        raise Http404


def _own_batch(request: HttpRequest, pk: int) -> ImportBatch:
    _require_importer(request.user)
    batches = ImportBatch.objects.filter(uploaded_by=request.user, kind__in=KINDS)
    return get_object_or_404(batches.defer("content"), pk=pk)


@login_required
@require_http_methods(["GET", "POST"])
def figures_import(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    form = FiguresImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = imports.upload_batch(
            kind=form.cleaned_data["kind"],
            data=upload.read(),
            filename=upload.name,
            acting_user=request.user,
            language=get_language(),
        )
        return redirect("business:import_preview", pk=batch.pk)
    recent = ImportBatch.objects.filter(uploaded_by=request.user, kind__in=KINDS).defer("content")
    return render(
        request,
        "business/import.html",
        {
            "form": form,
            "recent": recent[:10],
            "measures": BusinessMeasure.objects.filter(is_active=True),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def import_preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    names = {m.code: m.display_name for m in BusinessMeasure.objects.all()}
    return render(
        request,
        "business/import_preview.html",
        shown_preview(batch, lambda code: names.get(code, code)),
    )


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's state while a worker checks or imports it (polled by the preview page)."""
    batch = _own_batch(request, pk)
    if not batch.is_active:
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "business/import_progress.html", {"batch": batch})


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    try:
        imports.confirm_batch(batch)
    except imports.AlreadyImported as done:
        messages.info(request, str(done))
    return redirect("business:import_preview", pk=batch.pk)
