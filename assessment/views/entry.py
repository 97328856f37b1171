"""The submission page: entering values with live points, evidence, review and the history.

Each view finds its submission through the access scope for the action it performs (VIEW to read,
ENTER to save, submit and upload, REVIEW to assess, return and approve, MANAGE to reopen): outside
that scope the submission does not exist for the user (404). The services decide everything else
(state, period, the reviewer-of-an-ancestor rule); their refusals come back as messages.
"""

import logging
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.downloads import stored_file_download
from organizations.choices import Action

from ..forms.entry import CommentForm, EntryForm, EvidenceForm, ReasonForm
from ..models import Submission
from ..selectors import engine_framework
from ..selectors import entry as selectors
from ..services import copy_values, counted, submissions
from ..services import evidence as evidence_services
from ..services.submissions import Incomplete, InvalidValues, StaleVersion, WorkflowError
from .review import after_decision

logger = logging.getLogger(__name__)


def _submission(request: HttpRequest, pk: int, action: str = Action.VIEW) -> Submission:
    return get_object_or_404(selectors.scoped_submissions(request.user, action), pk=pk)


def _entry_form(submission: Submission, request: HttpRequest, *, reviewed: bool) -> EntryForm:
    spec = engine_framework(submission.period.framework)
    return EntryForm(spec.indicators_for(submission.subject_kind), request.POST, reviewed=reviewed)


def _page(
    request: HttpRequest, submission: Submission, *, status: int = 200, alert: str = "", **kwargs
) -> HttpResponse:
    page = selectors.entry_page(submission, request.user, **kwargs)
    context = {
        "page": page,
        "submission": submission,
        "alert": alert,
        "return_form": ReasonForm(auto_id="return_%s"),
        "approve_form": CommentForm(auto_id="approve_%s"),
        "reopen_form": ReasonForm(auto_id="reopen_%s"),
    }
    return render(request, "assessment/submission_detail.html", context, status=status)


def _back(submission: Submission) -> HttpResponse:
    return redirect("assessment:submission", pk=submission.pk)


