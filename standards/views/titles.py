"""Pages of the seven-good standards: the honours, the titles a reviewer decides, a title, and
how any scored subject stands against its standard.

Titles are read through `selectors.titles` (the access scope: outside it, 404); decisions go
through `services.titles`. A user who may see a title but not decide it gets a 403 with the
reason, a refused decision (quota, already decided, bad input) a 400 and a stale form a 409, each
re-showing the title with the reason and changing nothing.
"""

from collections.abc import Iterable, Iterator

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.lists import Column, Listing
from organizations.models import Organization

from ..choices import Decision
from ..forms.titles import DecideForm, TitleFilterForm
from ..models import Title
from ..selectors import titles as selectors
from ..services import titles as services


def _lang() -> str:
    return get_language() or "zh-hans"


def _period(chosen: dict):
    """The period asked for (a yearly one), else the latest year; None when there is none."""
    periods = selectors.year_periods().select_related("framework")
    if chosen["period"] is not None:
        found = periods.filter(pk=chosen["period"]).first()
        if found is not None:
            return found
    return periods.first()


# The organization column shows each title's path of names (selectors.organization_paths), read
# per page and per chunk of an export; the standard's name comes from the period's framework.
TITLE_COLUMNS = (
    Column("subject", gettext_lazy("Subject"), ("subject_name",)),
    Column("organization", gettext_lazy("Organization"), ("organization__path",)),
    Column("standard", gettext_lazy("Standard"), ("standard", "-score", "subject_name")),
    Column("score", gettext_lazy("Score"), ("score",)),
    Column("state", gettext_lazy("State"), ("state",)),
    Column("decide", gettext_lazy("Decide")),
)
# The honours are grouped by standard: a column sorts the titles within each standard.
HONOUR_COLUMNS = (
    Column("subject", gettext_lazy("Subject"), ("subject_name",)),
    Column("organization", gettext_lazy("Organization"), ("organization__path",)),
    Column("score", gettext_lazy("Score"), ("score",)),
)
_EXPORT_CHUNK = 500


def _with_paths(titles: Iterable[Title]) -> list[Title]:
    """The titles with `path_names` set: one query for all their ancestors."""
    titles = list(titles)
    paths = selectors.organization_paths(t.organization for t in titles)
    for title in titles:
        title.path_names = paths[title.organization_id]
    return titles


def _chunks(titles: QuerySet[Title]) -> Iterator[list[Title]]:
    chunk: list[Title] = []
    for title in titles.iterator(chunk_size=_EXPORT_CHUNK):
        chunk.append(title)
        if len(chunk) == _EXPORT_CHUNK:
            yield _with_paths(chunk)
            chunk = []
    if chunk:
        yield _with_paths(chunk)


def _export_titles(
    listing: Listing,
    titles: QuerySet[Title],
    names: dict[str, str],
    *,
    honours: bool,
    name: str,
    title: str,
) -> HttpResponse:
    """The listed titles as a file, with the page's columns: the honours by standard first (their
    groups), the reviewers' list with each title's state."""

    def shown(t: Title) -> list:
        score = round(t.score, 1) if t.score is not None else None
        standard = names.get(t.standard, t.standard)
        if honours:
            return [standard, t.subject_name, t.path_names, score]
        return [t.subject_name, t.path_names, standard, score, t.get_state_display()]

    if honours:
        headers = [_("Standard"), _("Subject"), _("Organization"), _("Score")]
    else:
        headers = [_("Subject"), _("Organization"), _("Standard"), _("Score"), _("State")]
    rows = (shown(t) for chunk in _chunks(titles) for t in chunk)
    return listing.export_rows(headers, rows, count=titles.count(), name=name, title=title)


@login_required
@require_GET
def honours(request: HttpRequest) -> HttpResponse:
    """荣誉榜: the confirmed titles of a year in the user's scope, by standard, sorted within
    each standard by the column asked (the score by default), paged."""
    chosen = TitleFilterForm(request.GET).chosen()
    period = _period(chosen)
    organization = None
    if chosen["org"] is not None:
        organization = get_object_or_404(
            Organization.objects.restrict(request.user), pk=chosen["org"]
        )
    listing = Listing(request, HONOUR_COLUMNS, default_sort="-score")
    titles = (
        selectors.honours(
            request.user, period=period, standard=chosen["standard"], organization=organization
        )
        if period is not None
        else Title.objects.none()
    )
    titles = listing.order(titles)
    # The standard stays the first key, so a page holds whole runs of each standard.
    titles = titles.order_by("standard", *titles.query.order_by)
    names = selectors.standard_names(period, _lang())
    if listing.export_format:
        return _export_titles(
            listing, titles, names, honours=True, name="honours", title=_("Honours")
        )
    page = Paginator(titles, listing.page_size).get_page(request.GET.get("page"))
    groups: dict[str, list[Title]] = {}
    for title in _with_paths(page):
        groups.setdefault(title.standard, []).append(title)
    return render(
        request,
        "standards/honours.html",
        {
            "period": period,
            "periods": list(selectors.year_periods()),
            "organization": organization,
            "chosen": chosen,
            "standards": names,
            "groups": [(code, names.get(code, code), rows) for code, rows in groups.items()],
            "page": page,
            "total": page.paginator.count,
            "listing": listing,
        },
    )


