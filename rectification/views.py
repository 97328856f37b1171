"""Pages of the rectification loop: the list, an item's detail with its action forms, evidence.

Reads come from `selectors` (scoped querysets, a fixed number of queries per page), writes from
`services`, which decide who may take which step. An item outside the user's scope is a 404. A
refused step re-shows the item with the form as typed and the reason (409 when the item changed
meanwhile, 400 otherwise).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.downloads import stored_file_download
from core.lists import Column, Listing

from . import selectors, services
from .filters import ItemFilterSet
from .forms import ClosureForm, ConfirmForm, RejectForm, UpdateForm
from .models import Rectification, RectificationEvidence

PER_PAGE = 50


def _share(item: Rectification):
    return None if item.fraction_at_opening is None else round(item.fraction_at_opening * 100)


COLUMNS = (
    Column("indicator", gettext_lazy("Indicator"), ("indicator_code",), lambda i: i.indicator_code),
    Column(
        "organization",
        gettext_lazy("Organization"),
        ("organization__code",),
        lambda i: i.organization.display_name,
    ),
    Column("period", gettext_lazy("Period"), ("period__start",), lambda i: i.period.display_name),
    Column("share", gettext_lazy("Share at opening"), ("fraction_at_opening",), _share),
    Column(
        "owner",
        gettext_lazy("Owner"),
        ("owner__username",),
        lambda i: i.owner.get_full_name() or i.owner.get_username() if i.owner else "",
    ),
    Column("due", gettext_lazy("Due"), ("due_date",), lambda i: i.due_date),
    Column("state", gettext_lazy("State"), ("state",), lambda i: i.get_state_display()),
    Column("next", gettext_lazy("Next period")),
)


class ListView(LoginRequiredMixin, View):
    """Items the user may see: by default those not closed, the most urgent first."""

    def get(self, request: HttpRequest) -> HttpResponse:
        filters = ItemFilterSet(
            request.GET, queryset=selectors.visible(request.user), request=request
        )
        listing = Listing(request, COLUMNS, default_sort="due", default_size=PER_PAGE)
        rows = listing.order(filters.qs)
        if listing.export_format:
            return listing.export(rows, name="rectification", title=_("Rectification items"))
        counts = selectors.state_counts(filters.across_states)
        page = Paginator(rows, listing.page_size).get_page(request.GET.get("page"))
        items = list(page.object_list)
        following = selectors.decorate(items)
        for item in items:
            item.next_result = following.get(item.pk)
        subtrees = list(selectors.subtree_choices(request.user))
        within = filters.within_organization
        if within is not None and within not in subtrees:
            subtrees.append(within)
        tabs = [(selectors.ACTIVE, _("Not closed"), counts["active"])]
        tabs += [(v, label, counts[v]) for v, label in Rectification.State.choices]
        tabs.append(("", _("All"), counts["all"]))
        return render(
            request,
            "rectification/list.html",
            {
                "filters": filters.values,
                "page": page,
                "items": items,
                "tabs": tabs,
                "overdue_count": counts["overdue"],
                "periods": list(selectors.periods_with_items()),
                "subtrees": subtrees,
                "within_unknown": filters.within_unknown,
                "listing": listing,
            },
        )


class ItemMixin(LoginRequiredMixin):
    model = Rectification

    def page(self, request: HttpRequest, item: Rectification, **forms: Any) -> dict[str, Any]:
        user = request.user
        can_update = services.can_update(user, item)
        can_close = services.can_request_closure(user, item)
        can_decide = services.can_decide(user, item)
        context: dict[str, Any] = {
            "item": item,
            "next_result": selectors.next_period_results([item]).get(item.pk),
            "today": timezone.localdate(),
            "own_request": services.is_own_request(user, item),
        }
        if can_update:
            context["update_form"] = forms.get("update_form") or UpdateForm.for_item(
                item, services.owner_choices(item)
            )
        if can_close:
            context["closure_form"] = forms.get("closure_form") or ClosureForm(
                initial={"version": item.version, "closing_note": item.closing_note},
                prefix="closure",
            )
        if can_decide:
            context["confirm_form"] = forms.get("confirm_form") or ConfirmForm(
                initial={"version": item.version}, prefix="confirm"
            )
            context["reject_form"] = forms.get("reject_form") or RejectForm(
                initial={"version": item.version}, prefix="reject"
            )
        return context

    def render_page(self, request, item, *, status: int = 200, alert: str = "", **forms):
        context = self.page(request, item, **forms)
        context["alert"] = alert
        return render(request, "rectification/detail.html", context, status=status)


class DetailView(ItemMixin, View):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.render_page(request, selectors.detail(request.user, pk))


class ActionView(ItemMixin, View):
    """A POST that takes one step; the subclass builds the form and calls the service."""

    form_name = ""
    done_message = ""

    def form(self, request: HttpRequest, item: Rectification):
        raise NotImplementedError

    def act(self, request: HttpRequest, item: Rectification, data: dict) -> None:
        raise NotImplementedError

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        item = selectors.detail(request.user, pk)
        form = self.form(request, item)
        if not form.is_valid():
            return self.render_page(
                request,
                item,
                status=400,
                alert=_("Please correct the errors below."),
                **{self.form_name: form},
            )
        try:
            self.act(request, item, form.cleaned_data)
        except services.RectificationError as refused:
            status = 409 if isinstance(refused, services.StaleVersion) else 400
            if isinstance(refused, services.NotAllowed):
                status = 403
            item = selectors.detail(request.user, pk)
            return self.render_page(
                request, item, status=status, alert=str(refused), **{self.form_name: form}
            )
        messages.success(request, str(self.done_message))
        return redirect("rectification:detail", pk=pk)


class UpdateView(ActionView):
    form_name = "update_form"
    done_message = _("Saved.")

    def form(self, request, item):
        return UpdateForm.for_item(item, services.owner_choices(item), data=request.POST)

    def act(self, request, item, data):
        services.update(
            item,
            acting_user=request.user,
            version=data["version"],
            plan=data["plan"],
            progress_note=data["progress_note"],
            owner=data["owner"],
            due_date=data["due_date"],
        )


class RequestClosureView(ActionView):
    form_name = "closure_form"
    done_message = _("Closure requested: a reviewer will confirm it.")

    def form(self, request, item):
        return ClosureForm(request.POST, request.FILES, prefix="closure")

    def act(self, request, item, data):
        services.request_closure(
            item,
            acting_user=request.user,
            version=data["version"],
            closing_note=data["closing_note"],
            files=data["files"],
        )


class ConfirmView(ActionView):
    form_name = "confirm_form"
    done_message = _("Closure confirmed: the item is closed.")

    def form(self, request, item):
        return ConfirmForm(request.POST, prefix="confirm")

    def act(self, request, item, data):
        services.confirm(item, acting_user=request.user, version=data["version"], note=data["note"])


class RejectView(ActionView):
    form_name = "reject_form"
    done_message = _("Closure rejected: the item is back with the unit.")

    def form(self, request, item):
        return RejectForm(request.POST, prefix="reject")

    def act(self, request, item, data):
        services.reject(
            item, acting_user=request.user, version=data["version"], reason=data["reason"]
        )


class EvidenceDownloadView(LoginRequiredMixin, View):
    """The file as uploaded, always as a download and never sniffed by the browser."""

    model = RectificationEvidence

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        evidence = get_object_or_404(selectors.scoped_evidence(request.user), pk=pk)
        return stored_file_download(
            evidence.file, filename=evidence.original_name, content_type=evidence.content_type
        )