def _form_errors(request: HttpRequest, form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _save(
    request: HttpRequest, submission: Submission, form: EntryForm, *, reviewed: bool
) -> HttpResponse | None:
    """Save the posted values; on failure, the response to send (the page again, or back).

    A value copied from the last period loses its mark when it is confirmed (its ``ok-<code>``
    box ticked) or changed.
    """
    if form.version is None:
        messages.error(request, _("The form was incomplete. Reload the page and try again."))
        return _back(submission)
    copied = {} if reviewed else copy_values.copied_values(submission)
    try:
        submissions.save_values(
            submission,
            form.raw_values(),
            version=form.version,
            acting_user=request.user,
            reviewed=reviewed,
            reasons=form.reasons() if reviewed else None,
            overrides=None if reviewed else form.overrides(),
        )
    except StaleVersion as stale:
        return _page(
            request,
            submission,
            status=409,
            alert=str(stale),
            typed=form.typed(),
            reviewed=reviewed,
            stale=stale,
        )
    except InvalidValues as invalid:
        return _page(
            request,
            submission,
            status=400,
            alert=str(invalid),
            typed=form.typed(),
            reviewed=reviewed,
            errors=invalid.errors,
        )
    except WorkflowError as refused:
        messages.error(request, str(refused))
        return _back(submission)
    if copied:
        confirmed = {code for code in copied if request.POST.get(f"ok-{code}")}
        copy_values.settle(submission, copied, confirmed)
    return None


def _unconfirmed(submission: Submission) -> list[str]:
    """The copied values not yet confirmed, as lines of the form's "still missing" list."""
    copied = copy_values.copied_values(submission)
    if not copied:
        return []
    spec = engine_framework(submission.period.framework)
    lines = []
    for indicator in spec.indicators_for(submission.subject_kind):
        if indicator.code in copied:
            lines.append(
                _("%(indicator)s: copied from the last period, not confirmed yet")
                % {"indicator": f"{indicator.code} {indicator.name.get(selectors._lang())}"}
            )
    return lines


@login_required
@require_GET
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The submission: header with the live total, the entry form, evidence, review, history.

    Values counted from records are recounted first (not in a locked period), so the page
    shows what the records say now.
    """
    submission = _submission(request, pk)
    try:
        counted.recount_submission(submission)  # its own transaction: rolled back on failure
    except Exception:  # a count that fails must not take the page down: stored values show
        logger.exception("recounting submission %s failed", submission.pk)
    return _page(request, submission)


@login_required
@require_POST
def submission_save(request: HttpRequest, pk: int) -> HttpResponse:
    """Save a draft: any values, complete or not, against the version the user started from."""
    submission = _submission(request, pk, Action.ENTER)
    failed = _save(
        request, submission, _entry_form(submission, request, reviewed=False), reviewed=False
    )
    if failed is not None:
        return failed
    messages.success(request, _("Draft saved."))
    return _back(submission)


@login_required
@require_POST
def submission_submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit for review; values posted with the button are saved first."""
    submission = _submission(request, pk, Action.ENTER)
    form = _entry_form(submission, request, reviewed=False)
    saved = False
    if form.typed():
        failed = _save(request, submission, form, reviewed=False)
        if failed is not None:
            return failed
        saved = True
        submission = _submission(request, pk, Action.ENTER)
    unconfirmed = _unconfirmed(submission)
    try:
        if unconfirmed:  # the service's own check too, so the list has everything
            raise Incomplete(submissions.missing_for_submission(submission) + unconfirmed)
        submissions.submit(submission, acting_user=request.user)
    except Incomplete as incomplete:
        if saved:
            messages.info(request, _("Your values were saved as a draft."))
        return _page(
            request, submission, status=400, alert=str(incomplete), missing=incomplete.missing
        )
    except WorkflowError as refused:
        messages.error(request, str(refused))
        return _back(submission)
    messages.success(request, _("Submitted for review."))
    return _back(submission)


@login_required
@require_POST
def submission_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Fill the blank values from the last approved period; what was typed is saved first."""
    submission = _submission(request, pk, Action.ENTER)
    form = _entry_form(submission, request, reviewed=False)
    if form.typed():
        failed = _save(request, submission, form, reviewed=False)
        if failed is not None:
            return failed
        submission = _submission(request, pk, Action.ENTER)
    try:
        copied = copy_values.copy_last_values(
            submission, version=submission.version, acting_user=request.user
        )
    except WorkflowError as refused:
        messages.error(request, str(refused))
        return _back(submission)
    if copied:
        messages.success(
            request,
            ngettext(
                "%(n)d value was copied from the last period: check it and confirm it.",
                "%(n)d values were copied from the last period: check them and confirm them.",
                len(copied),
            )
            % {"n": len(copied)},
        )
    else:
        messages.info(request, _("Nothing to copy: no blank value has one in the last period."))
    return _back(submission)


@login_required
@require_POST
def submission_assess(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer's assessment of the judgement indicators, with reasons where it differs."""
    submission = _submission(request, pk, Action.REVIEW)
    failed = _save(
        request, submission, _entry_form(submission, request, reviewed=True), reviewed=True
    )
    if failed is not None:
        return failed
    messages.success(request, _("Assessment saved."))
    return _back(submission)


def _decide(request, pk: int, action: str, form_class, step, field: str, done: str):
    """One workflow step taken from the page: a reason or comment form, then the service."""
    submission = _submission(request, pk, action)
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return _back(submission)
    try:
        step(submission, acting_user=request.user, **{field: form.cleaned_data[field]})
    except WorkflowError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, done)
    return _back(submission)


@login_required
@require_POST
def submission_return(request: HttpRequest, pk: int) -> HttpResponse:
    """Return with a reason; asked with ``next=queue``, the queue's next submission opens."""
    return after_decision(
        request,
        pk,
        lambda: _decide(
            request,
            pk,
            Action.REVIEW,
            ReasonForm,
            submissions.return_submission,
            "reason",
            _("The submission was returned to the secretary."),
        ),
    )


@login_required
@require_POST
def submission_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve; asked with ``next=queue``, the queue's next submission opens."""
    return after_decision(
        request,
        pk,
        lambda: _decide(
            request,
            pk,
            Action.REVIEW,
            CommentForm,
            submissions.approve,
            "comment",
            _("The submission was approved."),
        ),
    )


@login_required
@require_POST
def submission_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(
        request,
        pk,
        Action.MANAGE,
        ReasonForm,
        submissions.reopen,
        "reason",
        _("The submission was reopened for editing."),
    )


@login_required
@require_POST
def submission_points(request: HttpRequest, pk: int) -> HttpResponse:
    """HTMX: the points, messages and errors for what is being typed, and the new total."""
    submission = _submission(request, pk)
    reviewed = request.POST.get("mode") == "assess"
    form = _entry_form(submission, request, reviewed=reviewed)
    page = selectors.entry_page(
        submission, request.user, typed=form.typed(), reviewed=reviewed, full=False
    )
    return render(request, "assessment/_entry_live.html", {"page": page})


