"""The closure rate of rectification items, an indicator source registered into
`assessment.sources` (kind `rectification_closure_rate`).

An organization's items due in the period (up to today while it runs) are the base; those
confirmed closed by their due date count. One grouped query for every subject at once; no item
due gives "not applicable".
"""

from __future__ import annotations

from django.db.models import Count, F, Q
from django.urls import NoReverseMatch, reverse

from assessment import sources
from assessment.scoring.values import NOT_APPLICABLE

from .models import Rectification

__all__ = ["register_all"]

BEHIND_LIMIT = 50


def _due(start, until):
    return Rectification.objects.filter(due_date__range=(start, until))


def count_closure_rate(ctx: sources.Context, source) -> dict:
    closed = Q(state=Rectification.State.CLOSED, confirmed_at__date__lte=F("due_date"))
    rows = (
        _due(ctx.start, ctx.until)
        .filter(ctx.own())
        .values("organization_id")
        .annotate(due=Count("id"), closed=Count("id", filter=closed))
        .values_list("organization_id", "due", "closed")
    )
    rates = {org: min(100.0, closed / due * 100) for org, due, closed in rows if due}
    return ctx.organization_answer(rates, default=NOT_APPLICABLE)


def behind_items(submission, source) -> list[sources.RecordLink]:
    period = submission.period
    items = _due(period.start, period.end).filter(organization_id=submission.organization_id)
    links = []
    for item in items.order_by("due_date", "id")[:BEHIND_LIMIT]:
        try:
            url = reverse("rectification:detail", args=[item.pk])
        except NoReverseMatch:
            url = None
        label = f"{item.due_date:%Y-%m-%d} {item.indicator_code} · {item.get_state_display()}"
        links.append(sources.RecordLink(label, url, item.due_date))
    return links


def register_all() -> None:
    sources.register("rectification_closure_rate", count_closure_rate, behind=behind_items)
