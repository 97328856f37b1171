"""Working through the review queue: deciding several submissions at once, and opening the next
submission of the queue once one is decided on its page.

The queue remembers the filters the user last listed it with (in the session, `lists.QUERY_KEY`),
so the next submission and the way back keep them. Everything is found through the user's review
scope (`selectors.queues.reviewable_submissions`).
"""

from collections.abc import Callable
from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.filters import read_id
from organizations.choices import Action

from ..choices import SubmissionState
from ..filters import QueueFilterSet, QueueViewForm
from ..forms.entry import CommentForm, ReasonForm
from ..models import Submission
from ..selectors import queues
from ..services import bulk_review
from ..services.submissions import WorkflowError
from .lists import OUTCOME_KEY, QUERY_KEY


def _queue_url(query: str) -> str:
    url = reverse("assessment:queue")
    return f"{url}?{query}" if query else url


@login_required
@require_POST
def queue_decide(request: HttpRequest) -> HttpResponse:
    """Approve (with one optional comment) or return (with one reason) the chosen submissions,
    each on its own; back to the queue, with its filters, to a summary of what was decided and
    what was refused and why."""
    query = request.POST.get("queue", "")
    ids = [pk for pk in map(read_id, request.POST.getlist("ids")) if pk is not None]
    action = request.POST.get("action")
    if not ids:
        messages.error(request, _("Choose the submissions to decide first."))
        return redirect(_queue_url(query))
    try:
        if action == "approve":
            form = CommentForm(request.POST, auto_id=False)
            comment = form.cleaned_data["comment"] if form.is_valid() else ""
            outcome = bulk_review.approve_many(ids, acting_user=request.user, comment=comment)
        elif action == "return":
            form = ReasonForm(request.POST, auto_id=False)
            if not form.is_valid():
                messages.error(request, _("Say why the submissions are returned."))
                return redirect(_queue_url(query))
            outcome = bulk_review.return_many(
                ids, reason=form.cleaned_data["reason"], acting_user=request.user
            )
        else:
            messages.error(request, _("Choose to approve or to return."))
            return redirect(_queue_url(query))
    except WorkflowError as refused:
        messages.error(request, str(refused))
        return redirect(_queue_url(query))
    request.session[OUTCOME_KEY] = asdict(outcome)
    return redirect(_queue_url(query))


def _state(request: HttpRequest, pk: int) -> str | None:
    return (
        Submission.objects.restrict(request.user, Action.VIEW)
        .filter(pk=pk)
        .values_list("state", flat=True)
        .first()
    )


def after_decision(
    request: HttpRequest, pk: int, decide: Callable[[], HttpResponse]
) -> HttpResponse:
    """Take a decision posted from a submission's page (`decide` answers as the page always
    did); when it asked for the next (``next=queue``) and the submission was decided, the next
    submission of the queue as last listed opens, or the queue when it was the last. A decision
    that was refused stays on the page, with why."""
    if request.POST.get("next") != "queue":
        return decide()
    waiting = _state(request, pk) == SubmissionState.SUBMITTED
    response = decide()
    if not waiting or _state(request, pk) == SubmissionState.SUBMITTED:
        return response
    query = request.session.get(QUERY_KEY, "")
    data = QueryDict(query)
    filters = QueueFilterSet(
        data, queryset=queues.reviewable_submissions(request.user), request=request
    )
    view = QueueViewForm(data)
    following = queues.next_in_queue(
        filters.across_states,
        filters.values.get("state", ""),
        pk,
        sort=view.value("sort"),
        warnings=view.value("warnings"),
    )
    if following is None:
        messages.info(request, _("That was the last submission of the queue."))
        return redirect(_queue_url(query))
    return redirect("assessment:submission", pk=following)