_ROW_ID = re.compile(r"ind-\d{1,6}")


def _with_typed_values(request: HttpRequest, submission: Submission, anchor: str) -> HttpResponse:
    """After an evidence step: save the values posted with it, then back to the page.

    The upload and remove buttons belong to the entry form, so the browser posts what was typed
    along with them (with or without JavaScript). Saving it as a draft keeps it through the
    reload; where it cannot be saved (a stale version, an invalid value), the page is shown again
    with the typed values and the reason, as a save would.
    """
    form = _entry_form(submission, request, reviewed=False)
    if form.typed():
        before = submission.version
        failed = _save(request, submission, form, reviewed=False)
        if failed is not None:
            return failed
        submission.refresh_from_db(fields=["version"])
        if submission.version != before:
            messages.info(request, _("Your values were saved as a draft."))
    url = reverse("assessment:submission", args=[submission.pk])
    # Back to the row the button was on; the anchor is the page's own row id, nothing else.
    return redirect(f"{url}#{anchor}" if _ROW_ID.fullmatch(anchor) else url)


def _evidence_forms(request: HttpRequest) -> list[EvidenceForm]:
    """One form per file posted for the indicator whose upload button was pressed.

    In the entry form each indicator's file input is named ``file-<code>`` and may carry several
    files; a post of its own (the API's shape, older pages) names it ``file``.
    """
    code = request.POST.get("indicator", "")
    posted = request.FILES.getlist(f"file-{code}") or request.FILES.getlist("file") or [None]
    return [
        EvidenceForm(request.POST, {"file": item} if item is not None else {}) for item in posted
    ]


def _fetched(request: HttpRequest) -> bool:
    """A post from the page's script (entry.js): it wants the row's evidence, not a reload."""
    return request.headers.get("X-Entry-Fetch") == "1"


def _evidence_fragment(
    request: HttpRequest, submission: Submission, code: str, notes: list[tuple[str, str]]
) -> HttpResponse:
    """The evidence line of one row, re-rendered for the script to swap in, with the notes."""
    page = selectors.entry_page(submission, request.user)
    row = next((r for r in page.rows if r.code == code), None)
    if row is None:
        return HttpResponse(status=404)
    context = {"page": page, "submission": submission, "row": row, "notes": notes}
    return render(request, "assessment/_entry_evidence.html", context)


@login_required
@require_POST
def evidence_upload(request: HttpRequest, pk: int) -> HttpResponse:
    """Attach files to an indicator.

    From the page's script, only the files are posted and the row's evidence comes back (the
    form keeps what is typed, unsaved); without the script, the values typed in the form are
    posted and saved with the files.
    """
    submission = _submission(request, pk, Action.ENTER)
    notes: list[tuple[str, str]] = []
    for form in _evidence_forms(request):
        if not form.is_valid():
            notes += [("danger", str(e)) for errors in form.errors.values() for e in errors]
            continue
        try:
            added = evidence_services.add_evidence(
                submission,
                form.cleaned_data["indicator"],
                form.cleaned_data["file"],
                acting_user=request.user,
            )
        except WorkflowError as refused:
            notes.append(("danger", f"{form.cleaned_data['file'].name}: {refused}"))
        else:
            notes.append(
                (
                    "success",
                    _("%(name)s was attached to %(code)s.")
                    % {"name": added.original_name, "code": form.cleaned_data["indicator"]},
                )
            )
    if _fetched(request):
        return _evidence_fragment(request, submission, request.POST.get("indicator", ""), notes)
    for level, text in notes:
        (messages.success if level == "success" else messages.error)(request, text)
    return _with_typed_values(request, submission, request.GET.get("row", ""))


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The file as it was uploaded, always as a download and never sniffed by the browser."""
    item = get_object_or_404(selectors.scoped_evidence(request.user), pk=pk)
    return stored_file_download(
        item.file, filename=item.original_name, content_type=item.content_type
    )


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a file; the values typed in the form are saved with it."""
    item = get_object_or_404(selectors.scoped_evidence(request.user, Action.ENTER), pk=pk)
    try:
        evidence_services.delete_evidence(item, acting_user=request.user)
    except WorkflowError as refused:
        note = ("danger", str(refused))
    else:
        note = ("success", _("%(name)s was removed.") % {"name": item.original_name})
    if _fetched(request):
        return _evidence_fragment(request, item.submission, item.indicator.code, [note])
    (messages.success if note[0] == "success" else messages.error)(request, note[1])
    return _with_typed_values(request, item.submission, request.GET.get("row", ""))
