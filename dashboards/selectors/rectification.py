"""The rectifications of an organization's subtree, for the dashboard.

The rectification app owns its reads (`rectification.selectors.subtree_summary`); this module
keeps them in the cache for the dashboard. The summary covers every period: an item still open
since last year matters as much on this year's dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from core import versions
from organizations.models import Organization
from rectification.selectors import subtree_summary
from rectification.services import VERSION


@dataclass
class RectificationSummary:
    """Counts of the subtree's items and the most urgent open ones."""

    open: int = 0
    overdue: int = 0
    closed: int = 0
    items: list[Any] = field(default_factory=list)


def cached_summary(organization: Organization) -> dict:
    """The subtree's summary, kept until an item changes (or the day does, which makes items
    overdue). The organization was read through the scope, so its whole subtree is the reader's:
    one copy serves every reader and language (`rectification_summary` names the indicators), and
    is computed ahead of them after every change (`dashboards.warming`)."""
    return versions.remember(
        f"rectifications:{organization.pk}:{timezone.localdate().isoformat()}",
        [VERSION],
        lambda: subtree_summary(organization, None),
    )


def rectification_summary(organization: Organization) -> RectificationSummary:
    """The summary for the dashboard, its indicators named in the reader's language."""
    summary = cached_summary(organization)
    for item in summary["items"]:
        item.indicator_name = item.indicator.display_name if item.indicator else item.indicator_code
    return RectificationSummary(
        open=summary["open"],
        overdue=summary["overdue"],
        closed=summary["closed"],
        items=summary["items"],
    )
