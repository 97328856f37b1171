"""The import pages: upload a file, see its dry-run preview, confirm to import it.

Only users allowed to manage some part of the tree reach these pages (others get 404); the plan
is built within the user's scope, so rows outside it are errors, never writes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import import_services
from .choices import Action
from .forms import ImportForm
from .importers import CREATE, UPDATE, ImportPlan, build_plan
from .models import ImportBatch
from .scope import scope_prefixes

PREVIEW_ROWS = 500
PREVIEW_ERRORS = 1000

CHANGE_LABELS = {CREATE: gettext_lazy("create"), UPDATE: gettext_lazy("update")}
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
    return get_object_or_404(ImportBatch.objects.filter(uploaded_by=request.user), pk=pk)


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        batch = import_services.upload_batch(
            kind=form.cleaned_data["kind"],
            data=upload_file.read(),
            filename=upload_file.name,
            acting_user=request.user,
        )
        return redirect("organizations:import-preview", pk=batch.pk)
    recent = ImportBatch.objects.filter(uploaded_by=request.user).defer("content")[:10]
    return render(request, "organizations/import.html", {"form": form, "recent": recent})


@login_required
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    if batch.status == ImportBatch.Status.COMMITTED:
        return render(request, "organizations/import_preview.html", {"batch": batch})
    plan = build_plan(batch.kind, bytes(batch.content), batch.filename, user=request.user)
    return _render_preview(request, batch, plan)


@login_required
@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _own_batch(request, pk)
    try:
        plan = import_services.commit_batch(batch, acting_user=request.user)
    except import_services.AlreadyImported as done:
        messages.info(request, str(done))
        return redirect("organizations:import-preview", pk=batch.pk)
    except import_services.ImportRejected as rejected:
        return _render_preview(request, batch, rejected.plan)
    counts = plan.counts
    messages.success(
        request,
        _("Imported: %(create)s created, %(update)s updated, %(unchanged)s unchanged.")
        % {"create": counts[CREATE], "update": counts[UPDATE], "unchanged": counts["unchanged"]},
    )
    return redirect("organizations:import-preview", pk=batch.pk)


def _render_preview(request: HttpRequest, batch: ImportBatch, plan: ImportPlan) -> HttpResponse:
    changes = [
        {
            "line": row.line,
            "key": row.key,
            "name": row.name,
            "change": CHANGE_LABELS[row.change],
            "fields": [FIELD_LABELS.get(name, name) for name in row.changed_fields],
        }
        for row in plan.rows
        if row.change in (CREATE, UPDATE)
    ]
    errors = plan.errors
    context = {
        "batch": batch,
        "plan": plan,
        "counts": plan.counts,
        "errors": errors[:PREVIEW_ERRORS],
        "more_errors": max(0, len(errors) - PREVIEW_ERRORS),
        "changes": changes[:PREVIEW_ROWS],
        "more_changes": max(0, len(changes) - PREVIEW_ROWS),
    }
    return render(request, "organizations/import_preview.html", context)
