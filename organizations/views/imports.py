"""The import pages: upload a file, see its dry-run preview, confirm to import it.

Only users allowed to manage some part of the tree reach these pages (others get 404); the plan
is built within the user's scope, so rows outside it are errors, never writes. A worker checks
and imports the file; the preview page follows it and shows what the worker found.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.views.decorators.http import require_POST

from ..batches import shown_preview
from ..choices import Action
from ..forms import ImportForm
from ..models import ImportBatch
from ..scope import scope_prefixes
from ..services import imports

FIELD_LABELS = {
    "name": gettext_lazy("name"),
    "name_en": gettext_lazy("English name"),
    "kind": gettext_lazy("kind"),
    "parent": gettext_lazy("parent"),
    "organization": gettext_lazy("organization"),
    "department": gettext_lazy("department"),
    "party_member_since": gettext_lazy("party member since"),
    "status": gettext_lazy("status"),
}


def _require_importer(user) -> None:
    # scope_prefixes is None for superusers (everything) and [] for users with no MANAGE grant.
    if scope_prefixes(user, Action.MANAGE) == []:
        raise Http404


def _own_batch(request: HttpRequest, pk: int) -> ImportBatch:
    _require_importer(request.user)
    batches = ImportBatch.objects.filter(uploaded_by=request.user, kind__in=imports.KINDS)
    batches = batches.defer("content")
    return get_object_or_404(batches, pk=pk)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        batch = imports.upload_batch(
            kind=form.cleaned_data["kind"],
            data=upload_file.read(),
            filename=upload_file.name,
            acting_user=request.user,
            language=get_language(),
        )
        return redirect("organizations:import-preview", pk=batch.pk)
    recent = ImportBatch.objects.filter(uploaded_by=request.user, kind__in=imports.KINDS)
    recent = recent.defer("content")[:10]
    return render(request, "organizations/import.html", {"form": form, "recent": recent})


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    return render(request, "organizations/import_preview.html", _context(batch))


@login_required
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The batch's state while a worker checks or imports it (polled by the preview page)."""
    batch = _own_batch(request, pk)
    if not batch.is_active:
        # Done: the browser loads the whole preview (HTMX follows this header).
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    return render(request, "organizations/_import_progress.html", {"batch": batch})


@login_required
@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    try:
        imports.confirm_batch(batch)
    except imports.AlreadyImported as done:
        messages.info(request, str(done))
    return redirect("organizations:import-preview", pk=batch.pk)


def _context(batch: ImportBatch) -> dict:
    return shown_preview(batch, lambda name: FIELD_LABELS.get(name, name))