@login_required
@require_GET
def title_list(request: HttpRequest) -> HttpResponse:
    """The titles a reviewer may decide, proposed ones first by default, with each quota's use;
    sorted by a column (by standard, then best score, by default), paged, exported."""
    chosen = TitleFilterForm(request.GET).chosen()
    state = chosen["state"] if "state" in request.GET else Decision.PROPOSED
    period = _period(chosen)
    titles = selectors.for_review(
        request.user, period=period, standard=chosen["standard"], state=state
    )
    listing = Listing(request, TITLE_COLUMNS, default_sort="standard")
    titles = listing.order(titles)
    names = selectors.standard_names(period, _lang())
    if listing.export_format:
        return _export_titles(
            listing, titles, names, honours=False, name="titles", title=_("Seven-good titles")
        )
    page = Paginator(titles, listing.page_size).get_page(request.GET.get("page"))
    rows = _with_paths(page)
    selectors.subject_units(rows)
    counts = selectors.state_counts(
        selectors.decidable(request.user).filter(period=period)
        if period is not None
        else Title.objects.none()
    )
    return render(
        request,
        "standards/titles_list.html",
        {
            "period": period,
            "periods": list(selectors.year_periods()),
            "chosen": {**chosen, "state": state},
            "standards": names,
            "states": Decision.choices,
            "page": page,
            "rows": rows,
            "counts": counts,
            "quotas": selectors.quota_overview(period, rows),
            "listing": listing,
        },
    )


@login_required
@require_GET
def title_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.title_detail(request.user, pk))


def _detail_page(
    request: HttpRequest, title: Title, *, form=None, alert: str = "", status: int = 200
) -> HttpResponse:
    may_decide = title.state == Decision.PROPOSED and services.can_decide(
        request.user, title.submission
    )
    if form is None and may_decide:
        form = DecideForm(initial={"version": title.version, "decision": DecideForm.CONFIRM})
    names = selectors.standard_names(title.period, _lang())
    paths = selectors.organization_paths([title.organization])
    return render(
        request,
        "standards/titles_detail.html",
        {
            "title": title,
            "standard_name": names.get(title.standard, title.standard),
            "path_names": paths[title.organization_id],
            "rows": selectors.criteria_rows(title.criteria, _lang()),
            "explanation": selectors.explanation_text(title.details, _lang()),
            "form": form if may_decide else None,
            "alert": alert,
        },
        status=status,
    )


@login_required
@require_POST
def title_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm or withhold a proposed title (POST only), from the title's page."""
    title = selectors.title_detail(request.user, pk)
    if not services.can_decide(request.user, title.submission):
        return _detail_page(
            request,
            title,
            alert=_("You may not decide the titles of %(subject)s.")
            % {"subject": title.subject_name},
            status=403,
        )
    form = DecideForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, title, form=form, status=400)
    try:
        services.decide(
            title,
            confirm=form.confirm,
            reason=form.cleaned_data["reason"],
            version=form.cleaned_data["version"],
            acting_user=request.user,
        )
    except services.TitleRefused as refused:
        fresh = selectors.title_detail(request.user, pk)
        return _detail_page(request, fresh, form=form, alert=refused.message, status=refused.status)
    if form.confirm:
        messages.success(
            request, _("Title confirmed: %(subject)s.") % {"subject": title.subject_name}
        )
    else:
        messages.success(
            request, _("Title withheld: %(subject)s.") % {"subject": title.subject_name}
        )
    return redirect(
        f"{reverse('standards:titles')}?period={title.period_id}&standard={title.standard}"
    )


@login_required
@require_GET
def standard_detail(request: HttpRequest, submission_pk: int) -> HttpResponse:
    """How a subject stands against the seven-good standard of its kind: met or not, each
    criterion with its share and threshold, and why."""
    found = selectors.subject_standards(request.user, submission_pk)
    lang = _lang()
    results = [
        {
            "code": result.standard,
            "title": result.title.get(lang),
            "met": result.met,
            "explanation": result.explanation.get(lang),
            "rows": selectors.criteria_rows([c.to_dict() for c in result.criteria], lang),
            "decided": found.titles.get(result.standard),
        }
        for result in found.results
    ]
    paths = selectors.organization_paths([found.submission.organization])
    return render(
        request,
        "standards/standard_detail.html",
        {
            "submission": found.submission,
            "score": found.score,
            "results": results,
            "path_names": paths[found.submission.organization_id],
        },
    )
