"""Work lists of the assessment app: a secretary's to-do list, the review queue, completeness per
subtree and notices. The queue's decisions on several submissions are in `views.review`.

Reads come from `selectors.queues` (scoped querysets, a fixed number of queries per page); query
strings are read by `assessment.filters`. An organization outside the user's scope is a 404.
Each list exports what it lists (``?export=csv|xlsx``, `core.lists`), its columns in `.columns`.
"""

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from core.lists import Listing
from organizations.models import Organization
from organizations.selectors import breadcrumbs

from ..choices import SubmissionState
from ..filters import (
    PAGE_SIZES,
    OrganizationChoiceFilterSet,
    PeriodChoiceForm,
    QueueFilterSet,
    QueueViewForm,
)
from ..forms.entry import ReasonForm
from ..models import Submission
from ..selectors import browse, queues
from ..services import notices as notice_services
from .columns import (
    COMPLETENESS_COLUMNS,
    MY_SUBMISSIONS_COLUMNS,
    QUEUE_COLUMNS,
    notice_columns,
)

# Where the summary of a decision on several submissions waits for the queue to show it, once.
OUTCOME_KEY = "queue_outcome"
# The filters of the queue the user last looked at (its query string without the page): a
# decision on a submission's page opens the next one of that queue, and the way back keeps them.
QUERY_KEY = "queue_query"


@login_required
@require_GET
def my_submissions(request: HttpRequest) -> HttpResponse:
    """A secretary's to-do list: returned submissions first (with why), then by deadline; or
    sorted by a column, so many to a page, exported."""
    listing = Listing(request, MY_SUBMISSIONS_COLUMNS, default_sort="state")
    rows = listing.order(queues.my_open_submissions(request.user))
    if listing.export_format:
        return listing.export(rows, name="my-submissions", title=_("My submissions"))
    return render(
        request,
        "assessment/home_secretary.html",
        {
            "page": Paginator(rows, listing.page_size).get_page(request.GET.get("page")),
            "today": timezone.localdate(),
            "listing": listing,
        },
    )


def queue_query(request: HttpRequest) -> str:
    """The queue's query string without its page."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _sort_headers(sort: str) -> dict[str, dict[str, str]]:
    """Each sortable column's link (the same column again: the other direction) and its
    current direction ("ascending", "descending" or "")."""
    headers = {}
    for key in queues.QUEUE_SORTS:
        direction = ""
        if sort == key:
            direction = "ascending"
        elif sort == f"-{key}":
            direction = "descending"
        headers[key] = {
            "next": f"-{key}" if direction == "ascending" else key,
            "direction": direction,
        }
    return headers


def _days_waiting(submission: Submission, today: datetime.date) -> int | None:
    if submission.state != SubmissionState.SUBMITTED or submission.submitted_at is None:
        return None
    return (today - timezone.localdate(submission.submitted_at)).days


def _shown(
    submission: Submission,
    facts: queues.QueueFacts | None,
    kinds: dict[str, str],
    lang: str,
    today: datetime.date,
) -> Submission:
    """A row of the queue with what its columns show besides its own fields (no query)."""
    submission.kind_name = kinds.get(submission.subject_kind, submission.subject_kind)
    submission.facts = facts
    submission.days_waiting = _days_waiting(submission, today)
    submission.veto_names = queues.indicator_names(submission, facts, lang)
    submission.grade_name = queues.grade_name(submission, facts, lang)
    return submission


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Submissions the user reviews, by state (submitted by default), period, kind, subtree,
    words of the name and warnings; each with the score it would get, its warnings, evidence
    and days waiting; sorted by a column, so many to a page; exported whole (every page) with
    ``?export=csv|xlsx``. Several can be decided at once (`review.queue_decide`), whose summary
    is shown here once."""
    filters = QueueFilterSet(
        request.GET, queryset=queues.reviewable_submissions(request.user), request=request
    )
    view = QueueViewForm(request.GET)
    sort, warnings = view.value("sort"), view.value("warnings")
    # The queue keeps its own sort and page size (`QueueViewForm`); the listing exports.
    exports = Listing(request, QUEUE_COLUMNS, default_sort="name")
    periods = list(queues.visible_periods())
    lang = browse.engine_language()
    kinds = queues.subject_kind_names(periods, lang)
    listing = queues.review_queue(filters.qs, sort=sort, warnings=warnings)
    today = timezone.localdate()
    if exports.export_format:
        ids = listing.ids()
        rows = (_shown(s, f, kinds, lang, today) for s, f in listing.every_row(ids))
        return exports.export(rows, count=len(ids), name="review-queue", title=_("Review queue"))
    # An export's query string is not remembered: the way back must not download a file.
    query = queue_query(request)
    if request.session.get(QUERY_KEY) != query:
        request.session[QUERY_KEY] = query
    counts = queues.state_counts(filters.across_states)
    subtrees = list(queues.review_scope_organizations(request.user))
    within = filters.within_organization
    if within is not None and within not in subtrees:
        subtrees.append(within)
    page = Paginator(listing.rows, view.value("per_page")).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    facts = listing.facts_of(rows)
    rows = [_shown(s, facts.get(s.pk), kinds, lang, today) for s in rows]
    return render(
        request,
        "assessment/queue.html",
        {
            "filters": filters.values,
            "view": {name: view.value(name) for name in view.fields},
            "page": page,
            "rows": rows,
            "counts": [(value, label, counts[value]) for value, label in SubmissionState.choices],
            "total": sum(counts.values()),
            "periods": periods,
            "subject_kinds": sorted(kinds.items(), key=lambda item: item[1]),
            "subtrees": subtrees,
            "within_unknown": filters.within_unknown,
            "page_sizes": PAGE_SIZES,
            "sorts": _sort_headers(sort),
            "queue_query": query,
            "exports": exports,
            "outcome": request.session.pop(OUTCOME_KEY, None),
            "return_form": ReasonForm(auto_id="bulk_return_%s", use_required_attribute=False),
            "decidable": any(row.state == SubmissionState.SUBMITTED for row in rows),
        },
    )


@login_required
@require_GET
def completeness(request: HttpRequest) -> HttpResponse:
    """How complete a period is under an organization, per direct child; the total below.

    ``?org=`` picks the organization (default: the top of the user's scope; outside it: 404),
    ``?period=`` the period (default: the latest open one). The children sort by a column and
    come so many to a page; the export holds every line (its own subjects, the children in the
    asked order, the total).
    """
    user = request.user
    roots = list(queues.scope_roots(user))
    chosen = OrganizationChoiceFilterSet(
        request.GET, queryset=Organization.objects.restrict(user).select_related("kind")
    )
    if chosen.asked:
        organization = get_object_or_404(chosen.qs)
    elif roots:
        organization = roots[0]
    else:
        raise Http404
    periods = list(queues.visible_periods())
    period = queues.pick_period(periods, PeriodChoiceForm(request.GET).chosen_id())
    listing = Listing(request, COMPLETENESS_COLUMNS, default_sort="organization")
    own, children, total = None, [], None
    if period is not None:
        table = queues.completeness(user, period, organization, today=timezone.localdate())
        if table.own.expected:
            own = table.own
            own.label = _("%(name)s itself") % {"name": organization.display_name}
        children = listing.sort_items(table.children)
        for row in children:
            row.label = row.organization.display_name
        total = table.total
        total.label = _("Total")
    if listing.export_format:
        lines = [*([own] if own else []), *children, *([total] if total else [])]
        return listing.export(
            lines,
            count=len(lines),
            name="completeness",
            title=_("Completeness"),
        )
    page = Paginator(children, listing.page_size).get_page(request.GET.get("page"))
    lines: list[tuple[str, queues.CompletenessRow]] = []
    if own is not None:
        lines.append(("own", own))
    lines.extend(("child", row) for row in page.object_list)
    if total is not None:
        lines.append(("total", total))
    context: dict[str, Any] = {
        "organization": organization,
        "breadcrumbs": breadcrumbs(user, organization)[:-1],
        "roots": roots,
        "periods": periods,
        "period": period,
        "lines": lines,
        "page": page,
        "listing": listing,
    }
    return render(request, "assessment/completeness.html", context)


@login_required
def notices(request: HttpRequest) -> HttpResponse:
    """The user's notices, newest first (or by kind, or read ones last), so many to a page,
    exported; unread ones stand out until marked read."""
    columns = notice_columns(notice_services.notice_text, notice_services.notice_link)
    listing = Listing(request, columns, default_sort="-time")
    rows = listing.order(queues.notices_of(request.user))
    if listing.export_format:
        return listing.export(rows, name="notices", title=_("Notices"))
    page = Paginator(rows, listing.page_size).get_page(request.GET.get("page"))
    return render(
        request,
        "assessment/notices.html",
        {
            "page": page,
            "listing": listing,
            "items": [
                (notice, notice_services.notice_text(notice), notice_services.notice_link(notice))
                for notice in page
            ],
            "unread": queues.unread_notice_count(request.user),
        },
    )


@login_required
@require_POST
def notices_mark_read(request: HttpRequest) -> HttpResponse:
    marked = notice_services.mark_all_read(request.user)
    if marked:
        messages.success(
            request,
            ngettext(
                "%(count)d notice marked as read.", "%(count)d notices marked as read.", marked
            )
            % {"count": marked},
        )
    return redirect("assessment:notices")
